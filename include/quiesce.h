/* quiesce.h - the quiesce core's begin (src/core/quiesce.c): one lock
 * cycle through the detached holder; release.h ends it. freeze, thaw, snapshot and the watchdog use it;
 * it never parses arguments, prints, or exits. */
#ifndef MQ_QUIESCE_H
#define MQ_QUIESCE_H

#include "config.h"
#include "log.h"
#include "state.h"

/*
 * Begin, for server sv of c, as the caller's bo says: take the run lock; end a holder whose thaw never came; start
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
struct begin_opts {
	const char *info; /* the binlog info file; NULL: the server's */
	int fs_frozen;    /* the caller freezes the data's filesystems
			   * around the snapshot (method recovery needs it
			   * with flush 1 or 2) */
};
int quiesce_begin(const struct config *c, const struct server_config *sv,
		  const struct begin_opts *bo, int sigfd, struct state *held,
		  struct failure *f);

#endif
