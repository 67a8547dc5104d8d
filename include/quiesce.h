/* quiesce.h - the quiesce core's begin (src/core/quiesce.c): one lock
 * cycle through the detached holder; release.h ends it. freeze, thaw, snapshot and the watchdog use it;
 * it never parses arguments, prints, or exits. */
#ifndef MQ_QUIESCE_H
#define MQ_QUIESCE_H

#include "config.h"
#include "log.h"
#include "state.h"

/*
 * Begin: take the run lock; end a holder whose thaw never came; start
 * the holder at once; connect, choose the lock method for this server
 * (once: the holder is told which with "go"); wait for a safe moment;
 * send "go METHOD"; wait for "ready". Retries until snapshot_timeout.
 * A stop signal on sigfd ends the wait (MQ_ABORTED).
 *
 * MQ_OK: the lock is held by the holder, the coordinates are recorded
 * (held says what the holder recorded), and the run lock is dropped so
 * that a thaw may come. Anything else: nothing is locked and no holder
 * of this call is left; f says why. on_failure is the caller's matter.
 */
int quiesce_begin(const struct config *c, int sigfd, struct state *held,
		  struct failure *f);

#endif
