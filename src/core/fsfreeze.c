/* fsfreeze.c - trial freeze, FIFREEZE in order, FITHAW in reverse, and
 * the watchdog that thaws if we die or hang. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"
#include "event.h"
#include "fsfreeze.h"
#include "log.h"
#include "util.h"

/*
 * MUST: every filesystem frozen here is thawed on every path: by
 * fs_thaw, or by the watchdog when this process dies or overruns. From
 * the first FIFREEZE to the last FITHAW nothing here writes a file.
 */

void
fs_init(struct fsset *fs)
{
	int i;

	memset(fs, 0, sizeof(*fs));
	for (i = 0; i < FS_MAX; i++)
		fs->fd[i] = -1;
}

static int
by_length(const void *a, const void *b)
{
	return (int)strlen(((const struct mountpt *)a)->point) -
	       (int)strlen(((const struct mountpt *)b)->point);
}

int
fs_add(struct fsset *fs, const char *proc_root, const char *path, struct failure *f)
{
	struct mountpt m;
	int i;

	if (discover_mount(proc_root, path, &m, f) == -1)
		return -1;
	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->mp[i].point, m.point) == 0)
			return 0;
	if (fs->n == FS_MAX) {
		failf(f, MQ_FAIL, "more than %d filesystems", FS_MAX);
		return -1;
	}
	fs->mp[fs->n++] = m;
	/* Parents before the filesystems mounted inside them. */
	qsort(fs->mp, (size_t)fs->n, sizeof(fs->mp[0]), by_length);
	return 0;
}

void
fs_list(const struct fsset *fs, char *buf, size_t n)
{
	int i;

	buf[0] = '\0';
	for (i = 0; i < fs->n; i++)
		append(buf, n, "%s%s", i ? " " : "", fs->mp[i].point);
}

int
fs_trial(struct fsset *fs, struct failure *f)
{
	int i;

	for (i = 0; i < fs->n; i++) {
		fs->fd[i] = open(fs->mp[i].point, O_RDONLY | O_DIRECTORY |
				 O_CLOEXEC);
		if (fs->fd[i] == -1) {
			failf(f, MQ_FAIL, "%s: %s", fs->mp[i].point,
			    strerror(errno));
			return -1;
		}
		if (ioctl(fs->fd[i], FIFREEZE, 0) == -1) {
			failf(f, MQ_FAIL, "%s cannot be frozen: %s",
			    fs->mp[i].point, errno == EBUSY ? "it is frozen "
			    "already" : errno == EOPNOTSUPP ? "its filesystem "
			    "does not support freezing (use --no-freeze-fs "
			    "with an atomic snapshot backend)"
			    : strerror(errno));
			return -1;
		}
		if (ioctl(fs->fd[i], FITHAW, 0) == -1) {
			failf(f, MQ_FAIL, "%s: FITHAW after the trial freeze: "
			    "%s", fs->mp[i].point, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
fs_freeze(struct fsset *fs, struct failure *f)
{
	int64_t t;
	int i;

	for (i = 0; i < fs->n; i++) {
		/* the kernel's own part: it writes the filesystem's log
		 * and metadata out before it says frozen */
		t = mono_ms();
		if (ioctl(fs->fd[i], FIFREEZE, 0) == -1) {
			failf(f, MQ_FAIL, "FIFREEZE %s: %s", fs->mp[i].point,
			    strerror(errno));
			return -1;
		}
		fs->frozen[i] = 1;
		log_info("froze %s in %lld ms", fs->mp[i].point,
			 (long long)(mono_ms() - t));
	}
	return 0;
}

int
fs_thaw(struct fsset *fs)
{
	int i, failed = 0;

	for (i = fs->n - 1; i >= 0; i--) {
		if (!fs->frozen[i])
			continue;
		fs->frozen[i] = 0;
		if (ioctl(fs->fd[i], FITHAW, 0) == 0)
			log_info("thawed %s", fs->mp[i].point);
		else if (errno == EINVAL)
			log_warn("%s was thawed already (by the watchdog or "
				 "another program)", fs->mp[i].point);
		else {
			log_err("FITHAW %s: %s", fs->mp[i].point,
				strerror(errno));
			failed++;
		}
	}
	return failed;
}

void
fs_close(struct fsset *fs)
{
	int i;

	for (i = 0; i < fs->n; i++) {
		if (fs->fd[i] >= 0)
			close(fs->fd[i]);
		fs->fd[i] = -1;
	}
}

/* The watchdog's descriptors: its end of a socket pair with the
 * snapshot process, then the mount points; how long it may take to
 * say it is ready. */
enum { WD_SOCK = 3, WD_FIRST = 4, WD_READY_MS = 5000 };

int
fs_watchdog_start(struct watchdog *w, const struct fsset *fs,
		  int64_t deadline, const struct config *c, const char *server)
{
	char *argv[] = { WATCHDOG_NAME, "-c", (char *)c->path, NULL, NULL,
			 NULL };
	struct child ch = { .path = "/proc/self/exe", .argv = argv,
			    .group = CHILD_SESSION };
	char msg[64];
	struct pollfd pf = { .events = POLLIN };
	int p[2], i, nfs = 0, e;

	w->pid = 0;
	w->fd = -1;
	if (server != NULL) { /* one of several: the watchdog's own */
		argv[3] = "-s";
		argv[4] = (char *)server;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) == -1)
		return -1;
	ch.keep[ch.nkeep++] = p[1];
	for (i = 0; i < fs->n && ch.nkeep < CHILD_KEEP_MAX; i++)
		if (fs->fd[i] >= 0) {
			ch.keep[ch.nkeep++] = fs->fd[i];
			nfs++;
		}
	if (child_start(&ch) == -1) {
		e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	close(p[1]);
	w->pid = ch.pid;
	w->fd = p[0];
	/* its orders: the deadline (monotonic, the same clock in every
	 * process) and how many mount points follow its socket; then its
	 * word that it has them (a watchdog that could not start, say its
	 * config refused, never says it: nothing is frozen without one) */
	fmt(msg, sizeof(msg), "w%lld %d\n", (long long)deadline, nfs);
	pf.fd = w->fd;
	e = 0;
	if (write_all(w->fd, msg, strlen(msg)) == -1)
		e = errno;
	else if ((i = wait_until(&pf, 1, mono_ms() + WD_READY_MS)) != 1)
		e = i == 0 ? ETIMEDOUT : errno;
	else if (read(w->fd, msg, 1) != 1 || msg[0] != 'r')
		e = ECHILD; /* it ended without its word */
	if (e != 0) {
		kill(w->pid, SIGKILL);
		(void)child_reap(w->pid, NO_DEADLINE, NULL);
		close(w->fd);
		w->pid = 0;
		w->fd = -1;
		errno = e;
		return -1;
	}
	return 0;
}

int
fs_watch(void)
{
	struct pollfd pf = { .fd = WD_SOCK, .events = POLLIN };
	char msg[128], *p;
	long long deadline = -1;
	int nfs = 0, i, timed_out = 0;
	pid_t pgrp = 0;
	sigset_t all;
	ssize_t r;

	/* A signal to the whole group (Ctrl-C) must not stop it. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		if (wait_until(&pf, 1, deadline < 0 ? NO_DEADLINE :
			       deadline + WATCHDOG_SLACK_MS) == 0) {
			timed_out = 1;
			break;
		}
		r = read(WD_SOCK, msg, sizeof(msg) - 1);
		if (r <= 0)
			break; /* the snapshot process is gone */
		msg[r] = '\0';
		for (p = msg; *p != '\0';) {
			if (*p == 'd')
				return -1;
			if (*p == 'w') {
				deadline = strtoll(p + 1, &p, 10);
				nfs = (int)strtol(p, &p, 10);
				if (write(WD_SOCK, "r", 1) != 1)
					break; /* it is gone: its end of
						* file is read next */
			} else if (*p == 'g')
				pgrp = (pid_t)strtol(p + 1, &p, 10);
			else
				p++;
		}
	}
	/* no orders, no mount point: the tool freezes nothing before this
	 * watchdog has said it has them */
	for (i = nfs - 1; i >= 0; i--)
		(void)ioctl(WD_FIRST + i, FITHAW, 0);
	if (pgrp > 0)
		kill(-pgrp, SIGKILL);
	return timed_out;
}

static void
tell(struct watchdog *w, const char *msg)
{
	if (w->fd != -1)
		(void)write_all(w->fd, msg, strlen(msg));
}

void
fs_watchdog_group(struct watchdog *w, pid_t pgrp)
{
	char msg[32];

	fmt(msg, sizeof(msg), "g%d", (int)pgrp);
	tell(w, msg);
}

void
fs_watchdog_stop(struct watchdog *w)
{
	if (w->pid <= 0)
		return;
	tell(w, "d");
	close(w->fd);
	w->fd = -1;
	(void)child_reap(w->pid, NO_DEADLINE, NULL);
	w->pid = 0;
}
