/* holder.h - the detached lock holder, and how others control it. */
#ifndef MQ_HOLDER_H
#define MQ_HOLDER_H

#include <sys/types.h>

#include "config.h"
#include "state.h"

/* The holder's end of its socket pair with freeze. */
#define HOLDER_FD 3

/*
 * Seconds past max_lock_time after which the server itself closes the
 * holder's idle connection (SESSION wait_timeout), and the lock with it,
 * should the holder be stopped or hung.
 */
#define HOLDER_MARGIN 5

/*
 * The holder (pre-freeze-mysql-lock), started by the quiesce core only,
 * at once. Reads the config file itself (a password never travels on
 * a command line or a descriptor), connects, reports "conn ID" on
 * HOLDER_FD and waits there for "go METHOD" (the method the core chose
 * for this server; EOF or a stop signal: it exits, having locked
 * nothing). Then takes the lock, records the coordinates, reports
 * "ready" (or "fail CODE RETRY MESSAGE"), and holds until SIGTERM,
 * max_lock_time, or the server closing the connection; it releases
 * before it logs.
 */
int holder_main(const struct config *c);

/* Where an end's path to the release went: CLOCK_MONOTONIC us of each
 * step (0: not reached), logged after the release, for make bench. */
struct end_steps {
	int64_t began;     /* quiesce_end entered */
	int64_t state;     /* the state read */
	int64_t proven;    /* the holder proven ours */
	int64_t signalled; /* SIGTERM sent */
};

/*
 * End the holder named by s (read from run_dir dirfd): prove it is
 * still our holder (the kernel names it as holder.lock's owner, and
 * pid and start time match), SIGTERM it and wait; if it does not exit,
 * kill its MySQL connection (after checking it is still the holder's
 * account) and SIGKILL it. Never signals a process it cannot prove is
 * the holder. On return s holds the state as the holder left it, or,
 * where it left none, the verdict (phase, reason), and t (if not NULL)
 * the times of the proof and the signal. Writes nothing: the caller
 * records the verdict (cycle_close). Returns MQ_OK
 * when the lock was held until now and is released, MQ_LOST when it had
 * already been lost, another code on error.
 */
int holder_end(const struct config *c, int dirfd, struct state *s,
	       struct end_steps *t);

/* 1 if the holder named by s is alive and provably ours, else 0. */
int holder_alive(int dirfd, const struct state *s);

#endif
