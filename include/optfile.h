/* optfile.h - checking a MySQL option file before the client library
 * reads it (src/base/optfile.c). */
#ifndef MQ_OPTFILE_H
#define MQ_OPTFILE_H

#include "failure.h"

#include <stddef.h>

/*
 * path, and every file !include and !includedir bring in (4 deep at
 * most), must be safe (util.h's fd_check_safe: ours or root's, not
 * writable by others, a regular file); one that holds a password must
 * not be readable by group or others. 0, or -1 with f saying why.
 */
int optfile_check(const char *path, struct failure *f);

/*
 * The user and password of path's [client] group (seed's replication
 * account), after optfile_check: from path itself (an !include'd
 * file's are not read). 0, or -1 with f saying why (MQ_CONFIG: none
 * named, or a value that does not fit). The password is never said.
 */
int optfile_client(const char *path, char *user, size_t un, char *pass,
		   size_t pn, struct failure *f);

#endif
