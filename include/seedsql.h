/* seedsql.h - seed's decisions without a server (src/db/seedsql.c):
 * whether the new server may replicate from the source, the statements
 * per flavor and version, and what a replica's status row says. */
#ifndef MQ_SEEDSQL_H
#define MQ_SEEDSQL_H

#include <limits.h>
#include <stddef.h>

#include "db.h"

/* One server, as seed compares it with the other. */
struct seed_side {
	enum flavor flavor;
	unsigned long version;
	unsigned long server_id;
	char uuid[64];          /* MySQL's @@server_uuid; "" on MariaDB */
	char hostname[256];     /* @@hostname */
	unsigned port;          /* @@port */
	char datadir[PATH_MAX]; /* @@datadir */
};

/*
 * May rep (the new server) replicate from src? 0, or -1 with why (one
 * line, what to do): rep is the source itself (same host name, port
 * and data directory); on MySQL, rep's server_uuid is the source's
 * (auto.cnf came with the snapshot: stop the server, remove it, start
 * it; seed never edits a running server's files); rep shares the
 * source's server_id (a replica skips its own server_id's events).
 */
int seed_identity(const struct seed_side *rep, const struct seed_side *src,
		  char *why, size_t n);

/* What CHANGE points the new server at. */
struct seed_plan {
	enum flavor flavor;
	unsigned long version;  /* the new server's */
	const char *host;
	unsigned port;
	const char *user, *password;
	int by_gtid;            /* 1: GTID; 0: file and position */
	const char *file;
	unsigned long long pos;
	const char *gtid;       /* MariaDB: gtid_slave_pos to set */
};

/* The GTID state statement, where the flavor needs one (MariaDB's
 * gtid_slave_pos; MySQL's gtid_executed is the restored server's own,
 * checked against the snapshot: none). "" when none. */
int seed_gtid_sql(char *buf, size_t n, const struct seed_plan *p);

/* Every value CHANGE is given within what p's server takes (a longer
 * one is refused by the server after earlier statements ran, its error
 * quoting part of it): 0, or -1 with why (the password never in it). */
int seed_lengths(const struct seed_plan *p, char *why, size_t n);

/* CHANGE REPLICATION SOURCE TO / CHANGE MASTER TO, by GTID or by file
 * and position; mask: the password as ********. 0, or -1 when it does
 * not fit. */
int seed_change_sql(char *buf, size_t n, const struct seed_plan *p,
		    int mask);

/* START/STOP REPLICA (SLAVE on MariaDB and MySQL before 8.0.22). */
const char *seed_start_sql(enum flavor f, unsigned long version);
const char *seed_stop_sql(enum flavor f, unsigned long version);
/* (Every channel's status: coords.h's coords_replica_sql.) */

/* Stopping and forgetting one old channel (name "" the default one):
 * STOP ... and RESET ... ALL, per channel. 0, or -1 when too long. */
int seed_reset_sql(char *stop, char *reset, size_t n, enum flavor f,
		   unsigned long version, const char *channel);

/* One row of the replica status, by column, either spelling. */
struct repl_row {
	char io[32], sql[32];           /* Yes, No, Connecting */
	char lag[24];                   /* "" when NULL */
	char read_file[256], exec_file[256];
	unsigned long long read_pos, exec_pos;
	unsigned io_errno, sql_errno;
	char io_error[512], sql_error[512];
	char channel[72], host[256];
	unsigned port;
};

/* Fill r from a row: names[i] the column's name, vals[i] its value
 * (NULL for SQL NULL). */
void seed_row(struct repl_row *r, int ncols, const char *const *names,
	      const char *const *vals);

enum { SEED_WAIT, SEED_DONE, SEED_ERROR };

/*
 * Where replication stands: SEED_ERROR when either thread reports an
 * error or has stopped; SEED_DONE when both threads run and the
 * replica has applied a transaction from the source, or holds all the
 * source held when the wait began (applied: the caller's to see); else
 * SEED_WAIT. "All it read is executed" is not done: it holds before the
 * IO thread has read anything, and a first transaction that fails
 * would be reported as replicating.
 */
int seed_progress(const struct repl_row *r, int applied);

/* "host:port" into host and port; 0, or -1 when it is not one. */
int seed_parse_source(const char *s, char *host, size_t n, unsigned *port);

#endif
