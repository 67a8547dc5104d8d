/* recovery.c - method recovery's preconditions: what makes a crash
 * image of this server recover to one exact state. */
#define _GNU_SOURCE
#include <string.h>

#include "db.h"
#include "recovery.h"
#include "util.h"

int
recovery_ready(struct db *d, int fs_frozen, struct failure *f)
{
	int flush;
	char v[64];

	if (db_value(d, "SELECT @@GLOBAL.log_bin", v, sizeof(v), f) == -1)
		return failf(f, db_errclass(d), "method recovery: %s",
			     f->why);
	if (strcmp(v, "1") != 0)
		return failf(f, MQ_CONFIG, "method recovery: binary logging is "
			     "off; the exact coordinates are the binary log's");
	if (db_value(d, "SELECT CONCAT(@@GLOBAL.innodb_flush_log_at_trx_"
		     "commit, ' ', @@GLOBAL.sync_binlog)", v, sizeof(v), f) == -1)
		return failf(f, db_errclass(d), "method recovery: %s",
			     f->why);
	/* 1 1: every commit on disk before it returns. A filesystem
	 * freeze (snapshot mode's) writes out what the kernel holds, so
	 * there a commit written at commit (flush 2, any sync) is enough;
	 * flush 0 leaves commits in the server's own memory. */
	flush = v[0] - '0';
	if (strcmp(v, "1 1") != 0 &&
	    !(fs_frozen && (flush == 1 || flush == 2) && v[1] == ' '))
		return failf(f, MQ_CONFIG, "method recovery: "
			     "innodb_flush_log_at_trx_commit and sync_binlog "
			     "are %s, not 1 1: the image's tables and binary "
			     "log may not agree (snapshot mode, which freezes "
			     "the filesystems, needs only a flush of 1 or 2)",
			     v);
	return recovery_tables(d, f);
}

int
recovery_tables(struct db *d, struct failure *f)
{
	char list[600] = "";
	MYSQL_RES *r;
	MYSQL_ROW row;
	int n = 0;

	r = db_query(d, "SELECT CONCAT(t.TABLE_SCHEMA, '.', t.TABLE_NAME, "
		     "' (', t.ENGINE, ')') FROM information_schema.TABLES t "
		     "JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE "
		     "WHERE t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_SCHEMA NOT "
		     "IN ('mysql', 'sys', 'performance_schema', "
		     "'information_schema') AND e.TRANSACTIONS <> 'YES' "
		     "ORDER BY 1 LIMIT 4", f);
	if (r == NULL)
		return failf(f, db_errclass(d), "method recovery: %s",
			     f->why);
	while ((row = mysql_fetch_row(r)) != NULL)
		if (n++ < 3)
			append(list, sizeof(list), "%s%s", n > 1 ? ", " : "",
			       row[0] != NULL ? row[0] : "?");
	mysql_free_result(r);
	if (n > 0)
		return failf(f, MQ_CONFIG, "method recovery: tables that are "
			     "not transactional: %s%s; a crash image does not "
			     "hold them exactly", list, n > 3 ? ", ..." : "");
	return MQ_OK;
}
