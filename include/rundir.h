/* rundir.h - run_dir: opened only when safe, the run lock one freeze
 * or thaw at a time holds, and the holder's record lock
 * (src/base/rundir.c). */
#ifndef MQ_RUNDIR_H
#define MQ_RUNDIR_H

#include "failure.h"

#include <stddef.h>
#include <sys/types.h>

#define RUN_LOCK "lock"
#define HOLDER_LOCK "holder.lock"

/*
 * Open run_dir (creating it 0700 if create and it is missing) after
 * checking it is a real directory, owned by us, not writable by others.
 * Returns the directory fd; -2 if it is missing and !create; -1 with f
 * saying why (MQ_STATE) if it is unsafe or cannot be opened.
 */
int rundir_open(const char *path, int create, struct failure *f);

/*
 * Take an exclusive flock on dirfd/name (created 0600, never through a
 * symlink), waiting at most wait_s seconds (0 = do not wait). Returns
 * the fd that holds it (closing it releases), -2 if it is held by
 * another process, -1 on error (errno).
 */
int rundir_lock(int dirfd, const char *name, unsigned wait_s);

/* run_dir opened and its run lock (RUN_LOCK) held: one freeze or thaw
 * at a time. */
struct rundir {
	int dirfd;  /* -1: run_dir does not exist (and create was 0) */
	int lockfd;
};

/*
 * Open run_dir (creating it if create) and take its run lock, waiting
 * at most wait_s seconds for another freeze or thaw to finish. MQ_OK
 * (rd->dirfd is -1 when run_dir is missing and !create), MQ_BUSY, or
 * MQ_STATE / MQ_FAIL with f set; rd holds nothing then.
 */
int rundir_enter(const char *path, int create, unsigned wait_s,
		 struct rundir *rd, struct failure *f);

/* Drop the run lock and close run_dir. */
void rundir_leave(struct rundir *rd);

/*
 * The holder's lock: a POSIX record lock over all of dirfd/name
 * (created 0600, never through a symlink), held by the process that
 * took it until it exits (closing any descriptor of the file in that
 * process drops it too: the holder opens it once). Returns the fd, -2
 * if another process holds it, -1 on error (errno).
 */
int rundir_hold(int dirfd, const char *name);

/* The pid holding rundir_hold's lock on dirfd/name, asked of the
 * kernel (F_GETLK: microseconds, no walk of /proc/locks); 0 if none
 * holds it (or the caller does), -1 on error. */
pid_t rundir_holder(int dirfd, const char *name);

/* The pid that took the flock on dirfd/name, from /proc/locks (the
 * taker, even if a child inherited the descriptor); 0 if none holds
 * it, -1 on error. A walk of the kernel's lock table (milliseconds):
 * only for the message of a busy run lock. */
pid_t rundir_lock_owner(int dirfd, const char *name);

#endif
