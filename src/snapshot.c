/* snapshot.c - the whole job alone: lock, record, flush, sync, freeze
 * the filesystems, run a snapshot command, thaw, unlock. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "discover.h"
#include "freeze.h"
#include "lock.h"
#include "log.h"
#include "state.h"
#include "snap.h"
#include "util.h"

/*
 * MUST: from the first FIFREEZE to the last FITHAW this process writes
 * nothing to any file (log lines are held in memory); every path out
 * thaws what it froze and ends the lock holder; a watchdog thaws and
 * unlocks if this process dies or hangs past the deadline.
 */

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
	snap_list(s, 1, buf, sizeof(buf));
	printf("freeze:      %s\n", s->nmp ? buf : "(nothing)");
	snap_list(s, 0, buf, sizeof(buf));
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
	/* even with nothing to freeze: it releases the lock if we die */
	if (snap_watchdog_start(&s, deadline) == -1) {
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
		pid = snap_run_command(&s, snap_command_env(&s, &st));
		if (pid == -1) {
			log_err("cannot start the command: %s", strerror(errno));
			why = MQ_FAIL;
		} else {
			char msg[32];
			fmt(msg, sizeof(msg), "p%d", (int)pid);
			snap_watchdog_tell(&s, msg);
			status = snap_await_command(&s, pid, deadline, &why);
		}
	}
	thaw_all(&s);
	snap_watchdog_stop(&s);
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
