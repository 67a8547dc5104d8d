/* openpath.h - the one way to open a file the configuration names. */
#ifndef MQ_OPENPATH_H
#define MQ_OPENPATH_H

#include <stddef.h>
#include <sys/types.h>

#include "failure.h"

/*
 * Open path (flags as for open(2); O_CLOEXEC, O_NOCTTY and O_NONBLOCK
 * are always added) for the file the config calls what ("log_file").
 * The parent directory is opened and checked first, and the file is
 * opened from that descriptor:
 *  - a parent that anyone but root and us can write (Debian's
 *    /var/log/mysql is the mysql user's) is untrusted: no symlink is
 *    followed there, and the file found must be root's or ours, with
 *    one link when it is opened for writing;
 *  - in a trusted parent a symlink (placed by root or us) is followed,
 *    and a file opened for writing must still be root's or ours;
 *  - only a regular file is accepted: a FIFO, device, socket or
 *    directory is refused at once, never waited on.
 * Returns the descriptor, or -1 with errno set and f saying "WHAT
 * PATH: why" (errno ENOENT when the file or its directory is missing).
 */
int open_path(const char *what, const char *path, int flags, mode_t mode,
	      struct failure *f);

/*
 * The rules for a file we take settings or secrets from, checked on the
 * open descriptor we then read: a regular file, owned by root or us,
 * that group and others cannot write. 0 (st filled), or -1 with
 * f saying "WHAT: why; refusing it".
 */
struct stat;
int fd_check_safe(int fd, const char *what, struct stat *st,
		  struct failure *f);

/*
 * A file read as data (a restored snapshot's, shaped by whoever made
 * it), whole: name in dirfd, never through a symlink, never blocking,
 * a regular file only, at most max bytes, no NUL byte. 0 (*text to
 * free, *len), or -1 with f saying why and errno (ENOENT: there is
 * none).
 */
int read_data_file(int dirfd, const char *name, size_t max, char **text,
		   size_t *len, struct failure *f);

#endif
