/* main.c - one binary, many names: dispatch on argv[0] and the verb. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "main.h"
#include "holder.h"
#include "fsfreeze.h"
#include "log.h"
#include "opts.h"
#include "usage.h"
#include "util.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

/* The holder's way in (core, not a verb): the config and -i only. */
static int do_holder(const struct config *, const struct call *);
static int help_main(const struct config *, const struct call *);

enum {
	F_VERB = 1 << 0,    /* matched on the first argument, not argv[0] */
	F_ANYCASE = 1 << 1, /* matched in any case: VMware passes
			     * "freezeFail", other callers "FREEZE" */
	F_REPORTS = 1 << 2, /* its output is the result: failing to write
			     * it fails */
	F_OWNARGS = 1 << 3, /* the rest of the command line is its own */
	F_INTERNAL = 1 << 4, /* started by the quiesce core only: -c
			      * required, -i allowed */
	F_HOOKARG = 1 << 5, /* one more argument is the caller's, logged:
			     * VMware's scriptArg ("PATH" freeze "ARG") */
	F_CONFIG = 1 << 6,  /* the config is loaded first, and given */
	F_ONE = 1 << 7,     /* acts on one server: of several, -s names it */
	F_HOOK = 1 << 8,    /* a caller's hook: a config it cannot use is
			     * said where a DBA looks, not on stderr alone
			     * (VMware and QEMU discard it) */
	F_RELEASE = 1 << 9, /* releases only: a password group or others
			     * may read is forgotten, not refused */
};

/*
 * Every way in. A row matches argv[0]'s basename (its default action)
 * or, with F_VERB, the first argument.
 */
static const struct cmd {
	const char *name;
	verb_fn *fn;
	unsigned flags;
} cmds[] = {
	{ "pre-freeze-script", freeze_main, F_CONFIG | F_HOOK },
	{ "post-thaw-script", thaw_main, F_CONFIG | F_HOOK | F_RELEASE },
	{ "pre-freeze-mysql-lock", do_holder, F_INTERNAL | F_CONFIG },
	{ WATCHDOG_NAME, snapshot_watchdog_main, F_INTERNAL | F_CONFIG },
	{ "freeze", freeze_main, F_VERB | F_ANYCASE | F_HOOKARG | F_CONFIG |
	  F_HOOK },
	{ "thaw", thaw_main, F_VERB | F_ANYCASE | F_HOOKARG | F_CONFIG |
	  F_HOOK | F_RELEASE },
	{ "freezeFail", freeze_fail_main, F_VERB | F_ANYCASE | F_HOOKARG |
	  F_CONFIG | F_HOOK | F_RELEASE },
	{ "status", status_main, F_VERB | F_REPORTS | F_CONFIG },
	{ "check", check_main, F_VERB | F_REPORTS | F_CONFIG },
	{ "wire", wire_main, F_VERB | F_OWNARGS | F_REPORTS | F_CONFIG },
	{ "snapshot", snapshot_main, F_VERB | F_OWNARGS | F_CONFIG },
	/* verify needs no config file: it reads only the snapshot */
	{ "verify", verify_main, F_VERB | F_OWNARGS | F_REPORTS },
	{ "seed", seed_main, F_VERB | F_OWNARGS | F_REPORTS | F_CONFIG |
	  F_ONE },
	{ "help", help_main, F_VERB | F_OWNARGS | F_REPORTS },
};

/* The usage, then every exit code by name (exits.h), wrapped. */
static void
print_usage(FILE *out)
{
	size_t col = 5, w;
	char item[64];
	int i;

	usage_all(out);
	fputs("exit:", out);
	for (i = 0; strcmp(exit_name(i), "unknown") != 0; i++) {
		fmt(item, sizeof(item), " %d %s%s", i, exit_name(i),
		    strcmp(exit_name(i + 1), "unknown") != 0 ? "," : "");
		w = strlen(item);
		if (col + w > 72) {
			fputs("\n     ", out);
			col = 5;
		}
		fputs(item, out);
		col += w;
	}
	fputc('\n', out);
}

/* help [VERB]: the whole usage, or one verb's. */
static int
help_main(const struct config *c, const struct call *o)
{
	(void)c;
	if (o->argc > 2)
		return usage_fail("help", "one verb at most");
	if (o->argc == 2) {
		if (usage_verb(stdout, o->argv[1]) == -1)
			return usage_fail(NULL, "help: no verb %s", o->argv[1]);
		return MQ_OK;
	}
	print_usage(stdout);
	return MQ_OK;
}

/*
 * A hook's config could not be used: the reason where a DBA looks, as
 * well as on stderr (which VMware and QEMU discard). The file's own log
 * when the file was parsed and is safe but for its read bits (r ==
 * CONFIG_READABLE); else syslog, the journal on a systemd host: a file
 * that failed its checks names no path we may write to.
 */
static void
hook_unconfigured(const struct cmd *cmd, const struct config *c, int r,
		  const char *why)
{
	if (r == CONFIG_READABLE) {
		log_init(c, NULL, cmd->name);
		log_err("%s", why);
		return;
	}
	fprintf(stderr, "mysql-quiesce: %s\n", why);
	openlog(cmd->name, LOG_PID, LOG_DAEMON);
	syslog(LOG_ERR, "cannot use its config: %s", why);
	closelog();
}

/* The config, for a row with F_CONFIG: -c's file (required of an
 * internal role), else $MYSQL_QUIESCE_CONFIG, else the default; -i's
 * info file over it. MQ_OK, or the exit code with the reason said. */
static int
load(const struct cmd *cmd, struct call *o, struct config *c)
{
	static struct failure warn;
	struct failure ef;
	int r;

	if ((cmd->flags & F_INTERNAL) && o->config == NULL)
		return usage_fail(NULL, "an internal role: started by freeze "
				  "or snapshot only");
	r = config_load(c, config_path(o->config), !!(cmd->flags & F_RELEASE),
			&ef);
	if (r != 0) {
		if (cmd->flags & F_HOOK)
			hook_unconfigured(cmd, c, r, ef.why);
		else
			fprintf(stderr, "mysql-quiesce: %s\n", ef.why);
		return MQ_CONFIG;
	}
	if (ef.code != MQ_OK) {
		warn = ef;
		o->config_warning = warn.why;
	}
	if (o->server != NULL && (o->sv = config_find(c, o->server)) == NULL) {
		fprintf(stderr, config_named(c) ? "mysql-quiesce: no server "
			"\"%s\" in the config ([mysql NAME] sections)\n" :
			"mysql-quiesce: no server \"%s\": the config has no "
			"[mysql NAME] section\n", o->server);
		return MQ_CONFIG;
	}
	if (!config_named(c))
		o->sv = &c->sv[0]; /* a fleet of one */
	o->each = o->sv != NULL ? o->sv : c->sv;
	o->n = o->sv != NULL ? 1 : c->n;
	if ((cmd->flags & F_ONE) && o->sv == NULL) {
		fprintf(stderr, "mysql-quiesce: %s: the config names %d servers "
			"([mysql NAME]); %s acts on one: name it with -s NAME\n",
			c->path, c->n, cmd->name);
		return MQ_CONFIG;
	}
	if (o->verbose)
		log_verbose();
	return MQ_OK;
}

static struct config cfg; /* parsed once; the only global state */

static int
do_holder(const struct config *c, const struct call *o)
{
	(void)c; /* cfg itself: the holder forgets its passwords */
	/* a holder holds one server's lock: of several, -s says which */
	if (o->sv == NULL)
		return usage_fail(NULL, "the holder of several servers needs -s");
	return holder_main(&cfg, o->sv, o->info);
}

/* The row for name: a verb (F_VERB) or a program name. */
static const struct cmd *
lookup(const char *name, unsigned verb)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(cmds); i++) {
		const struct cmd *c = &cmds[i];
		if ((c->flags & F_VERB) != verb)
			continue;
		if (c->flags & F_ANYCASE ? strcasecmp(c->name, name) == 0
					 : strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

/*
 * Options and positional arguments into o; the row that runs into *cp
 * (the first positional's verb, else argv[0]'s name). A row with
 * F_OWNARGS takes every argument after its verb as it is. 0, or -1
 * with a reason printed.
 */
static int
parse_opts(int argc, char **argv, const char *base, struct call *o,
	   const struct cmd **cp)
{
	enum { O_CONFIG, O_INFO, O_JSON, O_VERBOSE, O_SERVER };
	static const struct opt opts[] = {
		{ O_CONFIG, "--config", "-c", 1 },
		{ O_SERVER, "--server", "-s", 1 },
		{ O_INFO, "-i", NULL, 1 },
		{ O_JSON, "--json", NULL, 0 },
		{ O_VERBOSE, "--verbose", "-v", 0 },
		{ 0, NULL, NULL, 0 },
	};
	char **pos;
	const char *val;
	struct failure ef;
	int i = 1;

	memset(o, 0, sizeof(*o));
	/* every positional argument kept, however many, NULL after the
	 * last (snapshot's COMMAND is run from it) */
	if ((pos = calloc((size_t)argc + 1, sizeof(*pos))) == NULL) {
		fputs("mysql-quiesce: out of memory\n", stderr);
		return -1;
	}
	o->argv = pos;
	*cp = NULL;
	while (i < argc) {
		if (o->argc > 0 && ((*cp)->flags & F_OWNARGS)) {
			while (i < argc)
				pos[o->argc++] = argv[i++];
			break;
		}
		switch (opt_next(opts, argc, argv, &i, &val, &ef)) {
		case O_CONFIG:
			o->config = val;
			break;
		case O_INFO:
			o->info = val;
			break;
		case O_SERVER:
			o->server = val;
			break;
		case O_JSON:
			o->json = 1;
			break;
		case O_VERBOSE:
			o->verbose = 1;
			break;
		case OPT_WORD:
			if (o->argc == 0 && (*cp = lookup(val, F_VERB)) == NULL) {
				usage_fail(NULL, "unknown command %.60s", val);
				return -1;
			}
			pos[o->argc++] = argv[i - 1];
			break;
		case OPT_REST:
			usage_fail(*cp ? (*cp)->name : NULL, "unknown option --");
			return -1;
		default:
			usage_fail(*cp ? (*cp)->name : NULL, "%s", ef.why);
			return -1;
		}
	}
	if (*cp == NULL && (*cp = lookup(base, 0)) == NULL) {
		usage_fail(NULL, "no command given");
		return -1;
	}
	if (o->argc == 2 && ((*cp)->flags & F_HOOKARG))
		o->hook_arg = pos[1];
	else if (o->argc > 1 && !((*cp)->flags & F_OWNARGS)) {
		usage_fail((*cp)->name, "too many arguments");
		return -1;
	}
	if (o->info != NULL && !((*cp)->flags & F_INTERNAL)) {
		usage_fail((*cp)->name, "unknown option -i");
		return -1;
	}
	return 0;
}

/* Open /dev/null on any of fds 0-2 that is closed, so that no file we
 * open lands there and is written to as if it were stdout. */
static void
sane_stdio(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR | O_NOCTTY)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	else if (fd == -1)
		_exit(MQ_FAIL);
}

int
main(int argc, char **argv)
{
	const struct cmd *c = NULL;
	const char *base;
	struct call o;
	int i;

	sane_stdio();
	/* No core dump and no ptrace by others: every role may hold a
	 * password or AWS credentials in memory. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	base = base ? base + 1 : (argc > 0 ? argv[0] : "mysql-quiesce");
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_usage(stdout);
			return MQ_OK;
		}
		if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			char info[256];

			db_client_info(info, sizeof(info));
			printf("mysql-quiesce %s\n%s\n", VERSION, info);
			return MQ_OK;
		}
	}
	if (parse_opts(argc, argv, base, &o, &c) == -1)
		return MQ_USAGE; /* its one line said why */
	/* every verb but help acts on root's files, locks, mounts or
	 * filesystems: said first, before an error that would name
	 * something else (a config file unreadable, a run_dir not ours) */
	if (c->fn != help_main && geteuid() != 0) {
		fprintf(stderr, "mysql-quiesce %s: must run as root\n", c->name);
		return MQ_PRIV;
	}
	if ((c->flags & F_CONFIG) && (i = load(c, &o, &cfg)) != MQ_OK)
		_exit(i);
	i = c->fn(c->flags & F_CONFIG ? &cfg : NULL, &o);
	/* Leave without the client libraries' exit handlers (TLS library
	 * teardown): nothing is left to flush but stdio, and every
	 * millisecond after "ready" is one a frozen writer may wait. A hook
	 * whose stdout is gone still reports what it did by its exit code;
	 * status and check, whose output is the result, fail without it. */
	if ((fflush(stdout) == EOF || ferror(stdout)) &&
	    (c->flags & F_REPORTS) &&
	    i == MQ_OK) {
		fputs("mysql-quiesce: cannot write standard output\n", stderr);
		i = MQ_FAIL;
	}
	fflush(stderr);
	_exit(i);
}
