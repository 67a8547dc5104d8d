/* release.h - the quiesce core's end (src/core/release.c): release the
 * lock a freeze left held. thaw, snapshot and the watchdog use it. */
#ifndef MQ_RELEASE_H
#define MQ_RELEASE_H

#include "config.h"
#include "log.h"
#include "state.h"

/*
 * End server sv's hold: take the run lock (waiting for a running freeze to finish),
 * read the state, prove the holder is ours, signal it, wait for it to
 * release, and mark the state thawed. Idempotent: with nothing to
 * release it logs so and returns MQ_OK. s gets the final state (phase
 * PH_FAILED with no holder when there is none). MQ_OK when released or
 * nothing was held; MQ_LOST when the lock had been lost before (the
 * snapshot may not match the coordinates); another code on error. f
 * says why whenever the code is not MQ_OK.
 */
int release_lock(const struct config *c, const struct server_config *sv,
		 struct state *s, struct failure *f);

#endif
