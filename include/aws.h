/* aws.h - the AWS side of the EBS backend: instance metadata (IMDSv2),
 * the credential chain, and EC2 Query API calls. */
#ifndef MQ_AWS_H
#define MQ_AWS_H

#include <stdint.h>

#include "http.h"
#include "log.h"
#include "sigv4.h"
#include "xml.h"

/* IMDSv2: a session token (PUT, with a TTL), then GETs with it. */
struct imds {
	struct http *h;
	char base[512];     /* e.g. http://169.254.169.254 */
	char token[512];
	int64_t token_until; /* mono ms */
};

int imds_init(struct imds *im, const char *base, char *err, size_t en);
void imds_free(struct imds *im);

/*
 * GET /latest/PATH. 0 with the answer in out; 1 when it is not there
 * (404: instance metadata tags off, no role); -1 with a reason in err.
 */
int imds_get(struct imds *im, const char *path, char *out, size_t n,
	     int64_t deadline, char *err, size_t en);

/*
 * The credential chain, in order: the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the shared files
 * (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, AWS_CONFIG_FILE
 * or ~/.aws/config) for profile (else AWS_PROFILE, else "default"); the
 * instance role through im. cr->source says which, never the secret.
 * MQ_OK, or MQ_CONFIG / MQ_PRIV / MQ_FAIL with f set.
 */
int creds_find(struct aws_creds *cr, const char *profile, struct imds *im,
	       int64_t deadline, struct failure *f);

/* The shared files' parser (creds.c), for the tests: fills cr from
 * section want of text (modified); 1, 0 or -1 with *bad_line. */
int creds_parse_shared(char *text, const char *want, struct aws_creds *cr,
		       int *bad_line);

/* Instance-role credentials that expire within margin_ms are fetched
 * again; others are left alone. MQ_OK or as creds_find. */
int creds_refresh(struct aws_creds *cr, struct imds *im, int64_t margin_ms,
		  int64_t deadline, struct failure *f);

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
