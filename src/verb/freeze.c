/* freeze.c - pre-freeze-script: lock through the quiesce core and
 * return the moment the lock is held. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cycle.h"
#include "event.h"
#include "log.h"
#include "quiesce.h"
#include "util.h"
#include "main.h"
#include "multi.h"

/* A freeze that will not hold a lock: fail, or proceed loudly. */
static int
give_up(const struct config *c, const struct server_config *sv,
	const struct failure *f)
{
	int proceed = f->code != MQ_ABORTED &&
		      c->lock_on_failure == ON_FAILURE_PROCEED;

	log_err("freeze failed: %s", f->why);
	cycle_failed(sv, f, proceed ? MQ_OK : f->code);
	if (!proceed)
		return f->code;
	log_err("on_failure = proceed: returning success WITHOUT a lock; this "
		"snapshot is crash-consistent only and has no coordinates");
	return MQ_OK;
}

int
freeze_main(const struct config *c, const struct call *o)
{
	struct begin_opts bo = { NULL, 0 };
	struct failure f;
	struct state held;
	int sigfd;

	if (o->sv == NULL)
		return multi_freeze(c, o, freeze_main);
	log_init(c, o->sv, "freeze");
	hook_arg_log(o->hook_arg);
	if ((sigfd = sig_fd()) == -1) {
		failf(&f, MQ_FAIL, "cannot set up signals: %s",
		      strerror(errno));
		return give_up(c, o->sv, &f);
	}
	if (quiesce_begin(c, o->sv, &bo, sigfd, &held, &f) != MQ_OK)
		return give_up(c, o->sv, &f);
	return MQ_OK;
}
