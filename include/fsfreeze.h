/* fsfreeze.h - the filesystems of a snapshot: trial freeze, FIFREEZE in
 * order, FITHAW in reverse, and the watchdog that thaws them if we die
 * or hang. */
#ifndef MQ_FSFREEZE_H
#define MQ_FSFREEZE_H

#include "failure.h"

#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "discover.h"

enum { FS_MAX = 16 };

/* The filesystems to freeze, parents before what is mounted in them. */
struct fsset {
	int n;
	struct mountpt mp[FS_MAX];
	int fd[FS_MAX];      /* open on the mount point, -1 until fs_trial */
	int frozen[FS_MAX];
};

void fs_init(struct fsset *fs);

/* Add the filesystem that holds path (once; kept sorted parents
 * first). 0, or -1 with f saying why. */
int fs_add(struct fsset *fs, const char *proc_root, const char *path,
	   struct failure *f);

/* Mount points, space-separated, into buf. */
void fs_list(const struct fsset *fs, char *buf, size_t n);

/*
 * Before anything is locked: open every mount point and prove each can
 * be frozen and is not frozen now (FIFREEZE + FITHAW). 0, or -1 with f
 * saying why; nothing is left frozen either way.
 */
int fs_trial(struct fsset *fs, struct failure *f);

/*
 * FIFREEZE each, parents first. Writes nothing but log lines (hold the
 * log first). 0, or -1 with f saying why; what was frozen stays frozen,
 * for fs_thaw.
 */
int fs_freeze(struct fsset *fs, struct failure *f);

/* FITHAW what we froze, last first. A filesystem someone else thawed
 * already is not an error. Returns how many could not be thawed. */
int fs_thaw(struct fsset *fs);

void fs_close(struct fsset *fs);

/*
 * The watchdog: this program exec'd as WATCHDOG_NAME (an internal
 * role, like the holder) before the first FIFREEZE, in a session of
 * its own, with the config's path, a socket to us and the mount points
 * open, and no other descriptor; started only once it has said it has
 * its orders (-1 otherwise, nothing frozen, nothing left running).
 * It reads c's file itself; server: -s NAME, the one server whose
 * lock it releases, or NULL: every server's.
 * If we die (its socket reads EOF) or are still frozen at deadline +
 * slack, it thaws every filesystem,
 * SIGKILLs the process group it was told of, and releases the lock
 * (release_lock). Tell it the group of a child that may be stuck; stop
 * it once all is thawed. Exec'd, not forked: a fork of a process that
 * may have loaded libcurl (and its threads) may run no library code.
 */
#define WATCHDOG_NAME "mysql-quiesce-watchdog"
struct watchdog {
	pid_t pid;
	int fd;
};

enum { WATCHDOG_SLACK_MS = 3000 }; /* past the deadline, it acts */

int fs_watchdog_start(struct watchdog *w, const struct fsset *fs,
		      int64_t deadline, const struct config *c,
		      const char *server);
void fs_watchdog_group(struct watchdog *w, pid_t pgrp);
void fs_watchdog_stop(struct watchdog *w);

/* The watchdog's side, in the exec'd role: wait for our orders, EOF or
 * the deadline; -1 when told to stop (nothing to do), else, everything
 * thawed and the group killed, 1 if the deadline passed, 0 if we died. */
int fs_watch(void);

#endif
