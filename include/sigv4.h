/* sigv4.h - AWS Signature Version 4 for one request, on OpenSSL's HMAC
 * and SHA-256; and the form encoding AWS's Query APIs expect. */
#ifndef MQ_SIGV4_H
#define MQ_SIGV4_H

#include <stddef.h>
#include <stdint.h>

/* Credentials. The secret and the token are never logged, printed or
 * passed to a child; wipe them with creds_wipe() when done. */
struct aws_creds {
	char key_id[128];
	char secret[256];
	char token[4096];      /* session token, "" for long-term keys */
	int64_t expires;       /* real ms they expire, 0 = never */
	char source[160];      /* where they came from, for people */
};

void creds_wipe(struct aws_creds *cr);

/*
 * The Authorization header value for a request to host (as sent in
 * Host:) at path with the canonical query string query ("" for none),
 * an optional Content-Type and body, signed at amzdate
 * (YYYYmmddTHHMMSSZ). Signed headers: content-type (if given), host,
 * x-amz-date, x-amz-security-token (if cr has a token). 0, or -1 if
 * out (capacity n) is too small or the digest failed.
 */
int sigv4_authorization(const struct aws_creds *cr, const char *region,
			const char *service, const char *method,
			const char *host, const char *path, const char *query,
			const char *content_type, const char *body,
			size_t blen, const char *amzdate, char *out, size_t n);

/* YYYYmmddTHHMMSSZ for real ms t. */
void sigv4_amzdate(char *buf, size_t n, int64_t t);

/* SHA-256 of data as 64 hex digits; 0 or -1. */
int sha256_hex(const void *data, size_t len, char out[65]);

/*
 * Append "&key=value" (no '&' when buf is empty) to the form body buf
 * of capacity n, both encoded as application/x-www-form-urlencoded
 * the way AWS and its emulators agree on: A-Z a-z 0-9 - _ . ~ as they
 * are, space as '+', every other byte %XX. 0, or -1 if it did not fit.
 */
int form_add(char *buf, size_t n, const char *key, const char *value);

#endif
