/* tests/unit.c - config, state file, versions and statement selection,
 * without a server. TAP output. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "ec2.h"
#include "imds.h"
#include "config.h"
#include "coords.h"
#include "info.h"
#include "db.h"
#include "discover.h"
#include "grants.h"
#include "gtid.h"
#include "lock.h"
#include "metrics.h"
#include "opts.h"
#include "optfile.h"
#include "plist.h"
#include "seed.h"
#include "seedsql.h"
#include "vrelay.h"
#include "vderive.h"
#include "stall.h"
#include "stmt.h"
#include "state.h"
#include "util.h"
#include "window.h"
#include "sigv4.h"
#include "xml.h"

static int ntest, nfail;

static void
ok(int cond, const char *what)
{
	ntest++;
	if (!cond)
		nfail++;
	printf("%sok %d - %s\n", cond ? "" : "not ", ntest, what);
}

/* Parse text; expect failure whose message contains want (or success
 * when want is NULL). */
static void
config_case(const char *text, const char *want, const char *what)
{
	struct config c;
	struct failure ef;
	int r = config_parse_string(&c, text, &ef);

	if (want == NULL)
		ok(r == 0, what);
	else
		ok(r == -1 && strstr(ef.why, want) != NULL, what);
	if ((want == NULL) != (r == 0) || (want && !strstr(ef.why, want)))
		printf("# got %d: %s\n", r, ef.why);
}

/* Rows of SHOW BINLOG EVENTS as MariaDB 10.11 printed them here. */
static const char *const mariadb_events[][4] = {
	{ "mysql-bin.000001", "Gtid", "1030", "BEGIN GTID 0-1-5" },
	{ "mysql-bin.000001", "Intvar", "1062", "INSERT_ID=2" },
	{ "mysql-bin.000001", "Query", "1155", "INSERT INTO t.a (v) VALUES (2)" },
	{ "mysql-bin.000001", "Xid", "1311", "COMMIT /* xid=6 */" },
	{ "mysql-bin.000001", "Gtid", "1353", "BEGIN GTID 0-1-6" },
	{ "mysql-bin.000001", "Query", "1442", "INSERT INTO t.m VALUES (1)" },
	{ "mysql-bin.000001", "Query", "1511", "COMMIT" },
	{ "mysql-bin.000001", "Gtid", "1553", "GTID 0-1-7" },
	{ "mysql-bin.000001", "Query", "1657", "ALTER TABLE t.a ADD COLUMN w INT" },
	{ "mysql-bin.000001", "Gtid", "1702", "XA START X'78',X'',1 GTID 0-1-8" },
	{ "mysql-bin.000001", "Query", "1827", "INSERT INTO t.a (v) VALUES (4)" },
	{ "mysql-bin.000001", "Query", "1908", "XA END X'78',X'',1" },
	{ "mysql-bin.000001", "XA_prepare", "1945", "XA PREPARE X'78',X'',1" },
	{ "mysql-bin.000001", "Gtid", "1988", "GTID 0-1-9" },
	{ "mysql-bin.000001", "Query", "2072", "XA COMMIT X'78',X'',1" },
	{ "mysql-bin.000001", "Rotate", "2119", "mysql-bin.000002;pos=4" },
	{ "mysql-bin.000002", "Format_desc", "256", "Server ver: 10.11.19" },
	{ "mysql-bin.000002", "Gtid_list", "299", "[0-1-9]" },
	{ "mysql-bin.000002", "Binlog_checkpoint", "342", "mysql-bin.000001" },
	{ "mysql-bin.000002", "Gtid", "427", "BEGIN GTID 0-1-10" },
	{ "mysql-bin.000002", "Intvar", "459", "INSERT_ID=5" },
	{ "mysql-bin.000002", "Query", "552", "INSERT INTO t.a (v) VALUES (9)" },
	{ "mysql-bin.000002", "Xid", "583", "COMMIT /* xid=20 */" },
	/* cut by the crash image: no Xid */
	{ "mysql-bin.000002", "Gtid", "625", "BEGIN GTID 0-1-11" },
	{ "mysql-bin.000002", "Query", "718", "INSERT INTO t.a (v) VALUES (10)" },
};

/* The forms MySQL 8.0's manual shows for SHOW BINLOG EVENTS. */
static const char *const mysql_events[][4] = {
	{ "binlog.000001", "Gtid", "234", "SET @@SESSION.GTID_NEXT= "
	  "'3e11fa47-71ca-11e1-9e33-c80aa9429562:1'" },
	{ "binlog.000001", "Query", "341", "create database t /* xid=5 */" },
	{ "binlog.000001", "Gtid", "420", "SET @@SESSION.GTID_NEXT= "
	  "'3e11fa47-71ca-11e1-9e33-c80aa9429562:2'" },
	{ "binlog.000001", "Query", "495", "BEGIN" },
	{ "binlog.000001", "Table_map", "545", "table_id: 89 (t.a)" },
	{ "binlog.000001", "Write_rows", "589", "table_id: 89 flags: STMT_END_F" },
	{ "binlog.000001", "Xid", "620", "COMMIT /* xid=12 */" },
	{ "binlog.000001", "Anonymous_Gtid", "699", "SET @@SESSION.GTID_NEXT= "
	  "'ANONYMOUS'" },
	{ "binlog.000001", "Query", "774", "BEGIN" },
	{ "binlog.000001", "Write_rows", "818", "table_id: 89 flags: STMT_END_F" },
};

static void
derive_rows(struct derive *d, const char *const (*rows)[4], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		derive_event(d, rows[i][0], rows[i][1],
			     strtoull(rows[i][2], NULL, 10), rows[i][3]);
}

static void
test_derive(void)
{
	struct derive d;

	derive_start(&d, "mysql-bin.000001", 988);
	derive_rows(&d, mariadb_events, ARRAY_LEN(mariadb_events));
	ok(strcmp(d.file, "mysql-bin.000002") == 0 && d.pos == 583 &&
	   d.groups == 6, "derive: MariaDB: past transactions, a DDL, an XA "
	   "PREPARE and COMMIT and a rotation, the last whole transaction "
	   "ends at mysql-bin.000002:583, not inside the one the image cut");
	derive_start(&d, "mysql-bin.000002", 583);
	derive_rows(&d, mariadb_events + 23, 2);
	ok(strcmp(d.file, "mysql-bin.000002") == 0 && d.pos == 583 &&
	   d.groups == 0, "derive: nothing whole after the recorded position: "
	   "the recorded position");
	derive_start(&d, "binlog.000001", 157);
	derive_rows(&d, mysql_events, ARRAY_LEN(mysql_events));
	ok(strcmp(d.file, "binlog.000001") == 0 && d.pos == 620 &&
	   d.groups == 2, "derive: MySQL: an atomic DDL and a row transaction; "
	   "an anonymous one cut short does not count");
}

static void
test_opts(void)
{
	static const struct opt t[] = {
		{ 1, "--timeout", "-t", 1 },
		{ 2, "--json", NULL, 0 },
		{ 0, NULL, NULL, 0 },
	};
	char *argv[] = { "--timeout=5", "-t", "7", "-", "--json", "--", "x",
			 "--json=1", "-t=3", "--nope", "--timeout", NULL };
	const char *v;
	struct failure ef;
	int i = 0, r[8], k;
	const char *vals[8];

	for (k = 0; k < 5; k++) {
		r[k] = opt_next(t, 11, argv, &i, &v, &ef);
		vals[k] = v;
	}
	ok(r[0] == 1 && strcmp(vals[0], "5") == 0 && r[1] == 1 &&
	   strcmp(vals[1], "7") == 0 && r[2] == OPT_WORD &&
	   strcmp(vals[2], "-") == 0 && r[3] == 2 && vals[3] == NULL &&
	   r[4] == OPT_REST && i == 6,
	   "options: --name=VALUE, -a VALUE, \"-\" a word, a flag, \"--\"");
	i = 7;
	ok(opt_next(t, 11, argv, &i, &v, &ef) == OPT_BAD &&
	   strstr(ef.why, "unknown option --json=1") != NULL,
	   "options: a flag given a value is refused");
	ok(opt_next(t, 11, argv, &i, &v, &ef) == OPT_BAD &&
	   opt_next(t, 11, argv, &i, &v, &ef) == OPT_BAD &&
	   strstr(ef.why, "unknown option --nope") != NULL,
	   "options: -t=3 and an unknown option are refused");
	ok(opt_next(t, 11, argv, &i, &v, &ef) == OPT_BAD &&
	   strstr(ef.why, "--timeout needs a value") != NULL && i == 11,
	   "options: a value missing at the end is named");
}

static void
test_config(void)
{
	struct config c;
	struct failure ef;

	config_defaults(&c);
	ok(c.lock_method == METHOD_AUTO && c.lock_wait_timeout == 10 &&
	   c.lock_max_lock_time == 60 && c.lock_snapshot_timeout == 600 &&
	   c.lock_on_failure == ON_FAILURE_FAIL &&
	   strcmp(c.files_run_dir, "/run/mysql-quiesce") == 0,
	   "defaults are the documented ones");
	ok(config_parse_string(&c, "[lock]\nmethod = ftwrl\nwait_timeout = 3\n"
			       "[mysql]\nsocket = /s ; comment\n", &ef) == 0 &&
	   c.lock_method == METHOD_FTWRL && c.lock_wait_timeout == 3 &&
	   strcmp(c.mysql_socket, "/s") == 0,
	   "values are read, inline comments dropped");
	config_case("[lock]\nbogus = 1\n", "line 2: unknown key \"bogus\"",
		    "unknown key named with its line");
	config_case("[mysql]\nuser = x\n[nope]\nkey = 1\n",
		    "line 4: unknown section [nope]",
		    "unknown section named with its line");
	config_case("[lock]\nwait_timeout = 10s\n", "line 2: wait_timeout must "
		    "be a whole number", "a number with a unit is refused");
	config_case("[lock]\nwait_timeout = 0\n", "from 1 to 3600",
		    "a number out of range is refused");
	config_case("[lock]\nmax_lock_time = -5\n", "max_lock_time must",
		    "a negative number is refused");
	config_case("[lock]\nmethod = lvm\n", "line 2: method must be one of "
		    "auto|backup-stage|ftwrl|percona-backup-locks|recovery, not \"lvm\"",
		    "an unknown method is refused, every choice named");
	config_case("[log]\nsyslog = yes\nfacility = local7\n", NULL,
		    "the last facility is a choice");
	ok(lock_by_name("auto", FL_MARIADB, 101119) == NULL &&
	   lock_by_name("lvm", FL_MARIADB, 101119) == NULL &&
	   lock_by_name("percona-backup-locks", FL_PERCONA, 50744) != NULL &&
	   strcmp(lock_name(lock_by_name("ftwrl", FL_MARIADB, 101119)),
		  "ftwrl") == 0,
	   "a holder told auto or an unknown method knows none");
	config_case("[lock]\non_failure = maybe\n", "on_failure must be one of",
		    "an unknown on_failure is refused");
	config_case("[lock]\nmethod = ftwrl\nmethod = auto\n", "line 3: [lock] "
		    "method is set twice", "a key set twice is refused");
	config_case("[lock]\nthis line is junk\n", "line 2: not a [section]",
		    "a line that is not ini is refused with its number");
	config_case("[lock]\nkill_long_queries = select\nlong_query_threshold = 5\n", NULL,
		    "kill_long_queries = select is accepted");
	config_case("", NULL, "an empty file gives the defaults");
	config_case("[ebs]\ntags = team=db, env = prod\n", NULL,
		    "[ebs] tags: Key=Value pairs");
	config_case("[ebs]\ntags = team=db, prod\n", "\" prod\" is not Key=Value",
		    "[ebs] tags: an item without = is refused");
	config_case("[ebs]\ntags = aws:x=1\n", "is not Key=Value",
		    "[ebs] tags: a reserved aws: key is refused");
	config_case("[ebs]\nkeep = -1\n", "keep must be a whole number",
		    "[ebs] keep: negative refused");
}

static const char good_state[] =
	"version=1\nphase=locked\nthawed=0\npid=1234\nstart_time=99\n"
	"conn_id=7\nuser=root@localhost\nmethod=ftwrl\nlocked_at=1000\n"
	"locked_mono=50\nexpires_at=61000\nreleased_at=0\nblocked_ms=-1\n"
	"binlog_file=mysql-bin.000001\nbinlog_pos=835\ngtid=0-1-3\n"
	"reason=\nend=1\n";

static void
state_bad(const char *text, const char *want, const char *what)
{
	struct state s;
	struct failure ef;
	int r = state_parse(text, &s, &ef);

	ok(r == -1 && strstr(ef.why, want) != NULL, what);
	if (r != -1 || !strstr(ef.why, want))
		printf("# got %d: %s\n", r, ef.why);
}

static void
test_state(void)
{
	struct state s, t;
	char buf[8192], trunc[sizeof(good_state)];
	struct failure ef;
	char *p;

	ok(state_parse(good_state, &s, &ef) == 0 &&
	   s.phase == PH_LOCKED && s.pid == 1234 && s.start_time == 99 &&
	   s.conn_id == 7 && s.binlog_pos == 835 && s.blocked_ms == -1 &&
	   strcmp(s.gtid, "0-1-3") == 0, "a good state file parses");
	ok(state_format(&s, buf, sizeof(buf)) == 0 &&
	   state_parse(buf, &t, &ef) == 0 &&
	   memcmp(&s, &t, sizeof(s)) == 0, "format and parse round-trip");
	memcpy(trunc, good_state, sizeof(trunc));
	trunc[strlen(trunc) / 2] = '\0';
	p = strrchr(trunc, '\n');
	p[1] = '\0';
	state_bad(trunc, "truncated or incomplete",
		  "a state file cut at a line end is refused");
	trunc[strlen(trunc) - 3] = '\0';
	state_bad(trunc, "truncated", "a state file cut mid-line is refused");
	state_bad("version=1\nphase=locked\npid=12x\n", "bad pid",
		  "a non-numeric pid is refused");
	state_bad("version=1\nphase=locked\npid=0\nstart_time=1\nend=1\n",
		  "bad pid", "pid 0 is refused while a holder is named");
	ok(state_parse("version=1\nphase=failed\npid=0\nstart_time=0\n"
		       "exit_verb=freeze\nexit_code=4\nend=1\n", &s, &ef) == 0 && s.exit_code == 4,
	   "a failed freeze with no holder (pid 0) parses, with its exit");
	state_bad("version=1\nphase=dancing\n", "unknown phase",
		  "an unknown phase is refused");
	state_bad("version=2\n", "bad version", "another version is refused");
	state_bad("version=1\npid=5\npid=6\n", "twice",
		  "a key twice is refused");
	state_bad("garbage\n", "without '='", "garbage is refused");
	state_bad("version=1\nphase=locked\npid=5\nstart_time=1\nend=1\n"
		  "pid=6\n", "after the end", "text after the end is refused");
	state_bad("version=1\nevil=1\n", "unknown key",
		  "an unknown key is refused");
}

static void
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

static void
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
}

static char info[65536];

/* The info file for a server of flavor f, version v, as a replica of
 * 10.0.0.1 with one channel named ch, or not a replica. */
/* the source host and file name info_for gives its channel */
static const char *info_host = "10.0.0.1", *info_file = "src-bin.000042";
static long info_workers; /* its applier's parallel workers */
static const char *info_unsettled = ""; /* its report against its tables */
static int info_nogtid;   /* a server with GTIDs off */

static const char *
info_for(enum flavor f, unsigned long v, const char *vs, int replica,
	 const char *ch)
{
	static struct coords co;
	const char *mysql_names[] = { "Channel_Name", "Source_Host",
				      "Source_Port", "Relay_Source_Log_File",
				      "Exec_Source_Log_Pos", "Read_Source_Log_Pos",
				      "Auto_Position", "Replica_SQL_Running" };
	const char *old_names[] = { "Connection_name", "Master_Host",
				    "Master_Port", "Relay_Master_Log_File",
				    "Exec_Master_Log_Pos", "Read_Master_Log_Pos",
				    "Using_Gtid", "Slave_SQL_Running" };
	const char *values[] = { ch, info_host, "3306", info_file,
				 "4711", "9999", f == FL_MARIADB ? "Slave_Pos"
				 : "1", "Yes" };
	struct server_id s = { f, v, vs };
	int src = f != FL_MARIADB && v >= 80022;

	memset(&co, 0, sizeof(co));
	co.binlog_on = 1;
	strcpy(co.file, "bin.000007");
	co.pos = 1234;
	strcpy(co.gtid, f == FL_MARIADB ? "0-1-100" :
	       "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77");
	if (f == FL_MARIADB && replica)
		strcpy(co.gtid_slave, "0-9-500");
	if (replica)
		coords_add_channel(&co, src ? mysql_names : old_names, values,
				   8);
	co.mt_workers = info_workers;
	fmt(co.unsettled, sizeof(co.unsettled), "%s", info_unsettled);
	if (info_nogtid)
		co.gtid[0] = '\0';
	if (info_format(info, sizeof(info), &s, "ftwrl", NULL, &co, 0))
		return "(did not fit)";
	return info;
}

static int
has(const char *text, const char *what)
{
	if (strstr(text, what) != NULL)
		return 1;
	printf("# missing: %s\n", what);
	return 0;
}

static void
test_coords(void)
{
	const char *t;

	ok(strcmp(coords_replica_sql(FL_MYSQL, 50744), "SHOW SLAVE STATUS") == 0
	   && strcmp(coords_replica_sql(FL_MYSQL, 80022), "SHOW REPLICA STATUS")
	   == 0 && strcmp(coords_replica_sql(FL_PERCONA, 80036),
			  "SHOW REPLICA STATUS") == 0 &&
	   strcmp(coords_replica_sql(FL_MARIADB, 101119),
		  "SHOW ALL REPLICAS STATUS") == 0 &&
	   strcmp(coords_replica_sql(FL_MARIADB, 100406),
		  "SHOW ALL SLAVES STATUS") == 0,
	   "replica status statement per flavor and version");
	t = info_for(FL_MYSQL, 50744, "5.7.44-log", 1, "");
	ok(has(t, "server = MySQL 5.7.44-log\n") &&
	   has(t, "replica_1_source_log_file = src-bin.000042\n") &&
	   has(t, "replica_1_source_log_pos = 4711\n") &&
	   !strstr(t, "9999") &&
	   has(t, "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3306, "
		  "MASTER_LOG_FILE='src-bin.000042', MASTER_LOG_POS=4711, "
		  "MASTER_AUTO_POSITION = 0;") &&
	   has(t, "CHANGE MASTER TO MASTER_LOG_FILE='bin.000007', "
		  "MASTER_LOG_POS=1234, MASTER_AUTO_POSITION = 0;") &&
	   has(t, "(start it with --skip-slave-start;") &&
	   has(t, "RESET MASTER; SET GLOBAL gtid_purged = "
		  "'3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77';") &&
	   has(t, "MASTER_AUTO_POSITION = 1"),
	   "MySQL 5.7 replica: executed (not read) position, CHANGE MASTER");
	t = info_for(FL_MYSQL, 80036, "8.0.36", 1, "east");
	ok(has(t, "replica_1_channel = east\n") &&
	   has(t, "CHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', "
		  "SOURCE_PORT=3306, SOURCE_LOG_FILE='src-bin.000042', "
		  "SOURCE_LOG_POS=4711, SOURCE_AUTO_POSITION = 0 FOR CHANNEL "
		  "'east';") &&
	   has(t, "(start it with --skip-replica-start;") &&
	   has(t, "SOURCE_AUTO_POSITION = 1 FOR CHANNEL 'east';") &&
	   has(t, "RESET MASTER;") && !strstr(t, "9999"),
	   "MySQL 8.0: Source names, CHANGE REPLICATION SOURCE, channels, "
	   "file/position lines with auto-position off (else ERROR 1776 on "
	   "an auto-position channel), --skip-replica-start");
	t = info_for(FL_MYSQL, 80022, "8.0.22", 1, "");
	ok(has(t, "replica_1_source_log_pos = 4711") &&
	   has(t, "CHANGE MASTER TO MASTER_HOST='10.0.0.1'"),
	   "MySQL 8.0.22: SHOW REPLICA STATUS columns, CHANGE MASTER still");
	t = info_for(FL_MYSQL, 80400, "8.4.3", 0, "");
	ok(has(t, "RESET BINARY LOGS AND GTIDS;") &&
	   has(t, "CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='bin.000007', "
		  "SOURCE_LOG_POS=1234, SOURCE_AUTO_POSITION = 0;") &&
	   has(t, "replica_channels = 0\n") && !strstr(t, "SIBLING"),
	   "MySQL 8.4 primary: no RESET MASTER, no sibling lines");
	t = info_for(FL_PERCONA, 50744, "5.7.44-48-log", 1, "");
	ok(has(t, "server = Percona Server 5.7.44-48-log") &&
	   has(t, "MASTER_LOG_FILE='src-bin.000042', MASTER_LOG_POS=4711, "
		  "MASTER_AUTO_POSITION = 0;"),
	   "Percona 5.7 replica");
	t = info_for(FL_PERCONA, 80036, "8.0.36-28", 1, "");
	ok(has(t, "SOURCE_LOG_FILE='src-bin.000042', SOURCE_LOG_POS=4711, "
		  "SOURCE_AUTO_POSITION = 0;"),
	   "Percona 8.0 replica");
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "east");
	ok(has(t, "gtid_binlog_pos = 0-1-100\n") &&
	   has(t, "replica_gtid_slave_pos = 0-9-500\n") &&
	   has(t, "replica_1_using_gtid = Slave_Pos\n") &&
	   has(t, "CHANGE MASTER 'east' TO MASTER_HOST='10.0.0.1', "
		  "MASTER_PORT=3306, MASTER_LOG_FILE='src-bin.000042', "
		  "MASTER_LOG_POS=4711, MASTER_USE_GTID = no;") &&
	   has(t, "SET GLOBAL gtid_slave_pos = '0-9-500';\nCHANGE MASTER "
		  "'east' TO MASTER_HOST='10.0.0.1', MASTER_PORT=3306, "
		  "MASTER_USE_GTID = slave_pos;") &&
	   has(t, "SET GLOBAL gtid_slave_pos = '0-1-100';"),
	   "MariaDB replica: named connection, position and gtid_slave_pos");
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "o'b\\x");
	ok(has(t, "replica_1_channel = o'b\\x\n") &&
	   has(t, "CHANGE MASTER 'o''b\\\\x' TO MASTER_HOST='10.0.0.1'") &&
	   !strstr(t, "'o'b"),
	   "MariaDB: a quote or backslash in a connection name is escaped");
	t = info_for(FL_MYSQL, 80036, "8.0.36", 1, "it's");
	ok(has(t, "FOR CHANNEL 'it''s';") && !strstr(t, "'it's'"),
	   "MySQL: a quote in a channel name is escaped");
	info_host = "h'; DROP DATABASE x; --";
	info_file = "src'bin\\.000042";
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	ok(has(t, "MASTER_HOST='h''; DROP DATABASE x; --'") &&
	   has(t, "MASTER_LOG_FILE='src''bin\\\\.000042'") &&
	   !strstr(t, "'h';") && !strstr(t, "'src'bin"),
	   "a quote or backslash in a source host or file name is escaped");
	info_host = "10.0.0.1";
	info_file = "src-bin.000042";

	/* MySQL 8.0.39, replica_parallel_workers = 4 (the 8.0 default):
	 * Exec_Source_Log_Pos 43718420 was the start of GTID ...:161922
	 * beside gtid_executed ...:1-162032 (the replica) */
	ok(strcmp(coords_workers_sql(FL_MYSQL, 80039), "SELECT @@GLOBAL."
		  "replica_parallel_workers, @@GLOBAL.log_replica_updates, "
		  "@@GLOBAL.relay_log_basename") == 0
	   && strcmp(coords_workers_sql(FL_MYSQL, 80025), "SELECT @@GLOBAL."
		  "slave_parallel_workers, @@GLOBAL.log_slave_updates, "
		  "@@GLOBAL.relay_log_basename") == 0,
	   "MySQL: the workers variable by version (8.0.26 renamed it)");
	info_workers = 4;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(has(t, "replica_source_pos_exact = no\n") &&
	   has(t, "# A multi-threaded applier (4 workers)") &&
	   has(t, "the by-GTID lines are exact.") &&
	   has(t, "# not exact (a checkpoint): CHANGE REPLICATION SOURCE TO "
		  "SOURCE_HOST='10.0.0.1'") &&
	   has(t, "SOURCE_AUTO_POSITION = 1;") &&
	   !has(t, "\nCHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', "
		   "SOURCE_PORT=3306, SOURCE_LOG_FILE"),
	   "MySQL multi-threaded replica: the executed position marked a "
	   "checkpoint, its line commented out, the GTID line kept");
	info_nogtid = 1;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(has(t, "with no GTIDs, nothing here\n# is exact: set "
		  "replica_parallel_workers = 0"),
	   "MySQL multi-threaded replica without GTIDs: says nothing is exact");
	info_nogtid = 0;
	info_workers = -1;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(has(t, "replica_source_pos_exact = no\n") &&
	   has(t, "(0 workers known: the count was not readable)"),
	   "MySQL replica whose workers cannot be read: not exact either");
	info_workers = 0;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(!has(t, "replica_source_pos_exact") && !has(t, "# not exact") &&
	   has(t, "\nCHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1'"),
	   "MySQL single-threaded replica: the executed position is exact");
	info_workers = 4;
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	info_workers = 0;
	ok(has(t, "replica_source_pos_exact = no\n# a parallel applier (4 "
		  "threads):\n") && has(t, "# not exact: CHANGE MASTER TO") &&
	   has(t, "MASTER_USE_GTID = slave_pos;"),
	   "MariaDB parallel replica: the reported position marked not exact "
	   "(t0610: it lagged the tables), its line commented out, the GTID "
	   "line kept");
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	ok(!has(t, "replica_source_pos_exact") && !has(t, "# not exact"),
	   "MariaDB single-threaded replica whose report is its tables': "
	   "exact");
	info_unsettled = "the applier reported gtid_slave_pos 0-1-4528 while "
			 "its tables held 0-1-4530";
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	info_unsettled = "";
	ok(has(t, "replica_source_pos_exact = no\n# the applier reported "
		  "gtid_slave_pos 0-1-4528 while its tables held 0-1-4530:\n")
	   && has(t, "# not exact: CHANGE MASTER TO"),
	   "MariaDB replica whose report lagged its tables (t0610's "
	   "snapshot): not exact, saying why");
	ok(strcmp(coords_workers_sql(FL_MARIADB, 101119), "SELECT @@GLOBAL."
		  "slave_parallel_threads, @@GLOBAL.log_slave_updates, "
		  "@@GLOBAL.relay_log_basename") == 0,
	   "MariaDB: its threads variable, and log_slave_updates");
}

static void
test_discover(void)
{
	char a[] = "/srv/my\\040data\\011x\\134y", b[] = "/plain\\9";

	discover_unescape(a);
	discover_unescape(b);
	ok(strcmp(a, "/srv/my data\tx\\y") == 0 && strcmp(b, "/plain\\9") == 0,
	   "mountinfo escapes (\\040 \\011 \\134) decode; others stay");
}

/* 1 if s is valid UTF-8 with no control character. */
static int
clean_utf8(const char *s)
{
	size_t len;

	for (; *s != '\0'; s += len)
		if ((len = utf8_len(s)) == 0 || (unsigned char)*s < 0x20)
			return 0;
	return 1;
}

static void
test_utf8(void)
{
	char buf[16], big[64];
	/* "éééééééé" is 16 bytes: every cut would split one */
	static const char e8[] = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
				 "\xc3\xa9\xc3\xa9\xc3\xa9";
	size_t n;

	for (n = 5; n <= sizeof(buf); n++) {
		sanitize(buf, n, e8);
		if (!clean_utf8(buf) || strlen(buf) >= n)
			break;
	}
	ok(n > sizeof(buf), "sanitize cuts between characters at every size "
	   "(\"\xc3\xa9\" is two bytes)");
	sanitize(buf, 8, e8);
	ok(strcmp(buf, "\xc3\xa9\xc3\xa9...") == 0, "a cut ends in \"...\" "
	   "after a whole character");
	sanitize(big, sizeof(big), "a\xff\xc3(b\xe2\x82\xac\xed\xa0\x80\xf0\x9f"
		 "\x98\x80\xc0\xaf");
	ok(strcmp(big, "a?" "?(b\xe2\x82\xac?" "?" "?\xf0\x9f\x98\x80?" "?") == 0,
	   "bytes that are not UTF-8 (a stray 0xff, a cut sequence, a "
	   "surrogate, an overlong '/') become '?'; a euro sign and an emoji "
	   "stay");
	sanitize(big, sizeof(big), "a\x7f[2Jb\x7f");
	ok(strcmp(big, "a [2Jb ") == 0, "DEL (0x7f) becomes a space in a log "
	   "or status line");
	sanitize(big, sizeof(big), "x\xc2\x9b" "31mY\xc2\xa0z");
	ok(strcmp(big, "x 31mY\xc2\xa0z") == 0, "a C1 control (CSI, U+009B) "
	   "becomes a space; U+00A0 stays");
}

/* The process list read per flavor: MySQL 8.0.22+'s performance_schema
 * list keeps our own row (so a blind list shows), and is given up once
 * found blind. */
static void
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
static void
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
static void
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
static void
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

/* The AWS shared files: long lines, trimmed keys, sections. */
static void
test_shared_creds(void)
{
	static char text[4000], tok[1100];
	struct aws_creds cr;
	int bad = 0, r;

	memset(tok, 'T', 1016);
	tok[1014] = tok[1015] = '=';
	tok[1016] = '\0';
	snprintf(text, sizeof(text), "# comment\n[other]\naws_access_key_id=X\n"
		 "[ prod ]\r\n  aws_access_key_id = AKIA1 \r\n"
		 "aws_secret_access_key=s/e+c=\n; c\naws_session_token = %s\n"
		 "region = eu-west-1\n[after]\naws_session_token = no\n", tok);
	memset(&cr, 0, sizeof(cr));
	r = creds_parse_shared(text, "prod", &cr, &bad);
	ok(r == 1 && strcmp(cr.key_id, "AKIA1") == 0 &&
	   strcmp(cr.secret, "s/e+c=") == 0 && strlen(cr.token) == 1016 &&
	   strcmp(cr.token, tok) == 0, "shared files: a 1,016-character "
	   "session token ending in == is read whole; blanks, CRs and other "
	   "sections are left out");
	snprintf(text, sizeof(text), "[prod]\naws_access_key_id = A\njunk\n");
	memset(&cr, 0, sizeof(cr));
	ok(creds_parse_shared(text, "prod", &cr, &bad) == -1 && bad == 3,
	   "shared files: a line that is not key = value is an error naming "
	   "its number");
	snprintf(text, sizeof(text), "[x]\na = b\n");
	ok(creds_parse_shared(text, "prod", &cr, &bad) == 0,
	   "shared files: a missing section is 0");
}

static void
test_util(void)
{
	char buf[16];
	long long v;

	sanitize(buf, sizeof(buf), "a\tb\nc\x1b[31m");
	ok(strcmp(buf, "a b c [31m") == 0, "control characters become spaces");
	sanitize(buf, sizeof(buf), "0123456789abcdefghij");
	ok(strlen(buf) == 15 && strcmp(buf + 12, "...") == 0,
	   "long text is cut and marked");
	ok(parse_num("42", 0, 100, &v) == 0 && v == 42 &&
	   parse_num("", 0, 9, &v) == -1 && parse_num(" 1", 0, 9, &v) == -1 &&
	   parse_num("99999999999999999999", 0, 9, &v) == -1,
	   "numbers parse whole and in range only");
	ok(fmt(buf, 4, "%s", "abcd") == -1 && fmt(buf, 5, "%s", "abcd") == 0,
	   "truncation is detected");
	test_utf8();
}

/* AWS's published SigV4 test suite (get-vanilla,
 * post-x-www-form-urlencoded), and a session-token request whose
 * signature botocore computes the same. */
static void
test_sigv4(void)
{
	struct aws_creds cr = { .key_id = "AKIDEXAMPLE",
				.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
	const char *pfx = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
			  "us-east-1/service/aws4_request, ";
	char out[1024], want[1024], body[256] = "", date[32];

	ok(sigv4_authorization(&cr, "us-east-1", "service", "GET",
			       "example.amazonaws.com", "/", "", NULL, NULL, 0,
			       "20150830T123600Z", out, sizeof(out)) == 0,
	   "sigv4: get-vanilla signs");
	fmt(want, sizeof(want), "%sSignedHeaders=host;x-amz-date, Signature="
	    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
	    pfx);
	ok(strcmp(out, want) == 0, "sigv4: get-vanilla equals AWS's vector");
	sigv4_authorization(&cr, "us-east-1", "service", "POST",
			    "example.amazonaws.com", "/", "",
			    "application/x-www-form-urlencoded", "Param1=value1",
			    13, "20150830T123600Z", out, sizeof(out));
	fmt(want, sizeof(want), "%sSignedHeaders=content-type;host;x-amz-date, "
	    "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0"
	    "fe09473a", pfx);
	ok(strcmp(out, want) == 0,
	   "sigv4: post-x-www-form-urlencoded equals AWS's vector");
	fmt(cr.token, sizeof(cr.token), "TOKEN/+=");
	form_add(body, sizeof(body), "Action", "CreateSnapshots");
	form_add(body, sizeof(body), "Description", "a b~/");
	ok(strcmp(body, "Action=CreateSnapshots&Description=a+b~%2F") == 0,
	   "form encoding: space as +, ~ kept, / as %2F");
	sigv4_authorization(&cr, "us-east-1", "service", "POST",
			    "example.amazonaws.com", "/", "",
			    "application/x-www-form-urlencoded; charset=utf-8",
			    body, strlen(body), "20150830T123600Z", out,
			    sizeof(out));
	fmt(want, sizeof(want), "%sSignedHeaders=content-type;host;x-amz-date;"
	    "x-amz-security-token, Signature=5a29c423873c91e6da12f2f020015a0d"
	    "799f4636cf6baa7dc785211932d067f2", pfx);
	ok(strcmp(out, want) == 0, "sigv4: a session token is signed as "
	   "botocore signs it");
	fmt(cr.secret, sizeof(cr.secret), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz");
	sigv4_authorization(&cr, "us-east-1", "service", "POST",
			    "example.amazonaws.com", "/", "",
			    "application/x-www-form-urlencoded; charset=utf-8",
			    body, strlen(body), "20150830T123600Z", out,
			    sizeof(out));
	ok(strcmp(out, want) != 0, "sigv4: another secret, another signature");
	ok(sigv4_authorization(&cr, "us-east-1", "service", "GET", "h", "/", "",
			       NULL, NULL, 0, "20150830T123600Z", out, 40) == -1,
	   "sigv4: too small a buffer is an error");
	sigv4_amzdate(date, sizeof(date), 1440938160000LL);
	ok(strcmp(date, "20150830T123600Z") == 0, "sigv4: X-Amz-Date format");
	creds_wipe(&cr);
	ok(cr.secret[0] == '\0' && cr.token[0] == '\0', "creds_wipe clears "
	   "the secret and token");
}

static void
test_xml(void)
{
	static const char doc[] =
		"<?xml version=\"1.0\"?><R xmlns=\"http://x\"><snapshotSet>"
		"<item><snapshotId>snap-1</snapshotId><tagSet><item><key>Name"
		"</key><value>a &amp; b</value></item></tagSet></item><item>"
		"<snapshotId>snap-2</snapshotId></item></snapshotSet>"
		"<p:nextToken xmlns:p=\"http://y\">t1</p:nextToken></R>";
	struct xnode *r, *it;
	struct failure ef;
	int n = 0;

	r = xml_parse(doc, strlen(doc), &ef);
	ok(r != NULL, "xml: parses");
	for (it = xml_child(xml_find(r, "snapshotSet"), "item"); it; it = it->next)
		n++;
	ok(n == 2, "xml: two items");
	ok(strcmp(xml_text(xml_child(xml_find(r, "snapshotSet"), "item"),
			   "tagSet/item/value"), "a & b") == 0,
	   "xml: a path's text, entities decoded");
	ok(strcmp(xml_text(r, "nextToken"), "t1") == 0,
	   "xml: a prefixed name is found by its local name");
	ok(strcmp(xml_text(r, "missing/path"), "") == 0, "xml: a missing path "
	   "is empty");
	xml_free(r);
	ok(xml_parse("<a><b></a>", 10, &ef) == NULL &&
	   strstr(ef.why, "mismatched") != NULL, "xml: broken XML is an error "
	   "naming why");
}

/* After an abandoned attempt: the statement it waited for is known by
 * its connection and when it began, whatever its age. */
static void
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

/* Relay log events, built as servers write them: a v4 header (time,
 * type, server id, size, end position in the source's log, flags) and
 * the body, and a CRC32 when crc (binlog_checksum = CRC32). */
static unsigned char rl[4096];
static size_t rl_len;

static unsigned long
crc32_of(const unsigned char *p, size_t n)
{
	unsigned long c = 0xffffffffUL;
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		for (c ^= p[i], k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320UL : c >> 1;
	return c ^ 0xffffffffUL;
}

static void
put_le(unsigned char *p, unsigned long long v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Append one event; returns its offset in rl. */
static size_t
rl_event(int type, unsigned server, unsigned long long end,
	 const void *body, size_t blen, int crc)
{
	unsigned char *e = rl + rl_len;
	size_t size = 19 + blen + (crc ? 4 : 0), at = rl_len;

	memset(e, 0, 19);
	e[4] = (unsigned char)type;
	put_le(e + 5, server, 4);
	put_le(e + 9, size, 4);
	put_le(e + 13, end, 4);
	memcpy(e + 19, body, blen);
	if (crc)
		put_le(e + 19 + blen, crc32_of(e, 19 + blen), 4);
	rl_len += size;
	return at;
}

static size_t
rl_rotate(const char *name, int crc)
{
	unsigned char b[300] = { 4 };

	memcpy(b + 8, name, strlen(name));
	return rl_event(4, 1, 0, b, 8 + strlen(name), crc);
}

/* A MySQL GTID event of source uuid 3E11FA47-71CA-11E1-9E33-C80AA9429562
 * for transaction gno, starting at start in the source's log. */
static size_t
rl_mysql_gtid(unsigned long long gno, unsigned long long start)
{
	static const unsigned char sid[16] = { 0x3e, 0x11, 0xfa, 0x47, 0x71,
		0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95,
		0x62 };
	unsigned char b[42] = { 1 };

	memcpy(b + 1, sid, 16);
	put_le(b + 17, gno, 8);
	return rl_event(33, 1, start + 19 + 42 + 4, b, 42, 1);
}

static size_t
rl_mariadb_gtid(unsigned domain, unsigned server, unsigned long long seq,
		unsigned long long start)
{
	unsigned char b[13] = { 0 };

	put_le(b, seq, 8);
	put_le(b + 8, domain, 4);
	return rl_event(162, server, start + 19 + 13 + 4, b, 13, 1);
}

/* Feed rl event by event to a fresh scan; the verdict on file:pos. */
static int
rl_verdict(int mariadb, const char *set, const char *file,
	   unsigned long long pos, char *why, size_t n)
{
	static struct relay_scan s;
	size_t off = 0;

	memset(&s, 0, sizeof(s));
	s.mariadb = mariadb;
	s.applied = set;
	fmt(s.relay_base, sizeof(s.relay_base), "replica-relay-bin");
	while (off < rl_len) {
		size_t size = (size_t)rl[off + 9] | (size_t)rl[off + 10] << 8;

		if (relay_event(&s, rl + off, size, size) == -1)
			break;
		off += size;
	}
	return relay_verdict(&s, file, pos, why, n);
}

/* The relay logs' cross-check, from the MySQL 8.0.39 replica
 * with four workers: the recorded Exec_Source_Log_Pos 43718420 was the
 * start of transaction 161922 while gtid_executed held up to 162032,
 * which starts at 43748320; 162033 starts at 43748390. */
static void
test_relay(void)
{
	const char *set = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-162032";
	char why[600];
	unsigned char junk[19] = { 0 };

	rl_len = 0;
	rl_rotate("replica-relay-bin.000003", 1); /* the relay's own */
	rl_rotate("binlog.000007", 1);            /* the source's */
	rl_mysql_gtid(161921, 43718000);
	rl_mysql_gtid(161922, 43718420);
	rl_rotate("replica-relay-bin.000004", 0); /* the relay's own, again */
	rl_mysql_gtid(162032, 43748320);
	rl_mysql_gtid(162033, 43748390);
	ok(rl_verdict(0, set, "binlog.000007", 43718420, why, sizeof(why)) == 0 &&
	   strstr(why, "not after 3e11fa47-71ca-11e1-9e33-c80aa9429562:162032 "
		  "(at binlog.000007:43748320)") != NULL,
	   "relay: the issue's stale checkpoint (start of :161922, set up to "
	   ":162032) is not where the set ends");
	printf("# %s\n", why);
	ok(rl_verdict(0, set, "binlog.000007", 43748390, why, sizeof(why)) == 1,
	   "relay: the start of the first transaction not in the set is");
	ok(rl_verdict(0, set, "binlog.000007", 43748321, why, sizeof(why)) == 1,
	   "relay: just after the start of the set's last one is");
	ok(rl_verdict(0, set, "binlog.000007", 43748320, why, sizeof(why)) == 0,
	   "relay: the start of the set's last one is not");
	ok(rl_verdict(0, set, "binlog.000007", 43748391, why, sizeof(why)) == 0 &&
	   strstr(why, "past the start of 3e11fa47-71ca-11e1-9e33-c80aa9429562:"
		  "162033") != NULL, "relay: past the first one not in the set "
	   "is not");
	ok(rl_verdict(0, set, "binlog.000006", 99999999, why, sizeof(why)) == 0,
	   "relay: an earlier log of the source is before, whatever its "
	   "position");

	/* a Rotate without a checksum, and the source's next log */
	rl_len = 0;
	rl_rotate("binlog.000007", 0);
	rl_mysql_gtid(162032, 43748320);
	rl_rotate("binlog.000008", 1);
	rl_mysql_gtid(162033, 4 + 126);
	ok(rl_verdict(0, set, "binlog.000007", 43748400, why, sizeof(why)) == 1 &&
	   rl_verdict(0, set, "binlog.000008", 4, why, sizeof(why)) == 1 &&
	   rl_verdict(0, set, "binlog.000008", 131, why, sizeof(why)) == 0,
	   "relay: across the source's rotation, by log number then position");

	/* MariaDB: a domain's sequence numbers; out of order across two */
	rl_len = 0;
	rl_rotate("mysql-bin.000001", 1);
	rl_mariadb_gtid(0, 1, 5, 1000);
	rl_mariadb_gtid(0, 1, 6, 2000);
	ok(rl_verdict(1, "0-1-5", "mysql-bin.000001", 2000, why, sizeof(why)) == 1
	   && rl_verdict(1, "0-1-5", "mysql-bin.000001", 1000, why,
			 sizeof(why)) == 0 &&
	   rl_verdict(1, "0-1-6", "mysql-bin.000001", 2500, why, sizeof(why)) == 1,
	   "relay: MariaDB's gtid_slave_pos holds a domain up to its number");
	rl_mariadb_gtid(1, 1, 9, 3000);
	ok(rl_verdict(1, "0-1-5,1-1-9", "mysql-bin.000001", 2000, why,
		      sizeof(why)) == 0 && strstr(why, "no position ends") != NULL,
	   "relay: applied out of order, no position is exact");

	/* what the relay logs cannot tell */
	ok(rl_verdict(1, "0-1-5", "mysql-bin.000001", 2000, why, sizeof(why)) == 1
	   && rl_verdict(1, "0-1-5", "mysql-bin.000001", 2001, why,
			 sizeof(why)) == 0, "relay: (control) in order, a domain "
	   "not in the set is no disorder, and past 0-1-6's start fails");
	rl_len = 0;
	rl_rotate("mysql-bin.000001", 1);
	ok(rl_verdict(1, "0-1-5", "mysql-bin.000001", 2000, why, sizeof(why)) == -1
	   && strstr(why, "no transaction") != NULL,
	   "relay: no transaction in the relay logs: cannot tell");
	rl_event(34, 1, 500, junk, sizeof(junk), 1);
	ok(rl_verdict(0, set, "binlog.000007", 500, why, sizeof(why)) == -1 &&
	   strstr(why, "anonymous") != NULL, "relay: anonymous transactions: "
	   "cannot tell");
	rl_len = 0;
	rl_mysql_gtid(161921, 43718000);
	ok(rl_verdict(0, set, "binlog.000007", 500, why, sizeof(why)) == -1 &&
	   strstr(why, "no source position") != NULL, "relay: a transaction "
	   "before any Rotate: cannot tell");
	rl_len = 0;
	rl_rotate("../../etc/passwd", 1);
	ok(rl_verdict(0, set, "binlog.000007", 500, why, sizeof(why)) == -1 &&
	   strstr(why, "names no binary log") != NULL, "relay: a Rotate naming "
	   "a path is refused");
	ok(relay_event(&(struct relay_scan){ .applied = set }, junk, 19, 12) == -1,
	   "relay: an event shorter than its header is refused");
}

/* seed's decisions without a server: identity (MySQL's auto.cnf),
 * each flavor's and version's statements, and SHOW REPLICA STATUS as
 * MySQL 8's manual prints it (its example's columns and values). */
static void
test_seed(void)
{
	static const char *names[] = { "Replica_IO_State", "Source_Host",
		"Source_User", "Source_Port", "Source_Log_File",
		"Read_Source_Log_Pos", "Relay_Log_File", "Relay_Source_Log_File",
		"Replica_IO_Running", "Replica_SQL_Running", "Last_Errno",
		"Exec_Source_Log_Pos", "Seconds_Behind_Source", "Last_IO_Errno",
		"Last_IO_Error", "Last_SQL_Errno", "Last_SQL_Error",
		"Channel_Name" };
	const char *vals[] = { "Waiting for source to send event",
		"127.0.0.1", "root", "13000", "master-bin.000001", "927",
		"slave-relay-bin.000002", "master-bin.000001", "Yes", "Yes", "0",
		"927", "0", "0", "", "0", "", "" };
	static const char *mdb[] = { "Connection_name", "Master_Host",
		"Master_Port", "Master_Log_File", "Read_Master_Log_Pos",
		"Relay_Master_Log_File", "Slave_IO_Running", "Slave_SQL_Running",
		"Exec_Master_Log_Pos", "Seconds_Behind_Master", "Last_IO_Errno",
		"Last_IO_Error" };
	const char *mval[] = { "up", "10.0.0.5", "3306", "mysql-bin.000007",
		"4711", "mysql-bin.000007", "No", "Yes", "4000", NULL, "1045",
		"error connecting to master 'repl@10.0.0.5:3306' - retry-time: "
		"60  maximum-retries: 86400  message: Access denied for user "
		"'repl'@'10.0.0.9' (using password: YES)" };
	struct seed_side a, b;
	struct seed_plan p;
	struct repl_row r;
	struct failure f;
	char why[600], buf[1024], stop[200], reset[200], host[64];
	char user[64], pass[64], path[] = "/tmp/mq-unit-seed.XXXXXX";
	unsigned port;
	int fd;

	memset(&a, 0, sizeof(a));
	a.flavor = FL_MYSQL;
	a.version = 80036;
	a.server_id = 2;
	a.port = 3306;
	snprintf(a.uuid, sizeof(a.uuid), "3E11FA47-71CA-11E1-9E33-C80AA9429562");
	snprintf(a.hostname, sizeof(a.hostname), "db2");
	snprintf(a.datadir, sizeof(a.datadir), "/var/lib/mysql/");
	b = a;
	b.server_id = 1;
	snprintf(b.uuid, sizeof(b.uuid), "3e11fa47-71ca-11e1-9e33-c80aa9429562");
	snprintf(b.hostname, sizeof(b.hostname), "db1");
	ok(seed_identity(&a, &b, why, sizeof(why)) == -1 &&
	   strstr(why, "server_uuid 3E11FA47") != NULL &&
	   strstr(why, "remove /var/lib/mysql/auto.cnf") != NULL,
	   "seed: MySQL, a restored auto.cnf (the source's server_uuid, any "
	   "case) is refused, saying how to fix it");
	snprintf(a.uuid, sizeof(a.uuid), "5a1b2c3d-0000-11ef-8000-0242ac110003");
	ok(seed_identity(&a, &b, why, sizeof(why)) == 0, "seed: MySQL, its own "
	   "server_uuid and server_id: may replicate");
	a.server_id = 1;
	ok(seed_identity(&a, &b, why, sizeof(why)) == -1 &&
	   strstr(why, "server_id 1 is the source's") != NULL,
	   "seed: the source's server_id is refused");
	b = a;
	ok(seed_identity(&a, &b, why, sizeof(why)) == -1 &&
	   strstr(why, "the source itself") != NULL,
	   "seed: the source itself is refused");

	memset(&p, 0, sizeof(p));
	p.flavor = FL_MYSQL;
	p.version = 80036;
	p.host = "10.0.0.5";
	p.port = 3306;
	p.user = "repl";
	p.password = "s3'cret";
	p.by_gtid = 1;
	p.gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77";
	p.file = "";
	ok(seed_change_sql(buf, sizeof(buf), &p, 0) == 0 && strcmp(buf,
	   "CHANGE REPLICATION SOURCE TO SOURCE_HOST = '10.0.0.5', SOURCE_PORT "
	   "= 3306, SOURCE_USER = 'repl', SOURCE_PASSWORD = 's3''cret', "
	   "SOURCE_SSL = 1, SOURCE_AUTO_POSITION = 1") == 0,
	   "seed: MySQL 8.0.23+ by GTID: CHANGE REPLICATION SOURCE TO, TLS, "
	   "auto-position, the password quoted");
	ok(seed_gtid_sql(buf, sizeof(buf), &p) == 0 && buf[0] == '\0',
	   "seed: MySQL sets no GTID state (gtid_executed is the restored "
	   "server's own)");
	ok(seed_change_sql(buf, sizeof(buf), &p, 1) == 0 &&
	   strstr(buf, "SOURCE_PASSWORD = '********'") != NULL &&
	   strstr(buf, "s3") == NULL, "seed: the shown statement masks the "
	   "password");
	p.version = 80022;
	p.by_gtid = 0;
	p.file = "binlog.000012";
	p.pos = 157;
	ok(seed_change_sql(buf, sizeof(buf), &p, 0) == 0 && strcmp(buf,
	   "CHANGE MASTER TO MASTER_HOST = '10.0.0.5', MASTER_PORT = 3306, "
	   "MASTER_USER = 'repl', MASTER_PASSWORD = 's3''cret', MASTER_SSL = 1, "
	   "MASTER_LOG_FILE = 'binlog.000012', MASTER_LOG_POS = 157, "
	   "MASTER_AUTO_POSITION = 0") == 0,
	   "seed: MySQL 8.0.22 by position: CHANGE MASTER TO (SOURCE came in "
	   "8.0.23), auto-position off");
	p.version = 50744;
	ok(seed_change_sql(buf, sizeof(buf), &p, 0) == 0 &&
	   strstr(buf, "SSL") == NULL && strstr(buf, "MASTER_AUTO_POSITION = 0")
	   != NULL, "seed: MySQL 5.7: no TLS forced (native passwords)");
	ok(strcmp(seed_start_sql(FL_MYSQL, 80022), "START REPLICA") == 0 &&
	   strcmp(seed_start_sql(FL_MYSQL, 80021), "START SLAVE") == 0 &&
	   strcmp(seed_stop_sql(FL_MYSQL, 80400), "STOP REPLICA") == 0 &&
	   strcmp(seed_stop_sql(FL_MARIADB, 101106), "STOP SLAVE") == 0,
	   "seed: START/STOP REPLICA from MySQL 8.0.22, SLAVE before and on "
	   "MariaDB");
	ok(seed_reset_sql(stop, reset, sizeof(stop), FL_MYSQL, 80036, "up") ==
	   0 && strcmp(stop, "STOP REPLICA FOR CHANNEL 'up'") == 0 &&
	   strcmp(reset, "RESET REPLICA ALL FOR CHANNEL 'up'") == 0 &&
	   seed_reset_sql(stop, reset, sizeof(stop), FL_MYSQL, 80021, "") ==
	   0 && strcmp(reset, "RESET SLAVE ALL FOR CHANNEL ''") == 0,
	   "seed: MySQL's old channels reset one by one, FOR CHANNEL");
	ok(seed_reset_sql(stop, reset, sizeof(stop), FL_MARIADB, 101106,
			  "o'k") == 0 && strcmp(stop, "STOP SLAVE 'o''k'") == 0 &&
	   strcmp(reset, "RESET SLAVE 'o''k' ALL") == 0 &&
	   seed_reset_sql(stop, reset, sizeof(stop), FL_MARIADB, 101106, "")
	   == 0 && strcmp(reset, "RESET SLAVE ALL") == 0,
	   "seed: MariaDB's named connections reset by name, quoted");
	p.flavor = FL_MARIADB;
	p.version = 101106;
	p.by_gtid = 1;
	p.gtid = "0-1-42,1-3-7";
	ok(seed_gtid_sql(buf, sizeof(buf), &p) == 0 && strcmp(buf,
	   "SET GLOBAL gtid_slave_pos = '0-1-42,1-3-7'") == 0 &&
	   seed_change_sql(buf, sizeof(buf), &p, 0) == 0 &&
	   strstr(buf, "CHANGE MASTER TO MASTER_HOST") == buf &&
	   strstr(buf, "SSL") == NULL &&
	   strstr(buf, ", MASTER_USE_GTID = slave_pos") != NULL,
	   "seed: MariaDB by GTID: gtid_slave_pos set, MASTER_USE_GTID = "
	   "slave_pos");
	{
		static struct seed sd;
		static const char pw[] = "Vx9-Qzkw8-Bjfp7-Trmq3-Hlnd";

		fmt(sd.pass, sizeof(sd.pass), "%s", pw);
		seed_refuse(&sd, MQ_SERVER, "failed", "String '%.14s...' is "
			    "too long; near '%s' at '%.5s'", pw, pw + 20, pw);
		ok(strstr(sd.why, "Vx9-") == NULL && strstr(sd.why, "Trmq")
		   == NULL && strstr(sd.why, "Hlnd") == NULL &&
		   strstr(sd.why, "String '") != NULL &&
		   strstr(sd.why, "is too long") != NULL,
		   "seed: every piece of the password a server error quotes "
		   "(its start cut short, its end, a few characters) is "
		   "masked, the rest of the message kept");
		printf("# %s\n", sd.why);
		explicit_bzero(&sd, sizeof(sd));
	}
	p.password = "0123456789012345678901234567890123456789012345678901"
		     "234567890123456789012345678901234567890123456"; /* 97 */
	ok(seed_lengths(&p, why, sizeof(why)) == -1 &&
	   strstr(why, "97 characters; MariaDB takes at most 96") != NULL &&
	   strstr(why, "0123") == NULL,
	   "seed: a password MariaDB's CHANGE MASTER cannot take is refused "
	   "before any statement, without quoting it");
	printf("# %s\n", why);
	p.password = "01234567890123456789012345678901234567890123456789012345"
		     "6789012345678901234567890123456789012345"; /* 96 */
	ok(seed_lengths(&p, why, sizeof(why)) == 0,
	   "seed: 96 characters are taken (MariaDB)");
	p.flavor = FL_MYSQL;
	p.version = 80039;
	ok(seed_lengths(&p, why, sizeof(why)) == -1 &&
	   strstr(why, "at most 32") != NULL,
	   "seed: MySQL's CHANGE REPLICATION SOURCE takes 32");
	p.flavor = FL_MARIADB;
	p.version = 101106;
	p.password = "s3'cret";
	ok(gtid_mariadb_last("0-1-42,1-3-7", "0-2-40,2-9-5", buf, sizeof(buf))
	   == 0 && gtid_equal(1, buf, "0-1-42,1-3-7,2-9-5", why, sizeof(why))
	   == 1 && gtid_mariadb_last("0-1-42", "0-2-50", buf, sizeof(buf)) == 0
	   && strcmp(buf, "0-2-50") == 0 &&
	   gtid_mariadb_last("", "", buf, sizeof(buf)) == 0 && buf[0] == '\0',
	   "seed: MariaDB's state is each domain's last transaction, written "
	   "or applied");

	seed_row(&r, 18, names, vals);
	ok(strcmp(r.io, "Yes") == 0 && strcmp(r.sql, "Yes") == 0 &&
	   strcmp(r.host, "127.0.0.1") == 0 && r.port == 13000 &&
	   r.read_pos == 927 && r.exec_pos == 927 &&
	   strcmp(r.exec_file, "master-bin.000001") == 0 &&
	   strcmp(r.lag, "0") == 0 && r.channel[0] == '\0' &&
	   seed_progress(&r, 0) == SEED_WAIT && seed_progress(&r, 1) ==
	   SEED_DONE,
	   "seed: MySQL 8's SHOW REPLICA STATUS read by name; all read is "
	   "executed but nothing of the source's applied: wait (the IO "
	   "thread may not have read yet); applied: done");
	vals[11] = "500";
	seed_row(&r, 18, names, vals);
	ok(seed_progress(&r, 0) == SEED_WAIT && seed_progress(&r, 1) ==
	   SEED_DONE, "seed: behind and nothing applied yet: wait");
	vals[8] = "Connecting";
	seed_row(&r, 18, names, vals);
	ok(seed_progress(&r, 1) == SEED_WAIT, "seed: the IO thread connecting: "
	   "wait");
	seed_row(&r, 12, mdb, mval);
	ok(strcmp(r.channel, "up") == 0 && strcmp(r.host, "10.0.0.5") == 0 &&
	   r.lag[0] == '\0' && r.io_errno == 1045 &&
	   strstr(r.io_error, "Access denied") != NULL &&
	   seed_progress(&r, 1) == SEED_ERROR,
	   "seed: MariaDB's SHOW ALL SLAVES STATUS row; an IO error: stop");
	ok(seed_parse_source("db1.example:3306", host, sizeof(host), &port) ==
	   0 && port == 3306 && strcmp(host, "db1.example") == 0 &&
	   seed_parse_source("db1", host, sizeof(host), &port) == -1 &&
	   seed_parse_source(":3306", host, sizeof(host), &port) == -1 &&
	   seed_parse_source("db1:0", host, sizeof(host), &port) == -1 &&
	   seed_parse_source("a'b:3306", host, sizeof(host), &port) == -1,
	   "seed: --source is HOST:PORT, nothing else");

	if ((fd = mkstemp(path)) == -1 || dprintf(fd, "[mysqld]\nuser = x\n"
	    "[client]\n# the replication account\nuser = repl\npassword = "
	    "\"p#ss word\"\n[mysql]\npassword = other\n") < 0) {
		ok(0, "seed: a temporary option file");
		return;
	}
	close(fd);
	ok(optfile_client(path, user, sizeof(user), pass, sizeof(pass), &f) ==
	   0 && strcmp(user, "repl") == 0 && strcmp(pass, "p#ss word") == 0,
	   "seed: the credentials file's [client] user and password, quoted, "
	   "other groups left out");
	chmod(path, 0644);
	ok(optfile_client(path, user, sizeof(user), pass, sizeof(pass), &f) ==
	   -1 && pass[0] == '\0' && strstr(f.why, "password") != NULL,
	   "seed: a credentials file others can read is refused");
	unlink(path);
}

/* Several servers: [mysql NAME] sections, each server's config made
 * from them, what is refused, and the metrics' server label. */
static void
test_multi(void)
{
	static struct config c, one;
	static char buf[4096];
	struct failure f;
	struct state s;

	ok(config_parse_string(&c, "[mysql]\nuser = root\n[mysql main]\n"
	   "socket = /run/a.sock\n[mysql meta]\nsocket = /run/b.sock\n"
	   "method = ftwrl\nmax_lock_time = 90\n[lock]\nwait_timeout = 4\n"
	   "[files]\nrun_dir = /run/mq\nmetrics_file = /m/mq.prom\n", &f) == 0
	   && c.nservers == 2 && strcmp(c.servers[1], "meta") == 0 &&
	   c.server[0] == '\0', "multi: two [mysql NAME] sections read");
	memcpy(&one, &c, sizeof(one));
	ok(config_select(&one, "meta", &f) == 0 &&
	   strcmp(one.mysql_socket, "/run/b.sock") == 0 &&
	   strcmp(one.mysql_user, "root") == 0 &&
	   one.lock_method == METHOD_FTWRL && one.lock_max_lock_time == 90 &&
	   one.lock_wait_timeout == 4 &&
	   strcmp(one.files_run_dir, "/run/mq/meta") == 0 &&
	   strcmp(one.files_metrics_file, "/m/mq-meta.prom") == 0 &&
	   strcmp(one.server, "meta") == 0,
	   "multi: a server's config: its keys over the file's, run_dir/NAME, "
	   "its own metrics file");
	memcpy(&one, &c, sizeof(one));
	ok(config_select(&one, "main", &f) == 0 &&
	   one.lock_method == METHOD_AUTO && one.lock_max_lock_time == 60,
	   "multi: another server's keys are not this one's");
	memcpy(&one, &c, sizeof(one));
	ok(config_select(&one, "nope", &f) == -1 &&
	   strstr(f.why, "no server \"nope\"") != NULL,
	   "multi: -s naming no server is an error");
	ok(config_parse_string(&c, "[mysql a]\nrun_dir = /r/x\n[mysql b]\n"
	   "run_dir = /r/x\n", &f) == -1 && strstr(f.why, "[mysql a] and "
	   "[mysql b] share run_dir /r/x") != NULL,
	   "multi: two servers sharing a run_dir are refused, both named");
	ok(config_parse_string(&c, "[mysql a]\nbinlog_info_file = /i\n"
	   "[mysql b]\nbinlog_info_file = /i\n", &f) == -1 &&
	   strstr(f.why, "share binlog_info_file") != NULL,
	   "multi: two servers sharing an info file are refused");
	ok(config_parse_string(&c, "[mysql a]\nsnapshot_timeout = 9\n", &f) ==
	   -1 && strstr(f.why, "whole freeze's") != NULL &&
	   config_parse_string(&c, "[mysql a]\nlog_file = /l\n", &f) == -1 &&
	   config_parse_string(&c, "[mysql a]\nsocket = /s\nsocket = /t\n",
			       &f) == -1 && strstr(f.why, "set twice") != NULL &&
	   config_parse_string(&c, "[mysql a/b]\nsocket = /s\n", &f) == -1 &&
	   config_parse_string(&c, "[mysql a]\nport = x\n", &f) == -1 &&
	   strstr(f.why, "[mysql a]") != NULL,
	   "multi: a freeze-wide key, an unknown key, a key twice, a bad name "
	   "and a bad value in a server's section are errors");
	ok(config_parse_string(&c, "[mysql a]\nkill_long_queries = all\n"
	   "long_query_threshold = 20\n", &f) == -1 &&
	   strstr(f.why, "[mysql a]") != NULL,
	   "multi: a server's keys are held to the rules between keys");
	state_init(&s);
	s.phase = PH_RELEASED;
	s.blocked_ms = 1500;
	ok(metrics_format(buf, sizeof(buf), &s, 1000, 1000, "meta") == 0 &&
	   strstr(buf, "mysql_quiesce_lock_hold_seconds{server=\"meta\"} 1.500")
	   != NULL && strstr(buf, "last_outcome{server=\"meta\",outcome="
			     "\"released\"} 1") != NULL &&
	   metrics_format(buf, sizeof(buf), &s, 1000, 1000, "") == 0 &&
	   strstr(buf, "mysql_quiesce_lock_hold_seconds 1.500") != NULL,
	   "multi: every metric series carries the server's label, none with "
	   "one server");
}

int
main(void)
{
	test_opts();
	test_derive();
	test_config();
	test_state();
	test_versions();
	test_stmt();
	test_coords();
	test_discover();
	test_util();
	test_sigv4();
	test_shared_creds();
	test_gtid();
	test_grants();
	test_list_sql();
	test_stall();
	test_settle();
	test_xml();
	test_relay();
	test_seed();
	test_multi();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
