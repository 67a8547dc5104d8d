/* fsfreeze.c - trial freeze, FIFREEZE in order, FITHAW in reverse, and
 * the watchdog that thaws if we die or hang. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

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
fs_add(struct fsset *fs, const char *proc_root, const char *path, char *err,
       size_t n)
{
	struct mountpt m;
	int i;

	if (discover_mount(proc_root, path, &m, err, n) == -1)
		return -1;
	for (i = 0; i < fs->n; i++)
		if (strcmp(fs->mp[i].point, m.point) == 0)
			return 0;
	if (fs->n == FS_MAX) {
		fmt(err, n, "more than %d filesystems", FS_MAX);
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
fs_trial(struct fsset *fs, char *err, size_t n)
{
	int i;

	for (i = 0; i < fs->n; i++) {
		fs->fd[i] = open(fs->mp[i].point, O_RDONLY | O_DIRECTORY |
				 O_CLOEXEC);
		if (fs->fd[i] == -1) {
			fmt(err, n, "%s: %s", fs->mp[i].point, strerror(errno));
			return -1;
		}
		if (ioctl(fs->fd[i], FIFREEZE, 0) == -1) {
			fmt(err, n, "%s cannot be frozen: %s", fs->mp[i].point,
			    errno == EBUSY ? "it is frozen already" :
			    errno == EOPNOTSUPP ? "its filesystem does not "
			    "support freezing (use --no-freeze-fs with an "
			    "atomic snapshot backend)" : strerror(errno));
			return -1;
		}
		if (ioctl(fs->fd[i], FITHAW, 0) == -1) {
			fmt(err, n, "%s: FITHAW after the trial freeze: %s",
			    fs->mp[i].point, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
fs_freeze(struct fsset *fs, char *err, size_t n)
{
	int64_t t;
	int i;

	for (i = 0; i < fs->n; i++) {
		/* the kernel's own part: it writes the filesystem's log
		 * and metadata out before it says frozen */
		t = mono_ms();
		if (ioctl(fs->fd[i], FIFREEZE, 0) == -1) {
			fmt(err, n, "FIFREEZE %s: %s", fs->mp[i].point,
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

static int
by_value(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every descriptor from 3 up but those in keep[0..n). */
static void
keep_only(int *keep, int n)
{
	int i, from = 3;

	qsort(keep, (size_t)n, sizeof(keep[0]), by_value);
	for (i = 0; i < n; i++) {
		if (keep[i] < from)
			continue;
		if (keep[i] > from)
			close_range((unsigned)from, (unsigned)keep[i] - 1, 0);
		from = keep[i] + 1;
	}
	close_range((unsigned)from, ~0U, 0);
}

/* The watchdog's life; never returns. */
static void
watch(int rfd, const struct fsset *fs, int64_t deadline,
      int (*fire)(void *, int), void *arg)
{
	struct pollfd pf = { .fd = rfd, .events = POLLIN };
	int keep[FS_MAX + 1], i, nk = 0, timed_out = 0;
	pid_t pgrp = 0;
	sigset_t all;

	/* A signal to the whole group (Ctrl-C) must not stop it. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	keep[nk++] = rfd;
	for (i = 0; i < fs->n; i++)
		if (fs->fd[i] >= 0)
			keep[nk++] = fs->fd[i];
	keep_only(keep, nk);
	for (;;) {
		char msg[64], *p;
		ssize_t r;

		if (wait_until(&pf, 1, deadline + WATCHDOG_SLACK_MS) == 0) {
			timed_out = 1;
			break;
		}
		r = read(rfd, msg, sizeof(msg) - 1);
		if (r <= 0)
			break; /* the snapshot process is gone */
		msg[r] = '\0';
		for (p = msg; *p != '\0';) {
			if (*p == 'd')
				_exit(0);
			if (*p == 'g')
				pgrp = (pid_t)strtol(p + 1, &p, 10);
			else
				p++;
		}
	}
	for (i = fs->n - 1; i >= 0; i--)
		if (fs->fd[i] >= 0)
			(void)ioctl(fs->fd[i], FITHAW, 0);
	if (pgrp > 0)
		kill(-pgrp, SIGKILL);
	_exit(fire(arg, timed_out));
}

int
fs_watchdog_start(struct watchdog *w, const struct fsset *fs,
		  int64_t deadline, int (*fire)(void *, int), void *arg)
{
	int p[2];

	w->pid = 0;
	w->fd = -1;
	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	/* This process is single-threaded: the child may use the whole
	 * library (it logs and connects to release the lock). */
	w->pid = fork();
	if (w->pid == -1) {
		close(p[0]);
		close(p[1]);
		w->pid = 0;
		return -1;
	}
	if (w->pid == 0) {
		close(p[1]);
		watch(p[0], fs, deadline, fire, arg);
	}
	close(p[0]);
	w->fd = p[1];
	return 0;
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
	while (waitpid(w->pid, NULL, 0) == -1 && errno == EINTR)
		;
	w->pid = 0;
}
