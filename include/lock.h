/* lock.h - lock methods: what they run, and what makes them wait. */
#ifndef MQ_LOCK_H
#define MQ_LOCK_H

#include "failure.h"

#include "config.h"
#include "db.h"
#include "stmt.h"

struct lock_method {
	enum method_choice id;      /* its name: method_choice_names[id] */
	const char *const *take;    /* statements in order, NULL-ended */
	const char *const *release; /* every one is run, errors or not */
	int backup_lock;            /* waits only for non-transactional
				     * writes and DDL on any flavor */
	const char *first_wait;     /* what a lock wait timeout on take[0]
				     * means, or NULL */
	int blocks_from;            /* take[blocks_from] is the first
				     * statement that blocks commits (or
				     * non-transactional writes): the stall
				     * reported counts from its sending */
	int optional_first;         /* take[0] only eases take[1]: it may
				     * be left out */
	int by_recovery;            /* blocks no commit: the coordinates
				     * read under it are a lower bound, the
				     * exact ones are the restored server's
				     * own (verify reads them back) */
};

/*
 * The method to use on this server: the configured one, or for "auto"
 * the lightest exact one for the flavor and version. NULL with f
 * saying why (MQ_CONFIG) when the configured method does not exist on
 * this server.
 */
const struct lock_method *lock_choose(enum method_choice configured,
				      enum flavor fl, unsigned long version,
				      struct failure *f);

/* The method named name for this server (as lock_choose), or NULL
 * (auto is not a method). */
const struct lock_method *lock_by_name(const char *name, enum flavor fl,
				       unsigned long version);

/* Whether the method recorded as name reads a lower bound, not exact
 * coordinates (method recovery, on any flavor). */
int lock_lower_bound(const char *name);

/* m's name, as configured and recorded. */
const char *lock_name(const struct lock_method *m);

/*
 * Take the lock: run m->take in order from take[skip] (skip: 0, or 1
 * when m->optional_first); *blocks_at is CLOCK_MONOTONIC ms when
 * take[from] (or the first statement sent, if later) was sent: from
 * then on writers may wait, while it waits and while it holds. On
 * failure every statement of m->release has been run (a failed FTWRL
 * can keep the global read lock), f says why, and -1 is returned.
 */
int lock_take(struct db *d, const struct lock_method *m, int skip, int from,
	      int64_t *blocks_at, struct failure *f);

/* Release: run every statement of m->release; 0, or -1 if one failed
 * (f says the first that did). */
int lock_release(struct db *d, const struct lock_method *m,
		 struct failure *f);

/* What a pending lock waits for, and so what counts as a blocker. */
enum lock_waits {
	WAITS_ALL,    /* every running statement (MySQL FTWRL) */
	WAITS_WRITES, /* every write and DDL, not reads (MariaDB FTWRL) */
	WAITS_NONTX,  /* DDL and writes to non-transactional tables */
};

enum lock_waits lock_waits_for(const struct lock_method *m, enum flavor f,
			       unsigned long version);
const char *lock_waits_name(enum lock_waits w);

/*
 * The first statement of m that can make writers wait, where the lock
 * waits for w: on a server whose FLUSH waits for every running
 * statement (WAITS_ALL: MySQL, Percona, MariaDB < 10.4.1), the
 * pre-flush already does (each new statement waits for the tables it
 * marked old); elsewhere m->blocks_from.
 */
int lock_blocks_from(const struct lock_method *m, enum lock_waits w);

/*
 * How many of m's first statements to leave out (0 or 1): where a FLUSH
 * waits for running statements (WAITS_ALL), the optional pre-flush is
 * left out while any statement with tables open runs (running != 0, or
 * unknown: -1): it would only stall writers behind it once more.
 */
int lock_skip_first(const struct lock_method *m, enum lock_waits w,
		    int running);

/* A statement that makes (or would make) the lock wait. */
struct blocker {
	unsigned long id;
	long long time;          /* seconds it has been running */
	enum stmt_kind kind;
	int tableless;           /* opens no table: no flush waits for it */
	char user[128], host[128], command[32];
	char db[256], table[256]; /* a write's table (db: the statement's,
				   * else the connection's default) */
	char info[1025];         /* statement text, sanitized, maybe cut */
};


/*
 * check's warning for a server whose FLUSH waits for every running
 * statement (w == WAITS_ALL) when kill_long_queries is "no": the lock
 * waits for a moment when no statement runs, so a long read delays the
 * freeze. NULL when it does not apply.
 */
const char *lock_stall_warning(enum lock_waits w, enum kill_choice kill);


/*
 * The statements running at least min_time seconds that the lock would
 * wait for: not replication threads, the event scheduler or other
 * daemons, not this connection or connection skip (0: none), not an
 * ignored command, not a read the lock does not wait for. Of the max
 * (>= 1) longest-running such statements, those the lock waits for
 * (a write's table looked up), longest-running first; not one that is
 * itself waiting behind a global lock or a flush (stall_state). Read
 * with plist_read. Returns how many, or -1 on error (f set).
 */
int lock_blockers(struct db *d, const struct server_config *c, enum lock_waits w,
		  long long min_time, unsigned long skip, struct blocker *b,
		  int max, struct failure *f);


/* True when kill_long_queries allows killing this blocker. */
int lock_killable(const struct server_config *c, const struct blocker *b);

/* One line about b for the log: id, account, time, statement. */
void lock_blocker_describe(const struct blocker *b, char *buf, size_t n);

#endif
