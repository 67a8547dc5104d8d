/* holderctl.h - the holder seen from outside (src/core/holderctl.c):
 * freeze starts it and reads its reports; thaw proves it ours and ends
 * it. */
#ifndef MQ_HOLDERCTL_H
#define MQ_HOLDERCTL_H

#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "state.h"

/* One holder started by freeze, while freeze still talks to it. */
struct holder_run {
	pid_t pid;           /* 0 if none */
	int rfd;             /* freeze's end of the socket pair; -1 */
	unsigned long hconn; /* its connection's id, once reported */
	char buf[1024];      /* a report line being read */
	size_t len;
	int retry;           /* its last failure is worth another attempt */
};

/*
 * Start the holder: a new session, stdio on /dev/null, no descriptor
 * but its end of a socket pair as HOLDER_FD, an environment of PATH
 * only; c's file's path, sv's name and the info file (or "") on its
 * command line, never a secret. 0, or -1 with errno (h->pid is then 0).
 */
int holder_spawn(const struct config *c, const struct server_config *sv,
		 const char *info, struct holder_run *h);

/* From now on, start holders by a fork of this process, shaped as the
 * exec'd one (named pre-freeze-mysql-lock too), not by an exec: for a
 * process that loaded the client library and holds nothing else a
 * holder must not have but all, the whole config (several servers'
 * freeze), whose passwords each holder forgets once connected, as an
 * exec'd one does. NULL: by exec again. */
void holder_spawn_by_fork(struct config *all);

/* A report line from the holder: "conn ID" is noted; 1 for "ready";
 * "fail CODE RETRY WHY" sets f and h->retry. */
int holder_line(struct holder_run *h, char *l, struct failure *f);

/*
 * End a holder that has not said "ready", or whose lock is not wanted:
 * kill its statement on d (a waiting lock ignores signals), SIGTERM it,
 * wait; SIGKILL as a last resort; reap. It then holds nothing.
 */
void holder_stop(struct holder_run *h, struct db *d);

/* Reap an exited holder and close our end. */
void holder_reap(struct holder_run *h);

/* The holder said "ready": let it run on, detached, holding its lock
 * (thaw or max_lock_time ends it). */
void holder_detach(struct holder_run *h);

/* Where an end's path to the release went: CLOCK_MONOTONIC us of each
 * step (0: not reached), logged after the release, for make bench. */
struct end_steps {
	int64_t began;     /* release_lock entered */
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
int holder_end(const struct server_config *c, int dirfd, struct state *s,
	       struct end_steps *t);

/* 1 if the holder named by s is alive and provably ours, else 0. */
int holder_alive(int dirfd, const struct state *s);

#endif
