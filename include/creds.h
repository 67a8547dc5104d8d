/* creds.h - the AWS credential chain (src/aws/creds.c). */
#ifndef MQ_CREDS_H
#define MQ_CREDS_H

#include <stdint.h>

#include "imds.h"
#include "log.h"
#include "sigv4.h"

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

#endif
