/* leftover.c - before a new freeze, the holder of an earlier one: ended
 * when its thaw never came, refused when it is another caller's live
 * hold. */
#define _GNU_SOURCE
#include "cycle.h"
#include "exits.h"
#include "holderctl.h"
#include "leftover.h"
#include "log.h"
#include "rundir.h"
#include "state.h"
#include "util.h"

/*
 * A live hold within its max_lock_time belongs to another caller, whose
 * snapshot may rely on it (two backup products overlapping): it is
 * never ended here, and this freeze is refused (MQ_BUSY), naming it.
 * 1 (f filled) when s is such a hold, else 0: past its time it is ours
 * to end.
 */
static int
live_hold(const struct state *s, struct failure *f)
{
	int64_t now = real_ms();
	char until[40];

	if (s->expires_at != 0 && now >= s->expires_at)
		return 0;
	iso_time(until, sizeof(until), s->expires_at);
	failf(f, MQ_BUSY, "a live hold: holder pid %d has held its lock for "
	      "%lld s (%s, until max_lock_time at %s); another caller's "
	      "snapshot may rely on it, so it is not ended: thaw it first, "
	      "or wait for it to expire", (int)s->pid,
	      (long long)(s->locked_at ? (now - s->locked_at) / 1000 : 0),
	      s->method, s->expires_at ? until : "unknown");
	return 1;
}

int
leftover_end(const struct server_config *c, int dirfd, struct failure *f)
{
	struct state s;
	struct failure ef;
	int r;

	r = state_read(dirfd, &s, &ef);
	if (r == 1 || (r == 0 && (s.phase != PH_LOCKED &&
				  s.phase != PH_WAITING)))
		return MQ_OK;
	if (r == -2)
		return failf(f, MQ_FAIL, "%s", ef.why);
	if (r == -1) {
		if (rundir_holder(dirfd, HOLDER_LOCK) <= 0) {
			log_warn("%s; replacing it", ef.why);
			return MQ_OK;
		}
		return failf(f, MQ_STATE, "a holder is running but %s; not "
			     "touching it", ef.why);
	}
	if (!holder_alive(dirfd, &s))
		return MQ_OK;
	if (s.phase == PH_LOCKED && live_hold(&s, f))
		return MQ_BUSY;
	log_warn("holder pid %d of an earlier freeze still holds its lock "
		 "(thaw never came); ending it", (int)s.pid);
	r = holder_end(c, dirfd, &s, NULL);
	if (r != MQ_OK && r != MQ_LOST)
		return failf(f, r, "cannot end the earlier holder pid %d",
			     (int)s.pid);
	/* its cycle ends here: no thaw came */
	cycle_close(c, dirfd, &s);
	return MQ_OK;
}
