/* rundir.c - run_dir: checked before use, entered under its run lock
 * (flock), and the holder's record lock, whose owner the kernel names. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "event.h"
#include "log.h"
#include "rundir.h"
#include "state.h"
#include "util.h"

/*
 * MUST: run_dir is used only when it is a real directory of ours that
 * nobody else can write, checked on the descriptor then used; its locks
 * are never taken through a symlink.
 */

static int
check_dir(const struct stat *st, const char *path, struct failure *f)
{
	if (S_ISLNK(st->st_mode)) {
		failf(f, MQ_STATE, "run_dir %s is a symlink; refusing it",
		    path);
		return -1;
	}
	if (!S_ISDIR(st->st_mode)) {
		failf(f, MQ_STATE, "run_dir %s is not a directory", path);
		return -1;
	}
	if (st->st_uid != geteuid()) {
		failf(f, MQ_STATE, "run_dir %s is owned by uid %u, not us; "
		    "refusing it", path, (unsigned)st->st_uid);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		failf(f, MQ_STATE, "run_dir %s is writable by group or others; "
		    "refusing it", path);
		return -1;
	}
	return 0;
}

int
rundir_open(const char *path, int create, struct failure *f)
{
	struct stat st, fst;
	int fd;

	if (lstat(path, &st) == -1) {
		if (errno != ENOENT) {
			failf(f, MQ_STATE, "run_dir %s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (!create)
			return -2;
		if (mkdir(path, 0700) == -1 && errno != EEXIST) {
			failf(f, MQ_STATE, "run_dir %s: cannot create it: %s",
			    path, strerror(errno));
			return -1;
		}
		if (lstat(path, &st) == -1) {
			failf(f, MQ_STATE, "run_dir %s: %s", path,
			    strerror(errno));
			return -1;
		}
	}
	if (check_dir(&st, path, f) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		int e = errno;

		failf(f, MQ_STATE, "run_dir %s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	/* The directory we opened must be the one we checked. */
	if (fstat(fd, &fst) == -1 || fst.st_dev != st.st_dev ||
	    fst.st_ino != st.st_ino) {
		failf(f, MQ_STATE, "run_dir %s changed while opening it", path);
		close(fd);
		return -1;
	}
	if (check_dir(&fst, path, f) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

enum { LOCK_RETRY_MS = 20 };

int
rundir_lock(int dirfd, const char *name, unsigned wait_s)
{
	int64_t end = mono_ms() + (int64_t)wait_s * 1000;
	int fd, saved;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	if (fd == -1)
		return -1;
	/* Try, and retry until the end: no blocking call that a signal
	 * would have to interrupt. */
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int64_t next = mono_ms() + LOCK_RETRY_MS;

		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    mono_ms() >= end) {
			saved = errno;
			close(fd);
			if (saved == EWOULDBLOCK || saved == EINTR)
				return -2;
			errno = saved;
			return -1;
		}
		wait_until(NULL, 0, next < end ? next : end);
	}
	return fd;
}

int
rundir_enter(const char *path, int create, unsigned wait_s,
	     struct rundir *rd, struct failure *f)
{
	int saved;

	rd->lockfd = -1;
	errno = 0;
	rd->dirfd = rundir_open(path, create, f);
	if (rd->dirfd == -2) {
		rd->dirfd = -1;
		return MQ_OK;
	}
	if (rd->dirfd == -1)
		return f->code = shortage(errno) ? MQ_FAIL : MQ_STATE;
	rd->lockfd = rundir_lock(rd->dirfd, RUN_LOCK, wait_s);
	if (rd->lockfd >= 0)
		return MQ_OK;
	saved = errno;
	if (rd->lockfd == -2) {
		pid_t who = rundir_lock_owner(rd->dirfd, RUN_LOCK);

		close(rd->dirfd);
		rd->dirfd = rd->lockfd = -1;
		return failf(f, MQ_BUSY, "another freeze or thaw (pid %d) is "
			     "running%s", (int)who,
			     wait_s ? " and did not finish in time" : "");
	}
	close(rd->dirfd);
	rd->dirfd = -1;
	rd->lockfd = -1;
	return failf(f, shortage(saved) ? MQ_FAIL : MQ_STATE,
		     "cannot lock %s/%s: %s", path, RUN_LOCK, strerror(saved));
}

void
rundir_leave(struct rundir *rd)
{
	if (rd->lockfd >= 0)
		close(rd->lockfd);
	if (rd->dirfd >= 0)
		close(rd->dirfd);
	rd->lockfd = rd->dirfd = -1;
}

/* A write lock over the whole file: the holder's. */
static struct flock
whole_file(void)
{
	struct flock l;

	memset(&l, 0, sizeof(l));
	l.l_type = F_WRLCK;
	l.l_whence = SEEK_SET;
	return l;
}

int
rundir_hold(int dirfd, const char *name)
{
	struct flock l = whole_file();
	int fd, e;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK, 0600);
	if (fd == -1)
		return -1;
	if (fcntl(fd, F_SETLK, &l) == 0)
		return fd;
	e = errno;
	close(fd);
	if (e == EAGAIN || e == EACCES)
		return -2;
	errno = e;
	return -1;
}

pid_t
rundir_holder(int dirfd, const char *name)
{
	struct flock l = whole_file();
	int fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	/* The kernel names the owner of a conflicting record lock: one
	 * look-up, however many locks the machine holds. */
	e = fcntl(fd, F_GETLK, &l);
	close(fd);
	if (e == -1)
		return -1;
	return l.l_type == F_UNLCK ? 0 : l.l_pid;
}

pid_t
rundir_lock_owner(int dirfd, const char *name)
{
	char line[256];
	struct stat st;
	pid_t owner = 0;
	FILE *f;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((f = fopen("/proc/locks", "re")) == NULL)
		return -1;
	/* "1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"; blocked
	 * waiters are shown with "->" and hold nothing */
	while (owner == 0 && fgets(line, sizeof(line), f) != NULL) {
		char type[16], rw[16];
		unsigned maj, min;
		unsigned long long ino;
		int pid;

		if (strstr(line, "->") != NULL ||
		    sscanf(line, "%*s %15s %*s %15s %d %x:%x:%llu", type, rw, &pid,
			   &maj, &min, &ino) != 6)
			continue;
		if (strcmp(type, "FLOCK") == 0 && ino == st.st_ino &&
		    maj == major(st.st_dev) && min == minor(st.st_dev))
			owner = pid;
	}
	fclose(f);
	return owner;
}

