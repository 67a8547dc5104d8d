/* tests/unit.c - config, state file, versions and statement selection,
 * without a server. TAP output. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coords.h"
#include "db.h"
#include "lock.h"
#include "state.h"
#include "util.h"

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
	char err[1024] = "";
	int r = config_parse_string(&c, text, err, sizeof(err));

	if (want == NULL)
		ok(r == 0, what);
	else
		ok(r == -1 && strstr(err, want) != NULL, what);
	if ((want == NULL) != (r == 0) || (want && !strstr(err, want)))
		printf("# got %d: %s\n", r, err);
}

static void
test_config(void)
{
	struct config c;
	char err[512];

	config_defaults(&c);
	ok(strcmp(c.lock_method, "auto") == 0 && c.lock_wait_timeout == 10 &&
	   c.lock_max_lock_time == 60 && c.lock_snapshot_timeout == 600 &&
	   strcmp(c.lock_on_failure, "fail") == 0 &&
	   strcmp(c.files_run_dir, "/run/mysql-quiesce") == 0,
	   "defaults are the documented ones");
	ok(config_parse_string(&c, "[lock]\nmethod = ftwrl\nwait_timeout = 3\n"
			       "[mysql]\nsocket = /s ; comment\n", err,
			       sizeof(err)) == 0 &&
	   strcmp(c.lock_method, "ftwrl") == 0 && c.lock_wait_timeout == 3 &&
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
	config_case("[lock]\nmethod = lvm\n", "line 2: method must be one of",
		    "an unknown method is refused");
	config_case("[lock]\non_failure = maybe\n", "on_failure must be one of",
		    "an unknown on_failure is refused");
	config_case("[lock]\nmethod = ftwrl\nmethod = auto\n", "line 3: [lock] "
		    "method is set twice", "a key set twice is refused");
	config_case("[lock]\nthis line is junk\n", "line 2: not a [section]",
		    "a line that is not ini is refused with its number");
	config_case("[lock]\nkill_long_queries = select\n", NULL,
		    "kill_long_queries = select is accepted");
	config_case("", NULL, "an empty file gives the defaults");
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
	char err[256] = "";
	int r = state_parse(text, &s, err, sizeof(err));

	ok(r == -1 && strstr(err, want) != NULL, what);
	if (r != -1 || !strstr(err, want))
		printf("# got %d: %s\n", r, err);
}

static void
test_state(void)
{
	struct state s, t;
	char buf[8192], err[256], trunc[sizeof(good_state)];
	char *p;

	ok(state_parse(good_state, &s, err, sizeof(err)) == 0 &&
	   s.phase == PH_LOCKED && s.pid == 1234 && s.start_time == 99 &&
	   s.conn_id == 7 && s.binlog_pos == 835 && s.blocked_ms == -1 &&
	   strcmp(s.gtid, "0-1-3") == 0, "a good state file parses");
	ok(state_format(&s, buf, sizeof(buf)) == 0 &&
	   state_parse(buf, &t, err, sizeof(err)) == 0 &&
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
		  "bad pid", "pid 0 is refused");
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
	char err[200];
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
	m = lock_choose("auto", FL_MARIADB, 101119, err, sizeof(err));
	ok(m && strcmp(m->name, "backup-stage") == 0,
	   "auto on MariaDB 10.11 is backup-stage");
	m = lock_choose("auto", FL_MARIADB, 100338, err, sizeof(err));
	ok(m && strcmp(m->name, "ftwrl") == 0, "auto on MariaDB 10.3 is ftwrl");
	m = lock_choose("auto", FL_PERCONA, 50744, err, sizeof(err));
	ok(m && strcmp(m->name, "percona-backup-locks") == 0,
	   "auto on Percona 5.7 is percona-backup-locks");
	m = lock_choose("auto", FL_PERCONA, 80036, err, sizeof(err));
	ok(m && strcmp(m->name, "ftwrl") == 0, "auto on Percona 8.0 is ftwrl");
	m = lock_choose("auto", FL_MYSQL, 80400, err, sizeof(err));
	ok(m && strcmp(m->name, "ftwrl") == 0, "auto on MySQL 8.4 is ftwrl");
	ok(lock_choose("backup-stage", FL_MYSQL, 80036, err, sizeof(err)) ==
		   NULL && strstr(err, "MariaDB 10.4.1") != NULL,
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
}

int
main(void)
{
	test_config();
	test_state();
	test_versions();
	test_util();
	printf("1..%d\n", ntest);
	return nfail != 0;
}
