/* vbinlog.h - the snapshot's binary logs, found and checked
 * (src/verify/vbinlog.c). */
#ifndef MQ_VBINLOG_H
#define MQ_VBINLOG_H

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

/* The snapshot's binary logs found, their index mapped, the recorded
 * position checked against them. */
void verify_check_binlog(struct verify *v);
/* Our own index for the server, naming v->blayer/NAME for each of
 * v->bins; 0, or -1 (recorded). */
int verify_write_index(struct verify *v);

#endif
