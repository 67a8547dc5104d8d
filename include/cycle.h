/* cycle.h - the one owner of a cycle's record (src/core/cycle.c). */
#ifndef MQ_CYCLE_H
#define MQ_CYCLE_H

#include "config.h"
#include "log.h"
#include "state.h"

/*
 * A cycle's states, as the state file's phase says them, and who moves
 * it from one to the next:
 *
 *   from          event                                to        by
 *   (none)        freeze fails before a holder runs    FAILED    cycle_failed
 *   (none)        freeze starts the holder             WAITING   holder
 *   WAITING       the lock is granted                  LOCKED    holder
 *   WAITING       no attempt gets the lock             FAILED    holder (why),
 *                                                                then cycle_failed
 *                                                                (freeze)
 *   LOCKED        thaw's SIGTERM: released             RELEASED  holder, then
 *                                                                cycle_close (thaw)
 *   LOCKED        max_lock_time                        EXPIRED   cycle_close (holder)
 *   LOCKED        the release failed, or the
 *                 connection was lost                  LOST      cycle_close (holder)
 *   WAITING       the holder is gone, no record        FAILED    holder_end's verdict,
 *   LOCKED        the holder is gone, no record        LOST        cycle_close (thaw,
 *                                                                or the next freeze)
 *   any ended     snapshot mode done                   (as above, through
 *                                                                thaw), then its exit
 *                                                                code: cycle_note_exit
 *
 * MUST: every ending is one call here, which writes the state and then
 * the metrics; nothing else writes the metrics, and the state only the
 * holder, for its own transitions (WAITING, LOCKED, and the FAILED or
 * RELEASED whose cycle freeze or thaw then closes here). Call only once
 * nothing is locked or frozen.
 */

/* The cycle s ends: s into run_dir's state file (if it cannot be
 * written, the state is marked unrecorded, so that status never shows
 * the cycle before as this one), then the metrics. */
void cycle_close(const struct server_config *c, int dirfd, struct state *s);

/* Snapshot mode's last word on a cycle thaw has closed: verb ended it
 * with code (for status). Best effort: a state that is missing or
 * unreadable is left as it is; only where no holder may write it. */
void cycle_note_exit(const struct server_config *c, const char *verb, int code);

/*
 * A freeze that held no lock: the holder's record of the failed cycle,
 * or, if it made none (it never started), one made of f; with the exit
 * code. The state is not written when another freeze's holder owns it
 * (busy), nor over a state a holder may still be writing or that could
 * not be read; the metrics are.
 */
void cycle_failed(const struct server_config *c, const struct failure *f, int code);

#endif
