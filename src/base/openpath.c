/* openpath.c - open a configured path as run_dir's files are opened. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openpath.h"
#include "util.h"

/*
 * MUST: never follow a symlink another user could have planted, never
 * write to a file another user owns, never block in open() (a FIFO
 * with no reader, a device), and make every check on the descriptor
 * that is then used (the parent's, then the file's).
 */

static int
ours(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

static const char *
kind(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) || S_ISBLK(m) ? "a device" :
	       S_ISDIR(m) ? "a directory" : S_ISSOCK(m) ? "a socket" :
	       "not a regular file";
}

/* Split path into its directory (into dir) and its last name. */
static const char *
split(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return fmt(dir, n, ".") == -1 ? NULL : path;
	if (slash[1] == '\0' ||
	    fmt(dir, n, "%.*s", slash == path ? 1 : (int)(slash - path),
		path) == -1)
		return NULL;
	return slash + 1;
}

static int
refuse(int fd, int e, struct failure *f, const char *what,
       const char *path, const char *why)
{
	failf(f, MQ_FAIL, "%s %s: %s", what, path, why);
	if (fd != -1)
		close(fd);
	errno = e;
	return -1;
}

int
open_path(const char *what, const char *path, int flags, mode_t mode,
	  struct failure *f)
{
	char dir[PATH_MAX], why[PATH_MAX + 96];
	const char *base = split(path, dir, sizeof(dir));
	int writing = (flags & O_ACCMODE) != O_RDONLY, dfd, fd, e, trusted;
	struct stat ds, st;

	if (base == NULL)
		return refuse(-1, EINVAL, f, what, path,
			      "not a file path");
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || fstat(dfd, &ds) == -1) {
		e = errno;
		fmt(why, sizeof(why), "its directory: %s", strerror(e));
		return refuse(dfd, e, f, what, path, why);
	}
	trusted = ours(ds.st_uid) && !(ds.st_mode & (S_IWGRP | S_IWOTH));
	flags |= O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (trusted ? 0 : O_NOFOLLOW);
	fd = openat(dfd, base, flags, mode);
	e = errno;
	close(dfd);
	if (fd == -1) {
		if (e == ELOOP && !trusted)
			fmt(why, sizeof(why), "a symlink in %s, which others "
			    "can write; refusing it", dir);
		else if (e == ENXIO)
			fmt(why, sizeof(why), "a FIFO or device, not a "
			    "regular file; refusing it");
		else
			fmt(why, sizeof(why), "%s", strerror(e));
		return refuse(-1, e, f, what, path, why);
	}
	if (fstat(fd, &st) == -1)
		return refuse(fd, errno, f, what, path, strerror(errno));
	if (!S_ISREG(st.st_mode)) {
		fmt(why, sizeof(why), "%s, not a regular file; refusing it",
		    kind(st.st_mode));
		return refuse(fd, EINVAL, f, what, path, why);
	}
	if ((writing || !trusted) && !ours(st.st_uid)) {
		fmt(why, sizeof(why), "owned by uid %u, neither root nor us; "
		    "refusing it", (unsigned)st.st_uid);
		return refuse(fd, EPERM, f, what, path, why);
	}
	if (writing && !trusted && st.st_nlink > 1) {
		fmt(why, sizeof(why), "has %lu hard links in %s, which others "
		    "can write; refusing it", (unsigned long)st.st_nlink, dir);
		return refuse(fd, EPERM, f, what, path, why);
	}
	return fd;
}

int
fd_check_safe(int fd, const char *what, struct stat *st, struct failure *f)
{
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		failf(f, MQ_FAIL, "%s: not a regular file; refusing it", what);
		return -1;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		failf(f, MQ_FAIL, "%s: writable by group or others; refusing "
		    "it (chmod go-w)", what);
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		failf(f, MQ_FAIL, "%s: owned by uid %u, neither root nor us; "
		    "refusing it", what, (unsigned)st->st_uid);
		return -1;
	}
	return 0;
}

int
read_data_file(int dirfd, const char *name, size_t max, char **text,
	       size_t *len, struct failure *f)
{
	struct stat st;
	int fd, e;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		e = errno;
		failf(f, MQ_FAIL, "%s", e == ELOOP ? "a symlink: not followed" :
		    strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		failf(f, MQ_FAIL, "not a regular file");
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (read_text(fd, max, text, len) == -1) {
		failf(f, MQ_FAIL, "%s", *len > max ? "too large"
		    : strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if (strlen(*text) != *len) {
		failf(f, MQ_FAIL, "holds a NUL byte");
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}
