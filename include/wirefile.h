/* wirefile.h - wire's files under a root (src/verb/wirefile.c). Each
 * path is absolute as the guest sees it; root ("" for /) is put before
 * it. */
#ifndef MQ_WIREFILE_H
#define MQ_WIREFILE_H

#include <stddef.h>
#include <sys/types.h>

/* The file at root+path, read whole (at most n - 1 bytes) without
 * following a link: 1 read, 0 absent, -1 not a regular file or
 * unreadable (why). */
int wire_slurp(const char *root, const char *path, char *buf, size_t n,
	       char *why, size_t wn);

/* mkdir -p root+path's directory: its parents 0755, itself mode. 0 or
 * -1 (errno). */
int wire_make_dirs(const char *root, const char *path, mode_t mode);

/* Replace root+path with data, atomically, mode and root's. 0 or -1
 * (errno). */
int wire_put(const char *root, const char *path, const char *data,
	     mode_t mode);

#endif
