/* tests/units/base.c - unit tests: the config file, options, the state
 * file, discovery, text and several servers. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "discover.h"
#include "metrics.h"
#include "opts.h"
#include "util.h"
#include "window.h"
#include "unit.h"

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
	if (r == 0)
		config_free(&c);
}

void
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

void
test_config(void)
{
	struct config c;
	struct failure ef;

	ok(config_defaults(&c, &ef) == 0 && c.n == 1 && !config_named(&c) &&
	   c.sv[0].lock_method == METHOD_AUTO &&
	   c.sv[0].lock_wait_timeout == 10 &&
	   c.sv[0].lock_max_lock_time == 60 && c.lock_snapshot_timeout == 600 &&
	   c.lock_on_failure == ON_FAILURE_FAIL &&
	   strcmp(c.sv[0].files_run_dir, "/run/mysql-quiesce") == 0 &&
	   strcmp(c.run_dir, "/run/mysql-quiesce") == 0,
	   "defaults are the documented ones: a fleet of one");
	config_free(&c);
	ok(config_parse_string(&c, "[lock]\nmethod = ftwrl\nwait_timeout = 3\n"
			       "[mysql]\nsocket = /s ; comment\n", &ef) == 0 &&
	   c.sv[0].lock_method == METHOD_FTWRL &&
	   c.sv[0].lock_wait_timeout == 3 &&
	   strcmp(c.sv[0].mysql_socket, "/s") == 0,
	   "values are read, inline comments dropped");
	config_free(&c);
	ok(sizeof(struct config) < 8192 && sizeof(struct server_config) < 8192,
	   "a config is a few KB: the file's keys, and each server's once");
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

void
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

void
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

void
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

void
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

/* Several servers: [mysql NAME] sections, each server's config made
 * from them, what is refused, and the metrics' server label. */
void
test_multi(void)
{
	static struct config c;
	static char buf[4096];
	const struct server_config *one;
	struct failure f;
	struct state s;

	ok(config_parse_string(&c, "[mysql]\nuser = root\n[mysql main]\n"
	   "socket = /run/a.sock\n[mysql meta]\nsocket = /run/b.sock\n"
	   "method = ftwrl\nmax_lock_time = 90\n[lock]\nwait_timeout = 4\n"
	   "[files]\nrun_dir = /run/mq\nmetrics_file = /m/mq.prom\n", &f) == 0
	   && c.n == 2 && config_named(&c) && strcmp(c.sv[1].name, "meta") == 0
	   && strcmp(c.run_dir, "/run/mq") == 0,
	   "multi: two [mysql NAME] sections read");
	one = config_find(&c, "meta");
	ok(one != NULL && strcmp(one->mysql_socket, "/run/b.sock") == 0 &&
	   strcmp(one->mysql_user, "root") == 0 &&
	   one->lock_method == METHOD_FTWRL && one->lock_max_lock_time == 90 &&
	   one->lock_wait_timeout == 4 &&
	   strcmp(one->files_run_dir, "/run/mq/meta") == 0 &&
	   strcmp(one->files_metrics_file, "/m/mq-meta.prom") == 0 &&
	   strcmp(one->name, "meta") == 0,
	   "multi: a server's config: its keys over the file's, run_dir/NAME, "
	   "its own metrics file");
	one = config_find(&c, "main");
	ok(one != NULL && one->lock_method == METHOD_AUTO &&
	   one->lock_max_lock_time == 60 &&
	   strcmp(one->mysql_socket, "/run/a.sock") == 0,
	   "multi: another server's keys are not this one's");
	ok(config_find(&c, "nope") == NULL,
	   "multi: -s naming no server finds none");
	config_forget_passwords(&c);
	config_free(&c);
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
