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

struct snap {
	struct config c;     /* ours: on_failure = fail, info file set */
	const struct backend *be;
	int dry;
	struct plan_opts po;
	struct db d;
	struct plan p;       /* with several servers: all of theirs */
	struct watchdog wd;
	struct snapctx x;
	/* several servers: each one's config, connection and plan (the
	 * connection of a single server is d) */
	int nsv;
	struct config sc[CONFIG_MAX_SERVERS];
	struct db sd[CONFIG_MAX_SERVERS];
	struct plan sp[CONFIG_MAX_SERVERS];
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
