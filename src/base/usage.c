/* usage.c - each verb's usage, written once (include/usage.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "exits.h"
#include "usage.h"

/* A verb's synopsis (continuation lines indented as they print after
 * "usage: ") and what it does. */
static const struct verb_usage {
	const char *verb, *synopsis, *text;
} verbs[] = {
	{ "freeze",
	  "mysql-quiesce [-c FILE] freeze | thaw | freezeFail [CALLER-ARG]\n"
	  "       pre-freeze-script [freeze [CALLER-ARG]]   (VMware Tools, QEMU hook)\n"
	  "       post-thaw-script [thaw | freezeFail [CALLER-ARG]]\n",
	  "  freeze       wait for a safe moment, take the lock, record the\n"
	  "               coordinates; exit 0 once the lock is held\n"
	  "  thaw         release the lock; non-zero if it was lost before\n"
	  "  freezeFail   the snapshot failed: release the lock\n"
	  "  CALLER-ARG   one argument after a hook verb (VMware's scriptArg)\n"
	  "               is logged and otherwise ignored\n" },
	{ "status",
	  "mysql-quiesce [-c FILE] status [--json]\n",
	  "  status       show the lock holder's state (--json: one object)\n" },
	{ "check",
	  "mysql-quiesce [-c FILE] check\n",
	  "  check        test config, connection, privileges and lock method\n" },
	{ "wire",
	  "mysql-quiesce [-c FILE] wire CALLER [--dry-run] [--remove] [--root DIR]\n",
	  "  wire         write CALLER's wiring as that caller requires it,\n"
	  "               its scripts naming the config FILE: vmware, qemu,\n"
	  "               azure, gcp, nutanix, dlm (the SSM document, to\n"
	  "               register); never over a file wire did not\n"
	  "               write (--dry-run: print the plan; --remove: take\n"
	  "               back what wire wrote; --root: into an image at DIR)\n" },
	{ "snapshot",
	  "mysql-quiesce [-c FILE] snapshot [--freeze-fs [+]PATH]... [--no-freeze-fs]\n"
	  "                     [--timeout SECONDS] [--dry-run] --ebs | -- COMMAND [ARG...]\n",
	  "  snapshot     the whole job alone: lock, record the coordinates in the\n"
	  "               datadir, flush engine logs, sync, FIFREEZE the data's\n"
	  "               filesystems, run COMMAND (or --ebs: one EC2\n"
	  "               CreateSnapshots of this instance's volumes), FITHAW,\n"
	  "               unlock; the frozen window ends at --timeout (default\n"
	  "               [snapshot] timeout); --ebs keeps [ebs] keep sets\n"
	  "    --freeze-fs PATH   freeze PATH's filesystem instead of the\n"
	  "                       discovered ones; --freeze-fs +PATH adds one\n"
	  "    --timeout SECONDS  the longest the filesystems stay frozen\n"
	  "    --no-freeze-fs     freeze no filesystem (the command is atomic)\n"
	  "    --dry-run          print the plan; lock and freeze nothing\n" },
	{ "verify",
	  "mysql-quiesce verify PATH [--info FILE] [--json] [--full] [--timeout SECONDS]\n"
	  "                     [--keep] [--copy DIR] [--scratch DIR] [--server-binary FILE]\n"
	  "                     [--binlog-dir DIR | --root DIR] [--user NAME]\n"
	  "                     [--write-info FILE]\n",
	  "  verify       prove a restored snapshot's data directory PATH:\n"
	  "               recover it in a throwaway server over an overlay\n"
	  "               (PATH is not modified) and check the info file's\n"
	  "               binlog position and GTID, and CHECK TABLE the\n"
	  "               non-transactional tables (--full: all)\n" },
	{ "seed",
	  "mysql-quiesce [-c FILE] seed --source HOST:PORT --source-credentials FILE\n"
	  "                     [--info FILE] [--timeout SECONDS] [--dry-run] [--json]\n",
	  "  seed         make the config's server, started on a restored\n"
	  "               snapshot, a replica of --source from exactly the\n"
	  "               snapshot's position (FILE: an option file whose\n"
	  "               [client] group holds the replication account)\n" },
};

static const char common[] =
	"  -c FILE      config file (default: $MYSQL_QUIESCE_CONFIG, else\n"
	"               " DEFAULT_CONFIG ")\n"
	"  -s NAME      the server of the config's [mysql NAME] section alone\n"
	"               (without it freeze, thaw, status and check act on\n"
	"               every server the config names)\n"
	"  -v           also log info lines to stderr\n";

static const struct verb_usage *
find(const char *verb)
{
	size_t i;

	if (verb == NULL)
		return NULL;
	if (strcasecmp(verb, "thaw") == 0 || strcasecmp(verb, "freezeFail") == 0)
		verb = "freeze";
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcasecmp(verbs[i].verb, verb) == 0)
			return &verbs[i];
	return NULL;
}

void
usage_all(FILE *out)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(out, "%s%s", i ? "       " : "usage: ",
			verbs[i].synopsis);
	fputs("       mysql-quiesce help [VERB] | --help | --version\n\n", out);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fputs(verbs[i].text, out);
	fprintf(out, "\n%s\n", common);
}

int
usage_verb(FILE *out, const char *verb)
{
	const struct verb_usage *u = find(verb);

	if (u == NULL)
		return -1;
	fprintf(out, "usage: %s\n%s\n%s", u->synopsis, u->text, common);
	return 0;
}

int
usage_fail(const char *verb, const char *f, ...)
{
	const struct verb_usage *u = find(verb);
	char why[512];
	va_list ap;

	va_start(ap, f);
	vsnprintf(why, sizeof(why), f, ap);
	va_end(ap);
	if (u != NULL)
		fprintf(stderr, "mysql-quiesce %s: %s (see: mysql-quiesce help "
			"%s)\n", verb, why, u->verb);
	else
		fprintf(stderr, "mysql-quiesce: %s (see: mysql-quiesce "
			"--help)\n", why);
	return MQ_USAGE;
}
