/* backend.h - how snapshot mode takes the snapshot itself: a small
 * interface each backend (src/backend/) fills in, and the one way a
 * run of one ends (src/backend/backend.c). */
#ifndef MQ_BACKEND_H
#define MQ_BACKEND_H

#include <stdint.h>

#include "config.h"
#include "exits.h"
#include "fsfreeze.h"
#include "plan.h"
#include "log.h"
#include "state.h"

/* What snapshot mode knows, handed to the backend at each step. */
struct snapctx {
	const struct config *c;
	const struct plan *plan;     /* the data's directories, the
				      * filesystems frozen around take and
				      * their devices */
	const char *info_file;       /* the binlog info file */
	char **args;                 /* the backend's own arguments */
	long long timeout;           /* seconds the frozen window may last */
	struct state st;             /* the coordinates, once locked */
	int sigfd;                   /* stop signals (event.h) */
	int64_t deadline;            /* mono ms: the frozen window's end */
	struct watchdog *wd;         /* tell it a child's process group */
	void *priv;                  /* the backend's own state, made
				      * by its first step, freed by
				      * finish (backend_end) */
	/* several servers ([mysql NAME]): each one's name, info file and
	 * coordinates; nsv 0 with one server (st and info_file are its) */
	int nsv;
	const char *sv_name[CONFIG_MAX_SERVERS];
	const char *sv_info[CONFIG_MAX_SERVERS];
	struct state sv_st[CONFIG_MAX_SERVERS];
};

/*
 * A backend. Each step returns an exit code (exits.h) and, when not
 * MQ_OK, says why in f:
 *  - plan: --dry-run; print what would be done, change nothing;
 *  - prepare: before anything is locked or frozen: check arguments,
 *    credentials, the mapping of devices, so that a mistake costs
 *    nothing;
 *  - take: while the filesystems are frozen and the lock is held.
 *    Writes no file, logs only (the log is held), returns by
 *    ctx->deadline whatever happens, and on a stop signal (ctx->sigfd)
 *    returns MQ_ABORTED at once. MQ_TIMEOUT at the deadline;
 *  - finish: after thaw and unlock, with take's code (or
 *    BACKEND_NOT_TAKEN): reap what take started, retention (only after
 *    a snapshot was taken), reporting; free the backend's state. Its failure does not undo a
 *    snapshot that was taken: return MQ_OK and log a warning then.
 */
struct backend {
	const char *name;
	int (*plan)(struct snapctx *x, struct failure *f);
	int (*prepare)(struct snapctx *x, struct failure *f);
	int (*take)(struct snapctx *x, struct failure *f);
	int (*finish)(struct snapctx *x, int took, struct failure *f);
};

/*
 * The end of a run of be, on every path once a step ran: finish with
 * took (take's code, or BACKEND_NOT_TAKEN when take never ran: a dry
 * run, or a failure before the lock), which reaps what take started
 * and frees (and wipes) the backend's state.
 * A failure of finish is logged as a warning: it undoes nothing.
 */
enum { BACKEND_NOT_TAKEN = -1 };
void backend_end(const struct backend *be, struct snapctx *x, int took);

/* The command backend: run any snapshot command (backend/command.c). */
extern const struct backend backend_command;

/* Native EBS: CreateSnapshots of this instance (backend/ebs.c). */
extern const struct backend backend_ebs;

#endif
