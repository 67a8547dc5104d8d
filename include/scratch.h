/* scratch.h - the throwaway server verify runs on the snapshot,
 * over a writable layer (src/verify/scratch.c). */
#ifndef MQ_SCRATCH_H
#define MQ_SCRATCH_H

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

/* The writable layer over v->path; 0, or -1 (recorded). */
int verify_layer(struct verify *v);
/* Start the server of the installed flavor on the layer; wait until it
 * answers, is gone, or the deadline. 0 answering, -1 otherwise. */
int verify_start_server(struct verify *v, int64_t deadline);
/* Stop the server, unmount the layer, remove it unless --keep. */
void verify_cleanup(struct verify *v);

#endif
