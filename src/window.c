/* window.c - the safe moment, and kill_long_queries. */
#define _GNU_SOURCE

#include "event.h"
#include "log.h"
#include "util.h"
#include "window.h"

enum {
	MAX_BLOCKERS = 50,
	WINDOW_LOG_MS = 10000, /* repeat "still waiting" this often */
};

int
window_wait(struct db *d, const struct config *c, enum lock_waits w,
	    int sigfd, int64_t deadline, struct failure *f)
{
	static struct blocker b[MAX_BLOCKERS];
	struct pollfd p = { .fd = sigfd, .events = POLLIN };
	int64_t logged = 0;
	char why[600];
	int i, n, first;

	for (;;) {
		n = lock_blockers(d, c, w, c->lock_long_query_threshold, 0, b,
				  MAX_BLOCKERS);
		if (n == -1)
			return failf(f, db_errclass(d), "reading the process "
				     "list: %s", d->err);
		for (first = -1, i = 0; i < n && first == -1; i++)
			if (!lock_killable(c, &b[i]))
				first = i;
		if (first == -1)
			return MQ_OK;
		lock_blocker_describe(&b[first], why, sizeof(why));
		if (logged == 0 || mono_ms() - logged >= WINDOW_LOG_MS) {
			log_info("waiting for a safe moment: %s", why);
			logged = mono_ms();
		}
		if (mono_ms() >= deadline)
			return failf(f, MQ_TIMEOUT, "no safe moment within "
				     "snapshot_timeout (%lld s); last blocker: "
				     "%s", c->lock_snapshot_timeout, why);
		if (wait_until(&p, 1, mono_ms() + WINDOW_POLL_MS) != 0)
			return failf(f, MQ_ABORTED, "stopped by a signal");
	}
}

void
window_kill(struct db *d, const struct config *c, enum lock_waits w,
	    unsigned long skip)
{
	static struct blocker b[MAX_BLOCKERS];
	char sql[64], what[600];
	int i, n;

	n = lock_blockers(d, c, w, c->lock_long_query_threshold, skip, b,
			  MAX_BLOCKERS);
	if (n == -1) {
		log_warn("kill_long_queries: reading the process list: %s",
			 d->err);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!lock_killable(c, &b[i]))
			continue;
		lock_blocker_describe(&b[i], what, sizeof(what));
		fmt(sql, sizeof(sql), "KILL QUERY %lu", b[i].id);
		if (db_exec(d, sql) == -1)
			log_warn("kill_long_queries: cannot kill %s: %s", what,
				 d->err);
		else
			log_warn("kill_long_queries = %s: killed the "
				 "statement of %s", c->lock_kill_long_queries,
				 what);
	}
}
