/* freeze.c - pre-freeze-script: find a safe moment, start the holder,
 * return the moment the lock is held. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "freeze.h"
#include "holder.h"
#include "lock.h"
#include "log.h"
#include "state.h"
#include "util.h"
#include "window.h"

/*
 * MUST: whatever path freeze leaves by, no holder it started is left
 * waiting for or holding a lock, except after "ready" (then thaw or
 * max_lock_time ends it). SIGTERM/SIGINT/SIGHUP (VMware's abort) end the
 * holder and release before exit.
 */

enum {
	CONNECT_SLACK_MS = 2000,  /* holder start and connect, past wait */
	STOP_WAIT_MS = 3000,      /* holder exit after KILL QUERY + TERM: well
				   * inside the 5 s VMware gives before SIGKILL */
};

struct freeze {
	const struct config *c;
	const struct lock_method *m;
	enum lock_waits waits; /* what the lock waits for on this server */
	struct db d; /* our own connection: process list, KILL QUERY */
	int dirfd, runlock, sigfd;
	pid_t pid;   /* the holder of this attempt, 0 if none */
	int rfd;     /* its report pipe */
	unsigned long hconn;
	char buf[1024];
	size_t len;
};

struct outcome {
	int code, retry;
	char why[700];
};

/*
 * Start the holder: a new session, stdio on /dev/null, no descriptor
 * but its end of a socket pair as HOLDER_FD (it reports on it, and
 * waits on it for our "go"), an environment of PATH only.
 * posix_spawn (a vfork underneath) costs a fraction of a fork of this
 * process. Signals stay blocked across exec; the holder takes them by
 * fd.
 */
static int
spawn(struct freeze *f)
{
	char *argv[] = { "pre-freeze-mysql-lock", "-c", (char *)f->c->path,
			 "-m", (char *)f->c->lock_method, NULL, NULL, NULL };
	char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int p[2], e;

	/* The binlog info file may be chosen by the caller (snapshot
	 * mode), not by the file the holder reads: pass it on. */
	if (f->c->files_binlog_info_file[0] != '\0') {
		argv[5] = "-i";
		argv[6] = (char *)f->c->files_binlog_info_file;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) == -1)
		return -1;
	e = posix_spawn_file_actions_init(&fa);
	if (e == 0 && (e = posix_spawnattr_init(&at)) != 0)
		posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if ((e = posix_spawn_file_actions_adddup2(&fa, p[1], HOLDER_FD)) ||
	    (e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR,
						  0)) ||
	    (e = posix_spawn_file_actions_adddup2(&fa, 0, 1)) ||
	    (e = posix_spawn_file_actions_adddup2(&fa, 0, 2)) ||
	    (e = posix_spawn_file_actions_addclosefrom_np(&fa,
							   HOLDER_FD + 1)) ||
	    (e = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID)))
		f->pid = -1;
	else
		e = posix_spawn(&f->pid, "/proc/self/exe", &fa, &at, argv,
				envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(p[1]);
	if (e != 0) {
		close(p[0]);
		f->pid = 0;
		errno = e;
		return -1;
	}
	f->rfd = p[0];
	f->hconn = 0;
	f->len = 0;
	return 0;
}

static void
reap(struct freeze *f)
{
	if (f->pid > 0)
		while (waitpid(f->pid, NULL, 0) == -1 && errno == EINTR)
			;
	if (f->rfd != -1)
		close(f->rfd);
	f->pid = 0;
	f->rfd = -1;
}

/*
 * End this attempt's holder: kill its statement (a waiting lock ignores
 * signals), SIGTERM it, wait for it to go; SIGKILL as a last resort.
 * Afterwards it holds nothing: it released, or its connection closed.
 */
static void
stop_holder(struct freeze *f)
{
	struct pollfd p = { .fd = f->rfd, .events = POLLIN };
	int64_t end = mono_ms() + STOP_WAIT_MS;
	char sql[64], junk[256];

	if (f->hconn != 0) {
		fmt(sql, sizeof(sql), "KILL QUERY %lu", f->hconn);
		if (db_exec(&f->d, sql) == -1)
			log_warn("%s: %s", sql, f->d.err);
	}
	kill(f->pid, SIGTERM);
	for (;;) {
		int64_t left = end - mono_ms();
		if (left <= 0) {
			log_err("holder pid %d did not stop; killing it",
				(int)f->pid);
			kill(f->pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)left) == 1 &&
		    read(f->rfd, junk, sizeof(junk)) <= 0)
			break; /* EOF: it exited */
	}
	reap(f);
}

/* Handle one line from the holder; 1 when it is "ready". */
static int
line(struct freeze *f, char *l, struct outcome *o)
{
	char *end;

	if (strncmp(l, "conn ", 5) == 0) {
		f->hconn = strtoul(l + 5, NULL, 10);
		return 0;
	}
	if (strcmp(l, "ready") == 0)
		return 1;
	if (strncmp(l, "fail ", 5) == 0) {
		o->code = (int)strtol(l + 5, &end, 10);
		o->retry = (int)strtol(end, &end, 10);
		sanitize(o->why, sizeof(o->why), *end == ' ' ? end + 1 : end);
		if (o->code <= 0)
			o->code = MQ_FAIL;
	}
	return 0;
}

/*
 * Wait for this attempt's holder until deadline. 1: ready. 0: it failed
 * or timed out (o says why; the holder is gone). -1: a stop signal came
 * (the holder is gone).
 */
static int
await(struct freeze *f, int64_t deadline, struct outcome *o)
{
	struct pollfd p[2] = { { .fd = f->rfd, .events = POLLIN },
			       { .fd = f->sigfd, .events = POLLIN } };
	int killing = strcmp(f->c->lock_kill_long_queries, "no") != 0;
	int64_t kill_at = mono_ms() + f->c->lock_long_query_threshold * 1000;

	o->code = 0;
	for (;;) {
		int64_t now = mono_ms(), left = deadline - now;
		char *nl;
		ssize_t n;

		if (killing && now >= kill_at) {
			window_kill(&f->d, f->c, f->waits, f->hconn);
			kill_at = mono_ms() + WINDOW_POLL_MS;
		}
		if (killing && kill_at - now < left)
			left = kill_at - now > 0 ? kill_at - now : 1;

		if (deadline - mono_ms() <= 0) {
			stop_holder(f);
			o->code = MQ_TIMEOUT;
			o->retry = 1;
			fmt(o->why, sizeof(o->why), "lock not granted within "
			    "wait_timeout (%lld s)", f->c->lock_wait_timeout);
			return 0;
		}
		if (poll(p, 2, (int)left) == -1 && errno != EINTR)
			return -1;
		if (p[1].revents & POLLIN) {
			stop_holder(f);
			return -1;
		}
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(f->rfd, f->buf + f->len, sizeof(f->buf) - 1 - f->len);
		if (n <= 0) {
			reap(f);
			if (o->code == 0) {
				o->code = MQ_FAIL;
				fmt(o->why, sizeof(o->why), "the holder exited "
				    "without a word");
			}
			return 0;
		}
		f->len += (size_t)n;
		f->buf[f->len] = '\0';
		while ((nl = strchr(f->buf, '\n')) != NULL) {
			*nl = '\0';
			if (line(f, f->buf, o))
				return 1;
			f->len -= (size_t)(nl + 1 - f->buf);
			memmove(f->buf, nl + 1, f->len + 1);
		}
		if (f->len == sizeof(f->buf) - 1)
			f->len = 0; /* an overlong line: drop it */
	}
}

/* A freeze that will not hold a lock: fail, or proceed loudly. */
static int
give_up(const struct config *c, int code, const char *why)
{
	log_err("freeze failed: %s", why);
	if (code == MQ_ABORTED || strcmp(c->lock_on_failure, "proceed") != 0)
		return code;
	log_err("on_failure = proceed: returning success WITHOUT a lock; this "
		"snapshot is crash-consistent only and has no coordinates");
	return MQ_OK;
}

/* Before a new freeze: end a holder whose thaw never came. */
static int
end_leftover(struct freeze *f, char *why, size_t n)
{
	struct state s;
	char err[300];
	int r;

	r = state_read(f->dirfd, &s, err, sizeof(err));
	if (r == 1 || (r == 0 && (s.phase != PH_LOCKED &&
				  s.phase != PH_WAITING)))
		return MQ_OK;
	if (r == -1) {
		if (rundir_lock_held(f->dirfd, HOLDER_LOCK) != 1) {
			log_warn("%s; replacing it", err);
			return MQ_OK;
		}
		fmt(why, n, "a holder is running but %s; not touching it", err);
		return MQ_STATE;
	}
	if (!holder_alive(f->dirfd, &s))
		return MQ_OK;
	log_warn("holder pid %d of an earlier freeze still holds its lock "
		 "(thaw never came); ending it", (int)s.pid);
	r = holder_end(f->c, f->dirfd, &s);
	if (r != MQ_OK && r != MQ_LOST) {
		fmt(why, n, "cannot end the earlier holder pid %d", (int)s.pid);
		return r;
	}
	return MQ_OK;
}

static int
setup(struct freeze *f, struct outcome *o)
{
	const char *info = f->c->files_binlog_info_file;
	sigset_t set;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (f->sigfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		fmt(o->why, sizeof(o->why), "signalfd: %s", strerror(errno));
		return MQ_FAIL;
	}
	signal(SIGPIPE, SIG_IGN);
	f->dirfd = rundir_open(f->c->files_run_dir, 1, o->why, sizeof(o->why));
	if (f->dirfd < 0)
		return MQ_STATE;
	f->runlock = rundir_lock(f->dirfd, RUN_LOCK, 0);
	if (f->runlock == -2) {
		fmt(o->why, sizeof(o->why), "another freeze or thaw is running");
		return MQ_BUSY;
	}
	if (f->runlock == -1) {
		fmt(o->why, sizeof(o->why), "cannot lock %s/%s: %s",
		    f->c->files_run_dir, RUN_LOCK, strerror(errno));
		return MQ_STATE;
	}
	if ((r = end_leftover(f, o->why, sizeof(o->why))) != MQ_OK)
		return r;
	/* A snapshot must never carry the coordinates of an earlier one. */
	if (info[0] != '\0') {
		if (unlink(info) == 0)
			log_info("removed the previous %s", info);
		else if (errno != ENOENT) {
			fmt(o->why, sizeof(o->why), "cannot remove the previous "
			    "%s: %s", info, strerror(errno));
			return MQ_FAIL;
		}
	}
	return MQ_OK;
}

/* Our own connection: the server's flavor, the method, the process
 * list. The holder is starting meanwhile. */
static int
connect_server(struct freeze *f, struct outcome *o)
{
	int r;

	r = db_connect(&f->d, f->c, 30);
	if (r != MQ_OK) {
		fmt(o->why, sizeof(o->why), "cannot connect: %s", f->d.err);
		return r;
	}
	f->m = lock_choose(f->c->lock_method, f->d.flavor, f->d.version,
			   o->why, sizeof(o->why));
	if (f->m == NULL)
		return MQ_CONFIG;
	f->waits = lock_waits_for(f->m, f->d.flavor, f->d.version);
	return MQ_OK;
}

static void
report_locked(struct freeze *f, int64_t t0, int attempts)
{
	struct state s;
	char err[300];

	if (state_read(f->dirfd, &s, err, sizeof(err)) != 0) {
		log_warn("lock held, but %s", err);
		return;
	}
	log_info("lock held: %s on %s %s by holder pid %d, %lld ms after "
		 "freeze began (%d attempt%s); binlog %s:%llu gtid %s",
		 s.method, db_flavor_name(f->d.flavor), f->d.version_str,
		 (int)s.pid, (long long)(mono_ms() - t0), attempts,
		 attempts == 1 ? "" : "s",
		 s.binlog_file[0] ? s.binlog_file : "(binlog off)", s.binlog_pos,
		 s.gtid[0] ? s.gtid : "(none)");
}

/* Close what freeze opened (the run lock with it): snapshot mode goes on
 * in this process and thaws through the same run lock. Signals stay
 * blocked; one that came meanwhile stays pending for the next signalfd. */
static void
release_files(struct freeze *f)
{
	if (f->runlock >= 0)
		close(f->runlock);
	if (f->dirfd >= 0)
		close(f->dirfd);
	if (f->sigfd >= 0)
		close(f->sigfd);
	f->runlock = f->dirfd = f->sigfd = -1;
}

int
freeze_main(const struct config *c)
{
	struct freeze f = { .c = c, .dirfd = -1, .runlock = -1, .sigfd = -1,
			    .rfd = -1 };
	struct outcome o = { 0 };
	char before[sizeof(o.why)] = "";  /* the previous attempt's failure */
	int64_t t0 = mono_ms(), deadline;
	int attempt, r;

	log_init(c->files_log_file, "freeze");
	deadline = t0 + c->lock_snapshot_timeout * 1000;
	if ((r = setup(&f, &o)) != MQ_OK)
		goto out;
	/* Start the holder now: its start and connect overlap ours and
	 * the safe-moment search. It takes nothing before our "go". */
	if (spawn(&f) == -1) {
		fmt(o.why, sizeof(o.why), "cannot start the holder: %s",
		    strerror(errno));
		r = MQ_FAIL;
		goto out;
	}
	if ((r = connect_server(&f, &o)) != MQ_OK)
		goto out;
	log_info("freeze: %s %s, lock method %s (waits for %s)%s%s",
		 db_flavor_name(f.d.flavor), f.d.version_str, f.m->name,
		 lock_waits_name(f.waits), strcmp(c->lock_kill_long_queries,
		 "no") ? ", kill_long_queries = " : "",
		 strcmp(c->lock_kill_long_queries, "no") ?
		 c->lock_kill_long_queries : "");
	for (attempt = 1;; attempt++) {
		int64_t limit;

		if ((r = window_wait(&f.d, c, f.waits, f.sigfd, deadline, o.why,
				     sizeof(o.why))) != MQ_OK)
			break;
		if (f.pid == 0 && spawn(&f) == -1) {
			fmt(o.why, sizeof(o.why), "cannot start the holder: %s",
			    strerror(errno));
			r = MQ_FAIL;
			break;
		}
		/* If it is already gone, await reads why. */
		(void)write_all(f.rfd, "go\n", 3);
		limit = mono_ms() + c->lock_wait_timeout * 1000 +
			CONNECT_SLACK_MS;
		r = await(&f, limit < deadline ? limit : deadline, &o);
		if (r == 1) {
			close(f.rfd);
			report_locked(&f, t0, attempt);
			db_close(&f.d);
			release_files(&f);
			return MQ_OK;
		}
		if (r == -1) {
			fmt(o.why, sizeof(o.why), "stopped by a signal; the "
			    "holder was ended and nothing is locked");
			r = MQ_ABORTED;
			break;
		}
		r = o.code;
		if (!o.retry)
			break;
		if (mono_ms() >= deadline) {
			/* The last attempt is often cut short by the deadline;
			 * the one before says what the lock waited for. */
			int differs = before[0] != '\0' &&
				      strcmp(before, o.why) != 0;

			r = MQ_TIMEOUT;
			fmt(o.why + strlen(o.why), sizeof(o.why) - strlen(o.why),
			    "; snapshot_timeout (%lld s) reached%s%s",
			    c->lock_snapshot_timeout, differs ? "; before: " : "",
			    differs ? before : "");
			break;
		}
		log_warn("attempt %d: %s; trying again", attempt, o.why);
		memcpy(before, o.why, sizeof(before));
	}
out:
	if (f.pid > 0)
		stop_holder(&f); /* it never got its go: nothing is locked */
	db_close(&f.d);
	release_files(&f);
	return give_up(c, r, o.why);
}
