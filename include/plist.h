/* plist.h - who runs what on the server: the process list and the
 * holders of a pending metadata lock (src/db/plist.c). */
#ifndef MQ_PLIST_H
#define MQ_PLIST_H

#include <stddef.h>

#include "db.h"

/*
 * Read the process list (the statement below), calling fn(arg, NULL)
 * once before the first row, then fn(arg, row) for every row but our
 * own connection's (columns: id, user, host, db, command, time, state,
 * info). A list that does not show our own connection is blind:
 * performance_schema's is given up for SHOW FULL PROCESSLIST (logged,
 * and read again from the start), and a blind classic list is an error.
 * 0, or -1 with f set (fn's -1 too).
 */
typedef int plist_row_fn(void *arg, MYSQL_ROW row);
int plist_read(struct db *d, long long min_time, plist_row_fn *fn, void *arg,
	       struct failure *f);

/* The process-list statement: MySQL >= 8.0.22's performance_schema
 * list (our own row always in it, so a blind list shows), unless it was
 * found blind (ps_blind); else SHOW FULL PROCESSLIST. */
void plist_sql(enum flavor f, unsigned long version, int ps_blind,
	       long long min_time, char *buf, size_t n);

/*
 * Who holds the metadata lock that connection waiter (the holder's) is
 * waiting for, from performance_schema.metadata_locks (MySQL 8 by
 * default; MariaDB with performance_schema on and its mdl instrument):
 * "; its metadata lock is held by connection N (user@host) with LOCK
 * TABLES db.t WRITE" (a LOCK TABLES ... WRITE first, up to three) into
 * buf. 1 named, 0 none found (buf says performance_schema named
 * nobody), -1 the tables unreadable (buf empty, f says why).
 */
int plist_mdl_holders(struct db *d, unsigned long waiter, char *buf, size_t n,
		      struct failure *f);

#endif
