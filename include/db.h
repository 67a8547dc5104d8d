/* db.h - one server connection: connect, flavor, statements, errors. */
#ifndef MQ_DB_H
#define MQ_DB_H

#include "failure.h"

#include <stdint.h>

#include "dbapi.h"

#include "config.h"

enum flavor { FL_MYSQL, FL_MARIADB, FL_PERCONA };

struct db {
	MYSQL *m;
	unsigned long id;      /* CONNECTION_ID() */
	enum flavor flavor;
	unsigned long version; /* major * 10000 + minor * 100 + patch */
	char version_str[128]; /* VERSION() */
	char comment[128];     /* @@version_comment */
	char user[256];        /* USER(): login user@client host */
	unsigned int errnum;   /* the last error's number, server's or
				* client's (db_errclass reads it); its
				* words went to the caller's failure */
	int ps_blind;          /* performance_schema's process list shows
				* nothing here: SHOW FULL PROCESSLIST */
	char tag[64];          /* a comment db_exec puts before each
				* statement: the holder's marker, which
				* the process list shows while it waits */
};

/*
 * Connect as the config says and learn the server's flavor, version,
 * our connection id and account. read_timeout (seconds, 0 = none)
 * bounds each statement on the client side. Returns MQ_OK, or
 * MQ_SERVER / MQ_PRIV (MQ_FAIL: the library) with f set; d is then
 * closed.
 */
int db_connect(struct db *d, const struct server_config *c,
	       unsigned read_timeout, struct failure *f);

/* The same, but connecting ends with MQ_ABORTED when a stop signal
 * arrives on sigfd (-1: none) and with MQ_TIMEOUT at deadline (mono_ms;
 * NO_DEADLINE for none): the wait for the server's answer, too. */
int db_connect_until(struct db *d, const struct server_config *c,
		     unsigned read_timeout, int sigfd, int64_t deadline,
		     struct failure *f);

/* Run a statement that returns no rows; 0, or -1 with f set. */
int db_exec(struct db *d, const char *sql, struct failure *f);

/* Run a statement that returns rows; the result (free it), or NULL
 * with f set. */
MYSQL_RES *db_query(struct db *d, const char *sql, struct failure *f);

/* The first column of a statement's first row into buf ("" when it
 * has none, or NULL); 0, or -1 with f set. */
int db_value(struct db *d, const char *sql, char *buf, size_t n,
	     struct failure *f);

/* The same, streamed: each mysql_fetch_row reads one row from the
 * server, so a large result is never held whole. Fetch until NULL,
 * then db_stream_end: 0, or -1 with f set when the rows ended in an
 * error. Nothing else may run on d until it is freed. */
MYSQL_RES *db_stream(struct db *d, const char *sql, struct failure *f);
int db_stream_end(struct db *d, MYSQL_RES *r, struct failure *f);

/* MQ_PRIV when the last error was a denied access, else MQ_SERVER. */
int db_errclass(const struct db *d);

/* True when the last error was a lock wait timeout or our statement
 * being killed: worth another attempt. */
int db_err_retryable(const struct db *d);

/* True when the last error was the server's answer (not the client
 * library's): the session was alive when it was sent. */
int db_err_from_server(const struct db *d);

/* The connection's socket, to poll for the server closing it. */
int db_socket(struct db *d);

/* Quote s as an SQL string literal into buf; 0 or -1 if it did not fit. */
int db_quote(struct db *d, char *buf, size_t n, const char *s);

void db_close(struct db *d);

/* Wipe the client library's copies of the password in d: once d is
 * connected, for a process that will not connect again (which wipes
 * its config's too: config_forget_passwords). */
void db_forget_password(struct db *d);

/* Parse "10.11.6-MariaDB-..." into 101106; 0 if it is not a version. */
unsigned long db_parse_version(const char *s);

/* Flavor from VERSION() and @@version_comment. */
enum flavor db_flavor(const char *version, const char *comment);

const char *db_flavor_name(enum flavor f);

/* The client library loaded and initialised now, not at the first
 * connection: before forking children that each connect. */
int db_preload(struct failure *f);

/* The client library this binary runs with, how it is linked, and the
 * TLS library inside it: with a static link, the only way to tell which
 * OpenSSL a build carries. */
void db_client_info(char *buf, size_t n);

#endif
