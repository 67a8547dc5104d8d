/* http.h - one HTTP(S) client on libcurl: bounded by a deadline,
 * abandoned at once on a stop signal, its connection kept for reuse. */
#ifndef MQ_HTTP_H
#define MQ_HTTP_H

#include "failure.h"

#include <stddef.h>
#include <stdint.h>

enum { HTTP_BODY_MAX = 16 << 20 }; /* a longer answer is an error */

struct http_resp {
	long status;    /* HTTP status, 0 if none came */
	char *body;     /* NUL-terminated; owned by the client until the
			 * next request */
	size_t len;
};

struct http;

/* A client; no_proxy: never use a proxy from the environment (IMDS).
 * libcurl is loaded on the first call. NULL with f saying why. */
struct http *http_new(int no_proxy, struct failure *f);
void http_free(struct http *h);

enum { HTTP_OK = 0, HTTP_ERR = -1, HTTP_DEADLINE = -2, HTTP_SIGNAL = -3 };

/*
 * One request: method ("GET", "PUT", "POST"), url, extra headers
 * ("Name: value", NULL-ended; never logged: they may hold a token),
 * body (NULL for none). It ends by deadline (mono ms); a stop signal
 * readable on sigfd (-1: none) abandons it, the signal left unread.
 * HTTP_OK with r set (any status), HTTP_ERR with f saying why,
 * HTTP_DEADLINE, HTTP_SIGNAL.
 */
int http_request(struct http *h, const char *method, const char *url,
		 const char *const *headers, const char *body, size_t blen,
		 int64_t deadline, int sigfd, struct http_resp *r, struct failure *f);

#endif
