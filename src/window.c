/* window.c - the safe moment, and kill_long_queries. */
#define _GNU_SOURCE

#include <string.h>

#include "event.h"
#include "log.h"
#include "stall.h"
#include "util.h"
#include "window.h"

enum {
	MAX_BLOCKERS = 50,
	WINDOW_LOG_MS = 10000, /* repeat "still waiting" this often */
	PROGRESS_MS = 1000,    /* a person's progress line, at most */
	STMT_SHOWN = 72,       /* characters of the statement shown */
};

/* The statement on one short line: blanks (newlines, tabs, runs of
 * spaces) as one space, cut to STMT_SHOWN characters. */
static void
clean_stmt(char *out, size_t n, const char *in)
{
	size_t o = 0, shown = 0;
	int blank = 0;

	for (; *in != '\0' && o + 4 < n; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
			blank = o > 0;
			continue;
		}
		if (shown == STMT_SHOWN) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (blank) {
			out[o++] = ' ';
			shown++;
			blank = 0;
		}
		out[o++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
		shown++;
	}
	out[o] = '\0';
}

/* At most once a second, for a person: who blocks, and the time left. */
static void
progress(const struct blocker *b, int64_t deadline, int64_t *last)
{
	char stmt[STMT_SHOWN + 8];
	int64_t now = mono_ms();

	if (!log_progress_on() || (*last != 0 && now - *last < PROGRESS_MS))
		return;
	*last = now;
	clean_stmt(stmt, sizeof(stmt), b->info);
	log_progress("waiting for a safe moment: connection %lu (%s) running "
		     "%lld s: %s; %lld s left", b->id, b->user, b->time, stmt,
		     (long long)((deadline - now + 999) / 1000));
}

int
window_wait(struct db *d, const struct config *c, enum lock_waits w,
	    int settle, int sigfd, int64_t deadline, struct failure *f)
{
	static struct blocker b[MAX_BLOCKERS];
	struct pollfd p = { .fd = sigfd, .events = POLLIN };
	long long min_time = settle ? 1 : c->lock_long_query_threshold;
	int64_t logged = 0, shown = 0;
	char why[600];
	int i, n, first;

	for (;;) {
		if (settle && strcmp(c->lock_kill_long_queries, "no") != 0)
			window_kill(d, c, w, 0);
		n = lock_blockers(d, c, w, min_time, 0, b, MAX_BLOCKERS);
		if (n == -1)
			return failf(f, db_errclass(d), "reading the process "
				     "list: %s", d->err);
		/* a statement kill_long_queries may kill does not count
		 * once it has run long enough to be killed */
		for (first = -1, i = 0; i < n && first == -1; i++)
			if (!lock_killable(c, &b[i]) ||
			    b[i].time < c->lock_long_query_threshold)
				first = i;
		if (first != -1) {
			lock_blocker_describe(&b[first], why, sizeof(why));
			progress(&b[first], deadline, &shown);
		} else if (!settle) {
			return MQ_OK;
		} else if ((i = stall_waiting(d, why, sizeof(why))) == -1) {
			return failf(f, db_errclass(d), "reading the process "
				     "list: %s", d->err);
		} else if (i == 0) {
			return MQ_OK;
		}
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
