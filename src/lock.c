/* lock.c - the lock methods per server flavor, and the safe window. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

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
	{ "ftwrl", ftwrl_take, ftwrl_release, 0 },
	{ "backup-stage", bs_take, bs_release, 1 },
	{ "percona-backup-locks", pbl_take, pbl_release, 1 },
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
	char why[sizeof(d->err)];
	unsigned int errnum;

	for (s = m->take; *s != NULL; s++) {
		if (db_exec(d, *s) == 0)
			continue;
		memcpy(why, d->err, sizeof(why));
		errnum = d->errnum;
		lock_release(d, m);
		fmt(d->err, sizeof(d->err), "%s: %s", *s, why);
		d->errnum = errnum;
		return -1;
	}
	return 0;
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

int
lock_blocker_sql(struct db *d, const struct config *c,
		 const struct lock_method *m, char *sql, size_t n)
{
	/* MySQL 8.0.22+ has a non-blocking process list in
	 * performance_schema; elsewhere information_schema's is it. */
	const char *table = (d->flavor != FL_MARIADB && d->version >= 80022)
		? "performance_schema.processlist"
		: "information_schema.PROCESSLIST";

	if (fmt(sql, n,
		"SELECT ID, USER, HOST, COMMAND, TIME, "
		"LEFT(IFNULL(INFO, ''), 200) FROM %s "
		"WHERE ID <> CONNECTION_ID() AND TIME >= %lld "
		"AND USER NOT IN ('system user', 'event_scheduler') "
		"AND COMMAND NOT LIKE 'Slave%%' "
		"AND COMMAND NOT LIKE 'Binlog Dump%%' "
		"AND COMMAND NOT IN (",
		table, c->lock_long_query_threshold) == -1 ||
	    append_ignored(d, c, sql, n) == -1 || append(sql, n, ")") == -1)
		return -1;
	/* Backup locks wait only for writes and DDL, never for reads. */
	if (m->writes_only &&
	    append(sql, n, " AND INFO RLIKE '^[[:space:](]*(INSERT|UPDATE|"
		   "DELETE|REPLACE|LOAD|ALTER|CREATE|DROP|RENAME|TRUNCATE|"
		   "OPTIMIZE|REPAIR|ANALYZE|IMPORT)'") == -1)
		return -1;
	return append(sql, n, " ORDER BY TIME DESC LIMIT 1");
}

int
lock_find_blocker(struct db *d, const struct config *c,
		  const struct lock_method *m, char *why, size_t n)
{
	char sql[4096], info[201];
	MYSQL_RES *r;
	MYSQL_ROW row;
	int found = 0;

	if (lock_blocker_sql(d, c, m, sql, sizeof(sql)) == -1) {
		fmt(d->err, sizeof(d->err), "ignore_commands is too long");
		return -1;
	}
	r = db_query(d, sql);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row != NULL) {
		sanitize(info, sizeof(info), row[5] ? row[5] : "");
		fmt(why, n, "connection %s (%s@%s, %s) running for %s s: %s",
		    row[0] ? row[0] : "?", row[1] ? row[1] : "?",
		    row[2] ? row[2] : "?", row[3] ? row[3] : "?",
		    row[4] ? row[4] : "?", info);
		found = 1;
	}
	mysql_free_result(r);
	return found;
}
