/* release.c - the quiesce core's end: prove the holder is ours,
 * signal it, wait for it to release, record the outcome. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "cycle.h"
#include "holderctl.h"
#include "log.h"
#include "release.h"
#include "rundir.h"
#include "state.h"
#include "util.h"

/* How long thaw waits for a running freeze to finish first. */
static unsigned
run_lock_wait(const struct config *c, const struct server_config *sv)
{
	return (unsigned)(c->lock_snapshot_timeout + sv->lock_wait_timeout + 30);
}

static int
lost(const struct state *s, struct failure *f)
{
	return failf(f, MQ_LOST, "the lock was lost before thaw: %s; the "
		     "snapshot may not match the recorded coordinates "
		     "(binlog %s:%llu)", s->reason,
		     s->binlog_file[0] ? s->binlog_file : "-", s->binlog_pos);
}

/* After the release: how long each step of the path to it took. */
/* The part of the stall spent behind abandoned attempts, or "". */
static const char *
behind(const struct state *s)
{
	static char buf[96];

	if (s->abandoned_ms <= 0)
		return "";
	fmt(buf, sizeof(buf), " (%lld ms of it behind abandoned attempts)",
	    (long long)s->abandoned_ms);
	return buf;
}

static void
log_steps(const struct end_steps *t, const struct state *s)
{
#define AT(x) ((x) > 0 ? (double)((x) - t->began) / 1000 : -1.0)
	log_info("thaw's path: state read at %.2f ms, holder proven at %.2f "
		 "ms, SIGTERM at %.2f ms, release statement at %.2f ms "
		 "(from thaw's start, monotonic %lld us)", AT(t->state),
		 AT(t->proven), AT(t->signalled), AT(s->release_us),
		 (long long)t->began);
#undef AT
}

int
release_lock(const struct config *c, const struct server_config *sv,
	     struct state *s, struct failure *f)
{
	struct end_steps t = { .began = mono_us() };
	struct rundir rd;
	struct failure ef;
	int r;

	state_init(s);
	s->phase = PH_FAILED;
	failf(f, MQ_OK, "ok");
	r = rundir_enter(sv->files_run_dir, 0, run_lock_wait(c, sv), &rd, f);
	if (r == MQ_BUSY)
		return failf(f, MQ_BUSY, "another freeze or thaw kept running "
			     "for %u s", run_lock_wait(c, sv));
	if (r != MQ_OK) {
		char why[sizeof(f->why)];

		memcpy(why, f->why, sizeof(why));
		return failf(f, r, "%s; not signalling anything", why);
	}
	if (rd.dirfd == -1) {
		log_info("nothing to release: no freeze has run (%s missing)",
			 sv->files_run_dir);
		return MQ_OK;
	}
	r = state_read(rd.dirfd, s, &ef);
	t.state = mono_us();
	if (r == 1 || (r == 0 && s->thawed)) {
		log_info("nothing to release: no lock is held");
		rundir_leave(&rd);
		return MQ_OK;
	}
	if (r < 0) {
		rundir_leave(&rd);
		return failf(f, r == -2 ? MQ_FAIL : MQ_STATE, "%s; not "
			     "signalling anything", ef.why);
	}
	if (s->phase != PH_WAITING && s->phase != PH_LOCKED)
		log_flush_deferred(rd.dirfd); /* nothing is held */
	switch (s->phase) {
	case PH_WAITING:
	case PH_LOCKED:
		r = holder_end(sv, rd.dirfd, s, &t);
		log_flush_deferred(rd.dirfd); /* released, or it died */
		if (r == MQ_OK && s->phase == PH_RELEASED) {
			log_info("released (%s); writes were blocked for %lld ms"
				 "%s", s->method, (long long)s->blocked_ms,
				 behind(s));
			log_steps(&t, s);
		}
		else if (r == MQ_OK && s->phase == PH_FAILED)
			log_warn("nothing to release: the last freeze never held "
				 "a lock (%s)", s->reason);
		else if (r == MQ_LOST)
			lost(s, f);
		else if (r != MQ_OK)
			failf(f, r, "cannot end holder pid %d", (int)s->pid);
		break;
	case PH_FAILED:
		log_warn("nothing to release: the last freeze never held a "
			 "lock (%s)", s->reason);
		r = MQ_OK;
		break;
	case PH_RELEASED:
	case PH_EXPIRED:
	case PH_LOST:
	default:
		r = lost(s, f);
		break;
	}
	s->thawed = 1;
	fmt(s->exit_verb, sizeof(s->exit_verb), "thaw");
	s->exit_code = r;
	/* released, or it never was held: nothing is locked now */
	cycle_close(sv, rd.dirfd, s);
	rundir_leave(&rd);
	return r;
}
