/* ec2.h - EC2's Query API: signed calls, one-line errors, throttling
 * (src/aws/ec2.c). */
#ifndef MQ_EC2_H
#define MQ_EC2_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "log.h"
#include "sigv4.h"
#include "xml.h"

/* EC2's Query API at one endpoint, signed with cr. */
struct ec2 {
	struct http *h;
	char url[512];       /* ends in '/' */
	char host[256];      /* the Host header, as signed */
	char region[64];
	const struct aws_creds *cr;
};

int ec2_init(struct ec2 *e, const char *endpoint, const char *region,
	     const struct aws_creds *cr, char *err, size_t n);
void ec2_free(struct ec2 *e);

enum { EC2_RETRY_THROTTLE = 1, EC2_RETRY_5XX = 2 };

/*
 * POST Action=action&Version=...&params, by deadline (mono ms); a stop
 * signal on sigfd abandons it. Throttling (and, with EC2_RETRY_5XX,
 * server errors) are retried with backoff while the deadline allows.
 * MQ_OK with *out the parsed answer (xml_free it). Otherwise f says
 * "EBS ACTION: Code: Message" (or the transport's reason) and ecode
 * the AWS error code ("" if none); the code is MQ_PRIV for refused
 * credentials or permissions, MQ_TIMEOUT at the deadline, MQ_ABORTED
 * on a signal, MQ_CMD for any other failure.
 */
int ec2_call(struct ec2 *e, const char *action, const char *params,
	     int retry, int64_t deadline, int sigfd, struct xnode **out,
	     char *ecode, size_t en, struct failure *f);

#endif
