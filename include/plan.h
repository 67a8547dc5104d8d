/* plan.h - what a snapshot of this server covers: the data and binary
 * log directories, their filesystems and the block devices under them.
 * Read by snapshot mode and by check. */
#ifndef MQ_PLAN_H
#define MQ_PLAN_H

#include <limits.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "discover.h"
#include "fsfreeze.h"
#include "log.h"

enum { PLAN_MAX_DEVS = DISC_MAX_DEVS };

/* What a snapshot of this server covers: one struct, read by snapshot
 * mode, its backends and check. */
struct plan {
	char datadir[PATH_MAX];
	char binlog_dir[PATH_MAX];       /* "" with binary logging off */
	char innodb_dirs[3][PATH_MAX];   /* InnoDB's redo, undo and system
					  * tablespace directories when
					  * given as absolute paths, else "" */
	struct fsset fs;                 /* the filesystems to freeze */
	char devs[PLAN_MAX_DEVS][64];    /* their leaf block devices */
	int ndev;
};

/* Which filesystems: the discovered ones (no_fs: none), or replaced by
 * or added to with paths given by the user. */
struct plan_opts {
	int no_fs, replace;
	const char *add[FS_MAX];
	int nadd;
};

/*
 * Connect to server sv of c (d is left open; a stop signal on sigfd, or -1,
 * abandons the connect), read @@datadir, the binary log's directory and
 * InnoDB's own (redo, undo, system tablespace: a crash image needs
 * them with the data),
 * and find the filesystems and their leaf devices into p (fs_init'd
 * here), logging each. MQ_OK, or a code with f set.
 */
int plan_discover(const struct config *c, const struct server_config *sv,
		  const struct plan_opts *o, struct db *d, int sigfd,
		  struct plan *p, struct failure *f);

#endif
