/* snapshot.c - the whole job alone: lock, record, flush, sync, freeze
 * the filesystems, run a snapshot command, thaw, unlock. */
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

#include "db.h"
#include "discover.h"
#include "freeze.h"
#include "lock.h"
#include "log.h"
#include "state.h"
#include "util.h"

/*
 * MUST: from the first FIFREEZE to the last FITHAW this process writes
 * nothing to any file (log lines are held in memory); every path out
 * thaws what it froze and ends the lock holder; a watchdog thaws and
 * unlocks if this process dies or hangs past the deadline.
 */

enum {
	MAX_TARGETS = 16,
	KILL_GRACE_MS = 2000,   /* SIGTERM to SIGKILL for the command */
	WATCHDOG_SLACK_MS = 1000, /* past deadline + grace, the watchdog acts */
};

extern char **environ;

struct snap {
	struct config c;          /* ours: on_failure = fail, info file set */
	int dry, no_fs, replace;
	long long timeout;
	const char *add[MAX_TARGETS];
	int nadd;
	char **cmd;
	struct db d;
	char datadir[PATH_MAX], binlog_dir[PATH_MAX];
	struct mountpt mp[MAX_TARGETS];
	int nmp;
	char devs[DISC_MAX_DEVS][64];
	int ndev;
	int fd[MAX_TARGETS], frozen[MAX_TARGETS];
	int sigfd, wdfd;
	pid_t wd, child;
};

static int
usage_err(const char *why)
{
	fprintf(stderr, "mysql-quiesce snapshot: %s\n"
		"usage: mysql-quiesce snapshot [--freeze-fs [+]PATH]... "
		"[--no-freeze-fs] [--timeout SECONDS] [--dry-run] -- COMMAND "
		"[ARG...]\n", why);
	return MQ_USAGE;
}

static int
parse(struct snap *s, int argc, char **argv)
{
	int i;

	/* 0: leave the lock 5 s beyond the frozen window */
	s->timeout = s->c.snapshot_timeout;
	if (s->timeout == 0)
		s->timeout = s->c.lock_max_lock_time > 6 ?
			     s->c.lock_max_lock_time - 5 : 1;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			s->cmd = argv + i + 1;
			break;
		}
		if (strcmp(a, "--dry-run") == 0) {
			s->dry = 1;
		} else if (strcmp(a, "--no-freeze-fs") == 0) {
			s->no_fs = 1;
		} else if (strcmp(a, "--freeze-fs") == 0 && i + 1 < argc) {
			a = argv[++i];
			if (s->nadd == MAX_TARGETS)
				return usage_err("too many --freeze-fs");
			if (a[0] == '+')
				a++;
			else
				s->replace = 1;
			s->add[s->nadd++] = a;
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			if (parse_num(argv[++i], 1, 86400, &s->timeout) == -1)
				return usage_err("--timeout: not a number of "
						 "seconds");
		} else {
			char why[300];
			fmt(why, sizeof(why), "unknown option %s", a);
			return usage_err(why);
		}
	}
	if (s->cmd == NULL || s->cmd[0] == NULL)
		return usage_err("no command given (after --)");
	if (s->no_fs && s->nadd > 0)
		return usage_err("--no-freeze-fs and --freeze-fs together");
	if (s->timeout >= s->c.lock_max_lock_time) {
		fprintf(stderr, "mysql-quiesce snapshot: --timeout %lld is not "
			"below max_lock_time (%lld): the lock must outlast the "
			"frozen window\n", s->timeout, s->c.lock_max_lock_time);
		return MQ_USAGE;
	}
	return MQ_OK;
}

/* @@datadir and the binary log's directory. */
static int
server_paths(struct snap *s)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	char *slash;

	r = db_query(&s->d, "SELECT @@GLOBAL.datadir, @@GLOBAL.log_bin_basename");
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row == NULL || row[0] == NULL) {
		mysql_free_result(r);
		fmt(s->d.err, sizeof(s->d.err), "no @@datadir");
		return -1;
	}
	fmt(s->datadir, sizeof(s->datadir), "%s", row[0]);
	s->binlog_dir[0] = '\0';
	if (row[1] != NULL && (slash = strrchr(row[1], '/')) != NULL)
		fmt(s->binlog_dir, sizeof(s->binlog_dir), "%.*s",
		    (int)(slash - row[1]), row[1]);
	mysql_free_result(r);
	return 0;
}

/* Add the filesystem holding path to the targets (once). */
static int
add_target(struct snap *s, const char *path, char *err, size_t n)
{
	struct mountpt m;
	int i;

	if (discover_mount(s->c.snapshot_proc_root, path, &m, err, n) == -1)
		return -1;
	for (i = 0; i < s->nmp; i++)
		if (strcmp(s->mp[i].point, m.point) == 0)
			return 0;
	if (s->nmp == MAX_TARGETS) {
		fmt(err, n, "more than %d filesystems", MAX_TARGETS);
		return -1;
	}
	s->mp[s->nmp++] = m;
	return 0;
}

static int
by_length(const void *a, const void *b)
{
	return (int)strlen(((const struct mountpt *)a)->point) -
	       (int)strlen(((const struct mountpt *)b)->point);
}

/* Mount points and devices of the data; log what was found. */
static int
discover(struct snap *s, char *err, size_t n)
{
	char chain[1024], leaves[DISC_MAX_DEVS][64];
	int i, j, k, nl;

	if (!s->replace && !s->no_fs) {
		if (add_target(s, s->datadir, err, n) == -1 ||
		    (s->binlog_dir[0] != '\0' &&
		     add_target(s, s->binlog_dir, err, n) == -1))
			return -1;
	}
	for (i = 0; i < s->nadd; i++)
		if (add_target(s, s->add[i], err, n) == -1)
			return -1;
	/* Parents before the filesystems mounted inside them. */
	qsort(s->mp, (size_t)s->nmp, sizeof(s->mp[0]), by_length);
	for (i = 0; i < s->nmp; i++) {
		nl = discover_devices(s->c.snapshot_sys_root, &s->mp[i], leaves,
				      DISC_MAX_DEVS, chain, sizeof(chain), err,
				      n);
		if (nl == -1)
			return -1;
		log_info("filesystem %s (%s, %s): %s", s->mp[i].point,
			 s->mp[i].fstype, s->mp[i].source, chain);
		for (j = 0; j < nl; j++) {
			for (k = 0; k < s->ndev; k++)
				if (strcmp(s->devs[k], leaves[j]) == 0)
					break;
			if (k == s->ndev && s->ndev < DISC_MAX_DEVS)
				fmt(s->devs[s->ndev++], 64, "%s", leaves[j]);
		}
	}
	return 0;
}

static void
list(const struct snap *s, int mounts, char *buf, size_t n)
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

static int
plan(struct snap *s)
{
	const struct lock_method *m;
	char why[300], buf[4096];
	char **a;

	m = lock_choose(s->c.lock_method, s->d.flavor, s->d.version, why,
			sizeof(why));
	printf("server:      %s %s\n", db_flavor_name(s->d.flavor),
	       s->d.version_str);
	printf("lock method: %s\n", m ? m->name : why);
	printf("datadir:     %s\n", s->datadir);
	printf("binlog dir:  %s\n", s->binlog_dir[0] ? s->binlog_dir :
	       "(binary logging off)");
	printf("info file:   %s\n", s->c.files_binlog_info_file);
	list(s, 1, buf, sizeof(buf));
	printf("freeze:      %s\n", s->nmp ? buf : "(nothing)");
	list(s, 0, buf, sizeof(buf));
	printf("devices:     %s\n", s->ndev ? buf : "(none found)");
	printf("timeout:     %lld s\n", s->timeout);
	printf("command:    ");
	for (a = s->cmd; *a != NULL; a++)
		printf(" %s", *a);
	printf("\n");
	return m ? MQ_OK : MQ_CONFIG;
}

/* Open every target, and prove each can be frozen and is not frozen
 * now: a trial FIFREEZE + FITHAW, before anything is locked. */
static int
trial(struct snap *s, char *err, size_t n)
{
	int i;

	for (i = 0; i < s->nmp; i++) {
		s->fd[i] = open(s->mp[i].point, O_RDONLY | O_DIRECTORY |
				O_CLOEXEC);
		if (s->fd[i] == -1) {
			fmt(err, n, "%s: %s", s->mp[i].point, strerror(errno));
			return -1;
		}
		if (ioctl(s->fd[i], FIFREEZE, 0) == -1) {
			fmt(err, n, "%s cannot be frozen: %s", s->mp[i].point,
			    errno == EBUSY ? "it is frozen already" :
			    errno == EOPNOTSUPP ? "its filesystem does not "
			    "support freezing (use --no-freeze-fs with an "
			    "atomic snapshot command)" : strerror(errno));
			return -1;
		}
		if (ioctl(s->fd[i], FITHAW, 0) == -1) {
			fmt(err, n, "%s: FITHAW after the trial freeze: %s",
			    s->mp[i].point, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Thaw what we froze, last first. */
static void
thaw_all(struct snap *s)
{
	int i;

	for (i = s->nmp - 1; i >= 0; i--) {
		if (!s->frozen[i])
			continue;
		if (ioctl(s->fd[i], FITHAW, 0) == -1)
			log_err("FITHAW %s: %s", s->mp[i].point,
				strerror(errno));
		else
			log_info("thawed %s", s->mp[i].point);
		s->frozen[i] = 0;
	}
}

/*
 * The watchdog: a child that keeps the mount points open and, if we die
 * (its pipe reads EOF) or hang past the deadline, thaws them, ends the
 * command and releases the lock. We tell it "done" when all is thawed.
 */
static int
start_watchdog(struct snap *s, int64_t deadline)
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

static void
tell_watchdog(struct snap *s, const char *msg)
{
	if (s->wdfd != -1)
		(void)!write(s->wdfd, msg, strlen(msg));
}

static void
stop_watchdog(struct snap *s)
{
	if (s->wd <= 0)
		return;
	tell_watchdog(s, "d");
	close(s->wdfd);
	s->wdfd = -1;
	while (waitpid(s->wd, NULL, 0) == -1 && errno == EINTR)
		;
	s->wd = 0;
}

/* The command's environment: ours without MYSQL_PWD, plus the facts. */
static char **
command_env(const struct snap *s, const struct state *st)
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
	list(s, 1, buf, sizeof(buf));
	fmt(mounts, sizeof(mounts), "MYSQL_QUIESCE_MOUNTS=%s", buf);
	list(s, 0, buf, sizeof(buf));
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

static pid_t
run_command(struct snap *s, char **env)
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
static int
await_command(struct snap *s, pid_t pid, int64_t deadline, int *why)
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

static int
setup_signals(struct snap *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	return s->sigfd == -1 ? -1 : 0;
}

static int
prepare(struct snap *s, const struct config *c, int argc, char **argv)
{
	char err[1024];
	int r, i;

	s->c = *c;
	s->sigfd = s->wdfd = -1;
	for (i = 0; i < MAX_TARGETS; i++)
		s->fd[i] = -1;
	/* A snapshot without its lock is what this mode exists to avoid. */
	fmt(s->c.lock_on_failure, sizeof(s->c.lock_on_failure), "fail");
	if ((r = parse(s, argc, argv)) != MQ_OK)
		return r;
	log_init(s->c.files_log_file, "snapshot");
	if (setup_signals(s) == -1) {
		log_err("cannot set up signals: %s", strerror(errno));
		return MQ_FAIL;
	}
	r = db_connect(&s->d, &s->c, 30);
	if (r != MQ_OK) {
		log_err("cannot connect: %s", s->d.err);
		return r;
	}
	if (server_paths(s) == -1) {
		log_err("reading @@datadir: %s", s->d.err);
		return db_errclass(&s->d);
	}
	if (s->c.files_binlog_info_file[0] == '\0' &&
	    fmt(s->c.files_binlog_info_file,
		sizeof(s->c.files_binlog_info_file), "%s%sbinlog_info.txt",
		s->datadir, s->datadir[strlen(s->datadir) - 1] == '/' ? "" :
		"/") == -1) {
		log_err("datadir path too long");
		return MQ_FAIL;
	}
	if (discover(s, err, sizeof(err)) == -1) {
		log_err("finding the filesystems: %s", err);
		return MQ_FAIL;
	}
	return MQ_OK;
}

/* Lock through freeze's machinery; flush engine logs; sync. */
static int
lock(struct snap *s, struct state *st)
{
	char err[300];
	int dirfd, r;

	sync();
	r = freeze_main(&s->c);
	log_init(s->c.files_log_file, "snapshot");
	if (r != MQ_OK)
		return r;
	dirfd = rundir_open(s->c.files_run_dir, 0, err, sizeof(err));
	if (dirfd < 0 || state_read(dirfd, st, err, sizeof(err)) != 0 ||
	    st->phase != PH_LOCKED) {
		log_err("the lock is not held after freeze: %s", err);
		if (dirfd >= 0)
			close(dirfd);
		return MQ_STATE;
	}
	close(dirfd);
	if (db_exec(&s->d, "FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS") == -1) {
		log_err("FLUSH ENGINE LOGS: %s", s->d.err);
		return db_errclass(&s->d);
	}
	sync();
	return MQ_OK;
}

int
snapshot_main(const struct config *c, int argc, char **argv)
{
	static struct snap s;
	struct state st;
	char err[1024];
	int64_t t_frozen = 0, deadline;
	int r, why = 0, status = 0, i, unlocked;
	pid_t pid;

	r = prepare(&s, c, argc, argv);
	if (r != MQ_OK)
		goto out;
	if (s.dry) {
		r = plan(&s);
		goto out;
	}
	if (trial(&s, err, sizeof(err)) == -1) {
		log_err("%s; nothing was locked", err);
		r = MQ_FAIL;
		goto out;
	}
	if ((r = lock(&s, &st)) != MQ_OK) {
		thaw_main(&s.c, 1); /* idempotent: releases whatever is held */
		goto out;
	}
	deadline = mono_ms() + s.timeout * 1000;
	if (s.nmp > 0 && start_watchdog(&s, deadline) == -1) {
		log_err("cannot start the watchdog: %s", strerror(errno));
		thaw_main(&s.c, 1);
		r = MQ_FAIL;
		goto out;
	}
	/* From here until every filesystem is thawed: no file writes. */
	log_hold();
	t_frozen = mono_ms();
	for (i = 0; i < s.nmp; i++) {
		if (ioctl(s.fd[i], FIFREEZE, 0) == -1) {
			log_err("FIFREEZE %s: %s", s.mp[i].point,
				strerror(errno));
			why = MQ_FAIL;
			break;
		}
		s.frozen[i] = 1;
		log_info("froze %s", s.mp[i].point);
	}
	if (why == 0) {
		pid = run_command(&s, command_env(&s, &st));
		if (pid == -1) {
			log_err("cannot start the command: %s", strerror(errno));
			why = MQ_FAIL;
		} else {
			char msg[32];
			fmt(msg, sizeof(msg), "p%d", (int)pid);
			tell_watchdog(&s, msg);
			status = await_command(&s, pid, deadline, &why);
		}
	}
	thaw_all(&s);
	stop_watchdog(&s);
	t_frozen = mono_ms() - t_frozen;
	unlocked = thaw_main(&s.c, 0);
	log_init(s.c.files_log_file, "snapshot");
	log_release();
	if (why == MQ_TIMEOUT)
		log_err("the command overran --timeout (%lld s) and was "
			"killed; filesystems thawed, lock released; the "
			"snapshot may be incomplete", s.timeout);
	else if (why == MQ_ABORTED)
		log_err("stopped by a signal; the command was ended, "
			"filesystems thawed, lock released");
	else if (why == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		log_err("the snapshot command failed (%s %d)",
			WIFEXITED(status) ? "exit" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status)
					  : WTERMSIG(status));
	r = why != 0 ? why :
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0) ? MQ_CMD :
	    unlocked != MQ_OK ? MQ_LOST : MQ_OK;
	if (r == MQ_OK)
		log_info("snapshot done: filesystems frozen %lld ms; binlog "
			 "%s:%llu gtid %s; consistent", (long long)t_frozen,
			 st.binlog_file[0] ? st.binlog_file : "(off)",
			 st.binlog_pos, st.gtid[0] ? st.gtid : "(none)");
	else if (r == MQ_LOST)
		log_err("the command succeeded but the lock was lost before "
			"the end: the snapshot may not match the coordinates");
out:
	for (i = 0; i < s.nmp; i++)
		if (s.fd[i] >= 0)
			close(s.fd[i]);
	db_close(&s.d);
	return r;
}
