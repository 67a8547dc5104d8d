/* multi.c - several servers under one freeze: every server's own
 * freeze (or thaw) started at once, each in a child as -s NAME would
 * run it, and their outcome made one: all locked, or none. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "db.h"
#include "event.h"
#include "holderctl.h"
#include "log.h"
#include "multi.h"
#include "release.h"
#include "rundir.h"
#include "state.h"
#include "util.h"

/*
 * MUST: freeze exits 0 only when every server holds its lock at the
 * moment it returns: no server's lock is released (or expired) before
 * the last one is taken. If any server cannot be locked, every lock
 * already taken is released before freeze returns (on_failure =
 * proceed keeps them, and says which servers are crash-consistent
 * only). Thaw releases every server, whatever happened to the others.
 */

enum { SLACK_MS = 15000 }; /* past a child's own bound, we end it */

struct run {
	const struct config *c;
	int n;
	pid_t pid[CONFIG_MAX_SERVERS];
	int pfd[CONFIG_MAX_SERVERS];  /* pidfd; -1 once reaped */
	int code[CONFIG_MAX_SERVERS]; /* its exit code; -1 not yet */
};

/* Nothing started yet: no pid, no pidfd, no exit code. */
static void
run_init(struct run *r, const struct config *c)
{
	int i;

	r->c = c;
	r->n = c->n;
	for (i = 0; i < CONFIG_MAX_SERVERS; i++) {
		r->pid[i] = 0;
		r->pfd[i] = -1;
		r->code[i] = -1;
	}
}

/* What one server's child runs: its verb on its own config. */
struct job {
	const struct config *c;
	const struct call *o; /* the command line the verb was called by */
	verb_fn *fn;
	int i, sigfd;
};

/*
 * In the child: the parent's signal fd closed, the signals its verb
 * takes by fd blocked (a stop sent before it has its own fd waits for
 * it), stdin /dev/null, then the verb for this server, as
 * "mysql-quiesce -s NAME VERB" would run it, without an exec and a
 * second load of the client library.
 */
static int
job_run(void *arg)
{
	const struct job *j = arg;
	struct call o = { .config = j->c->path, .verbose = j->o->verbose,
			  .config_warning = j->o->config_warning,
			  .server = j->c->sv[j->i].name, .sv = &j->c->sv[j->i],
			  .each = &j->c->sv[j->i], .n = 1 };
	sigset_t set;
	int fd, r;

	close(j->sigfd);
	sig_stop_set(&set);
	if (sigprocmask(SIG_SETMASK, &set, NULL) == -1)
		return MQ_FAIL;
	if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
	    (fd != 0 && (dup2(fd, 0) == -1 || close(fd) == -1)))
		return MQ_FAIL;
	r = j->fn(j->c, &o);
	fflush(stdout);
	return r;
}

/* Start every server's verb in a child of its own. Nothing buffered
 * here is written again by a child. */
static int
start_all(struct run *r, verb_fn *fn, const char *verb, int sigfd,
	  const struct call *o, struct failure *f)
{
	static struct job job[CONFIG_MAX_SERVERS];
	pid_t pid;
	int i;

	fflush(NULL);
	for (i = 0; i < r->n; i++) {
		job[i] = (struct job){ .c = r->c, .o = o, .fn = fn, .i = i,
				       .sigfd = sigfd };
		if ((pid = child_fork(job_run, &job[i])) == -1) {
			failf(f, MQ_FAIL, "[mysql %s]: cannot start its %s: %s",
			      r->c->sv[i].name, verb, strerror(errno));
			return -1;
		}
		r->pid[i] = pid;
		if ((r->pfd[i] = pidfd_open(pid, 0)) == -1) {
			failf(f, MQ_FAIL, "[mysql %s]: pidfd_open: %s",
			      r->c->sv[i].name, strerror(errno));
			/* not left running unwatched: it ends its own cycle */
			kill(pid, SIGTERM);
			child_reap(pid, NO_DEADLINE, NULL);
			return -1;
		}
	}
	return 0;
}

/* Reap server i's child, which has ended; its exit code. */
static void
reap(struct run *r, int i)
{
	int st;

	if (child_reap(r->pid[i], NO_DEADLINE, &st) == 1) {
		r->code[i] = WIFEXITED(st) ? WEXITSTATUS(st) : MQ_FAIL;
		if (WIFSIGNALED(st))
			log_err("[mysql %s]: its process was killed by signal "
				"%d (%s)", r->c->sv[i].name, WTERMSIG(st),
				strsignal(WTERMSIG(st)));
	} else {
		r->code[i] = MQ_FAIL;
	}
	close(r->pfd[i]);
	r->pfd[i] = -1;
}

/*
 * Wait for every child until deadline; a stop signal on sigfd is passed
 * on to those still running (each ends its own cycle cleanly). 1 when a
 * stop signal came, else 0. Children still running at the deadline are
 * killed (their holders end by their own bounds).
 */
static int
wait_all(struct run *r, int sigfd, int64_t deadline)
{
	struct pollfd p[CONFIG_MAX_SERVERS + 1];
	int idx[CONFIG_MAX_SERVERS + 1];
	int i, k, left, stopped = 0;

	for (;;) {
		left = 0;
		for (i = 0, k = 0; i < r->n; i++)
			if (r->pfd[i] != -1) {
				p[k].fd = r->pfd[i];
				p[k].events = POLLIN;
				idx[k++] = i;
				left++;
			}
		if (left == 0)
			return stopped;
		p[k].fd = sigfd;
		p[k].events = POLLIN;
		idx[k] = -1;
		if (wait_until(p, (unsigned)k + 1, deadline) <= 0) {
			for (i = 0; i < r->n; i++)
				if (r->pfd[i] != -1) {
					log_err("[mysql %s]: its %s did not end "
						"in time: killed", r->c->sv[i].name,
						"freeze or thaw");
					kill(r->pid[i], SIGKILL);
					reap(r, i);
				}
			return stopped;
		}
		for (i = 0; i <= k; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if (idx[i] >= 0) {
				reap(r, idx[i]);
				continue;
			}
			if (sig_take(sigfd, NULL) > 0 && !stopped) {
				stopped = 1;
				for (int j = 0; j < r->n; j++)
					if (r->pfd[j] != -1)
						kill(r->pid[j], SIGTERM);
			}
		}
	}
}

/* Server i's state: its phase, or -1 when it cannot be read. */
static int
phase_of(const struct server_config *one, struct state *s)
{
	struct failure f;
	int dirfd, r;

	if ((dirfd = rundir_open(one->files_run_dir, 0, &f)) < 0)
		return -1;
	r = state_read(dirfd, s, &f);
	close(dirfd);
	return r == 0 ? (int)s->phase : -1;
}

/* Release every server whose freeze took its lock; say which. */
static void
release_taken(const struct run *r)
{
	struct failure f;
	struct state s;
	int i;

	for (i = 0; i < r->n; i++) {
		if (r->code[i] != MQ_OK)
			continue;
		log_init(r->c, &r->c->sv[i], "freeze");
		if (release_lock(r->c, &r->c->sv[i], &s, &f) != MQ_OK)
			log_err("releasing it: %s", f.why);
		else
			log_info("released: another server could not be "
				 "locked");
	}
	log_init(r->c, NULL, "freeze");
}

static void
end_all(struct run *r)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->pfd[i] != -1 && r->pid[i] > 0) {
			kill(r->pid[i], SIGTERM);
			reap(r, i);
		}
}

int
multi_freeze(const struct config *c, const struct call *o, verb_fn *one_fn)
{
	static struct run r;
	struct rundir rd;
	struct failure f, lf;
	struct state s;
	int sigfd, i, stopped, bad = -1, ret;

	log_init(c, NULL, "freeze");
	hook_arg_log(o->hook_arg);
	run_init(&r, c);
	/* one freeze of these servers at a time; their directories in
	 * run_dir's own */
	ret = rundir_enter(c->run_dir, 1, 0, &rd, &f);
	if (ret != MQ_OK) {
		if (ret == MQ_BUSY)
			failf(&f, MQ_BUSY, "another freeze or thaw of these "
			      "servers is running");
		log_err("freeze failed: %s", f.why);
		return f.code;
	}
	/* The client library loaded once, here, for every server's
	 * freeze and its holder: each freeze a fork of this process, and
	 * each holder a fork of its freeze (shaped and named as the
	 * exec'd one), so that none loads it again. Not for thaw, whose
	 * path to the release needs none. A library that cannot load:
	 * each server's freeze, and its exec'd holder, say so. */
	if (db_preload(&lf) == 0)
		holder_spawn_by_fork((struct config *)c);
	if ((sigfd = sig_fd()) == -1 || start_all(&r, one_fn, "freeze",
						  sigfd, o, &f) == -1) {
		if (sigfd == -1)
			failf(&f, MQ_FAIL, "cannot set up signals: %s",
			      strerror(errno));
		end_all(&r);
		release_taken(&r);
		rundir_leave(&rd);
		log_err("freeze failed: %s", f.why);
		return f.code;
	}
	stopped = wait_all(&r, sigfd, mono_ms() + c->lock_snapshot_timeout *
			   1000 + SLACK_MS);
	/* every lock taken: still held, now that the last one is? */
	for (i = 0; i < r.n && bad == -1; i++) {
		if (r.code[i] != MQ_OK)
			bad = i;
		else if (phase_of(&c->sv[i], &s) != PH_LOCKED &&
			 c->lock_on_failure != ON_FAILURE_PROCEED) {
			r.code[i] = MQ_LOST;
			log_err("[mysql %s]: its lock ended before the last "
				"server was locked (%s)", c->sv[i].name,
				s.reason[0] ? s.reason : "its state unreadable");
			bad = i;
		}
	}
	if (stopped || (bad != -1 && c->lock_on_failure != ON_FAILURE_PROCEED)) {
		int code = stopped ? MQ_ABORTED : r.code[bad];

		release_taken(&r);
		rundir_leave(&rd);
		if (stopped)
			log_err("freeze failed: stopped by a signal; every lock "
				"taken released");
		else
			log_err("freeze failed: [mysql %s] could not be locked "
				"(exit %d, %s); every lock taken released",
				c->sv[bad].name, code, exit_name(code));
		return code;
	}
	/* on_failure = proceed: what is held stays, the rest is said */
	for (i = 0; i < r.n; i++)
		if (phase_of(&c->sv[i], &s) != PH_LOCKED)
			log_err("on_failure = proceed: [mysql %s] holds no lock: "
				"its part of this snapshot is crash-consistent "
				"only and has no coordinates", c->sv[i].name);
	rundir_leave(&rd);
	log_info("every server locked: %d", r.n);
	return MQ_OK;
}

int
multi_thaw(const struct config *c, const struct call *o, const char *verb,
	   verb_fn *one_fn)
{
	static struct run r;
	struct rundir rd;
	struct failure f;
	struct state s;
	char line[600] = "";
	long long wait = 0;
	int sigfd, i, ret, code = MQ_OK;

	log_init(c, NULL, strcmp(verb, "thaw") == 0 ? "thaw" : "freezeFail");
	hook_arg_log(o->hook_arg);
	run_init(&r, c);
	for (i = 0; i < c->n; i++) /* the longest of their waits */
		if (c->sv[i].lock_wait_timeout > wait)
			wait = c->sv[i].lock_wait_timeout;
	ret = rundir_enter(c->run_dir, 0, (unsigned)(c->lock_snapshot_timeout
			   + wait + 30), &rd, &f);
	if (ret != MQ_OK) {
		log_err("%s failed: %s", verb, ret == MQ_BUSY ? "a freeze of "
			"these servers kept running" : f.why);
		return ret;
	}
	if ((sigfd = sig_fd()) == -1 || start_all(&r, one_fn, verb, sigfd,
						  o, &f) == -1) {
		end_all(&r);
		rundir_leave(&rd);
		log_err("%s failed: %s", verb, sigfd == -1 ? strerror(errno) :
			f.why);
		return MQ_FAIL;
	}
	/* every server's thaw runs to its end: a stop signal is theirs */
	wait_all(&r, sigfd, mono_ms() + c->lock_snapshot_timeout * 1000 +
		 SLACK_MS);
	for (i = 0; i < r.n; i++) {
		if (phase_of(&c->sv[i], &s) >= 0 && s.blocked_ms >= 0 &&
		    s.phase == PH_RELEASED)
			append(line, sizeof(line), "%s%s %lld ms", line[0] ?
			       ", " : "", c->sv[i].name, (long long)s.blocked_ms);
		if (r.code[i] == MQ_OK)
			continue;
		log_err("[mysql %s]: its %s exited %d (%s)", c->sv[i].name, verb,
			r.code[i], exit_name(r.code[i]));
		/* a lost lock first: the snapshot may not match */
		if (code == MQ_OK || (r.code[i] == MQ_LOST && code != MQ_LOST))
			code = r.code[i];
	}
	rundir_leave(&rd);
	if (line[0] != '\0')
		log_info("writes were blocked for: %s", line);
	return code;
}
