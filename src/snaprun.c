/* snaprun.c - snapshot mode's frozen window: the watchdog, the
 * command, its deadline. Nothing here writes a file while frozen. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "freeze.h"
#include "log.h"
#include "snap.h"
#include "util.h"

extern char **environ;

void
snap_list(const struct snap *s, int mounts, char *buf, size_t n)
{
	int i;

	buf[0] = '\0';
	if (mounts)
		for (i = 0; i < s->nmp; i++)
			append(buf, n, "%s%s", i ? " " : "", s->mp[i].point);
	else
		for (i = 0; i < s->ndev; i++)
			append(buf, n, "%s/dev/%s", i ? " " : "", s->devs[i]);
}

/*
 * The watchdog: a child that keeps the mount points open and, if we die
 * (its pipe reads EOF) or hang past the deadline, thaws them, ends the
 * command and releases the lock. We tell it "done" when all is thawed.
 */
int
snap_watchdog_start(struct snap *s, int64_t deadline)
{
	int p[2], fd, i, keep;
	sigset_t all;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	s->wd = fork();
	if (s->wd == -1) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (s->wd > 0) {
		close(p[0]);
		s->wdfd = p[1];
		return 0;
	}
	/* the watchdog */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (fd = 3; fd < 1024; fd++) {
		for (keep = (fd == p[0]), i = 0; i < s->nmp; i++)
			keep |= fd == s->fd[i];
		if (!keep)
			close(fd);
	}
	{
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		pid_t cmd = 0;
		char msg[32];
		ssize_t r;
		int64_t left;
		int why_timeout = 0;

		for (;;) {
			left = deadline + KILL_GRACE_MS + WATCHDOG_SLACK_MS -
			       mono_ms();
			if (left <= 0) {
				why_timeout = 1;
				break;
			}
			if (poll(&pf, 1, (int)left) <= 0)
				continue;
			r = read(p[0], msg, sizeof(msg) - 1);
			if (r <= 0)
				break;
			msg[r] = '\0';
			if (msg[0] == 'd')
				_exit(0);
			if (msg[0] == 'p')
				cmd = (pid_t)strtol(msg + 1, NULL, 10);
		}
		for (i = s->nmp - 1; i >= 0; i--)
			(void)ioctl(s->fd[i], FITHAW, 0);
		if (cmd > 0)
			kill(-cmd, SIGKILL);
		log_init(s->c.files_log_file, "watchdog");
		log_err("%s: thawed every filesystem of the snapshot; "
			"releasing the lock",
			why_timeout ? "the snapshot overran its deadline"
				    : "mysql-quiesce snapshot died");
		_exit(thaw_main(&s->c, 1));
	}
}

void
snap_watchdog_tell(struct snap *s, const char *msg)
{
	if (s->wdfd != -1)
		(void)!write(s->wdfd, msg, strlen(msg));
}

void
snap_watchdog_stop(struct snap *s)
{
	if (s->wd <= 0)
		return;
	snap_watchdog_tell(s, "d");
	close(s->wdfd);
	s->wdfd = -1;
	while (waitpid(s->wd, NULL, 0) == -1 && errno == EINTR)
		;
	s->wd = 0;
}

/* The command's environment: ours without MYSQL_PWD, plus the facts. */
char **
snap_command_env(const struct snap *s, const struct state *st)
{
	static char *env[512];
	static char file[300], pos[64], gtid[4200], mounts[4200], devs[4200],
		info[PATH_MAX + 32];
	char buf[4096];
	size_t n = 0;
	char **e;

	for (e = environ; *e != NULL && n < ARRAY_LEN(env) - 8; e++)
		if (strncmp(*e, "MYSQL_PWD=", 10) != 0 &&
		    strncmp(*e, "MYSQL_QUIESCE_", 14) != 0)
			env[n++] = *e;
	fmt(file, sizeof(file), "MYSQL_QUIESCE_BINLOG_FILE=%s", st->binlog_file);
	fmt(pos, sizeof(pos), "MYSQL_QUIESCE_BINLOG_POS=%llu", st->binlog_pos);
	fmt(gtid, sizeof(gtid), "MYSQL_QUIESCE_GTID=%s", st->gtid);
	snap_list(s, 1, buf, sizeof(buf));
	fmt(mounts, sizeof(mounts), "MYSQL_QUIESCE_MOUNTS=%s", buf);
	snap_list(s, 0, buf, sizeof(buf));
	fmt(devs, sizeof(devs), "MYSQL_QUIESCE_DEVICES=%s", buf);
	fmt(info, sizeof(info), "MYSQL_QUIESCE_INFO_FILE=%s",
	    s->c.files_binlog_info_file);
	env[n++] = file;
	env[n++] = pos;
	env[n++] = gtid;
	env[n++] = mounts;
	env[n++] = devs;
	env[n++] = info;
	env[n] = NULL;
	return env;
}

pid_t
snap_run_command(struct snap *s, char **env)
{
	sigset_t none;
	pid_t pid;
	int null;

	pid = fork();
	if (pid != 0) {
		if (pid > 0)
			setpgid(pid, pid);
		return pid;
	}
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	null = open("/dev/null", O_RDONLY);
	if (null != -1)
		dup2(null, 0);
	environ = env;
	execvp(s->cmd[0], s->cmd);
	fprintf(stderr, "mysql-quiesce snapshot: %s: %s\n", s->cmd[0],
		strerror(errno));
	_exit(127);
}

/*
 * Wait for the command until the deadline or a stop signal; then
 * SIGTERM its process group, and SIGKILL it after the grace. Returns
 * its wait status; *why says 0 (it ended), MQ_TIMEOUT or MQ_ABORTED.
 */
int
snap_await_command(struct snap *s, pid_t pid, int64_t deadline, int *why)
{
	struct pollfd p[2];
	int pfd, status = 0, stage = 0;
	int64_t until = deadline;

	*why = 0;
	pfd = pidfd_open(pid, 0);
	p[0] = (struct pollfd){ .fd = pfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
	for (;;) {
		int64_t left = until - mono_ms();
		int r;

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (left <= 0) {
			if (stage == 0) {
				if (*why == 0)
					*why = MQ_TIMEOUT;
				kill(-pid, SIGTERM);
				kill(pid, SIGTERM);
				until = mono_ms() + KILL_GRACE_MS;
				stage = 1;
			} else {
				kill(-pid, SIGKILL);
				kill(pid, SIGKILL);
				until = mono_ms() + 60000;
			}
			continue;
		}
		/* without a pidfd, look for the child's end every 50 ms */
		r = poll(p, 2, pfd >= 0 || left < 50 ? (int)left : 50);
		if (r > 0 && (p[1].revents & POLLIN) && stage == 0) {
			struct signalfd_siginfo si;
			(void)!read(s->sigfd, &si, sizeof(si));
			*why = MQ_ABORTED;
			until = 0;
		}
	}
	if (pfd >= 0)
		close(pfd);
	return status;
}
