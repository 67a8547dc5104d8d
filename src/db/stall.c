/* stall.c - the writers' watch: who waits behind a lock, how long. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plist.h"
#include "stall.h"
#include "util.h"

int
stall_state(const char *state)
{
	static const char *const waits[] = {
		"Waiting for global read lock",
		"Waiting for commit lock",
		"Waiting for table flush",
		"Waiting for backup lock",
		"Waiting for binlog lock",
	};
	size_t i;

	if (state == NULL)
		return 0;
	for (i = 0; i < ARRAY_LEN(waits); i++)
		if (strcasecmp(state, waits[i]) == 0)
			return 1;
	return 0;
}

void
stall_start(struct stall *s, unsigned long holder, int64_t now)
{
	memset(s, 0, sizeof(*s));
	s->holder = holder;
	s->last = now;
}

void
stall_begin(struct stall *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		s->w[i].seen = 0;
	s->lock_seen = 0;
	s->waiting = 0;
	s->worst = 0;
	s->worst_since = 0;
}

/* The followed entry of connection id, added if new and there is room;
 * NULL when there is none. */
static struct stall_conn *
follow(struct stall *s, unsigned long id)
{
	struct stall_conn *c;
	int i;

	for (i = 0; i < s->n; i++)
		if (s->w[i].id == id)
			return &s->w[i];
	if (s->n == STALL_MAX)
		return NULL;
	c = &s->w[s->n++];
	c->id = id;
	c->since = s->last;
	return c;
}

void
stall_row(struct stall *s, unsigned long id, const char *user,
	  const char *state, const char *info)
{
	struct stall_conn *c;

	if (!stall_state(state))
		return;
	if (s->holder != 0 && id == s->holder) {
		s->lock_seen = 1;
		if (s->lock_since == 0)
			s->lock_since = s->last;
		return;
	}
	s->waiting++;
	if ((c = follow(s, id)) == NULL)
		return; /* counted, not followed */
	c->seen = 1;
	if (s->worst == 0 || c->since < s->worst_since) {
		s->worst = id;
		s->worst_since = c->since;
		sanitize(s->worst_state, sizeof(s->worst_state), state);
		sanitize(s->worst_user, sizeof(s->worst_user),
			 user != NULL ? user : "");
		sanitize(s->worst_info, sizeof(s->worst_info),
			 info != NULL ? info : "");
	}
}

void
stall_end(struct stall *s, int64_t now)
{
	int i, j;

	/* a connection that no longer waits starts afresh if it waits
	 * again; so does the lock */
	for (i = j = 0; i < s->n; i++)
		if (s->w[i].seen)
			s->w[j++] = s->w[i];
	s->n = j;
	if (!s->lock_seen)
		s->lock_since = 0;
	s->last = now;
}

int64_t
stall_worst(const struct stall *s, int64_t now)
{
	return s->worst != 0 && now > s->worst_since ? now - s->worst_since
						      : 0;
}

int64_t
stall_behind(const struct stall *s, int64_t now)
{
	int64_t from;

	if (s->worst == 0 || s->lock_since == 0)
		return 0;
	from = s->worst_since > s->lock_since ? s->worst_since
					      : s->lock_since;
	return now > from ? now - from : 0;
}

void
stall_describe(const struct stall *s, int64_t now, char *buf, size_t n)
{
	char many[40] = "";

	if (s->waiting > 1)
		fmt(many, sizeof(many), " (the longest of %d)", s->waiting);
	fmt(buf, n, "connection %lu (%s) waited %lld ms in \"%s\"%s: "
	    "%.100s%s", s->worst, s->worst_user,
	    (long long)stall_worst(s, now), s->worst_state, many,
	    s->worst_info, strlen(s->worst_info) > 100 ? "..." : "");
}

/* plist_read's callback: one row into the watch. */
static int
stall_list_row(void *arg, MYSQL_ROW row)
{
	struct stall *s = arg;

	if (row == NULL) {
		stall_begin(s);
		return 0;
	}
	stall_row(s, strtoul(row[0] ? row[0] : "0", NULL, 10), row[1], row[6],
		  row[7]);
	return 0;
}

int
stall_read(struct db *d, struct stall *s, struct failure *f)
{
	if (plist_read(d, 0, stall_list_row, s, f) == -1)
		return -1;
	stall_end(s, mono_ms());
	return 0;
}

int64_t
stall_poll_ms(long long max_ms)
{
	int64_t p = max_ms / 4;

	return p < 10 ? 10 : p > 100 ? 100 : p;
}

int
stall_waiting(struct db *d, char *why, size_t n, struct failure *f)
{
	static struct stall s;
	char who[400];

	stall_start(&s, 0, mono_ms());
	if (stall_read(d, &s, f) == -1)
		return -1;
	if (s.waiting == 0)
		return 0;
	stall_describe(&s, mono_ms(), who, sizeof(who));
	fmt(why, n, "%d connection%s still wait%s behind a lock or a flush: "
	    "%s", s.waiting, s.waiting == 1 ? "" : "s",
	    s.waiting == 1 ? "s" : "", who);
	return 1;
}
