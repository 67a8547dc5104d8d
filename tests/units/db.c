/* tests/units/db.c - unit tests: server versions, statement
 * classification, the process list, the writers' watch, GTID sets,
 * grants, the settle. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grants.h"
#include "gtid.h"
#include "plist.h"
#include "seed.h"
#include "stall.h"
#include "window.h"
#include "unit.h"

void
test_versions(void)
{
	struct failure ef;
	const struct lock_method *m;

	ok(db_parse_version("10.11.19-MariaDB-0+deb12u1-log") == 101119,
	   "MariaDB version string parses");
	ok(db_parse_version("8.0.36") == 80036 &&
	   db_parse_version("5.7.44-48-log") == 50744 &&
	   db_parse_version("8.4.0") == 80400, "MySQL version strings parse");
	ok(db_parse_version("junk") == 0 && db_parse_version("8.0") == 0,
	   "a non-version parses to 0");
	ok(db_flavor("10.11.6-MariaDB", "Debian 12") == FL_MARIADB &&
	   db_flavor("5.7.44-48", "Percona Server (GPL), Release 48") ==
		   FL_PERCONA &&
	   db_flavor("8.0.36", "MySQL Community Server - GPL") == FL_MYSQL,
	   "flavor from VERSION() and @@version_comment");
	m = lock_choose(METHOD_AUTO, FL_MARIADB, 101119, &ef);
	ok(m && strcmp(lock_name(m), "backup-stage") == 0,
	   "auto on MariaDB 10.11 is backup-stage");
	m = lock_choose(METHOD_AUTO, FL_MARIADB, 100338, &ef);
	ok(m && strcmp(lock_name(m), "ftwrl") == 0, "auto on MariaDB 10.3 is ftwrl");
	m = lock_choose(METHOD_AUTO, FL_PERCONA, 50744, &ef);
	ok(m && strcmp(lock_name(m), "percona-backup-locks") == 0,
	   "auto on Percona 5.7 is percona-backup-locks");
	m = lock_choose(METHOD_AUTO, FL_PERCONA, 80036, &ef);
	ok(m && strcmp(lock_name(m), "ftwrl") == 0, "auto on Percona 8.0 is ftwrl");
	m = lock_choose(METHOD_AUTO, FL_MYSQL, 80400, &ef);
	ok(m && strcmp(lock_name(m), "ftwrl") == 0, "auto on MySQL 8.4 is ftwrl");
	m = lock_choose(METHOD_RECOVERY, FL_MYSQL, 80036, &ef);
	ok(m && m->by_recovery && strcmp(m->take[0], "LOCK INSTANCE FOR BACKUP")
	   == 0 && m->take[1] == NULL && strcmp(m->release[0],
	   "UNLOCK INSTANCE") == 0 && strcmp(lock_name(m), "recovery") == 0,
	   "recovery on MySQL 8.0: LOCK INSTANCE FOR BACKUP, UNLOCK INSTANCE");
	m = lock_choose(METHOD_RECOVERY, FL_MARIADB, 101119, &ef);
	ok(m && m->by_recovery && strcmp(m->take[2], "BACKUP STAGE BLOCK_DDL")
	   == 0 && m->take[3] == NULL && lock_waits_for(m, FL_MARIADB, 101119)
	   == WAITS_NONTX, "recovery on MariaDB: BACKUP STAGE up to BLOCK_DDL, "
	   "never BLOCK_COMMIT; it waits for DDL and non-transactional writes");
	ok(lock_choose(METHOD_RECOVERY, FL_MYSQL, 50744, &ef) == NULL &&
	   ef.code == MQ_CONFIG && strstr(ef.why, "MySQL 8.0") != NULL &&
	   lock_choose(METHOD_RECOVERY, FL_MARIADB, 100338, &ef) == NULL &&
	   lock_choose(METHOD_AUTO, FL_MYSQL, 80036, &ef) != NULL &&
	   !lock_choose(METHOD_AUTO, FL_MYSQL, 80036, &ef)->by_recovery &&
	   !lock_choose(METHOD_AUTO, FL_MARIADB, 101119, &ef)->by_recovery,
	   "recovery refused on MySQL 5.7 and MariaDB 10.3; auto never "
	   "chooses it");
	{
		static struct coords lc;

		memset(&lc, 0, sizeof(lc));
		ok(strstr(coords_log_status_sql, "LOCAL->>'$.binary_log_file', "
			  "LOCAL->>'$.binary_log_position', "
			  "LOCAL->>'$.gtid_executed' FROM "
			  "performance_schema.log_status") != NULL &&
		   coords_from_log_status(&lc, "source-bin.000002", "1307",
					  "3E11FA47-71CA-11E1-9E33-C80AA9429562"
					  ":1-5") == 0 && lc.binlog_on &&
		   strcmp(lc.file, "source-bin.000002") == 0 && lc.pos == 1307 &&
		   strcmp(lc.gtid, "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5")
		   == 0, "recovery on MySQL: file, position and gtid_executed "
		   "in one read of performance_schema.log_status's LOCAL");
		memset(&lc, 0, sizeof(lc));
		ok(coords_from_log_status(&lc, "binlog.000001", "12x", "") == -1 &&
		   coords_from_log_status(&lc, NULL, NULL, "") == 0 &&
		   !lc.binlog_on, "log_status: a position that is no number is "
		   "refused; no file is binary logging off");
	}
	ok(lock_choose(METHOD_BACKUP_STAGE, FL_MYSQL, 80036, &ef) ==
		   NULL && strstr(ef.why, "MariaDB 10.4.1") != NULL,
	   "backup-stage on MySQL is refused with a reason");
	ok(strcmp(coords_binlog_sql(FL_MYSQL, 80400), "SHOW BINARY LOG STATUS")
		   == 0 &&
	   strcmp(coords_binlog_sql(FL_MYSQL, 80200), "SHOW BINARY LOG STATUS")
		   == 0 &&
	   strcmp(coords_binlog_sql(FL_MYSQL, 80036), "SHOW MASTER STATUS") == 0
	   && strcmp(coords_binlog_sql(FL_PERCONA, 50744),
		     "SHOW MASTER STATUS") == 0,
	   "binlog statement for MySQL 5.7, 8.0, 8.2+, 8.4");
	ok(strcmp(coords_binlog_sql(FL_MARIADB, 101119), "SHOW BINLOG STATUS")
		   == 0 &&
	   strcmp(coords_binlog_sql(FL_MARIADB, 100406), "SHOW MASTER STATUS")
		   == 0, "binlog statement for MariaDB 10.4 and 10.11");
}

/* classify info; 1 when it is kind k with target db.table. */
static int
is(const char *info, enum stmt_kind k, const char *db, const char *table)
{
	char d[128], t[128];

	if (stmt_classify(info, d, sizeof(d), t, sizeof(t)) != k) {
		printf("# %s: got %s\n", info,
		       stmt_kind_name(stmt_classify(info, d, sizeof(d), t,
						    sizeof(t))));
		return 0;
	}
	return strcmp(d, db) == 0 && strcmp(t, table) == 0;
}

void
test_stmt(void)
{
	struct failure ef;
	struct config c;

	ok(is("SELECT * FROM t.isam", STMT_READ, "", "") &&
	   is("  (select 1)", STMT_READ, "", "") &&
	   is("/* app */ SELECT SLEEP(3)", STMT_READ, "", "") &&
	   is("show processlist", STMT_READ, "", ""),
	   "reads are reads, after space, parentheses and comments");
	/* MySQL's FTWRL waits for every statement with a table open, not
	 * for SELECT SLEEP(15) (the case, measured on 8.0.39) */
	ok(stmt_tableless("SELECT SLEEP(15)", 1024) &&
	   stmt_tableless("select sleep (3), 'FROM t', now()", 1024) &&
	   stmt_tableless("DO SLEEP(5)", 1024) &&
	   stmt_tableless("/* app */ SELECT GET_LOCK('x', 60)", 1024) &&
	   !stmt_tableless("SELECT SLEEP(40) FROM t.w LIMIT 1", 1024) &&
	   !stmt_tableless("SELECT f(1)", 1024) &&
	   !stmt_tableless("SELECT db.f (1)", 1024) &&
	   !stmt_tableless("SELECT (SELECT a FROM t) AS x", 1024) &&
	   !stmt_tableless("SELECT 1 INTO OUTFILE '/tmp/x'", 1024) &&
	   !stmt_tableless("SELECT /*!50000 a FROM t */ 1", 1024) &&
	   !stmt_tableless("SELECT `sleep`(1)", 1024) &&
	   !stmt_tableless("SELECT 'unterminated", 1024) &&
	   !stmt_tableless("TABLE t", 1024) &&
	   !stmt_tableless("SELECT SLEEP(15)", 16),
	   "table-less statements: SLEEP and builtins without FROM; never a "
	   "FROM, a stored function, INTO, an executable comment or a cut text");
	ok(is("ALTER TABLE t.a ADD c INT", STMT_DDL, "", "") &&
	   is("truncate x", STMT_DDL, "", "") &&
	   is("CREATE INDEX i ON t(a)", STMT_DDL, "", ""),
	   "DDL is DDL");
	ok(is("INSERT INTO t.inno (v) VALUES (1)", STMT_WRITE, "t", "inno") &&
	   is("insert low_priority ignore into `my db`.`we``ird` values(1)",
	      STMT_WRITE, "my db", "we`ird") &&
	   is("REPLACE accounts SET v = 1", STMT_WRITE, "", "accounts") &&
	   is("INSERT INTO a SELECT * FROM b", STMT_WRITE, "", "a"),
	   "INSERT and REPLACE name their target table");
	ok(is("UPDATE t.isam SET v = v + SLEEP(6) WHERE id = 1", STMT_WRITE,
	      "t", "isam") &&
	   is("update ignore acc a set a.v = 0", STMT_WRITE, "", "acc") &&
	   is("UPDATE acc AS a SET v = 0", STMT_WRITE, "", "acc"),
	   "single-table UPDATE names its table");
	ok(is("UPDATE a, b SET a.v = b.v", STMT_UNKNOWN, "", "") &&
	   is("UPDATE a JOIN b ON a.id = b.id SET a.v = 1", STMT_UNKNOWN, "",
	      "") &&
	   is("DELETE a FROM a JOIN b USING (id)", STMT_UNKNOWN, "", "") &&
	   is("DELETE FROM a USING a, b", STMT_UNKNOWN, "", ""),
	   "multi-table UPDATE and DELETE are unknown (assume the worst)");
	ok(is("DELETE QUICK FROM t.log WHERE ts < NOW()", STMT_WRITE, "t",
	      "log") &&
	   is("LOAD DATA LOCAL INFILE '/tmp/x\\'y' IGNORE INTO TABLE d.t",
	      STMT_WRITE, "d", "t"),
	   "DELETE and LOAD DATA name their table");
	ok(is("CALL p()", STMT_UNKNOWN, "", "") &&
	   is("/*!40101 INSERT */ INTO t VALUES (1)", STMT_UNKNOWN, "", "") &&
	   is("", STMT_UNKNOWN, "", "") && is("INSERT INTO", STMT_UNKNOWN,
					       "", ""),
	   "procedures, executable comments and fragments are unknown");
	ok(lock_waits_for(lock_by_name("backup-stage", FL_MARIADB, 101119), FL_MARIADB, 101119) ==
		   WAITS_NONTX &&
	   lock_waits_for(lock_by_name("percona-backup-locks", FL_PERCONA, 50744), FL_PERCONA,
			  50744) == WAITS_NONTX &&
	   lock_waits_for(lock_by_name("ftwrl", FL_MARIADB, 101119), FL_MARIADB, 101119) ==
		   WAITS_WRITES &&
	   lock_waits_for(lock_by_name("ftwrl", FL_MARIADB, 101119), FL_MYSQL, 80036) ==
		   WAITS_ALL &&
	   lock_waits_for(lock_by_name("ftwrl", FL_MARIADB, 101119), FL_PERCONA, 80036) ==
		   WAITS_ALL &&
	   lock_waits_for(lock_by_name("ftwrl", FL_MARIADB, 101119), FL_MARIADB, 100338) ==
		   WAITS_ALL,
	   "what each method waits for, per flavor");
	ok(config_parse_string(&c, "[lock]\nkill_long_queries = all\n"
			       "wait_timeout = 10\nlong_query_threshold = 10\n",
			       &ef) == -1 &&
	   strstr(ef.why, "below wait_timeout") != NULL,
	   "kill_long_queries needs long_query_threshold < wait_timeout");
	ok(config_parse_string(&c, "[lock]\nkill_long_queries = select\n"
			       "wait_timeout = 10\nlong_query_threshold = 3\n",
			       &ef) == 0,
	   "kill_long_queries with a shorter threshold is accepted");
	config_free(&c);
}

/* The process list read per flavor: MySQL 8.0.22+'s performance_schema
 * list keeps our own row (so a blind list shows), and is given up once
 * found blind. */
void
test_list_sql(void)
{
	char sql[300];

	plist_sql(FL_MYSQL, 80039, 0, 10, sql, sizeof(sql));
	ok(strstr(sql, "FROM performance_schema.processlist") != NULL &&
	   strstr(sql, "OR ID = CONNECTION_ID()") != NULL &&
	   strstr(sql, "TIME >= 10") != NULL, "list: MySQL 8.0.39 reads "
	   "performance_schema.processlist, its own row included");
	plist_sql(FL_MYSQL, 80039, 1, 10, sql, sizeof(sql));
	ok(strcmp(sql, "SHOW FULL PROCESSLIST") == 0, "list: performance_schema "
	   "found blind (off): SHOW FULL PROCESSLIST");
	plist_sql(FL_MYSQL, 80021, 0, 10, sql, sizeof(sql));
	ok(strcmp(sql, "SHOW FULL PROCESSLIST") == 0, "list: MySQL 8.0.21: "
	   "SHOW FULL PROCESSLIST");
	plist_sql(FL_MARIADB, 101119, 0, 10, sql, sizeof(sql));
	ok(strcmp(sql, "SHOW FULL PROCESSLIST") == 0, "list: MariaDB: SHOW "
	   "FULL PROCESSLIST");
}

/*
 * The writers' watch, from process-list rows as the servers show them:
 * MySQL 8.0.39 with a pre-flush waiting behind SELECT SLEEP(40) FROM t.w
 * (the writer's INSERT in "Waiting for table flush", as the issue
 * quotes), MariaDB 10.11 with FTWRL behind a MyISAM UPDATE (the writers
 * and the FTWRL itself in "Waiting for backup lock", measured).
 */
void
test_stall(void)
{
	const struct lock_method *ft = lock_by_name("ftwrl", FL_MARIADB, 101119),
				 *bs = lock_by_name("backup-stage", FL_MARIADB, 101119);
	static struct stall s;
	char line[500];

	ok(stall_state("Waiting for table flush") &&
	   stall_state("Waiting for global read lock") &&
	   stall_state("Waiting for commit lock") &&
	   stall_state("Waiting for backup lock") &&
	   stall_state("waiting for binlog lock"), "stall: the five waits "
	   "behind a global lock or a flush");
	ok(!stall_state("Waiting for table metadata lock") &&
	   !stall_state("User sleep") && !stall_state("Sending data") &&
	   !stall_state("") && !stall_state(NULL), "stall: a table's own "
	   "metadata lock, a sleep, work, nothing: no stall");

	/* MySQL: the lock (connection 7) and a writer (9) both wait */
	stall_start(&s, 7, 1000);
	stall_begin(&s);
	stall_row(&s, 12, "app", "User sleep", "SELECT SLEEP(40) FROM t.w "
		  "LIMIT 1");
	stall_row(&s, 7, "mq", "Waiting for table flush", "FLUSH "
		  "NO_WRITE_TO_BINLOG TABLES");
	stall_row(&s, 9, "app", "Waiting for table flush", "INSERT INTO t.w "
		  "VALUES (1)");
	stall_end(&s, 1100);
	ok(s.waiting == 1 && s.worst == 9 && stall_behind(&s, 1100) == 100,
	   "stall: a writer first seen counts from the read before (100 ms)");
	stall_begin(&s);
	stall_row(&s, 7, "mq", "Waiting for table flush", "FLUSH");
	stall_row(&s, 10, "app", "Waiting for table flush", "UPDATE t.w");
	stall_row(&s, 9, "app", "Waiting for table flush", "INSERT INTO t.w "
		  "VALUES (1)");
	stall_end(&s, 1600);
	ok(s.waiting == 2 && s.worst == 9 && stall_behind(&s, 1600) == 600 &&
	   stall_worst(&s, 1600) == 600, "stall: the longest writer leads: "
	   "600 ms, a newer one beside it");
	stall_describe(&s, 1600, line, sizeof(line));
	ok(strstr(line, "connection 9 (app) waited 600 ms in \"Waiting for "
		  "table flush\"") != NULL && strstr(line, "INSERT INTO t.w") !=
	   NULL, "stall: the writer described: connection, account, wait, "
	   "state, statement");
	if (strstr(line, "connection 9 (app) waited 600 ms") == NULL)
		printf("# %s\n", line);
	/* the writer ran on, and waits again: afresh */
	stall_begin(&s);
	stall_row(&s, 7, "mq", "Waiting for table flush", "FLUSH");
	stall_end(&s, 1700);
	stall_begin(&s);
	stall_row(&s, 7, "mq", "Waiting for table flush", "FLUSH");
	stall_row(&s, 9, "app", "Waiting for table flush", "INSERT");
	stall_end(&s, 1800);
	ok(stall_behind(&s, 1800) == 100, "stall: a writer that stopped "
	   "waiting starts afresh");

	/* a lock busy flushing (not itself waiting): writers' wait is its
	 * work, reported, not abandoned */
	stall_start(&s, 7, 0);
	stall_begin(&s);
	stall_row(&s, 7, "mq", "Flushing tables", "FLUSH TABLES WITH READ "
		  "LOCK");
	stall_row(&s, 9, "app", "Waiting for backup lock", "INSERT");
	stall_end(&s, 2000);
	ok(stall_worst(&s, 2000) == 2000 && stall_behind(&s, 2000) == 0,
	   "stall: a lock at work, not waiting: nothing behind it to abandon");
	/* MariaDB 10.11: FTWRL behind a MyISAM UPDATE; the lock seen
	 * waiting later than the writer: counted from the lock's wait */
	stall_begin(&s);
	stall_row(&s, 7, "mq", "Waiting for backup lock", "FLUSH TABLES WITH "
		  "READ LOCK");
	stall_row(&s, 9, "app", "Waiting for backup lock", "INSERT");
	stall_end(&s, 2300);
	ok(stall_behind(&s, 2300) == 300, "stall: counted from when the lock "
	   "itself waits");
	/* no holder yet known: no lock waiting, nothing behind it */
	stall_start(&s, 0, 0);
	stall_begin(&s);
	stall_row(&s, 7, "mq", "Waiting for backup lock", "FTWRL");
	stall_end(&s, 900);
	ok(stall_behind(&s, 900) == 0 && s.waiting == 1, "stall: with no "
	   "holder named, every waiter is a writer");
	ok(stall_poll_ms(500) == 100 && stall_poll_ms(200) == 50 &&
	   stall_poll_ms(1) == 10, "stall: read every quarter of the bound, "
	   "10 to 100 ms");

	/* the pre-flush, and where the reported stall starts */
	ok(lock_skip_first(ft, WAITS_ALL, 1) && lock_skip_first(ft, WAITS_ALL,
	   -1) && !lock_skip_first(ft, WAITS_ALL, 0), "pre-flush: left out "
	   "on MySQL while statements with tables run (or the list is "
	   "unreadable), sent on an idle one");
	ok(!lock_skip_first(ft, WAITS_WRITES, 1) && !lock_skip_first(bs,
	   WAITS_NONTX, 1), "pre-flush: kept where a FLUSH waits for nothing "
	   "(MariaDB >= 10.4); backup-stage has none");
	ok(lock_blocks_from(ft, WAITS_ALL) == 0 && lock_blocks_from(ft,
	   WAITS_WRITES) == 1 && lock_blocks_from(bs, WAITS_NONTX) == 3,
	   "stall figure: from the pre-flush on MySQL (writers wait for the "
	   "tables it marked old), from FTWRL on MariaDB, from BLOCK_COMMIT");
	ok(lock_stall_warning(WAITS_ALL, KILL_NO) != NULL &&
	   strstr(lock_stall_warning(WAITS_ALL, KILL_NO), "kill_long_queries = "
		  "select") != NULL && lock_stall_warning(WAITS_ALL, KILL_SELECT) ==
	   NULL && lock_stall_warning(WAITS_WRITES, KILL_NO) == NULL &&
	   lock_stall_warning(WAITS_NONTX, KILL_NO) == NULL, "check: warns of "
	   "the flush's stall on MySQL with kill_long_queries = no, only");
}

/* GTID sets compared as sets: exact per domain and server (MariaDB),
 * merged intervals per UUID (MySQL). */
void
test_gtid(void)
{
	static const char u[] = "3E11FA47-71CA-11E1-9E33-C80AA9429562";
	char why[200], a[300], b[300];

	ok(gtid_equal(1, "0-1-20", "0-1-2005", why, sizeof(why)) == 0,
	   "gtid: MariaDB 0-1-20 is not 0-1-2005 (no prefix match)");
	ok(gtid_equal(1, "0-1-20,1-2-7", " 1-2-7,\n0-1-20", why,
		      sizeof(why)) == 1, "gtid: MariaDB, any order and blanks");
	ok(gtid_equal(1, "0-1-20", "0-1-20,1-2-7", why, sizeof(why)) == 0 &&
	   strstr(why, "1-2 is in one set only") != NULL,
	   "gtid: MariaDB, a domain in one set only, named");
	ok(gtid_equal(1, "0-1-2x", "0-1-2", why, sizeof(why)) == -1 &&
	   gtid_equal(1, "0-1-2,0-1-3", "0-1-3", why, sizeof(why)) == -1,
	   "gtid: MariaDB, junk or two seqs for one domain and server do not "
	   "parse");
	ok(gtid_equal(1, "", "", why, sizeof(why)) == 1, "gtid: empty sets "
	   "are equal");
	snprintf(a, sizeof(a), "%s:1-5:6-9:11", u);
	snprintf(b, sizeof(b), "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-9,%s:11",
		 u);
	ok(gtid_equal(0, a, b, why, sizeof(why)) == 1, "gtid: MySQL, merged "
	   "intervals, any case");
	snprintf(b, sizeof(b), "%s:1-9:12", u);
	ok(gtid_equal(0, a, b, why, sizeof(why)) == 0, "gtid: MySQL, 11 is not "
	   "12");
	snprintf(b, sizeof(b), "%s:1-90", u);
	snprintf(a, sizeof(a), "%s:1-9", u);
	ok(gtid_equal(0, a, b, why, sizeof(why)) == 0, "gtid: MySQL, 1-9 is "
	   "not 1-90 (no prefix match)");
	snprintf(a, sizeof(a), "%s:1-5:tagx:1-3", u);
	snprintf(b, sizeof(b), "%s:tagx:1-3,%s:1-5", u, u);
	ok(gtid_equal(0, a, b, why, sizeof(why)) == 1, "gtid: MySQL 8.4 tags "
	   "keyed with their UUID");
}

/* SHOW GRANTS lines as MySQL 8.0 prints them (static privileges with
 * ", ", dynamic ones with ","; a role grant has no ON) and MariaDB. */
void
test_grants(void)
{
	char privs[1024] = "";

	ok(grants_global("GRANT RELOAD, PROCESS, REPLICATION CLIENT ON *.* TO "
			 "`mq`@`localhost`", privs, sizeof(privs)) == 1 &&
	   grants_global("GRANT BACKUP_ADMIN,CONNECTION_ADMIN ON *.* TO "
			 "`mq`@`localhost`", privs, sizeof(privs)) == 1 &&
	   grants_global("GRANT `mq_role`@`%` TO `mq`@`localhost`", privs,
			 sizeof(privs)) == 0 &&
	   grants_global("GRANT SELECT ON `mysql`.* TO `mq`@`localhost`", privs,
			 sizeof(privs)) == 0,
	   "grants: global lines read, a role grant and a schema grant not");
	ok(grants_has(privs, "RELOAD") && grants_has(privs, "replication client")
	   && grants_has(privs, "CONNECTION_ADMIN") &&
	   !grants_has(privs, "SELECT") && !grants_has(privs, "SUPER") &&
	   !grants_has(privs, "PROCESS ") && !grants_has(privs, "RELOA"),
	   "grants: whole names only, any case");
	privs[0] = '\0';
	ok(grants_global("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH "
			 "GRANT OPTION", privs, sizeof(privs)) == 1 &&
	   grants_has(privs, "BINLOG MONITOR"), "grants: ALL PRIVILEGES grants "
	   "every one");
	privs[0] = '\0';
	ok(grants_global("GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, "
			 "CONNECTION ADMIN ON *.* TO `quiesce_role`", privs,
			 sizeof(privs)) == 1 && grants_has(privs, "SLAVE MONITOR"),
	   "grants: a MariaDB role's own line");
}

/* After an abandoned attempt: the statement it waited for is known by
 * its connection and when it began, whatever its age. */
void
test_settle(void)
{
	/* abandoned at 10,500 ms behind connection 12's statement of
	 * Time 0: begun in (9,500, 10,500] */
	struct settle s = { .on = 1, .id = 12, .started = 10500 };
	struct settle none = { .on = 1, .id = 0, .started = 10500 };
	struct settle off = { .on = 0, .id = 12, .started = 10500 };

	ok(window_culprit(&s, 12, 0, 10700), "settle: the culprit at "
	   "Time 0, 200 ms on, is still it");
	ok(window_culprit(&s, 12, 1, 11600) && window_culprit(&s, 12, 3,
	   13900), "settle: the culprit seconds on is still it");
	ok(!window_culprit(&s, 12, 0, 12100), "settle: Time 0 on its "
	   "connection 1.6 s on is a later statement");
	ok(!window_culprit(&s, 13, 5, 10700), "settle: another connection "
	   "is not the culprit");
	ok(!window_culprit(&none, 12, 0, 10700) &&
	   !window_culprit(&off, 12, 0, 10700), "settle: no culprit seen, or "
	   "no settle: nothing is");
}
