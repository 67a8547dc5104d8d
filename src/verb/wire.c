/* wire.c - mysql-quiesce wire CALLER: write a backup agent's wiring
 * exactly as that agent requires it (paths, owner, modes, a shell
 * script where it runs sh, its own config file), naming the config
 * file wire was given; never over a file wire did not write. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "exits.h"
#include "main.h"
#include "opts.h"
#include "usage.h"
#include "util.h"
#include "wirefile.h"
#include "wiring.h"

enum wkind {
	W_SCRIPT,   /* ours when it carries WIRING_MARK */
	W_QGA_CONF, /* qemu-ga.conf: ours when it carries WIRING_MARK */
	W_AZ_JSON,  /* Azure's plugin config: ours when it names our script */
	W_GCE_CFG,  /* instance_configs.cfg: a marked block appended only
		     * to a file without a [Snapshots] section */
};

struct wfile {
	char path[PATH_MAX];    /* in the guest */
	mode_t mode, dirmode;
	enum wkind kind;
	char text[8192];
};

struct wplan {
	const char *caller;
	int n;
	struct wfile f[3];
	char after[400];        /* what to do after writing, or "" */
};

static void
add(struct wplan *p, const char *path, mode_t mode, mode_t dirmode,
    enum wkind kind)
{
	struct wfile *w = &p->f[p->n++];

	fmt(w->path, sizeof(w->path), "%s", path);
	w->mode = mode;
	w->dirmode = dirmode;
	w->kind = kind;
	w->text[0] = '\0';
}

/* A script that runs BIN -c CONF VERB, the caller's arguments after it
 * (args: "\"$@\"" where the caller passes the verb, else one argument,
 * "\"$*\"", logged and ignored). */
/* s in single quotes for sh, a quote in it as '\'' */
static const char *
sh_quote(char *out, size_t n, const char *s)
{
	size_t o = 0;

	if (n < 3)
		return "''";
	out[o++] = '\'';
	for (; *s != '\0' && o + 6 < n; s++) {
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *s;
		}
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

static void
script(struct wfile *w, const char *caller, const char *what,
       const char *bin, const char *conf, const char *verb,
       const char *args)
{
	char qb[PATH_MAX * 2], qc[PATH_MAX * 2];

	fmt(w->text, sizeof(w->text), "#!/bin/sh\n%s %s\n# %s\n"
	    "exec %s -c %s %s%s%s\n", WIRING_MARK, caller, what,
	    sh_quote(qb, sizeof(qb), bin), sh_quote(qc, sizeof(qc), conf),
	    verb, verb[0] ? " " : "", args);
}

/* A caller's pre- and post-snapshot scripts, root's 0700 (what Azure,
 * GCE and Nutanix all accept), in a directory of dirmode: freeze and
 * thaw, the caller's arguments as one, logged. */
static void
pre_post(struct wplan *p, const char *pre, const char *post, mode_t dirmode,
	 const char *who, const char *bin, const char *conf)
{
	char what[200];

	fmt(what, sizeof(what), "%s before the snapshot", who);
	add(p, pre, 0700, dirmode, W_SCRIPT);
	script(&p->f[p->n - 1], p->caller, what, bin, conf, "freeze",
	       "\"$*\"");
	fmt(what, sizeof(what), "%s after the snapshot", who);
	add(p, post, 0700, dirmode, W_SCRIPT);
	script(&p->f[p->n - 1], p->caller, what, bin, conf, "thaw", "\"$*\"");
}

/*
 * AWS DLM: the package's SSM Command document, its MQ= line naming
 * this program and the config in use, for the user to register (DLM
 * runs the document, not a file on the instance). 0, or -2 (said).
 */
static int
dlm(struct wplan *p, const char *bin, const char *conf)
{
	static const char mq[] = "MQ=/usr/sbin/mysql-quiesce\n";
	char tmpl[8192], qb[PATH_MAX * 2], qc[PATH_MAX * 2], *at, *line;
	struct wfile *w;
	size_t n;
	FILE *f = fopen(WIRING_DLM_TEMPLATE, "re");

	if (f == NULL) {
		fprintf(stderr, "mysql-quiesce wire: cannot read the SSM "
			"document %s: %s (the package installs it)\n",
			WIRING_DLM_TEMPLATE, strerror(errno));
		return -2;
	}
	n = fread(tmpl, 1, sizeof(tmpl) - 1, f);
	fclose(f);
	tmpl[n] = '\0';
	if ((at = strstr(tmpl, mq)) == NULL) {
		fprintf(stderr, "mysql-quiesce wire: %s has no %.*s line\n",
			WIRING_DLM_TEMPLATE, (int)sizeof(mq) - 2, mq);
		return -2;
	}
	for (line = at; line > tmpl && line[-1] == ' '; line--)
		;
	add(p, WIRING_DLM_DOC, 0644, 0755, W_SCRIPT);
	w = &p->f[0];
	if (fmt(w->text, sizeof(w->text), "%s dlm\n%.*sMQ=%s\n%.*sexport "
		"MYSQL_QUIESCE_CONFIG=%s\n%s", WIRING_MARK, (int)(at - tmpl),
		tmpl, sh_quote(qb, sizeof(qb), bin), (int)(at - line), line,
		sh_quote(qc, sizeof(qc), conf), at + strlen(mq)) == -1) {
		fprintf(stderr, "mysql-quiesce wire: %s is too long\n",
			WIRING_DLM_TEMPLATE);
		return -2;
	}
	fmt(p->after, sizeof(p->after), "register it: aws ssm create-document "
	    "--name mysql-quiesce-dlm --document-type Command "
	    "--document-format YAML --content file://%s", WIRING_DLM_DOC);
	return 0;
}

/* The plan for caller: 0; -1 for an unknown one; -2 said why not. */
static int
plan(struct wplan *p, const char *caller, const struct config *c,
     const char *bin)
{
	const char *conf = c->path;
	long long to = c->lock_snapshot_timeout;

	memset(p, 0, sizeof(*p));
	p->caller = caller;
	if (strcmp(caller, "vmware") == 0) {
		add(p, WIRING_VMW_SCRIPT, 0755, 0755, W_SCRIPT);
		script(&p->f[0], caller, "VMware Tools runs it with freeze, "
		       "thaw or freezeFail (and its scriptArg)", bin, conf, "",
		       "\"$@\"");
	} else if (strcmp(caller, "qemu") == 0) {
		add(p, WIRING_QGA_SCRIPT, 0755, 0755, W_SCRIPT);
		script(&p->f[0], caller, "qemu-ga runs it as its fsfreeze-hook "
		       "with freeze or thaw", bin, conf, "", "\"$@\"");
		add(p, WIRING_QGA_CONF, 0644, 0755, W_QGA_CONF);
		fmt(p->f[1].text, sizeof(p->f[1].text), "%s qemu\n[general]\n"
		    "fsfreeze-hook=%s\n", WIRING_MARK, WIRING_QGA_SCRIPT);
		fmt(p->after, sizeof(p->after), "restart the agent: systemctl "
		    "restart qemu-guest-agent");
	} else if (strcmp(caller, "azure") == 0) {
		/* ScriptRunner refuses a script or config with any group or
		 * other bit, or a config with an execute bit, and runs each
		 * script as "sh SCRIPT PARAMS" */
		pre_post(p, WIRING_AZ_PRE, WIRING_AZ_POST, 0755,
			 "Azure Backup runs it with sh", bin, conf);
		add(p, WIRING_AZ_JSON, 0600, 0755, W_AZ_JSON);
		/* a timeout above snapshot_timeout with margin (the host's
		 * cap is 1,800 s); a poll of 1 s, the least, each poll
		 * adding to the hold */
		fmt(p->f[2].text, sizeof(p->f[2].text), "{\n"
		    "    \"pluginName\": \"ScriptRunner\",\n"
		    "    \"preScriptLocation\": \"%s\",\n"
		    "    \"postScriptLocation\": \"%s\",\n"
		    "    \"preScriptParams\": [],\n"
		    "    \"postScriptParams\": [],\n"
		    "    \"preScriptNoOfRetries\": 0,\n"
		    "    \"postScriptNoOfRetries\": 0,\n"
		    "    \"timeoutInSeconds\": %lld,\n"
		    "    \"ScriptsExecutionPollTimeSeconds\": 1,\n"
		    "    \"continueBackupOnFailure\": %s,\n"
		    "    \"fsFreezeEnabled\": true\n}\n", WIRING_AZ_PRE,
		    WIRING_AZ_POST, to + 60 > 1800 ? 1800 : to + 60,
		    c->lock_on_failure == ON_FAILURE_PROCEED ? "true" : "false");
	} else if (strcmp(caller, "gcp") == 0) {
		/* the guest agent execs each with the disk list, one
		 * argument, and creates the directory 0700 */
		pre_post(p, WIRING_GCE_PRE, WIRING_GCE_POST, 0700,
			 "the GCE guest agent runs it with the disk list", bin,
			 conf);
		add(p, WIRING_GCE_CFG, 0644, 0755, W_GCE_CFG);
		fmt(p->f[2].text, sizeof(p->f[2].text), "%s gcp: begin\n"
		    "[Snapshots]\nenabled = true\ntimeout_in_seconds = %lld\n"
		    "%s gcp: end\n", WIRING_MARK, to + 30, WIRING_MARK);
		fmt(p->after, sizeof(p->after), "restart the agent: systemctl "
		    "restart google-guest-agent");
	} else if (strcmp(caller, "nutanix") == 0) {
		pre_post(p, WIRING_NTX_PRE, WIRING_NTX_POST, 0755,
			 "Nutanix Guest Tools run it", bin, conf);
	} else if (strcmp(caller, "dlm") == 0) {
		return dlm(p, bin, conf);
	} else {
		return -1;
	}
	return 0;
}

/* Is text, found at w's path, wire's own? */
static int
ours(const struct wfile *w, const char *text)
{
	char want[PATH_MAX + 64];

	switch (w->kind) {
	case W_AZ_JSON:
		fmt(want, sizeof(want), "\"preScriptLocation\": \"%s\"",
		    WIRING_AZ_PRE);
		return strstr(text, want) != NULL;
	case W_GCE_CFG:
		return strstr(text, WIRING_MARK " gcp: begin\n") != NULL;
	default:
		return strncmp(text, WIRING_MARK, strlen(WIRING_MARK)) == 0 ||
		       strstr(text, "\n" WIRING_MARK " ") != NULL;
	}
}

/* The text w would leave at its path, given what is there (old, or
 * NULL): for a GCE config, old with wire's block added. Into out; -1
 * when a file there has a [Snapshots] section of its own. */
static int
result(const struct wfile *w, const char *old, char *out, size_t n)
{
	if (w->kind != W_GCE_CFG || old == NULL)
		return fmt(out, n, "%s", w->text);
	if (strstr(old, "[Snapshots]") != NULL)
		return -1;
	return fmt(out, n, "%s%s%s", old, old[0] && old[strlen(old) - 1] !=
		   '\n' ? "\n" : "", w->text);
}

static int
wire_one(const struct wplan *p, const char *root, int dry)
{
	static char old[65536], out[65536 + 2048];
	char why[PATH_MAX + 64];
	int i, r, bad = 0, failed = 0;

	for (i = 0; i < p->n; i++) {
		const struct wfile *w = &p->f[i];
		int foreign;

		r = wire_slurp(root, w->path, old, sizeof(old), why,
			       sizeof(why));
		if (r == -1) {
			printf("FAIL  %s; not touching it\n", why);
			bad = 1;
			continue;
		}
		foreign = r == 1 && w->kind != W_GCE_CFG && !ours(w, old);
		if (foreign || (r == 1 && w->kind == W_GCE_CFG && !ours(w, old) &&
				result(w, old, out, sizeof(out)) == -1)) {
			printf("FAIL  %s exists and was not written by "
			       "mysql-quiesce wire; not touching it. %s:\n%s",
			       w->path, w->kind == W_GCE_CFG ?
			       "Set in its [Snapshots] section" :
			       "What wire would write there", w->text);
			bad = 1;
			continue;
		}
		if (r == 1 && w->kind == W_GCE_CFG && ours(w, old))
			fmt(out, sizeof(out), "%s", old); /* already there */
		else if (result(w, r == 1 ? old : NULL, out, sizeof(out)) == -1)
			continue;
		if (dry) {
			printf("would write %s (mode %04o, root's):\n%s",
			       w->path, (unsigned)w->mode, out);
			continue;
		}
		if (wire_make_dirs(root, w->path, w->dirmode) == -1 ||
		    wire_put(root, w->path, out, w->mode) == -1) {
			printf("FAIL  cannot write %s: %s\n", w->path,
			       strerror(errno));
			failed = 1;
			continue;
		}
		printf("wrote %s (mode %04o)\n", w->path, (unsigned)w->mode);
	}
	if (!bad && !failed && !dry && p->after[0] != '\0')
		printf("now %s\n", p->after);
	return bad ? MQ_REFUSED : failed ? MQ_FAIL : MQ_OK;
}

/* Take back what wire wrote: its files, its GCE block; nothing else. */
static int
unwire_one(const struct wplan *p, const char *root, int dry)
{
	static char old[65536];
	char why[PATH_MAX + 64], full[PATH_MAX * 2];
	int i, r;

	for (i = 0; i < p->n; i++) {
		const struct wfile *w = &p->f[i];

		r = wire_slurp(root, w->path, old, sizeof(old), why,
			       sizeof(why));
		if (r == 0)
			continue;
		if (r == -1 || !ours(w, old)) {
			printf("left  %s: not written by mysql-quiesce wire\n",
			       r == -1 ? why : w->path);
			continue;
		}
		fmt(full, sizeof(full), "%s%s", root, w->path);
		if (w->kind == W_GCE_CFG) {
			char *b = strstr(old, WIRING_MARK " gcp: begin\n");
			char *e = strstr(old, WIRING_MARK " gcp: end\n");

			if (e == NULL || e < b)
				continue;
			memmove(b, e + strlen(WIRING_MARK " gcp: end\n"),
				strlen(e + strlen(WIRING_MARK " gcp: end\n")) + 1);
			if (dry)
				printf("would take wire's [Snapshots] block out "
				       "of %s\n", w->path);
			else if (wire_put(root, w->path, old, w->mode) == -1)
				printf("FAIL  cannot rewrite %s: %s\n", w->path,
				       strerror(errno));
			else
				printf("removed wire's block from %s\n",
				       w->path);
			continue;
		}
		if (dry)
			printf("would remove %s\n", w->path);
		else if (unlink(full) == -1)
			printf("FAIL  cannot remove %s: %s\n", w->path,
			       strerror(errno));
		else
			printf("removed %s\n", w->path);
	}
	return MQ_OK;
}

int
wire_main(const struct config *c, const struct call *o)
{
	enum { O_DRY, O_REMOVE, O_ROOT };
	static const struct opt opts[] = {
		{ O_DRY, "--dry-run", NULL, 0 },
		{ O_REMOVE, "--remove", NULL, 0 },
		{ O_ROOT, "--root", NULL, 1 },
		{ 0, NULL, NULL, 0 },
	};
	static struct wplan p;
	struct failure ef;
	const char *a, *caller = NULL, *root = "";
	char bin[PATH_MAX];
	int i = 1, dry = 0, remove = 0;
	ssize_t n;

	while (i < o->argc) {
		switch (opt_next(opts, o->argc, o->argv, &i, &a, &ef)) {
		case O_DRY:
			dry = 1;
			break;
		case O_REMOVE:
			remove = 1;
			break;
		case O_ROOT:
			root = a;
			break;
		case OPT_WORD:
			if (caller != NULL)
				return usage_fail("wire", "one CALLER only");
			caller = a;
			break;
		case OPT_REST:
			return usage_fail("wire", "an extra argument");
		default:
			return usage_fail("wire", "%s", ef.why);
		}
	}
	if (caller == NULL)
		return usage_fail("wire", "no CALLER given (vmware, qemu, "
				  "azure, gcp, nutanix, dlm)");
	if (strcmp(root, "/") == 0)
		root = "";
	if (root[0] != '\0') {
		struct stat st;

		if (root[0] != '/' || stat(root, &st) == -1 ||
		    !S_ISDIR(st.st_mode))
			return usage_fail("wire", "--root %s: not an absolute "
					  "path to a directory", root);
	}
	if ((n = readlink("/proc/self/exe", bin, sizeof(bin) - 1)) <= 0) {
		fprintf(stderr, "mysql-quiesce wire: cannot tell where this "
			"program is: %s\n", strerror(errno));
		return MQ_FAIL;
	}
	bin[n] = '\0';
	/* in an image at --root, the program as the guest will see it */
	if (root[0] != '\0' && strncmp(bin, root, strlen(root)) == 0 &&
	    bin[strlen(root)] == '/')
		memmove(bin, bin + strlen(root), strlen(bin + strlen(root)) + 1);
	switch (plan(&p, caller, c, bin)) {
	case -1:
		return usage_fail("wire", "unknown CALLER %s (vmware, qemu, "
				  "azure, gcp, nutanix, dlm)", caller);
	case -2:
		return MQ_FAIL;
	default:
		break;
	}
	return remove ? unwire_one(&p, root, dry) : wire_one(&p, root, dry);
}
