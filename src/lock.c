/* lock.c - the lock methods per server flavor, and the safe window. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "db.h"
#include "lock.h"
#include "util.h"

/*
 * FLUSH TABLES WITH READ LOCK. The first flush, outside the lock, closes
 * and writes out most tables while writers still run, so the locked
 * flush has little left to do.
 */
static const char *const ftwrl_take[] = {
	"FLUSH NO_WRITE_TO_BINLOG TABLES",
	"FLUSH TABLES WITH READ LOCK",
	NULL,
};
static const char *const ftwrl_release[] = { "UNLOCK TABLES", NULL };

/* MariaDB >= 10.4: commits are blocked only in the last stage. */
static const char *const bs_take[] = {
	"BACKUP STAGE START",
	"BACKUP STAGE FLUSH",
	"BACKUP STAGE BLOCK_DDL",
	"BACKUP STAGE BLOCK_COMMIT",
	NULL,
};
static const char *const bs_release[] = { "BACKUP STAGE END", NULL };

/* Percona Server 5.6 / 5.7 backup locks. */
static const char *const pbl_take[] = {
	"LOCK TABLES FOR BACKUP",
	"LOCK BINLOG FOR BACKUP",
	NULL,
};
static const char *const pbl_release[] = {
	"UNLOCK BINLOG",
	"UNLOCK TABLES",
	NULL,
};

static const struct lock_method methods[] = {
	{ "ftwrl", ftwrl_take, ftwrl_release, 0, NULL },
	/* BACKUP STAGE START waits for nothing but another connection's
	 * BACKUP STAGE (another FTWRL does not stop it). */
	{ "backup-stage", bs_take, bs_release, 1,
	  "another connection is in BACKUP STAGE (a backup such as "
	  "mariabackup running?)" },
	{ "percona-backup-locks", pbl_take, pbl_release, 1, NULL },
};

const struct lock_method *
lock_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(methods); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

const struct lock_method *
lock_choose(const char *configured, enum flavor f, unsigned long v,
	    char *err, size_t n)
{
	int has_bs = f == FL_MARIADB && v >= 100401;
	int has_pbl = f == FL_PERCONA && v >= 50600 && v < 80000;

	if (strcmp(configured, "auto") == 0) {
		if (has_bs)
			return lock_by_name("backup-stage");
		if (has_pbl)
			return lock_by_name("percona-backup-locks");
		return lock_by_name("ftwrl");
	}
	if (strcmp(configured, "backup-stage") == 0 && !has_bs) {
		fmt(err, n, "lock method backup-stage needs MariaDB 10.4.1 or "
		    "later");
		return NULL;
	}
	if (strcmp(configured, "percona-backup-locks") == 0 && !has_pbl) {
		fmt(err, n, "lock method percona-backup-locks needs Percona "
		    "Server 5.6 or 5.7");
		return NULL;
	}
	return lock_by_name(configured);
}

int
lock_release(struct db *d, const struct lock_method *m)
{
	const char *const *s;
	int r = 0;
	char first[sizeof(d->err)] = "";

	for (s = m->release; *s != NULL; s++) {
		if (db_exec(d, *s) == -1 && r == 0) {
			r = -1;
			memcpy(first, d->err, sizeof(first));
		}
	}
	if (r == -1)
		memcpy(d->err, first, sizeof(first));
	return r;
}

int
lock_take(struct db *d, const struct lock_method *m)
{
	const char *const *s;
	const char *hint;
	char why[sizeof(d->err)];
	unsigned int errnum;

	for (s = m->take; *s != NULL; s++) {
		if (db_exec(d, *s) == 0)
			continue;
		memcpy(why, d->err, sizeof(why));
		errnum = d->errnum;
		lock_release(d, m);
		/* A first statement that timed out: say what it waits for. */
		hint = errnum == ER_LOCK_WAIT_TIMEOUT && s == m->take ?
		       m->first_wait : NULL;
		fmt(d->err, sizeof(d->err), "%s: %s%s%s", *s, why,
		    hint != NULL ? "; " : "", hint != NULL ? hint : "");
		d->errnum = errnum;
		return -1;
	}
	return 0;
}

enum lock_waits
lock_waits_for(const struct lock_method *m, enum flavor f, unsigned long v)
{
	if (m->backup_lock)
		return WAITS_NONTX;
	/* MariaDB's FTWRL does not wait for plain reads (measured on
	 * 10.11); MySQL's waits for every statement with a table open. */
	if (f == FL_MARIADB && v >= 100401)
		return WAITS_WRITES;
	return WAITS_ALL;
}

const char *
lock_waits_name(enum lock_waits w)
{
	switch (w) {
	case WAITS_ALL:
		return "every running statement";
	case WAITS_WRITES:
		return "writes and DDL";
	default:
		return "DDL and non-transactional writes";
	}
}

/* Append ignore_commands, quoted and comma-separated, to sql. */
static int
append_ignored(struct db *d, const struct config *c, char *sql, size_t n)
{
	char word[CONFIG_STR_MAX], quoted[2 * CONFIG_STR_MAX + 3];
	const char *p = c->lock_ignore_commands;
	int first = 1;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		const char *b = p, *e = p + len;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b) {
			fmt(word, sizeof(word), "%.*s", (int)(e - b), b);
			if (db_quote(d, quoted, sizeof(quoted), word) == -1 ||
			    append(sql, n, "%s%s", first ? "" : ", ",
				   quoted) == -1)
				return -1;
			first = 0;
		}
		p += len + (p[len] == ',');
	}
	return append(sql, n, "%s", first ? "''" : "");
}

/*
 * Is db.table transactional? 1 yes, 0 no or unknown (a view, a
 * temporary table, a table that is gone: assume the worst), -1 error.
 */
static int
transactional(struct db *d, const char *db, const char *table)
{
	char qdb[2 * 64 * 4 + 3], qt[2 * 64 * 4 + 3], sql[1400];
	MYSQL_RES *r;
	MYSQL_ROW row;
	int yes;

	if (db_quote(d, qdb, sizeof(qdb), db) == -1 ||
	    db_quote(d, qt, sizeof(qt), table) == -1)
		return 0;
	fmt(sql, sizeof(sql),
	    "SELECT e.TRANSACTIONS FROM information_schema.TABLES t "
	    "JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE "
	    "WHERE t.TABLE_SCHEMA = %s AND t.TABLE_NAME = %s", qdb, qt);
	r = db_query(d, sql);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	yes = row != NULL && row[0] != NULL && strcmp(row[0], "YES") == 0;
	mysql_free_result(r);
	return yes;
}

/* Does the pending lock wait for this statement? 1, 0 or -1. */
static int
blocks(struct db *d, enum lock_waits w, struct blocker *b, const char *text,
       const char *conn_db)
{
	char db[256], table[256];

	b->kind = stmt_classify(text, db, sizeof(db), table, sizeof(table));
	if (w == WAITS_ALL)
		return 1;
	if (b->kind == STMT_READ)
		return 0;
	if (w == WAITS_WRITES || b->kind != STMT_WRITE)
		return 1;
	if (db[0] == '\0') {
		if (conn_db == NULL || conn_db[0] == '\0')
			return 1;
		fmt(db, sizeof(db), "%s", conn_db);
	}
	switch (transactional(d, db, table)) {
	case 1:
		return 0;
	case 0:
		return 1;
	default:
		return -1;
	}
}

int
lock_blockers(struct db *d, const struct config *c, enum lock_waits w,
	      long long min_time, unsigned long skip, struct blocker *b,
	      int max)
{
	/* MySQL 8.0.22+ has a non-blocking process list in
	 * performance_schema; elsewhere information_schema's is it. */
	const char *table = (d->flavor != FL_MARIADB && d->version >= 80022)
		? "performance_schema.processlist"
		: "information_schema.PROCESSLIST";
	char sql[4096];
	MYSQL_RES *r;
	MYSQL_ROW row;
	int n = 0, rc = 0;

	if (fmt(sql, sizeof(sql),
		"SELECT ID, USER, HOST, COMMAND, TIME, DB, "
		"LEFT(INFO, 1024) FROM %s "
		"WHERE ID <> CONNECTION_ID() AND ID <> %lu AND TIME >= %lld "
		"AND INFO IS NOT NULL "
		"AND USER NOT IN ('system user', 'event_scheduler') "
		"AND COMMAND NOT LIKE 'Slave%%' "
		"AND COMMAND NOT LIKE 'Binlog Dump%%' "
		"AND COMMAND NOT IN (",
		table, skip, min_time) == -1 ||
	    append_ignored(d, c, sql, sizeof(sql)) == -1 ||
	    append(sql, sizeof(sql), ") ORDER BY TIME DESC LIMIT 50") == -1) {
		fmt(d->err, sizeof(d->err), "ignore_commands is too long");
		return -1;
	}
	r = db_query(d, sql);
	if (r == NULL)
		return -1;
	while (n < max && (row = mysql_fetch_row(r)) != NULL) {
		struct blocker *x = &b[n];

		memset(x, 0, sizeof(*x));
		x->id = strtoul(row[0] ? row[0] : "0", NULL, 10);
		sanitize(x->user, sizeof(x->user), row[1] ? row[1] : "");
		sanitize(x->host, sizeof(x->host), row[2] ? row[2] : "");
		sanitize(x->command, sizeof(x->command), row[3] ? row[3] : "");
		x->time = strtoll(row[4] ? row[4] : "0", NULL, 10);
		sanitize(x->info, sizeof(x->info), row[6] ? row[6] : "");
		rc = blocks(d, w, x, row[6] ? row[6] : "", row[5]);
		if (rc == -1)
			break;
		if (rc == 1)
			n++;
	}
	mysql_free_result(r);
	return rc == -1 ? -1 : n;
}

int
lock_killable(const struct config *c, const struct blocker *b)
{
	if (strcmp(c->lock_kill_long_queries, "all") == 0)
		return 1;
	return strcmp(c->lock_kill_long_queries, "select") == 0 &&
	       b->kind == STMT_READ;
}

void
lock_blocker_describe(const struct blocker *b, char *buf, size_t n)
{
	fmt(buf, n, "connection %lu (%s@%s, %s) running %lld s: %.200s%s",
	    b->id, b->user, b->host, b->command, b->time, b->info,
	    strlen(b->info) > 200 ? "..." : "");
}
