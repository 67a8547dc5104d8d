/* freeze.c - pre-freeze-script: lock through the quiesce core and
 * return the moment the lock is held. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "metrics.h"
#include "quiesce.h"
#include "state.h"
#include "util.h"
#include "verbs.h"

/* The failed cycle, for status and the metrics: the holder's record
 * of it, or, if it made none (it never started), one made of f; with
 * the exit code. Not when another freeze's holder owns the state
 * (busy), nor over a state a holder may still be writing or that could
 * not be read. */
static void
record_failure(const struct config *c, const struct failure *f, int code)
{
	struct state s;
	char err[300];
	int dfd = rundir_open(c->files_run_dir, 0, err, sizeof(err));
	int r = dfd < 0 ? -1 : state_read(dfd, &s, err, sizeof(err));

	/* busy: run_dir is another freeze's or thaw's right now */
	if (f->code == MQ_BUSY || (r == 0 && (s.phase == PH_LOCKED ||
					      s.phase == PH_WAITING))) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	if (r != 0 || s.phase != PH_FAILED) {
		state_init(&s);
		s.phase = PH_FAILED;
	}
	/* ours is the cause: a holder we stopped records only that */
	sanitize(s.reason, sizeof(s.reason), f->why);
	fmt(s.exit_verb, sizeof(s.exit_verb), "freeze");
	s.exit_code = code;
	/* Only over a state we could read, or none, and never while a
	 * holder runs: a state we could not read may be a live one's. */
	if ((r == 0 || r == 1) && rundir_holder(dfd, HOLDER_LOCK) <= 0 &&
	    state_write(dfd, &s) == -1) {
		log_warn("cannot write state: %s", strerror(errno));
		/* status must not show the last cycle's success */
		if (state_unrecorded(dfd) == -1)
			log_err("cannot mark the state unrecorded either: %s; "
				"status may show the cycle before", strerror(errno));
	}
	if (dfd >= 0)
		close(dfd);
	metrics_write(c, &s);
}

/* A freeze that will not hold a lock: fail, or proceed loudly. */
static int
give_up(const struct config *c, const struct failure *f)
{
	int proceed = f->code != MQ_ABORTED &&
		      strcmp(c->lock_on_failure, "proceed") == 0;

	log_err("freeze failed: %s", f->why);
	record_failure(c, f, proceed ? MQ_OK : f->code);
	if (!proceed)
		return f->code;
	log_err("on_failure = proceed: returning success WITHOUT a lock; this "
		"snapshot is crash-consistent only and has no coordinates");
	return MQ_OK;
}

int
freeze_main(const struct config *c, const char *arg)
{
	struct failure f;
	struct state held;
	int sigfd;

	log_init(c, "freeze");
	hook_arg_log(arg);
	if ((sigfd = sig_fd()) == -1) {
		failf(&f, MQ_FAIL, "cannot set up signals: %s",
		      strerror(errno));
		return give_up(c, &f);
	}
	if (quiesce_begin(c, sigfd, &held, &f) != MQ_OK)
		return give_up(c, &f);
	return MQ_OK;
}
