/* plan.h - what a snapshot of this server covers: the data and binary
 * log directories, their filesystems and the block devices under them.
 * Read by snapshot mode and by check. */
#ifndef MQ_PLAN_H
#define MQ_PLAN_H

#include "backend.h"
#include "db.h"
#include "fsfreeze.h"

/* Which filesystems: the discovered ones (no_fs: none), or replaced by
 * or added to with paths given by the user. */
struct plan_opts {
	int no_fs, replace;
	const char *add[FS_MAX];
	int nadd;
};

/*
 * Connect as c says (d is left open), read @@datadir and the binary
 * log's directory into x->datadir and binlog_dir, and find the
 * filesystems (into fs) and their leaf devices (into x->devs), logging
 * each. MQ_OK, or a code with f set.
 */
int plan_discover(const struct config *c, const struct plan_opts *o,
		  struct db *d, struct snapctx *x, struct fsset *fs,
		  char *binlog_dir, size_t bn, struct failure *f);

#endif
