/* plist.c - who runs what on the server: the process list, read so
 * that it never goes blind, and the holders of a pending metadata lock
 * (the contract is in include/plist.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "plist.h"
#include "util.h"

void
plist_sql(enum flavor f, unsigned long version, int ps_blind,
	      long long min_time, char *buf, size_t n)
{
	if (f != FL_MARIADB && version >= 80022 && !ps_blind)
		fmt(buf, n, "SELECT ID, USER, HOST, DB, COMMAND, TIME, STATE, "
		    "INFO FROM performance_schema.processlist WHERE (INFO IS "
		    "NOT NULL AND TIME >= %lld) OR ID = CONNECTION_ID()",
		    min_time);
	else
		fmt(buf, n, "SHOW FULL PROCESSLIST");
}

int
plist_read(struct db *d, long long min_time, plist_row_fn *fn, void *arg,
	   struct failure *f)
{
	/*
	 * MySQL 8.0.22+ has a non-blocking process list in
	 * performance_schema. Elsewhere SHOW FULL PROCESSLIST, filtered
	 * here: on MariaDB 10.11, with 10,000 idle connections, it took
	 * 9 ms with every row sent, where information_schema.PROCESSLIST
	 * took 17.6 ms with every row filtered out by the server (which
	 * fills a temporary table a row per connection whatever the query
	 * asks; README, Scale). Columns: id, user, host, db, command,
	 * time, state, info.
	 */
	char sql[300];
	MYSQL_RES *r;
	MYSQL_ROW row;
	unsigned cols;
	int self, rc;

again:
	self = 0;
	rc = 0;
	plist_sql(d->flavor, d->version, d->ps_blind, min_time, sql,
		      sizeof(sql));
	if ((r = db_stream(d, sql, f)) == NULL) {
		if (d->ps_blind || strstr(sql, "performance_schema") == NULL)
			return -1;
		d->ps_blind = 1; /* unreadable: the classic list */
		goto again;
	}
	if ((cols = mysql_num_fields(r)) < 8) {
		db_stream_end(d, r, f);
		failf(f, MQ_SERVER, "%s returned %u "
		    "columns, not 8", sql, cols);
		return -1;
	}
	if ((rc = fn(arg, NULL)) == -1) { /* a new read begins */
		db_stream_end(d, r, f);
		return failf(f, MQ_FAIL, "the process list's reader failed");
	}
	while ((row = mysql_fetch_row(r)) != NULL) {
		if (row[0] != NULL && strtoul(row[0], NULL, 10) == d->id) {
			self = 1;
			continue;
		}
		if (rc != -1 && fn(arg, row) == -1)
			rc = -1; /* read on: the stream must be drained */
	}
	if (db_stream_end(d, r, f) == -1)
		return -1;
	if (rc == -1)
		return failf(f, MQ_FAIL, "the process list's reader failed");
	/* Our own connection is always in a list that sees anything:
	 * without it the list is blind (performance_schema off), never
	 * "nothing runs". */
	if (!self) {
		if (!d->ps_blind && strstr(sql, "performance_schema") != NULL) {
			d->ps_blind = 1;
			log_warn("performance_schema.processlist shows not even "
				 "our own connection (performance_schema off?): "
				 "reading SHOW FULL PROCESSLIST instead");
			goto again;
		}
		failf(f, MQ_SERVER, "%s shows not even our "
		    "own connection: the safe moment cannot be judged", sql);
		return -1;
	}
	return 0;
}

int
plist_mdl_holders(struct db *d, unsigned long waiter, char *buf, size_t n,
		  struct failure *f)
{
	enum { MDL_MAX = 8 };
	struct { unsigned long id; int lt; char text[400]; } h[MDL_MAX];
	char sql[1800];
	MYSQL_RES *r;
	MYSQL_ROW row;
	int k = 0, i, lt, shown = 0;

	buf[0] = '\0';
	/* the granted locks on what the waiter's pending one is for, each
	 * with the tables its owner holds by LOCK TABLES ... WRITE
	 * (SHARED_NO_READ_WRITE) */
	fmt(sql, sizeof(sql),
	    "SELECT gt.PROCESSLIST_ID, gt.PROCESSLIST_USER, "
	    "gt.PROCESSLIST_HOST, g.LOCK_TYPE, (SELECT GROUP_CONCAT("
	    "CONCAT(w.OBJECT_SCHEMA, '.', w.OBJECT_NAME) SEPARATOR ', ') "
	    "FROM performance_schema.metadata_locks w WHERE "
	    "w.OWNER_THREAD_ID = g.OWNER_THREAD_ID AND w.OBJECT_TYPE = "
	    "'TABLE' AND w.LOCK_TYPE = 'SHARED_NO_READ_WRITE' AND "
	    "w.LOCK_STATUS = 'GRANTED') FROM performance_schema.metadata_locks"
	    " p JOIN performance_schema.threads pt ON pt.THREAD_ID = "
	    "p.OWNER_THREAD_ID JOIN performance_schema.metadata_locks g ON "
	    "g.OBJECT_TYPE = p.OBJECT_TYPE AND g.OBJECT_SCHEMA <=> "
	    "p.OBJECT_SCHEMA AND g.OBJECT_NAME <=> p.OBJECT_NAME AND "
	    "g.LOCK_STATUS = 'GRANTED' AND g.OWNER_THREAD_ID <> "
	    "p.OWNER_THREAD_ID JOIN performance_schema.threads gt ON "
	    "gt.THREAD_ID = g.OWNER_THREAD_ID WHERE pt.PROCESSLIST_ID = %lu "
	    "AND p.LOCK_STATUS = 'PENDING' AND gt.PROCESSLIST_ID IS NOT NULL "
	    "AND gt.PROCESSLIST_ID <> CONNECTION_ID() LIMIT 50", waiter);
	if ((r = db_query(d, sql, f)) == NULL)
		return -1;
	while ((row = mysql_fetch_row(r)) != NULL && k < MDL_MAX) {
		unsigned long id = strtoul(row[0] ? row[0] : "0", NULL, 10);
		char user[128], host[128], what[200];

		for (i = 0; i < k && h[i].id != id; i++)
			;
		if (i < k)
			continue; /* its other locks */
		h[k].id = id;
		h[k].lt = row[4] != NULL && row[4][0] != '\0';
		sanitize(user, sizeof(user), row[1] ? row[1] : "");
		sanitize(host, sizeof(host), row[2] ? row[2] : "");
		if (h[k].lt)
			fmt(what, sizeof(what), "LOCK TABLES %.150s WRITE",
			    row[4]);
		else
			fmt(what, sizeof(what), "a %.60s lock",
			    row[3] ? row[3] : "?");
		fmt(h[k].text, sizeof(h[k].text), "connection %lu (%s@%s) with "
		    "%s", id, user, host, what);
		sanitize(h[k].text, sizeof(h[k].text), h[k].text);
		k++;
	}
	mysql_free_result(r);
	if (k == 0) {
		fmt(buf, n, "; performance_schema.metadata_locks names no "
		    "holder of what the lock waits for (performance_schema "
		    "off, or its mdl instrument?)");
		return 0;
	}
	/* up to three, LOCK TABLES holders first */
	fmt(buf, n, "; its metadata lock is held by");
	for (lt = 1; lt >= 0; lt--)
		for (i = 0; i < k && shown < 3; i++) {
			if (h[i].lt != lt)
				continue;
			append(buf, n, "%s %s", shown ? "," : "", h[i].text);
			shown++;
		}
	return 1;
}
