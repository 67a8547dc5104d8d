/* lock.h - lock methods: what they run, and what makes them wait. */
#ifndef MQ_LOCK_H
#define MQ_LOCK_H

#include "config.h"
#include "db.h"

struct lock_method {
	const char *name;
	const char *const *take;    /* statements in order, NULL-ended */
	const char *const *release; /* every one is run, errors or not */
	int writes_only;            /* waits only for writes and DDL */
};

/*
 * The method to use on this server: the configured one, or for "auto"
 * the lightest exact one for the flavor and version. NULL with a reason
 * in err when the configured method does not exist on this server.
 */
const struct lock_method *lock_choose(const char *configured, enum flavor f,
				      unsigned long version, char *err,
				      size_t n);

/* The method named name, or NULL. */
const struct lock_method *lock_by_name(const char *name);

/*
 * Take the lock: run m->take in order. On failure every statement of
 * m->release has been run (a failed FTWRL can keep the global read
 * lock), d->err says why, and -1 is returned.
 */
int lock_take(struct db *d, const struct lock_method *m);

/* Release: run every statement of m->release; 0, or -1 if one failed
 * (d->err says which). */
int lock_release(struct db *d, const struct lock_method *m);

/*
 * Look for a statement that would make the lock wait: running longer
 * than long_query_threshold, of a kind that blocks m, not a replication
 * or daemon thread, not ours. Returns 0 if there is none, 1 if there is
 * (described in why, sanitized), -1 on error (d->err).
 */
int lock_find_blocker(struct db *d, const struct config *c,
		      const struct lock_method *m, char *why, size_t n);

/* The process-list query lock_find_blocker runs; 0 or -1 (too long). */
int lock_blocker_sql(struct db *d, const struct config *c,
		     const struct lock_method *m, char *sql, size_t n);

#endif
