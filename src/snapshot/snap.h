/* snap.h - between snapshot.c (the verb, the frozen window, the
 * report) and snapsteps.c (its steps over one server or several): not
 * for other files. */
#ifndef MQ_SNAP_H
#define MQ_SNAP_H

#include "backend.h"
#include "config.h"
#include "db.h"
#include "failure.h"
#include "plan.h"
#include "quiesce.h"

struct snap {
	const struct config *c;
	const struct backend *be;
	int dry;
	struct plan_opts po;
	struct watchdog wd;
	struct snapctx x;
	struct begin_opts bo; /* fs_frozen: the filesystems are frozen
			       * around the snapshot */
	/* its servers: the one (a fleet of one, or -s NAME's), or every
	 * [mysql NAME] one; each one's info file, connection and plan */
	int n;
	int named;           /* several, each told by its name */
	const struct server_config *sv[CONFIG_MAX_SERVERS];
	char info[CONFIG_MAX_SERVERS][CONFIG_STR_MAX];
	struct db d[CONFIG_MAX_SERVERS];
	struct plan sp[CONFIG_MAX_SERVERS];
	struct plan all;     /* several servers' plans made one */
	struct plan *p;      /* the plan: sp[0] of one server, else all */
	long long max_lock_time; /* the shortest of the servers' */
	int locked;          /* how many of them hold their lock */
};

/* The plan: the server, its paths, the filesystems and devices; with
 * several servers, each one's, and all of them together. MQ_OK, or
 * the code with f saying why. */
int snap_plan(struct snap *s, struct failure *f);

/* Lock the one server, or every server in turn (each its own run_dir,
 * holder and info file); if one cannot be locked, the ones locked
 * before it are released. MQ_OK, or the code with f naming the
 * server. */
int snap_lock_all(struct snap *s, struct failure *f);

/* The engines' logs flushed and synced with the lock held; then every
 * connection closed: nothing may inherit one. */
int snap_record(struct snap *s, struct failure *f);

/* Unlock every server locked (a lost lock first among the codes). */
int snap_unlock_all(struct snap *s, struct failure *f);

#endif
