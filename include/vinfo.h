/* vinfo.h - the snapshot's info file and files read from it
 * (src/verify/vinfo.c). */
#ifndef MQ_VINFO_H
#define MQ_VINFO_H

#include "failure.h"

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

/* The info file, read bounded and checked. */
void verify_read_info(struct verify *v);
/* A file of the snapshot read whole: never through a symlink, never
 * blocking, regular only, at most max bytes; 0, or -1 with f saying why. */
int verify_snap_read(int dirfd, const char *name, size_t max, char **text,
		     size_t *len, struct failure *f);


#endif
