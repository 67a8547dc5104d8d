/* window.h - the safe moment: waiting until nothing would make the lock
 * wait, and kill_long_queries once it does wait. */
#ifndef MQ_WINDOW_H
#define MQ_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "lock.h"

enum { WINDOW_POLL_MS = 250 }; /* re-read the process list this often */

/* After an abandoned attempt: the statement its lock waited for. */
struct settle {
	int on;              /* an attempt was abandoned */
	unsigned long id;    /* the culprit's connection (0: none seen) */
	int64_t started;     /* mono ms its statement began, at the latest */
};

/*
 * Wait until nothing that a lock of kind w would wait for has run
 * long_query_threshold or longer (window_strict: no read runs at all);
 * statements kill_long_queries may kill
 * do not count (they are killed if the lock waits for them). Logs the
 * blocker now and then. s->on: an attempt was abandoned because
 * writers waited behind it; wait instead until the statement it waited
 * for (s->id, however young) has ended, nothing else the lock waits for
 * has run a second, and no connection waits behind a global lock or a
 * flush (on MySQL the abandoned attempt's flush lives on), killing at
 * once what has run a second and kill_long_queries may kill. MQ_OK;
 * MQ_TIMEOUT at deadline (mono ms, timeout_s seconds from the start,
 * said), MQ_ABORTED when sigfd is readable, or a db error class; f says
 * so.
 */
#include "failure.h"
int window_wait(struct db *d, const struct server_config *c, enum lock_waits w,
		const struct settle *s, int sigfd, int64_t deadline,
		long long timeout_s, struct failure *f);

/* Is blocker b, read at now, still the statement s's attempt waited
 * for (the same connection, begun no later than it)? */
int window_culprit(const struct settle *s, unsigned long id,
		   long long time, int64_t now);

/*
 * kill_long_queries: KILL QUERY the statements a lock of kind w waits
 * for that have run min_time seconds and may be killed, never
 * connection skip (the holder's), replication or daemon threads: at
 * long_query_threshold while the lock waits; at once (0) when writers
 * have waited max_writer_wait behind it. Each kill is logged.
 */
void window_kill(struct db *d, const struct server_config *c, enum lock_waits w,
		 unsigned long skip, long long min_time);

/*
 * Is the safe moment strict: where the lock waits for every statement
 * (w == WAITS_ALL: MySQL's FTWRL) and kill_long_queries is "no", a
 * running read with tables open, however young, keeps the moment from
 * being safe: FTWRL's flush would wait for it, nothing could end it,
 * and every new statement on its tables would wait behind the flush
 * until it ends, even after the attempt is abandoned. (A write makes
 * FTWRL wait before its flush, for the global lock: abandoned, the
 * attempt leaves nothing behind, so writes keep their threshold.)
 * 1 or 0.
 */
int window_strict(const struct server_config *c, enum lock_waits w);

#endif
