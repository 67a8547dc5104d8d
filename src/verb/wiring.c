/* wiring.c - which callers are wired to us, and which wirings are
 * broken: the QEMU guest agent's hook, VMware's script names, Azure
 * Backup's, the GCE guest agent's and Nutanix's scripts. For check:
 * one line each. */
#define _GNU_SOURCE
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "wiring.h"

#define QGA_BIN "/usr/sbin/qemu-ga"
#define QGA_CONF "/etc/qemu/qemu-ga.conf"
#define QGA_HOOK "/etc/qemu/fsfreeze-hook"
#define QGA_HOOK_D "/etc/qemu/fsfreeze-hook.d"
#define VMW_DIR "/etc/vmware-tools"
#define VMW_SCRIPTS "/etc/vmware-tools/backupScripts.d"
/* what a user runs to wire each, said in check's advice */
#define QGA_ADVICE "mysql-quiesce wire qemu, then restart qemu-guest-agent"
#define VMW_ADVICE "mysql-quiesce wire vmware"

static char self[PATH_MAX];

/* 1 if path is a script wire wrote that runs this program. */
static int
wired(const char *path)
{
	char buf[4096], want[PATH_MAX + 16];
	size_t n;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	fmt(want, sizeof(want), "\nexec '%s' ", self);
	return strstr(buf, "\n" WIRING_MARK " ") != NULL &&
	       strstr(buf, want) != NULL;
}

/* 1 if path resolves to this program, or is wire's script for it. */
static int
is_us(const char *path)
{
	char r[PATH_MAX];

	return (realpath(path, r) != NULL && strcmp(r, self) == 0) ||
	       wired(path);
}

/* The fsfreeze hook qemu-ga.conf names, into out ("" if none). */
static void
conf_hook(char *out, size_t n)
{
	char line[PATH_MAX + 64];
	FILE *f = fopen(QGA_CONF, "re");

	out[0] = '\0';
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "fsfreeze-hook", 13) == 0 &&
		    strchr(line, '=') != NULL) {
			char *v = strchr(line, '=') + 1;

			v += strspn(v, " \t");
			v[strcspn(v, " \t\r\n")] = '\0';
			fmt(out, n, "%s", v[0] ? v : QGA_HOOK);
		}
	fclose(f);
}

/* Each running qemu-ga's -F hook ("" for none), up to max; the count. */
static int
running_hooks(char hooks[][PATH_MAX], int max)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	int found = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && found < max) {
		char path[300], buf[4096], *out = hooks[found];
		size_t len, i;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
		    fmt(path, sizeof(path), "/proc/%s/cmdline", e->d_name) == -1 ||
		    (f = fopen(path, "re")) == NULL)
			continue;
		len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		if (len == 0 || strcmp(strrchr(buf, '/') ? strrchr(buf, '/') + 1
				       : buf, "qemu-ga") != 0)
			continue;
		found++;
		out[0] = '\0';
		for (i = strlen(buf) + 1; i < len; i += strlen(buf + i) + 1) {
			if (strncmp(buf + i, "-F", 2) == 0)
				fmt(out, PATH_MAX, "%s",
				    buf[i + 2] ? buf + i + 2 : QGA_HOOK);
			else if (strncmp(buf + i, "--fsfreeze-hook", 15) == 0)
				fmt(out, PATH_MAX, "%s", buf[i + 15] == '=' ?
				    buf + i + 16 : QGA_HOOK);
		}
	}
	closedir(d);
	return found;
}

/* Entries of dir that link to us, or are broken; counts bad ones. */
static int
scan_dir(const char *dir, const char *who, int *ours)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int bad = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char p[PATH_MAX], t[PATH_MAX];
		struct stat st;
		ssize_t l;

		if (e->d_name[0] == '.' ||
		    fmt(p, sizeof(p), "%s/%s", dir, e->d_name) == -1 ||
		    lstat(p, &st) == -1)
			continue;
		if (S_ISLNK(st.st_mode) && stat(p, &st) == -1) {
			l = readlink(p, t, sizeof(t) - 1);
			t[l > 0 ? l : 0] = '\0';
			printf("FAIL  %s: %s is a dangling link (to %s): the "
			       "caller skips it without a word\n", who, p, t);
			bad++;
			continue;
		}
		if (!is_us(p))
			continue;
		if (access(p, X_OK) == -1) {
			printf("FAIL  %s: %s is us but not executable\n", who, p);
			bad++;
			continue;
		}
		printf("ok    %s: %s runs mysql-quiesce\n", who, p);
		(*ours)++;
	}
	closedir(d);
	return bad;
}

/* One line for an agent's hook (up: the agent runs); 1 if broken. */
static int
qemu_hook(const char *hook, int up, int *scanned, int *ours)
{
	int bad = 0;

	if (hook[0] == '\0') {
		printf("FAIL  QEMU agent: qemu-ga runs without a fsfreeze hook: "
		       "snapshots are crash-consistent, with no coordinates "
		       "(" QGA_ADVICE ")\n");
		return 1;
	}
	if (is_us(hook)) {
		printf("ok    QEMU agent: the fsfreeze hook is %s (direct: a "
		       "failed freeze fails the agent's command)%s\n", hook,
		       up ? "" : "; the agent is not running");
		return 0;
	}
	if (strcmp(hook, QGA_HOOK) != 0) {
		printf("FAIL  QEMU agent: the fsfreeze hook is %s, not "
		       "mysql-quiesce\n", hook);
		return 1;
	}
	if (!*scanned) {	/* the links' own lines, and their faults, once */
		*scanned = 1;
		bad = scan_dir(QGA_HOOK_D, "QEMU agent", ours);
	}
	if (*ours > 0) {
		printf("ok    QEMU agent: the stock hook runs us (it ignores our "
		       "exit status: watch status and the log)\n");
		return bad;
	}
	printf("FAIL  QEMU agent: the stock hook runs nothing of ours "
	       "(point the agent at mysql-quiesce directly: " QGA_ADVICE
	       "; or link %s/mysql-quiesce)\n", QGA_HOOK_D);
	return bad + 1;
}

/* Every running agent's hook; the configured one if none runs. */
static int
qemu(void)
{
	char conf[PATH_MAX], run[8][PATH_MAX];
	int bad = 0, scanned = 0, ours = 0, n, i;

	if (access(QGA_BIN, X_OK) == -1)
		return 0;
	conf_hook(conf, sizeof(conf));
	n = running_hooks(run, (int)ARRAY_LEN(run));
	if (n == 0 && conf[0] == '\0') {
		printf("--    QEMU agent: installed, not running, no fsfreeze "
		       "hook configured (" QGA_ADVICE ")\n");
		return 0;
	}
	if (n == 0)
		return qemu_hook(conf, 0, &scanned, &ours);
	for (i = 0; i < n; i++)
		bad += qemu_hook(run[i][0] ? run[i] : conf, 1, &scanned, &ours);
	return bad;
}

static int
vmware(void)
{
	static const char *const legacy[] = { "/usr/sbin/pre-freeze-script",
					      "/usr/sbin/post-thaw-script" };
	int bad = 0, ours = 0;
	size_t i;

	if (access(VMW_DIR, F_OK) == -1)
		return 0;
	for (i = 0; i < ARRAY_LEN(legacy); i++) {
		struct stat st;

		if (lstat(legacy[i], &st) == -1)
			continue;
		if (is_us(legacy[i])) {
			printf("ok    VMware: %s runs mysql-quiesce\n", legacy[i]);
			ours++;
		} else {
			printf("FAIL  VMware: %s is not mysql-quiesce (another "
			       "tool's, or a dangling link)\n", legacy[i]);
			bad++;
		}
	}
	bad += scan_dir(VMW_SCRIPTS, "VMware", &ours);
	if (ours == 0 && bad == 0)
		printf("--    VMware: %s exists but nothing runs mysql-quiesce "
		       "(" VMW_ADVICE ")\n", VMW_DIR);
	return bad;
}

/* A script a caller runs as root: is it, and is it ours? 1 (a line
 * said) when not; mode_exact: the mode the caller insists on (0: none
 * but no group or other bits, which Azure's checks refuse). */
static int
caller_script(const char *who, const char *path, mode_t mode_exact)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		printf("FAIL  %s: %s is missing\n", who, path);
		return 1;
	}
	if (st.st_uid != 0 || (mode_exact ? (st.st_mode & 07777) != mode_exact
					  : (st.st_mode & 077) != 0)) {
		printf("FAIL  %s: %s is owned by uid %u, mode %04o: the caller "
		       "refuses it (root's, %s)\n", who, path,
		       (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
		       mode_exact ? "0700" : "no group or other bits");
		return 1;
	}
	if (!is_us(path)) {
		printf("FAIL  %s: %s does not run mysql-quiesce\n", who, path);
		return 1;
	}
	return 0;
}

/* A number after "key" (then a colon or an equals sign) in text, or
 * dflt. */
static long long
number_after(const char *text, const char *key, long long dflt)
{
	const char *p = strstr(text, key);

	if (p == NULL)
		return dflt;
	p += strlen(key);
	p += strspn(p, "\" \t:=");
	return *p >= '0' && *p <= '9' ? strtoll(p, NULL, 10) : dflt;
}

/* A caller's script timeout (key, to seconds) not above snapshot_timeout:
 * the caller does to a freeze still waiting what it does (1, said). */
static int
too_short(const char *who, const char *key, long long to,
	  const struct config *c, const char *does)
{
	if (to > c->lock_snapshot_timeout)
		return 0;
	printf("FAIL  %s: %s %lld is not above snapshot_timeout (%lld s): the "
	       "agent %s a freeze still waiting\n", who, key, to,
	       c->lock_snapshot_timeout, does);
	return 1;
}

/* Text of a small file, or "" (and 0) when it cannot be read. */
static int
small_file(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t got;

	buf[0] = '\0';
	if (f == NULL)
		return 0;
	got = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[got] = '\0';
	return 1;
}

/* the least time left for an Azure snapshot inside max_lock_time */
enum { AZURE_SNAPSHOT_S = 20 };

static int
azure(const struct config *c, const struct server_config *sv)
{
	char text[8192];
	struct stat st;
	long long to, poll;
	int bad = 0;

	if (lstat(WIRING_AZ_JSON, &st) == -1)
		return 0;
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 0177) != 0) {
		printf("FAIL  Azure Backup: %s is mode %04o, uid %u: the agent "
		       "refuses it (root's, no execute, no group or other "
		       "bits)\n", WIRING_AZ_JSON, (unsigned)(st.st_mode & 07777),
		       (unsigned)st.st_uid);
		return 1;
	}
	small_file(WIRING_AZ_JSON, text, sizeof(text));
	if (strstr(text, "\"" WIRING_AZ_PRE "\"") == NULL) {
		printf("--    Azure Backup: %s names other scripts (mysql-quiesce "
		       "wire azure writes ours)\n", WIRING_AZ_JSON);
		return 0;
	}
	bad += caller_script("Azure Backup", WIRING_AZ_PRE, 0);
	bad += caller_script("Azure Backup", WIRING_AZ_POST, 0);
	to = number_after(text, "\"timeoutInSeconds\"", 30);
	bad += too_short("Azure Backup", "timeoutInSeconds", to, c,
			 "gives up on");
	if (bad == 0)
		printf("ok    Azure Backup: %s runs mysql-quiesce before and "
		       "after (timeout %lld s)\n", WIRING_AZ_JSON, to);
	/* the agent sees the pre-script's exit, and starts the post-script
	 * after the snapshot, a poll late each: both inside the hold */
	poll = number_after(text, "\"ScriptsExecutionPollTimeSeconds\"", 3);
	if (sv->lock_max_lock_time < 2 * poll + AZURE_SNAPSHOT_S)
		printf("warn  Azure Backup: max_lock_time (%lld s) leaves less "
		       "than %d s for the snapshot once the agent's two polls "
		       "(%lld s each) are counted: the lock may end before the "
		       "post-script\n", sv->lock_max_lock_time, AZURE_SNAPSHOT_S,
		       poll);
	return bad;
}

static int
gce(const struct config *c)
{
	char text[16384], *sec;
	long long to;
	int bad = 0;

	if (access(WIRING_GCE_PRE, F_OK) == -1 &&
	    access(WIRING_GCE_POST, F_OK) == -1)
		return 0;
	bad += caller_script("GCE guest agent", WIRING_GCE_PRE, 0);
	bad += caller_script("GCE guest agent", WIRING_GCE_POST, 0);
	small_file(WIRING_GCE_CFG, text, sizeof(text));
	if ((sec = strstr(text, "[Snapshots]")) == NULL ||
	    strstr(sec, "enabled = true") == NULL) {
		printf("FAIL  GCE guest agent: %s has no [Snapshots] section "
		       "with enabled = true: the agent never runs the "
		       "scripts\n", WIRING_GCE_CFG);
		return bad + 1;
	}
	to = number_after(sec, "timeout_in_seconds", 60);
	bad += too_short("GCE guest agent", "timeout_in_seconds", to, c,
			 "kills");
	if (bad == 0)
		printf("ok    GCE guest agent: %s and %s run mysql-quiesce "
		       "(timeout %lld s)\n", WIRING_GCE_PRE, WIRING_GCE_POST,
		       to);
	return bad;
}

static int
nutanix(void)
{
	int bad;

	if (access(WIRING_NTX_PRE, F_OK) == -1 &&
	    access(WIRING_NTX_POST, F_OK) == -1)
		return 0;
	bad = caller_script("Nutanix", WIRING_NTX_PRE, 0700) +
	      caller_script("Nutanix", WIRING_NTX_POST, 0700);
	if (bad == 0)
		printf("ok    Nutanix: %s and %s run mysql-quiesce\n",
		       WIRING_NTX_PRE, WIRING_NTX_POST);
	return bad;
}

int
wiring_report(const struct config *c, const struct server_config *sv)
{
	ssize_t l = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[l > 0 ? l : 0] = '\0';
	return qemu() + vmware() + azure(c, sv) + gce(c) + nutanix();
}
