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

#endif
