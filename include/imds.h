/* imds.h - instance metadata, IMDSv2 (src/aws/imds.c). */
#ifndef MQ_IMDS_H
#define MQ_IMDS_H

#include "failure.h"

#include <stddef.h>
#include <stdint.h>

#include "http.h"

/* IMDSv2: a session token (PUT, with a TTL), then GETs with it. */
struct imds {
	struct http *h;
	char base[512];     /* e.g. http://169.254.169.254 */
	char token[512];
	int64_t token_until; /* mono ms */
};

int imds_init(struct imds *im, const char *base, struct failure *f);
void imds_free(struct imds *im);

/*
 * GET /latest/PATH. 0 with the answer in out; 1 when it is not there
 * (404: instance metadata tags off, no role); -1 with f saying why.
 */
int imds_get(struct imds *im, const char *path, char *out, size_t n,
	     int64_t deadline, struct failure *f);

#endif
