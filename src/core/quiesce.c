/* quiesce.c - the quiesce core's begin: a lock cycle's run lock,
 * leftover holder, spawn, safe moment, go, ready. release.c ends it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cycle.h"
#include "db.h"
#include "event.h"
#include "holder.h"
#include "holderctl.h"
#include "leftover.h"
#include "lock.h"
#include "recovery.h"
#include "plist.h"
#include "log.h"
#include "quiesce.h"
#include "stall.h"
#include "rundir.h"
#include "state.h"
#include "util.h"
#include "window.h"

/*
 * MUST: whatever path quiesce_begin leaves by, no holder it started is
 * left waiting for or holding a lock, except after "ready" (then
 * release_lock or max_lock_time ends it). A stop signal ends the holder
 * and releases before returning.
 */

enum {
	CONNECT_SLACK_MS = 2000,  /* holder start and connect, past wait */
	NAME_EARLY_MS = 300,      /* read who holds the lock's way this long
				   * before its wait times out */
};

/* One begin: our connection, the holder of this attempt, run_dir. */
struct quiesce {
	const struct config *c;
	const struct server_config *sv; /* the server locked */
	const char *info; /* the binlog info file, or "" */
	int fs_frozen; /* the caller freezes the data's filesystems */
	const struct lock_method *m;
	enum lock_waits waits; /* what the lock waits for on this server */
	struct db d;  /* our own connection: process list, KILL QUERY */
	struct rundir rd;
	int sigfd;
	struct holder_run h; /* the holder of this attempt */
	struct settle settle; /* an attempt was abandoned for the writers'
			       * sake: the next safe moment must be quiet */
	int64_t abandoned_ms; /* writers' waits behind abandoned attempts */
	int64_t deadline;     /* mono ms: snapshot_timeout */
	int abandoned;
	struct stall stall; /* the writers' watch of this attempt */
	char mdl[1400]; /* who held what the lock waited for, or "" */
};

/*
 * After an abandoned attempt on a server whose FLUSH waits for running
 * statements: the flush outlives its statement until what it waited
 * for ends, and writers wait behind it until then. Follow them until
 * the last went through (or the deadline, or a stop signal), reading
 * every twentieth of their wait so far (10 to 250 ms): the stall
 * reported is the stall felt. Returns the mono ms the wait ended at.
 */
static int64_t
linger(struct quiesce *y, int64_t since)
{
	struct pollfd p = { .fd = y->sigfd, .events = POLLIN };
	char still[700];
	struct failure lf;
	int r, said = 0;

	for (;;) {
		int64_t now = mono_ms(), every = (now - since) / 20;

		r = stall_waiting(&y->d, still, sizeof(still), &lf);
		if (r != 1) {
			if (r == -1)
				log_warn("the writers behind the abandoned "
					 "attempt cannot be followed: %s",
					 lf.why);
			return now;
		}
		if (!said++)
			log_warn("after the abandoned attempt %s; on %s a "
				 "FLUSH outlives its statement until what it "
				 "waited for ends%s", still,
				 db_flavor_name(y->d.flavor),
				 y->sv->lock_kill_long_queries == KILL_NO ?
				 " (kill_long_queries = no leaves it running)"
				 : "");
		if (now >= y->deadline)
			return now;
		every = every < 10 ? 10 : every > 250 ? 250 : every;
		if (wait_until(&p, 1, now + every) != 0)
			return mono_ms(); /* a stop signal: the caller's */
	}
}

/*
 * The writers' watch fired: writers have waited max_writer_wait behind
 * a lock that itself waits for another statement. Say who waits and
 * for what, end the attempt (the holder's statement killed, so they
 * run on), kill at once what the lock waited for if kill_long_queries
 * allows (its threshold is for a lock that waits, not for writers who
 * do), and count the writers' wait until the last went through: on a
 * server whose FLUSH waits for running statements, the flush outlives
 * the statement that asked for it.
 */
static void
abandon(struct quiesce *y, struct failure *f)
{
	static struct blocker b;
	char writer[400], culprit[700] = "";
	struct failure lf; /* unreadable: no culprit named */
	int64_t now = mono_ms(), since, until;
	int n;

	stall_describe(&y->stall, now, writer, sizeof(writer));
	/* the worst writer's wait began then; it is the cycle's too */
	since = now - stall_worst(&y->stall, now);
	y->abandoned++;
	y->settle.on = 1;
	y->settle.id = 0;
	n = lock_blockers(&y->d, y->sv, y->waits, 0, y->h.hconn, &b, 1, &lf);
	if (n > 0) {
		char what[600];

		lock_blocker_describe(&b, what, sizeof(what));
		fmt(culprit, sizeof(culprit), "; the lock waited for %s", what);
		/* the next attempt waits for its end, however young */
		y->settle.id = b.id;
		y->settle.started = now - b.time * 1000;
	}
	holder_stop(&y->h, &y->d);
	if (y->sv->lock_kill_long_queries != KILL_NO)
		window_kill(&y->d, y->sv, y->waits, 0, 0);
	y->h.retry = 1;
	failf(f, MQ_TIMEOUT, "attempt abandoned: %s, over max_writer_wait "
	      "(%lld ms)%s", writer, y->sv->lock_max_writer_wait, culprit);
	until = y->waits == WAITS_ALL ? linger(y, since) : now;
	y->abandoned_ms += until - since;
	if (until - now >= 1000)
		log_warn("the writers behind the abandoned attempt waited "
			 "%lld ms in all, %lld ms of it after the attempt "
			 "ended", (long long)(until - since),
			 (long long)(until - now));
}

/* The attempt failed: add who held what its lock waited for, if that
 * was read. 0, for await. */
static int
not_granted(struct quiesce *y, struct failure *f)
{
	if (y->mdl[0] != '\0')
		append(f->why, sizeof(f->why), "%s", y->mdl);
	return 0;
}

/*
 * Wait for this attempt's holder until deadline. 1: ready. 0: it failed
 * or timed out, or the writers' watch ended it (f says why; the holder
 * is gone). -1: a stop signal came (the holder is gone).
 */
static int
await(struct quiesce *y, int64_t deadline, struct failure *f)
{
	struct pollfd p[2] = { { .fd = y->h.rfd, .events = POLLIN },
			       { .fd = y->sigfd, .events = POLLIN } };
	int killing = y->sv->lock_kill_long_queries != KILL_NO;
	int64_t kill_at = mono_ms() + y->sv->lock_long_query_threshold * 1000;
	long long bound = y->sv->lock_max_writer_wait;
	int64_t every = stall_poll_ms(bound);
	int64_t watch_at = bound > 0 ? mono_ms() + every : INT64_MAX;
	/* just before the holder's lock_wait_timeout (or freeze's own
	 * deadline), ask who holds what it waits for */
	int64_t name_at = mono_ms() + y->sv->lock_wait_timeout * 1000 -
			  NAME_EARLY_MS;
	struct failure lf; /* the watch's own reads: logged, not fatal */

	f->code = MQ_OK;
	y->mdl[0] = '\0';
	if (name_at > deadline - NAME_EARLY_MS)
		name_at = deadline - NAME_EARLY_MS;
	stall_start(&y->stall, y->h.hconn, mono_ms());
	for (;;) {
		int64_t until = deadline;
		char *nl;
		ssize_t n;
		int r;

		if (killing && mono_ms() >= kill_at) {
			window_kill(&y->d, y->sv, y->waits, y->h.hconn,
				    y->sv->lock_long_query_threshold);
			kill_at = mono_ms() + WINDOW_POLL_MS;
		}
		if (watch_at != INT64_MAX && mono_ms() >= watch_at) {
			y->stall.holder = y->h.hconn;
			if (stall_read(&y->d, &y->stall, &lf) == -1) {
				log_warn("the writers' watch cannot read the "
					 "process list, and stops: %s",
					 lf.why);
				watch_at = INT64_MAX;
			} else if (stall_behind(&y->stall, mono_ms()) >= bound) {
				abandon(y, f);
				return 0;
			} else {
				watch_at = mono_ms() + every;
			}
		}
		if (name_at != INT64_MAX && mono_ms() >= name_at) {
			name_at = INT64_MAX;
			if (y->h.hconn != 0 &&
			    plist_mdl_holders(&y->d, y->h.hconn, y->mdl,
					     sizeof(y->mdl), &lf) == -1)
				fmt(y->mdl, sizeof(y->mdl), "; who holds what it "
				    "waits for is unknown (%s)", lf.why);
		}
		if (killing && kill_at < until)
			until = kill_at;
		if (watch_at < until)
			until = watch_at;
		if (name_at < until)
			until = name_at;
		r = wait_until(p, 2, until);
		if (r == 0 && until == deadline) {
			holder_stop(&y->h, &y->d);
			y->h.retry = 1;
			failf(f, MQ_TIMEOUT, "lock not granted within "
			      "wait_timeout (%lld s)", y->sv->lock_wait_timeout);
			return not_granted(y, f);
		}
		if (r == -1 || (p[1].revents & POLLIN)) {
			holder_stop(&y->h, &y->d);
			return -1;
		}
		if (r == 0 || !(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(y->h.rfd, y->h.buf + y->h.len, sizeof(y->h.buf) - 1 - y->h.len);
		if (n <= 0) {
			holder_reap(&y->h);
			if (f->code == MQ_OK) {
				y->h.retry = 0;
				failf(f, MQ_FAIL, "the holder exited without a "
				      "word");
			}
			return not_granted(y, f);
		}
		y->h.len += (size_t)n;
		y->h.buf[y->h.len] = '\0';
		while ((nl = strchr(y->h.buf, '\n')) != NULL) {
			*nl = '\0';
			if (holder_line(&y->h, y->h.buf, f))
				return 1;
			y->h.len -= (size_t)(nl + 1 - y->h.buf);
			memmove(y->h.buf, nl + 1, y->h.len + 1);
		}
		if (y->h.len == sizeof(y->h.buf) - 1)
			y->h.len = 0; /* an overlong line: drop it */
	}
}

/* Run lock, leftover holder, the previous info file. */
static int
setup(struct quiesce *y, struct failure *f)
{
	const char *info = y->info;
	int r;

	if ((r = rundir_enter(y->sv->files_run_dir, 1, 0, &y->rd, f)) != MQ_OK)
		return r;
	if ((r = leftover_end(y->sv, y->rd.dirfd, f)) != MQ_OK)
		return r;
	/* A snapshot must never carry the coordinates of an earlier one. */
	if (info[0] != '\0') {
		if (unlink(info) == 0)
			log_info("removed the previous %s", info);
		else if (errno != ENOENT)
			return failf(f, MQ_FAIL, "cannot remove the previous "
				     "%s: %s", info, strerror(errno));
	}
	return MQ_OK;
}

/* Our own connection: the server's flavor, the method, the process
 * list. The holder is starting meanwhile. */
static int
connect_server(struct quiesce *y, int64_t deadline, struct failure *f)
{
	int r;

	r = db_connect_until(&y->d, y->sv, 30, y->sigfd, deadline, f);
	if (r != MQ_OK)
		return failf(f, r, "cannot connect (freeze's own "
			     "connection): %s", f->why);
	/* never again on this connection; c keeps its own for a holder
	 * forked from us */
	db_forget_password(&y->d);
	y->m = lock_choose(y->sv->lock_method, y->d.flavor, y->d.version, f);
	if (y->m == NULL)
		return f->code;
	if (y->m->by_recovery &&
	    recovery_ready(&y->d, y->fs_frozen, f) != MQ_OK)
		return f->code;
	y->waits = lock_waits_for(y->m, y->d.flavor, y->d.version);
	return MQ_OK;
}

static void
report_locked(struct quiesce *y, int64_t t0, int attempts, struct state *s)
{
	struct failure ef;

	if (state_read(y->rd.dirfd, s, &ef) != 0) {
		log_warn("lock held, but %s", ef.why);
		state_init(s);
		return;
	}
	char gave_up[120] = "";

	if (y->abandoned > 0)
		fmt(gave_up, sizeof(gave_up), "; writers waited %lld ms behind "
		    "%d abandoned", (long long)y->abandoned_ms, y->abandoned);
	log_info("lock held: %s on %s %s by holder pid %d, %lld ms after "
		 "freeze began (%d attempt%s%s); binlog %s:%llu gtid %s",
		 s->method, db_flavor_name(y->d.flavor), y->d.version_str,
		 (int)s->pid, (long long)(mono_ms() - t0), attempts,
		 attempts == 1 ? "" : "s", gave_up,
		 s->binlog_file[0] ? s->binlog_file : "(binlog off)",
		 s->binlog_pos, s->gtid[0] ? s->gtid : "(none)");
}

/*
 * Leave out the optional pre-flush? Only where a FLUSH waits for
 * running statements, and then while any statement with tables open
 * runs: the flush would stall writers behind it, and FTWRL's own would
 * again. Unknown (the list unreadable) counts as running.
 */
static int
skip_first(struct quiesce *y)
{
	static struct blocker b;
	struct failure lf; /* unreadable: -1, counted as running */
	int n;

	if (!lock_skip_first(y->m, y->waits, 1))
		return 0;
	n = lock_blockers(&y->d, y->sv, WAITS_ALL, 0, y->h.hconn, &b, 1, &lf);
	return lock_skip_first(y->m, y->waits, n);
}

/* One attempt: send go, wait for ready. 1 ready, 0 failed, -1 signal. */
static int
attempt(struct quiesce *y, int n, int64_t t0, int64_t deadline,
	struct failure *f)
{
	char go[80];
	int64_t limit;

	if (y->h.pid == 0 && holder_spawn(y->c, y->sv, y->info, &y->h) == -1) {
		failf(f, MQ_FAIL, "cannot start the holder: %s",
		      strerror(errno));
		y->h.retry = 0;
		return 0;
	}
	/* the method, this attempt's number, when freeze began (on
	 * CLOCK_MONOTONIC, which the holder shares) for the record, the
	 * optional statements to leave out, and how long writers waited
	 * behind attempts abandoned before (part of the cycle's stall) */
	fmt(go, sizeof(go), "go %s %d %lld %d %lld\n", lock_name(y->m), n,
	    (long long)t0, skip_first(y), (long long)y->abandoned_ms);
	/* If it is already gone, await reads why. */
	(void)write_all(y->h.rfd, go, strlen(go));
	limit = mono_ms() + y->sv->lock_wait_timeout * 1000 + CONNECT_SLACK_MS;
	return await(y, limit < deadline ? limit : deadline, f);
}

int
quiesce_begin(const struct config *c, const struct server_config *sv,
	      const struct begin_opts *bo, int sigfd, struct state *held,
	      struct failure *f)
{
	struct quiesce y = { .c = c, .sv = sv,
			     .info = bo->info != NULL ? bo->info :
				     sv->files_binlog_info_file,
			     .fs_frozen = bo->fs_frozen, .sigfd = sigfd,
			     .h = { .rfd = -1 }, .rd = { -1, -1 } };
	char before[sizeof(f->why)] = "";  /* the previous attempt's failure */
	int64_t t0 = mono_ms(), deadline = t0 + c->lock_snapshot_timeout * 1000;
	int n, r;

	failf(f, MQ_OK, "ok");
	y.deadline = deadline;
	if ((r = setup(&y, f)) != MQ_OK)
		goto out;
	/* Start the holder now: its start and connect overlap ours and
	 * the safe-moment search. It takes nothing before our "go". */
	if (holder_spawn(c, sv, y.info, &y.h) == -1) {
		r = failf(f, MQ_FAIL, "cannot start the holder: %s",
			  strerror(errno));
		goto out;
	}
	if ((r = connect_server(&y, deadline, f)) != MQ_OK)
		goto out;
	log_info("freeze: %s %s, lock method %s (waits for %s)%s%s",
		 db_flavor_name(y.d.flavor), y.d.version_str, lock_name(y.m),
		 lock_waits_name(y.waits), sv->lock_kill_long_queries != KILL_NO ?
		 ", kill_long_queries = " : "", sv->lock_kill_long_queries !=
		 KILL_NO ? kill_choice_names[sv->lock_kill_long_queries] : "");
	for (n = 1;; n++) {
		if ((r = window_wait(&y.d, sv, y.waits, &y.settle, sigfd,
				     deadline, c->lock_snapshot_timeout, f))
		    != MQ_OK)
			break;
		r = attempt(&y, n, t0, deadline, f);
		if (r == 1) {
			holder_detach(&y.h); /* it runs on, holding */
			log_defer(y.rd.dirfd); /* held: syslog waits */
			report_locked(&y, t0, n, held);
			r = MQ_OK;
			break;
		}
		if (r == -1) {
			r = failf(f, MQ_ABORTED, "stopped by a signal; the "
				  "holder was ended and nothing is locked");
			break;
		}
		r = f->code;
		if (!y.h.retry)
			break;
		if (mono_ms() >= deadline) {
			/* The last attempt is often cut short by the deadline;
			 * the one before says what the lock waited for. */
			char last[sizeof(f->why)];
			int differs = before[0] != '\0' &&
				      strcmp(before, f->why) != 0;

			memcpy(last, f->why, sizeof(last));
			r = failf(f, MQ_TIMEOUT, "%s; snapshot_timeout (%lld s) "
				  "reached%s%s", last, c->lock_snapshot_timeout,
				  differs ? "; before: " : "",
				  differs ? before : "");
			break;
		}
		log_warn("attempt %d: %s; trying again", n, f->why);
		memcpy(before, f->why, sizeof(before));
	}
out:
	if (y.h.pid > 0)
		holder_stop(&y.h, &y.d); /* it never got its go: nothing is locked */
	db_close(&y.d);
	rundir_leave(&y.rd);
	return r;
}
