/* leftover.h - the holder an earlier freeze left (src/core/leftover.c). */
#ifndef MQ_LEFTOVER_H
#define MQ_LEFTOVER_H

#include "config.h"
#include "failure.h"

/*
 * Before a new freeze in run_dir dirfd: end a holder whose thaw never
 * came (one waiting for its lock, or past its max_lock_time, its cycle
 * closed); refuse a live hold within its max_lock_time, another
 * caller's whose snapshot may rely on it (MQ_BUSY, naming it). MQ_OK,
 * or a code with f saying why.
 */
int leftover_end(const struct server_config *c, int dirfd, struct failure *f);

#endif
