/* cycle.c - the one owner of a cycle's record: every ending becomes
 * one state write and one metrics write here (the table of states is
 * in include/cycle.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cycle.h"
#include "metrics.h"
#include "rundir.h"
#include "util.h"

/* s into the state file; if it cannot be, marked unrecorded. */
static void
record(int dirfd, const struct state *s)
{
	if (state_write(dirfd, s) == 0)
		return;
	log_warn("cannot write state: %s", strerror(errno));
	/* status must not show the last cycle's outcome as this one's */
	if (state_unrecorded(dirfd) == -1)
		log_err("cannot mark the state unrecorded either: %s; "
			"status may show the cycle before", strerror(errno));
}

void
cycle_close(const struct server_config *c, int dirfd, struct state *s)
{
	record(dirfd, s);
	metrics_write(c, s);
}

void
cycle_note_exit(const struct server_config *c, const char *verb, int code)
{
	struct state s;
	struct failure ef;
	int dfd = rundir_open(c->files_run_dir, 0, &ef);

	if (dfd < 0)
		return;
	if (state_read(dfd, &s, &ef) == 0) {
		fmt(s.exit_verb, sizeof(s.exit_verb), "%s", verb);
		s.exit_code = code;
		if (state_write(dfd, &s) == -1)
			log_warn("cannot write state: %s", strerror(errno));
	}
	close(dfd);
}

void
cycle_failed(const struct server_config *c, const struct failure *f, int code)
{
	struct state s;
	struct failure ef;
	int dfd = rundir_open(c->files_run_dir, 0, &ef);
	int r = dfd < 0 ? -1 : state_read(dfd, &s, &ef);

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
	if ((r == 0 || r == 1) && rundir_holder(dfd, HOLDER_LOCK) <= 0)
		record(dfd, &s);
	if (dfd >= 0)
		close(dfd);
	metrics_write(c, &s);
}
