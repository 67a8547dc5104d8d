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
	KILLS_SAID = 32,       /* refused kills remembered, not said again */
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
window_culprit(const struct settle *s, unsigned long id, long long time,
		int64_t now)
{
	/* Time is whole seconds, cut: the statement began in the second
	 * before now - time. A later one on that connection is another. */
	return s->on && s->id != 0 && id == s->id &&
	       now - (int64_t)time * 1000 - 1000 <= s->started;
}

int
window_strict(const struct server_config *c, enum lock_waits w)
{
	return w == WAITS_ALL && c->lock_kill_long_queries == KILL_NO;
}

/* Does blocker b keep the moment from being safe? Under the strict
 * rule a read, however young (they are listed from 0 s); in a settle,
 * the culprit however young, else what has run a second; otherwise what
 * has run long_query_threshold, unless kill_long_queries may kill it. */
static int
counts(const struct server_config *c, enum lock_waits w, const struct settle *s,
       const struct blocker *b, int64_t now)
{
	if (window_strict(c, w) && b->kind == STMT_READ)
		return 1;
	if (!s->on && b->time < c->lock_long_query_threshold)
		return 0;
	if (s->on && b->time < 1 && !window_culprit(s, b->id, b->time, now))
		return 0;
	/* a statement kill_long_queries may kill does not count once it
	 * has run long enough to be killed */
	return !lock_killable(c, b) || b->time < c->lock_long_query_threshold;
}

int
window_wait(struct db *d, const struct server_config *c, enum lock_waits w,
	    const struct settle *s, int sigfd, int64_t deadline,
	    long long timeout_s, struct failure *f)
{
	static struct blocker b[MAX_BLOCKERS];
	struct pollfd p = { .fd = sigfd, .events = POLLIN };
	long long min_time = s->on || window_strict(c, w) ?
			     0 : c->lock_long_query_threshold;
	int64_t logged = 0, shown = 0, now;
	char why[600];
	int i, n, first;

	for (;;) {
		if (s->on && c->lock_kill_long_queries != KILL_NO)
			window_kill(d, c, w, 0, 1);
		n = lock_blockers(d, c, w, min_time, 0, b, MAX_BLOCKERS, f);
		if (n == -1)
			return failf(f, db_errclass(d), "reading the process "
				     "list: %s", f->why);
		now = mono_ms();
		for (first = -1, i = 0; i < n && first == -1; i++)
			if (counts(c, w, s, &b[i], now))
				first = i;
		if (first != -1) {
			lock_blocker_describe(&b[first], why, sizeof(why));
			progress(&b[first], deadline, &shown);
		} else if (!s->on) {
			return MQ_OK;
		} else if ((i = stall_waiting(d, why, sizeof(why), f)) == -1) {
			return failf(f, db_errclass(d), "reading the process "
				     "list: %s", f->why);
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
				     "%s", timeout_s, why);
		if (wait_until(&p, 1, mono_ms() + WINDOW_POLL_MS) != 0)
			return failf(f, MQ_ABORTED, "stopped by a signal");
	}
}

/* Was a failed kill of connection id said already? Said once each
 * (for the first KILLS_SAID connections): a refusal does not change
 * from one read to the next. */
static int
said(unsigned long id)
{
	static unsigned long ids[KILLS_SAID];
	static int n;
	int i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	if (n < KILLS_SAID)
		ids[n++] = id;
	return 0;
}

void
window_kill(struct db *d, const struct server_config *c, enum lock_waits w,
	    unsigned long skip, long long min_time)
{
	static struct blocker b[MAX_BLOCKERS];
	char sql[64], what[600];
	struct failure lf; /* logged here: a kill is best effort */
	int i, n;

	n = lock_blockers(d, c, w, min_time, skip, b, MAX_BLOCKERS, &lf);
	if (n == -1) {
		log_warn("kill_long_queries: reading the process list: %s",
			 lf.why);
		return;
	}
	for (i = 0; i < n; i++) {
		if (!lock_killable(c, &b[i]))
			continue;
		lock_blocker_describe(&b[i], what, sizeof(what));
		fmt(sql, sizeof(sql), "KILL QUERY %lu", b[i].id);
		if (db_exec(d, sql, &lf) == -1) {
			if (said(b[i].id))
				continue;
			log_warn("kill_long_queries: cannot kill %s: %s", what,
				 lf.why);
		} else
			log_warn("kill_long_queries = %s: killed the "
				 "statement of %s",
				 kill_choice_names[c->lock_kill_long_queries],
				 what);
	}
}
