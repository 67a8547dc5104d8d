/* db.c - connecting, running statements, classifying errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <link.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "db.h"
#include "event.h"
#include "exits.h"
#include "log.h"
#include "optfile.h"
#include "util.h"

enum { CONNECT_TIMEOUT = 5 };

/* The library's last error: its number kept in d (db_errclass and
 * db_err_retryable read it), its words in f. */
static void
set_err(struct db *d, struct failure *f)
{
	d->errnum = mysql_errno(d->m);
	failf(f, db_errclass(d), "%s (error %u)", mysql_error(d->m),
	      d->errnum);
}

unsigned long
db_parse_version(const char *s)
{
	unsigned long part[3] = { 0, 0, 0 };
	int i;

	for (i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			part[i] = part[i] * 10 + (unsigned long)(*s++ - '0');
		if (part[i] > 99)
			return 0;
		if (i < 2 && *s++ != '.')
			return 0;
	}
	return part[0] * 10000 + part[1] * 100 + part[2];
}

enum flavor
db_flavor(const char *version, const char *comment)
{
	if (strstr(version, "MariaDB") != NULL)
		return FL_MARIADB;
	if (strstr(comment, "Percona") != NULL)
		return FL_PERCONA;
	return FL_MYSQL;
}

const char *
db_flavor_name(enum flavor f)
{
	switch (f) {
	case FL_MARIADB:
		return "MariaDB";
	case FL_PERCONA:
		return "Percona Server";
	case FL_MYSQL:
		break;
	}
	return "MySQL";
}

/* Learn who and what we are connected to. */
static int
identify(struct db *d, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	r = db_query(d, "SELECT CONNECTION_ID(), VERSION(), "
		     "@@version_comment, USER()", f);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row == NULL || row[0] == NULL || row[1] == NULL) {
		mysql_free_result(r);
		failf(f, MQ_SERVER, "server did not say who it is");
		return -1;
	}
	d->id = strtoul(row[0], NULL, 10);
	sanitize(d->version_str, sizeof(d->version_str), row[1]);
	sanitize(d->comment, sizeof(d->comment), row[2] ? row[2] : "");
	sanitize(d->user, sizeof(d->user), row[3] ? row[3] : "");
	mysql_free_result(r);
	d->version = db_parse_version(d->version_str);
	d->flavor = db_flavor(d->version_str, d->comment);
	return 0;
}

#ifdef MARIADB_PACKAGE_VERSION_ID
/*
 * Connect with the client library's non-blocking calls, waiting on its
 * socket beside the stop signals and the deadline: a server (or
 * anything on its socket) that accepts and never answers cannot hold
 * us past either. MQ_OK; MQ_ABORTED, MQ_TIMEOUT or MQ_FAIL (poll
 * itself failed) with f set; or -1: the library's own error, for
 * set_err.
 */
static int
connect_nb(struct db *d, const char *host, const char *user,
	   const char *pass, unsigned port, const char *sock, int sigfd,
	   int64_t deadline, struct failure *f)
{
	MYSQL *ret = NULL;
	int st;

	/* NULL: the library's default stack for its coroutine. */
	if (mysql_options(d->m, MYSQL_OPT_NONBLOCK, NULL) != 0)
		return -1;
	st = mysql_real_connect_start(&ret, d->m, host, user, pass, NULL,
				      port, sock, 0);
	while (st != 0) {
		struct pollfd p[2] = {
			{ .fd = mysql_get_socket(d->m) },
			{ .fd = sigfd, .events = POLLIN } };
		int64_t until = deadline;
		int r, got = 0;

		if (st & MYSQL_WAIT_READ)
			p[0].events |= POLLIN;
		if (st & MYSQL_WAIT_WRITE)
			p[0].events |= POLLOUT;
		if (st & MYSQL_WAIT_EXCEPT)
			p[0].events |= POLLPRI;
		if (st & MYSQL_WAIT_TIMEOUT) {
			int64_t t = mono_ms() +
				    (int64_t)mysql_get_timeout_value_ms(d->m);

			if (t < until)
				until = t;
		}
		r = wait_until(p, sigfd >= 0 ? 2 : 1, until);
		if (r == -1) {
			failf(f, MQ_SERVER, "poll while connecting: "
			    "%s", strerror(errno));
			return MQ_FAIL;
		}
		if (p[1].revents & POLLIN) {
			failf(f, MQ_SERVER, "stopped by a signal "
			    "while connecting");
			return MQ_ABORTED;
		}
		if (r == 0 && until == deadline && mono_ms() >= deadline) {
			failf(f, MQ_SERVER, "the server did not "
			    "answer before the deadline");
			return MQ_TIMEOUT;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			got |= MYSQL_WAIT_READ;
		if (p[0].revents & (POLLOUT | POLLHUP | POLLERR))
			got |= MYSQL_WAIT_WRITE;
		if (p[0].revents & POLLPRI)
			got |= MYSQL_WAIT_EXCEPT;
		if (r == 0)
			got |= MYSQL_WAIT_TIMEOUT;
		st = mysql_real_connect_cont(&ret, d->m, got);
	}
	return ret == NULL ? -1 : MQ_OK;
}
#endif

static int
real_connect(struct db *d, const char *host, const char *user,
	     const char *pass, unsigned port, const char *sock, int sigfd,
	     int64_t deadline, struct failure *f)
{
#ifdef MARIADB_PACKAGE_VERSION_ID
	if (sigfd >= 0 || deadline != NO_DEADLINE)
		return connect_nb(d, host, user, pass, port, sock, sigfd,
				  deadline, f);
#else
	(void)sigfd;
	(void)deadline;
	(void)f;
#endif
	return mysql_real_connect(d->m, host, user, pass, NULL, port, sock,
				  0) == NULL ? -1 : MQ_OK;
}

int
db_connect(struct db *d, const struct server_config *c, unsigned read_timeout,
	   struct failure *f)
{
	return db_connect_until(d, c, read_timeout, -1, NO_DEADLINE, f);
}

int
db_connect_until(struct db *d, const struct server_config *c, unsigned read_timeout,
		 int sigfd, int64_t deadline, struct failure *f)
{
	unsigned int ct = CONNECT_TIMEOUT;
	const char *host = c->mysql_host[0] ? c->mysql_host : NULL;
	const char *sock = c->mysql_socket[0] ? c->mysql_socket : NULL;
	const char *user = c->mysql_user[0] ? c->mysql_user : NULL;
	const char *pass = c->mysql_password[0] ? c->mysql_password : NULL;
	char dpass[CONFIG_STR_MAX], copy[64];
	int r, dfd = -1;

	memset(d, 0, sizeof(*d));
	if (dbapi_load(f) == -1)
		return MQ_FAIL;
	d->m = mysql_init(NULL);
	if (d->m == NULL) {
		failf(f, MQ_FAIL, "out of memory");
		return MQ_FAIL;
	}
	if (c->mysql_defaults_file[0] != '\0') {
		/* the library reads a copy without the password, which we
		 * pass ourselves: no copy of it is left in its buffers */
		if ((dfd = optfile_unpassworded(c->mysql_defaults_file, dpass,
						sizeof(dpass), f)) == -1) {
			mysql_close(d->m);
			d->m = NULL;
			return f->code;
		}
		if (pass == NULL && dpass[0] != '\0')
			pass = dpass;
		fmt(copy, sizeof(copy), "/proc/self/fd/%d", dfd);
		mysql_options(d->m, MYSQL_READ_DEFAULT_FILE, copy);
		mysql_options(d->m, MYSQL_READ_DEFAULT_GROUP, "client");
	}
	mysql_options(d->m, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	/* statements from the process list as UTF-8, whatever the client
	 * library's default (latin1 would hand an 'e' with an acute accent
	 * over as one byte that is not UTF-8) */
	mysql_options(d->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (read_timeout > 0) {
		mysql_options(d->m, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
		mysql_options(d->m, MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
	}
	mysql_options4(d->m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name",
		       "mysql-quiesce");
	r = real_connect(d, host, user, pass, (unsigned)c->mysql_port, sock,
			 sigfd, deadline, f);
	if (dfd != -1) {
		close(dfd);
		explicit_bzero(dpass, sizeof(dpass));
	}
	if (r != MQ_OK) {
		if (r != MQ_ABORTED && r != MQ_TIMEOUT && r != MQ_FAIL) {
			set_err(d, f);
			r = db_errclass(d);
		}
		mysql_close(d->m);
		d->m = NULL;
		return r;
	}
	if (identify(d, f) == -1) {
		r = db_errclass(d);
		mysql_close(d->m);
		d->m = NULL;
		return r;
	}
	return MQ_OK;
}

int
db_value(struct db *d, const char *sql, char *buf, size_t n,
	 struct failure *f)
{
	MYSQL_RES *r = db_query(d, sql, f);
	MYSQL_ROW row;

	buf[0] = '\0';
	if (r == NULL)
		return -1;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
		fmt(buf, n, "%s", row[0]);
	mysql_free_result(r);
	return 0;
}

int
db_exec(struct db *d, const char *sql, struct failure *f)
{
	MYSQL_RES *r;
	char tagged[512];

	if (d->tag[0] != '\0') {
		if (fmt(tagged, sizeof(tagged), "%s %s", d->tag, sql) == -1) {
			failf(f, MQ_SERVER, "statement too long");
			d->errnum = 0;
			return -1;
		}
		sql = tagged;
	}
	if (mysql_real_query(d->m, sql, strlen(sql)) != 0) {
		set_err(d, f);
		return -1;
	}
	/* A statement that unexpectedly returns rows: drain them. */
	r = mysql_store_result(d->m);
	if (r != NULL)
		mysql_free_result(r);
	else if (mysql_field_count(d->m) != 0) {
		set_err(d, f);
		return -1;
	}
	return 0;
}

static MYSQL_RES *
query(struct db *d, const char *sql, int stream, struct failure *f)
{
	MYSQL_RES *r;

	if (mysql_real_query(d->m, sql, strlen(sql)) != 0) {
		set_err(d, f);
		return NULL;
	}
	r = stream ? mysql_use_result(d->m) : mysql_store_result(d->m);
	if (r == NULL) {
		if (mysql_errno(d->m) != 0)
			set_err(d, f);
		else {
			d->errnum = 0;
			failf(f, MQ_SERVER, "statement returned no "
			    "result set: %.60s", sql);
		}
	}
	return r;
}

MYSQL_RES *
db_query(struct db *d, const char *sql, struct failure *f)
{
	return query(d, sql, 0, f);
}

MYSQL_RES *
db_stream(struct db *d, const char *sql, struct failure *f)
{
	return query(d, sql, 1, f);
}

int
db_stream_end(struct db *d, MYSQL_RES *r, struct failure *f)
{
	int bad = mysql_errno(d->m) != 0;

	if (bad)
		set_err(d, f);
	mysql_free_result(r);
	return bad ? -1 : 0;
}

int
db_errclass(const struct db *d)
{
	switch (d->errnum) {
	case ER_ACCESS_DENIED_ERROR:
	case ER_DBACCESS_DENIED_ERROR:
	case ER_SPECIFIC_ACCESS_DENIED_ERROR:
	case ER_TABLEACCESS_DENIED_ERROR:
	case ER_KILL_DENIED_ERROR:
		return MQ_PRIV;
	}
	return MQ_SERVER;
}

int
db_err_retryable(const struct db *d)
{
	switch (d->errnum) {
	case ER_LOCK_WAIT_TIMEOUT:
	case ER_QUERY_INTERRUPTED:
	case ER_LOCK_DEADLOCK:
		return 1;
	}
	return 0;
}

int
db_err_from_server(const struct db *d)
{
	return d->errnum > 0 && d->errnum < CR_MIN_ERROR;
}

int
db_socket(struct db *d)
{
#ifdef MARIADB_BASE_VERSION
	return (int)mysql_get_socket(d->m);
#else
	return d->m->net.fd;
#endif
}

int
db_quote(struct db *d, char *buf, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (n < 2 * len + 3)
		return -1;
	buf[0] = '\'';
	len = mysql_real_escape_string(d->m, buf + 1, s, (unsigned long)len);
	buf[len + 1] = '\'';
	buf[len + 2] = '\0';
	return 0;
}

void
db_forget_password(struct db *d)
{
	if (d->m == NULL)
		return;
	if (d->m->passwd != NULL)
		explicit_bzero(d->m->passwd, strlen(d->m->passwd));
	/* a password read from defaults_file's [client] group stays in
	 * the options as well as in the connection */
	if (d->m->options.password != NULL)
		explicit_bzero(d->m->options.password,
			       strlen(d->m->options.password));
}

void
db_close(struct db *d)
{
	if (d->m != NULL)
		mysql_close(d->m);
	d->m = NULL;
}

static int
find_shared(struct dl_phdr_info *info, size_t size, void *found)
{
	(void)size;
	if (strstr(info->dlpi_name, "libmariadb.so") != NULL ||
	    strstr(info->dlpi_name, "libmysqlclient.so") != NULL)
		*(int *)found = 1;
	return 0;
}

int
db_preload(struct failure *f)
{
	if (dbapi_load(f) == -1)
		return -1;
	if (mysql_library_init(0, NULL, NULL) != 0) {
		failf(f, MQ_FAIL, "the client library cannot initialise");
		return -1;
	}
	return 0;
}

void
db_client_info(char *buf, size_t n)
{
	const char *tls = NULL, *name = "libmysqlclient";
	struct failure lf;
	int shared = 0;

	if (dbapi_load(&lf) == -1) {
		fmt(buf, n, "%s", lf.why);
		return;
	}
	dl_iterate_phdr(find_shared, &shared);
#ifdef MARIADB_PACKAGE_VERSION_ID
	name = "libmariadb";
	if (mysql_library_init(0, NULL, NULL) == 0)
		(void)mariadb_get_infov(NULL, MARIADB_TLS_LIBRARY, &tls);
#endif
	fmt(buf, n, "%s %s (%s), TLS library: %s", name,
	    mysql_get_client_info(), shared ? "shared" : "linked statically",
	    tls != NULL ? tls : "unknown");
}
