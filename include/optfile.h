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
 * not be readable by group or others, and none but path itself may
 * hold a password. 0, or -1 with f saying why.
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

/*
 * path (after optfile_check) without its password: a descriptor of a
 * copy in memory (close-on-exec) with every password line left out, for
 * the client library to read as /proc/self/fd/N, and the last password
 * of a group it reads for "client" ([client], [client-server],
 * [client-mariadb]) in pass ("" for none). The library reads a file
 * through buffers and a connect stack we cannot zero: what it never
 * reads, it cannot leave behind (a password in a file it !includes is
 * refused by optfile_check).
 * The descriptor, or -1 with f saying why (pass zeroed).
 */
int optfile_unpassworded(const char *path, char *pass, size_t pn,
			 struct failure *f);

#endif
