/* backend.c - the one way a run of a snapshot backend ends. */
#define _GNU_SOURCE
#include "backend.h"
#include "log.h"

void
backend_end(const struct backend *be, struct snapctx *x, int took)
{
	struct failure f;

	if (be == NULL || x->priv == NULL)
		return;
	if (be->finish(x, took, &f) != MQ_OK)
		log_warn("after the snapshot: %s", f.why);
}
