/* holder.c - pre-freeze-mysql-lock: take, hold and release the lock. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "committed.h"
#include "cycle.h"
#include "coords.h"
#include "info.h"
#include "db.h"
#include "event.h"
#include "holder.h"
#include "lock.h"
#include "recovery.h"
#include "log.h"
#include "rundir.h"
#include "state.h"
#include "util.h"

/*
 * MUST:
 *  - before "ready" is reported, nothing is frozen (the caller freezes
 *    only after it): the state file, the info file (fsync'd) and log
 *    lines may be written, briefly, with the lock held;
 *  - from "ready" until the lock is released, write nothing at all: no
 *    log line, no state (the log, run_dir or the info file may sit on
 *    a frozen filesystem; a write would block while every writer
 *    waits on us);
 *  - release on SIGTERM/SIGINT/SIGHUP, at max_lock_time, and when the
 *    server closes the connection, whichever comes first;
 *  - release first, then record the outcome, then log;
 *  - hold nothing of freeze's but HOLDER_FD; take the method freeze
 *    chose, never choose again.
 */

struct holder {
	const struct config *c;
	const struct server_config *sv; /* the server it holds */
	const struct lock_method *m;
	struct db d;
	struct state st;
	int dirfd, sigfd, pipefd;
	int64_t t0; /* mono ms freeze began, from "go" (0: unknown) */
	int64_t blocks_at; /* mono ms the blocking statement was sent */
	int skip;          /* optional first statements to leave out */
	char info[PATH_MAX]; /* the binlog info file, or "" */
	char binbase[PATH_MAX], datadir[PATH_MAX]; /* where the server keeps
				* its binary logs and data, for verify to
				* find them in a snapshot ("" unknown) */
};

static void
report(struct holder *h, const char *line)
{
	if (h->pipefd != -1 && write_all(h->pipefd, line, strlen(line)) == -1)
		log_warn("cannot report to freeze: %s%s", strerror(errno),
			 errno == EPIPE ? " (freeze is gone: killed, by its "
			 "caller's timeout perhaps); this holder ends, holding "
			 "nothing" : "");
}

/* The lock was never held: say why to freeze and in the state. */
static int
fail(struct holder *h, int code, int retry, const char *why)
{
	char line[700];

	fmt(line, sizeof(line), "fail %d %d %s\n", code, retry, why);
	report(h, line);
	h->st.phase = PH_FAILED;
	sanitize(h->st.reason, sizeof(h->st.reason), why);
	/* Before our pid is recorded the state is another holder's. */
	if (h->dirfd >= 0 && h->st.pid != 0 &&
	    state_write(h->dirfd, &h->st) == -1)
		log_warn("cannot write state: %s", strerror(errno));
	db_close(&h->d);
	return code;
}

/* fail() for a system call that failed: MQ_FAIL, what failed and why. */
static int
fail_errno(struct holder *h, const char *what)
{
	char why[300];

	fmt(why, sizeof(why), "%s: %s", what, strerror(errno));
	return fail(h, MQ_FAIL, 0, why);
}

static int
setup_session(struct holder *h, struct failure *f)
{
	char sql[160];

	if (fmt(sql, sizeof(sql), "SET SESSION lock_wait_timeout = %lld, "
		"SESSION wait_timeout = %lld", h->sv->lock_wait_timeout,
		h->sv->lock_max_lock_time + HOLDER_MARGIN) == -1) {
		failf(f, MQ_FAIL, "statement too long");
		return -1;
	}
	return db_exec(&h->d, sql, f);
}

/*
 * Hold until a stop signal, max_lock_time, or the server closing the
 * connection. Returns the phase the hold ended in; reason says why.
 */
static enum phase
hold(struct holder *h, char *reason, size_t n)
{
	struct pollfd p[2];
	int64_t end = h->st.locked_mono + h->sv->lock_max_lock_time * 1000;
	unsigned from;
	int r, sig;

	p[0] = (struct pollfd){ .fd = h->sigfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = db_socket(&h->d), .events = POLLIN };
	for (;;) {
		r = wait_until(p, 2, end);
		if (r == 0) {
			fmt(reason, n, "max_lock_time (%lld s) reached before "
			    "thaw", h->sv->lock_max_lock_time);
			return PH_EXPIRED;
		}
		if (r == -1) {
			fmt(reason, n, "poll: %s", strerror(errno));
			return PH_RELEASED;
		}
		if ((p[0].revents & POLLIN) &&
		    (sig = sig_take(h->sigfd, &from)) != 0) {
			fmt(reason, n, "released on SIG%s from pid %u",
			    sigabbrev_np(sig), from);
			return PH_RELEASED;
		}
		if (p[1].revents != 0) {
			fmt(reason, n, "the server closed the connection "
			    "(restarted, or the connection was killed)");
			return PH_LOST;
		}
	}
}

/* Release, then record, then log: in that order. */
static int
finish(struct holder *h, enum phase ph, const char *reason)
{
	int64_t now;
	struct failure rf; /* the release's, said in the reason */
	int rel = 0;

	h->st.release_us = mono_us();
	if (ph != PH_LOST && (rel = lock_release(&h->d, h->m, &rf)) == -1) {
		/* The server answered: the session, and so the lock, lived
		 * until now; closing it below releases. Otherwise the
		 * connection is gone, and the lock may have gone before. */
		if (!db_err_from_server(&h->d))
			ph = PH_LOST;
	}
	now = mono_ms();
	db_close(&h->d);
	h->st.phase = ph;
	h->st.released_at = real_ms();
	/* the stall writers felt: from the blocking statement's sending
	 * (its wait included) to the release, and behind the attempts
	 * abandoned before */
	h->st.blocked_ms = now - (h->blocks_at > 0 ? h->blocks_at :
				  h->st.locked_mono) + h->st.abandoned_ms;
	if (rel == -1 && ph != PH_LOST)
		fmt(h->st.reason, sizeof(h->st.reason), "%s; the release "
		    "statement failed (%s), closing the connection released "
		    "the lock", reason, rf.why);
	else if (rel == -1)
		fmt(h->st.reason, sizeof(h->st.reason), "%s; release failed: "
		    "%s", reason, rf.why);
	else
		sanitize(h->st.reason, sizeof(h->st.reason), reason);
	/* released: after an expiry or a loss the cycle ends here (no
	 * thaw may come); after thaw's SIGTERM thaw closes it */
	if (ph == PH_EXPIRED || ph == PH_LOST)
		cycle_close(h->sv, h->dirfd, &h->st);
	else if (state_write(h->dirfd, &h->st) == -1)
		log_err("cannot write state: %s", strerror(errno));
	log_flush_deferred(h->dirfd);
	if (ph == PH_LOST)
		log_err("lock lost after %lld ms: %s", (long long)h->st.blocked_ms,
			h->st.reason);
	else if (rel == -1)
		log_warn("lock released after %lld ms: %s",
			 (long long)h->st.blocked_ms, h->st.reason);
	else
		log_info("lock released after %lld ms: %s",
			 (long long)h->st.blocked_ms, h->st.reason);
	return ph == PH_LOST ? MQ_LOST : MQ_OK;
}

/* Take the lock and record the coordinates; on failure nothing is held. */
static int
take(struct holder *h)
{
	static struct coords co;
	char sum[300];
	struct failure lf, rf; /* rf: a release on the way out, unsaid */
	int64_t t0 = mono_ms();

	if (lock_take(&h->d, h->m, h->skip, lock_blocks_from(h->m,
		      lock_waits_for(h->m, h->d.flavor, h->d.version)),
		      &h->blocks_at, &lf) == -1)
		return fail(h, db_errclass(&h->d), db_err_retryable(&h->d),
			    lf.why);
	h->st.locked_mono = mono_ms();
	h->st.locked_at = real_ms();
	if (h->t0 > 0 && h->t0 <= h->st.locked_mono)
		h->st.freeze_ms = h->st.locked_mono - h->t0;
	h->st.expires_at = h->st.locked_at + h->sv->lock_max_lock_time * 1000;
	if (sig_take(h->sigfd, NULL) != 0) {
		lock_release(&h->d, h->m, &rf);
		return fail(h, MQ_ABORTED, 0, "stopped while taking the lock");
	}
	if ((h->m->by_recovery ? coords_read_lower(&h->d, &co, &lf) :
	     coords_read_committed(&h->d, &co, &lf)) == -1) {
		failf(&lf, MQ_FAIL, "reading coordinates: %s", lf.why);
		lock_release(&h->d, h->m, &rf);
		return fail(h, db_errclass(&h->d), 0, lf.why);
	}
	fmt(co.binlog_base, sizeof(co.binlog_base), "%s", h->binbase);
	fmt(co.datadir, sizeof(co.datadir), "%s", h->datadir);
	/* what freeze checked before its wait may have changed during it:
	 * DDL waits now, so what holds now holds for the hold */
	if (h->m->by_recovery && recovery_tables(&h->d, &lf) != MQ_OK) {
		lock_release(&h->d, h->m, &rf);
		return fail(h, lf.code, 0, lf.why);
	}
	if (h->info[0] != '\0' &&
	    info_write("binlog_info_file", h->info,
		       &h->d, lock_name(h->m), NULL, &co, h->st.locked_at,
		       &lf) == -1) {
		lock_release(&h->d, h->m, &rf);
		return fail(h, MQ_FAIL, 0, lf.why);
	}
	h->st.phase = PH_LOCKED;
	/* freeze exits 0 once we report ready; it must not write the
	 * state itself, which is ours from now on */
	fmt(h->st.exit_verb, sizeof(h->st.exit_verb), "freeze");
	h->st.exit_code = MQ_OK;
	fmt(h->st.binlog_file, sizeof(h->st.binlog_file), "%s", co.file);
	h->st.binlog_pos = co.pos;
	fmt(h->st.gtid, sizeof(h->st.gtid), "%s", co.gtid);
	if (state_write(h->dirfd, &h->st) == -1) {
		failf(&lf, MQ_FAIL, "cannot write state: %s", strerror(errno));
		lock_release(&h->d, h->m, &rf);
		return fail(h, MQ_FAIL, 0, lf.why);
	}
	coords_summary(&co, sum, sizeof(sum));
	log_defer(h->dirfd); /* held: nothing to syslog until released */
	log_info("locked with %s in %lld ms (connection %lu)%s; %s",
		 lock_name(h->m), (long long)(h->st.locked_mono - t0), h->d.id,
		 h->skip > 0 ? ", its pre-flush left out (statements with "
		 "tables were running)" : "", sum);
	if (h->info[0] != '\0')
		log_info("coordinates written to %s", h->info);
	return MQ_OK;
}

static int
setup(struct holder *h)
{
	struct failure ef;
	int r;

	if ((h->sigfd = sig_fd()) == -1)
		return fail_errno(h, "cannot set up signals");
	h->dirfd = rundir_open(h->sv->files_run_dir, 1, &ef);
	if (h->dirfd < 0)
		return fail(h, MQ_STATE, 0, ef.why);
	r = rundir_hold(h->dirfd, HOLDER_LOCK);
	if (r == -2) {
		failf(&ef, MQ_FAIL, "another lock holder (pid %d) is running",
		    (int)rundir_holder(h->dirfd, HOLDER_LOCK));
		return fail(h, MQ_BUSY, 0, ef.why);
	}
	if (r == -1) {
		int e = errno;

		failf(&ef, MQ_FAIL, "cannot lock %s/%s: %s",
		    h->sv->files_run_dir, HOLDER_LOCK, strerror(e));
		return fail(h, shortage(e) ? MQ_FAIL : MQ_STATE, 0, ef.why);
	}
	/* r stays open, holding the record lock, until we exit. */
	h->st.pid = getpid();
	if (proc_stat(h->st.pid, &h->st.start_time, NULL) == -1)
		return fail_errno(h, "cannot read own start time");
	h->st.phase = PH_WAITING;
	if (state_write(h->dirfd, &h->st) == -1)
		return fail_errno(h, "cannot write state");
	return MQ_OK;
}

/*
 * Freeze starts us at once and looks for a safe moment meanwhile; wait
 * for its "go METHOD ATTEMPT T0 SKIP BEFORE": the method it chose for
 * this server, once; how many optional first statements to leave out;
 * how long writers waited behind attempts abandoned before. The
 * method, or NULL: freeze is gone, we were told to stop, or it named
 * no method we know.
 */
static const struct lock_method *
await_go(struct holder *h)
{
	struct pollfd p[2] = { { .fd = h->pipefd, .events = POLLIN },
			       { .fd = h->sigfd, .events = POLLIN } };
	int64_t end = mono_ms() + (h->c->lock_snapshot_timeout + 30) * 1000;
	char buf[64], *nl;
	size_t len = 0;

	for (;;) {
		ssize_t n;

		if (wait_until(p, 2, end) <= 0 || (p[1].revents & POLLIN))
			return NULL;
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(h->pipefd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return NULL;
		len += (size_t)n;
		buf[len] = '\0';
		if ((nl = strchr(buf, '\n')) != NULL) {
			char name[32];
			long long t0 = 0, before = 0;
			int tries = 0, skip = 0;

			*nl = '\0';
			if (sscanf(buf, "go %31s %d %lld %d %lld", name, &tries,
				   &t0, &skip, &before) < 1)
				return NULL;
			h->skip = skip;
			h->st.abandoned_ms = before > 0 ? before : 0;
			h->st.attempts = tries;
			h->t0 = t0;
			if (t0 > 0 && t0 <= mono_ms())
				h->st.began_at = real_ms() - (mono_ms() - t0);
			return lock_by_name(name, h->d.flavor, h->d.version);
		}
		if (len == sizeof(buf) - 1)
			return NULL;
	}
}

/*
 * The binlog info file: -i's, else the config's; for one of several servers with
 * none set, DATADIR/binlog_info.txt of its own server (the previous one
 * removed now, before any lock: a snapshot must never carry an earlier
 * one's coordinates). MQ_OK, or fail()'s code.
 */
static int
info_path(struct holder *h, const char *info)
{
	char dir[PATH_MAX], why[PATH_MAX + 100];
	struct failure lf;

	fmt(h->info, sizeof(h->info), "%s", info != NULL ? info :
	    h->sv->files_binlog_info_file);
	if (h->info[0] != '\0' || h->sv->name[0] == '\0')
		return MQ_OK;
	if (db_value(&h->d, "SELECT @@datadir", dir, sizeof(dir), &lf) == -1) {
		fmt(why, sizeof(why), "reading @@datadir: %s", lf.why);
		return fail(h, db_errclass(&h->d), 0, why);
	}
	if (dir[0] != '/' || fmt(h->info, sizeof(h->info), "%s%sbinlog_info.txt",
				 dir, dir[strlen(dir) - 1] == '/' ? "" : "/")
	    == -1) {
		fmt(why, sizeof(why), "@@datadir %s: not an absolute path that "
		    "fits", dir);
		return fail(h, MQ_FAIL, 0, why);
	}
	if (unlink(h->info) == 0)
		log_info("removed the previous %s", h->info);
	else if (errno != ENOENT) {
		fmt(why, sizeof(why), "cannot remove the previous %s: %s",
		    h->info, strerror(errno));
		return fail(h, MQ_FAIL, 0, why);
	}
	return MQ_OK;
}

/* Where the server keeps its binary logs and its data, read before the
 * lock (they cannot change while it runs); unknown is "". */
static void
server_paths(struct holder *h)
{
	struct failure lf; /* unknown: "" */
	MYSQL_RES *r;
	MYSQL_ROW row;

	if ((r = db_query(&h->d, "SELECT @@GLOBAL.log_bin_basename, "
			  "@@GLOBAL.datadir", &lf)) == NULL)
		return;
	if ((row = mysql_fetch_row(r)) != NULL) {
		sanitize(h->binbase, sizeof(h->binbase), row[0] ? row[0] : "");
		sanitize(h->datadir, sizeof(h->datadir), row[1] ? row[1] : "");
	}
	mysql_free_result(r);
}

int
holder_main(struct config *c, const struct server_config *sv,
	    const char *info)
{
	struct holder h = { .c = c, .sv = sv, .dirfd = -1, .sigfd = -1,
			    .pipefd = -1 };
	char line[64], reason[300];
	struct failure lf;
	struct stat st;
	int r;

	log_init(c, sv, "holder");
	/* its name in ps -e and top, not the exec's "exe" */
	(void)prctl(PR_SET_NAME, (unsigned long)"pre-freeze-mysql-lock", 0, 0, 0);
	if (fstat(HOLDER_FD, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		log_err("pre-freeze-mysql-lock is started by freeze only");
		return MQ_USAGE;
	}
	h.pipefd = HOLDER_FD;
	state_init(&h.st);
	if ((r = setup(&h)) != MQ_OK)
		return r;
	/* Freeze ends us at its deadline; this bounds us if it cannot. */
	r = db_connect_until(&h.d, sv, (unsigned)sv->lock_wait_timeout + 30,
			     h.sigfd, mono_ms() +
			     (c->lock_snapshot_timeout + 5) * 1000, &lf);
	if (r != MQ_OK) {
		fmt(reason, sizeof(reason), "the lock holder cannot connect: "
		    "%s", lf.why);
		return fail(&h, r, 0, reason);
	}
	/* Connected: the password is not needed again in this process. */
	db_forget_password(&h.d);
	config_forget_passwords(c); /* every server's */
	h.st.conn_id = h.d.id;
	/* Our marker in the process list, so that thaw can prove a
	 * waiting connection is ours before it kills it. */
	fmt(h.d.tag, sizeof(h.d.tag), HOLDER_TAG_FMT, (int)getpid());
	fmt(h.st.flavor, sizeof(h.st.flavor), "%s", db_flavor_name(h.d.flavor));
	fmt(h.st.user, sizeof(h.st.user), "%s", h.d.user);
	if ((r = info_path(&h, info)) != MQ_OK)
		return r;
	if (h.info[0] != '\0')
		server_paths(&h);
	if (state_write(h.dirfd, &h.st) == -1)
		return fail_errno(&h, "cannot write state");
	fmt(line, sizeof(line), "conn %lu\n", h.d.id);
	report(&h, line);
	if ((h.m = await_go(&h)) == NULL) {
		h.pipefd = -1; /* nobody to report to */
		log_info("freeze ended or stopped us before the lock was "
			 "taken; nothing was locked");
		return fail(&h, MQ_ABORTED, 0, "freeze ended before the lock "
			    "was taken");
	}
	fmt(h.st.method, sizeof(h.st.method), "%s", lock_name(h.m));
	if (setup_session(&h, &lf) == -1) {
		fmt(reason, sizeof(reason), "setting session timeouts: %s",
		    lf.why);
		return fail(&h, db_errclass(&h.d), 0, reason);
	}
	if ((r = take(&h)) != MQ_OK)
		return r;
	if (write_all(h.pipefd, "ready\n", 6) == -1)
		return finish(&h, PH_RELEASED, "freeze ended before the lock "
			      "could be reported");
	close(h.pipefd);
	h.pipefd = -1;
	r = (int)hold(&h, reason, sizeof(reason));
	return finish(&h, (enum phase)r, reason);
}
