/* stmt.h - what a running statement from the process list is, and
 * which table it writes: enough to tell whether it blocks a lock. */
#ifndef MQ_STMT_H
#define MQ_STMT_H

#include <stddef.h>

enum stmt_kind {
	STMT_READ,    /* SELECT, SHOW, EXPLAIN, ...: reads only */
	STMT_WRITE,   /* INSERT/REPLACE/UPDATE/DELETE/LOAD of one table */
	STMT_DDL,     /* ALTER, CREATE, DROP, RENAME, TRUNCATE, ... */
	STMT_UNKNOWN, /* anything else, or a write we cannot pin down */
};

/*
 * Classify the statement text info. For STMT_WRITE the target table is
 * stored in db (empty when unqualified: the connection's default
 * database) and table, unquoted. A write that touches more than one
 * table (joins, multi-table DELETE) or whose text was cut is
 * STMT_UNKNOWN: the caller must then assume the worst.
 */
/*
 * 1 if info is a SELECT or DO that opens no table: no FROM, no INTO, no
 * call but to a few builtins (SLEEP, BENCHMARK, GET_LOCK, ...; a stored
 * function opens its own tables), no executable comment, and not cut
 * (strlen(info) < cut). A FLUSH never waits for it. 0 otherwise.
 */
int stmt_tableless(const char *info, size_t cut);

enum stmt_kind stmt_classify(const char *info, char *db, size_t dn,
			     char *table, size_t tn);

const char *stmt_kind_name(enum stmt_kind k);

#endif
