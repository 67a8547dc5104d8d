/* stall.h - what writers feel while a lock attempt waits: connections
 * waiting behind a global lock or a flush, and for how long. */
#ifndef MQ_STALL_H
#define MQ_STALL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "db.h"

/*
 * 1 if a process-list State is that of a statement waiting behind a
 * global read lock, a commit lock, a backup or binlog lock or a table
 * flush: "Waiting for global read lock", "Waiting for commit lock",
 * "Waiting for table flush" (MySQL; its FLUSH marks every open table
 * old and each new statement waits for the old one to close), "Waiting
 * for backup lock" (MariaDB >= 10.4, writers behind a waiting FTWRL;
 * Percona), "Waiting for binlog lock" (Percona). 0 otherwise, and for
 * NULL.
 */
int stall_state(const char *state);

enum { STALL_MAX = 64 }; /* connections followed; the rest are counted */

struct stall_conn {
	unsigned long id;
	int64_t since; /* mono ms: waiting since at most then */
	int seen;      /* seen in the current read */
};

struct stall {
	unsigned long holder; /* the lock's connection, 0: none */
	int64_t last;         /* the previous read's mono ms */
	int64_t lock_since;   /* the lock waiting since (0: it was not) */
	int lock_seen;        /* the lock seen waiting in this read */
	int n;
	struct stall_conn w[STALL_MAX];
	/* the last read's longest-waiting writer */
	int waiting;          /* how many waited */
	unsigned long worst;  /* its connection, 0: none */
	int64_t worst_since;
	char worst_state[64], worst_user[128], worst_info[160];
};

/* A new watch, from now: nothing is known to wait yet. */
void stall_start(struct stall *s, unsigned long holder, int64_t now);

/* One read taken at now: stall_begin, a stall_row per process-list
 * row, stall_end(now). A connection first seen waiting counts as waiting
 * since the read before (the watch errs toward the writer). */
void stall_begin(struct stall *s);
void stall_row(struct stall *s, unsigned long id, const char *user,
	       const char *state, const char *info);
void stall_end(struct stall *s, int64_t now);

/*
 * How long the worst writer has waited while the lock waited too (ms; 0
 * when the lock is not waiting or no writer is): a lock busy flushing
 * stalls writers for its work, which the stall figure reports; a lock
 * waiting behind another statement stalls them for nothing.
 */
int64_t stall_behind(const struct stall *s, int64_t now);

/* How long the worst writer of the last read has waited (ms; 0: none). */
int64_t stall_worst(const struct stall *s, int64_t now);

/* The worst writer on one line: connection, account, wait, state,
 * statement. */
void stall_describe(const struct stall *s, int64_t now, char *buf,
		    size_t n);

/*
 * Read the process list into s at the current time (s->holder is the
 * lock's connection). 0, or -1 with f set.
 */
int stall_read(struct db *d, struct stall *s, struct failure *f);

/*
 * A fresh read: do connections still wait behind a global lock or a
 * flush (after an abandoned attempt)? 1, with "N connections still
 * wait behind a lock or a flush: <the longest>" in why; 0 none; -1
 * error (f set).
 */
int stall_waiting(struct db *d, char *why, size_t n, struct failure *f);

/* How often to read while watching for a bound of max_ms: a quarter of
 * it, within [10, 100] ms. */
int64_t stall_poll_ms(long long max_ms);

#endif
