/* aws/http.c - HTTP(S) on libcurl's multi interface: one wait on the
 * transfer and the stop signals together, a hard deadline, and one
 * connection cache, so that the request made while filesystems are
 * frozen reuses a connection set up before.
 *
 * libcurl is loaded with dlopen on first use: linked, it and the
 * thirty libraries behind it cost every process start (each hook, each
 * holder) about 14 ms on the way to the lock; only snapshot --ebs
 * needs it. */
#define _GNU_SOURCE
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "dynlib.h"
#include "http.h"
#include "util.h"

#define CURL_SONAME "libcurl.so.4"

/* The libcurl functions we use, from dlopen. */
static struct {
	void *lib;
	CURLcode (*global_init)(long);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_add)(CURLM *, CURL *);
	CURLMcode (*multi_remove)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int,
				int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*setopt)(CURL *, CURLoption, ...);
	CURLcode (*getinfo)(CURL *, CURLINFO, ...);
	const char *(*strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
} cu;

/* Load libcurl once; 0, or -1 with dlerror's reason in f. */
static int
curl_load(struct failure *f)
{
#define SYM(fn, name) name,
#define SLOT(fn, name) (void **)&cu.fn,
#define CURL_SYMS(X) X(global_init, "curl_global_init")                    \
	X(multi_init, "curl_multi_init")                                    \
	X(multi_cleanup, "curl_multi_cleanup")                              \
	X(multi_add, "curl_multi_add_handle")                               \
	X(multi_remove, "curl_multi_remove_handle")                         \
	X(multi_perform, "curl_multi_perform")                              \
	X(multi_poll, "curl_multi_poll")                                    \
	X(multi_info_read, "curl_multi_info_read")                          \
	X(easy_init, "curl_easy_init")                                      \
	X(easy_cleanup, "curl_easy_cleanup")                                \
	X(setopt, "curl_easy_setopt")                                       \
	X(getinfo, "curl_easy_getinfo")                                     \
	X(strerror, "curl_easy_strerror")                                   \
	X(slist_append, "curl_slist_append")                                \
	X(slist_free_all, "curl_slist_free_all")
	static const char *const names[] = { CURL_SYMS(SYM) };
	static void **const slots[] = { CURL_SYMS(SLOT) };
#undef SYM
#undef SLOT
#undef CURL_SYMS

	if (cu.lib != NULL)
		return 0;
	cu.lib = dynlib_open(CURL_SONAME, names, slots, ARRAY_LEN(names), f);
	if (cu.lib == NULL)
		return -1;
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		failf(f, MQ_FAIL, "curl_global_init failed");
		return -1;
	}
	return 0;
}

static char empty[1];

struct http {
	CURLM *multi;
	CURL *easy;
	char *buf;
	size_t len, cap;
	int overflow;
	char cerr[CURL_ERROR_SIZE];
};

static size_t
on_data(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http *h = arg;
	size_t n = size * nmemb;

	if (h->len + n + 1 > HTTP_BODY_MAX) {
		h->overflow = 1;
		return 0;
	}
	if (h->len + n + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 16384;
		char *b;

		while (cap < h->len + n + 1)
			cap *= 2;
		if ((b = realloc(h->buf, cap)) == NULL)
			return 0;
		h->buf = b;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, p, n);
	h->len += n;
	h->buf[h->len] = '\0';
	return n;
}

struct http *
http_new(int no_proxy, struct failure *f)
{
	struct http *h;

	if (curl_load(f) == -1)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		failf(f, MQ_FAIL, "out of memory");
		return NULL;
	}
	h->multi = cu.multi_init();
	h->easy = cu.easy_init();
	if (h->multi == NULL || h->easy == NULL) {
		http_free(h);
		failf(f, MQ_FAIL, "cannot set up libcurl");
		return NULL;
	}
	cu.setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
	cu.setopt(h->easy, CURLOPT_WRITEFUNCTION, on_data);
	cu.setopt(h->easy, CURLOPT_WRITEDATA, h);
	cu.setopt(h->easy, CURLOPT_ERRORBUFFER, h->cerr);
	cu.setopt(h->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.setopt(h->easy, CURLOPT_FOLLOWLOCATION, 0L);
	cu.setopt(h->easy, CURLOPT_USERAGENT, "mysql-quiesce");
	if (no_proxy)
		cu.setopt(h->easy, CURLOPT_NOPROXY, "*");
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	if (h->easy != NULL)
		cu.easy_cleanup(h->easy);
	if (h->multi != NULL)
		cu.multi_cleanup(h->multi);
	free(h->buf);
	free(h);
}

/* Drive the transfer until it ends, the deadline, or a signal. */
static int
drive(struct http *h, int64_t deadline, int sigfd, CURLcode *res)
{
	for (;;) {
		struct curl_waitfd w = { .fd = sigfd, .events = CURL_WAIT_POLLIN };
		int running = 0, left, q;
		int64_t ms = deadline - mono_ms();
		CURLMsg *msg;

		if (cu.multi_perform(h->multi, &running) != CURLM_OK)
			return HTTP_ERR;
		while ((msg = cu.multi_info_read(h->multi, &q)) != NULL)
			if (msg->msg == CURLMSG_DONE) {
				*res = msg->data.result;
				return HTTP_OK;
			}
		if (ms <= 0)
			return HTTP_DEADLINE;
		left = ms > 1000 ? 1000 : (int)ms;
		if (cu.multi_poll(h->multi, sigfd >= 0 ? &w : NULL,
				    sigfd >= 0 ? 1 : 0, left, NULL) != CURLM_OK)
			return HTTP_ERR;
		if (sigfd >= 0 && (w.revents & POLLIN))
			return HTTP_SIGNAL;
	}
}

int
http_request(struct http *h, const char *method, const char *url,
	     const char *const *headers, const char *body, size_t blen,
	     int64_t deadline, int sigfd, struct http_resp *r, struct failure *f)
{
	struct curl_slist *hl = NULL, *t;
	CURLcode res = CURLE_OK;
	int64_t ms = deadline - mono_ms();
	int rc;

	memset(r, 0, sizeof(*r));
	if (ms <= 0)
		return HTTP_DEADLINE;
	h->len = 0;
	h->overflow = 0;
	h->cerr[0] = '\0';
	/* libcurl would send "Expect: 100-continue" for larger bodies */
	if ((hl = cu.slist_append(NULL, "Expect:")) == NULL) {
		failf(f, MQ_FAIL, "out of memory");
		return HTTP_ERR;
	}
	for (; headers != NULL && *headers != NULL; headers++) {
		if ((t = cu.slist_append(hl, *headers)) == NULL) {
			cu.slist_free_all(hl);
			failf(f, MQ_FAIL, "out of memory");
			return HTTP_ERR;
		}
		hl = t;
	}
	cu.setopt(h->easy, CURLOPT_URL, url);
	cu.setopt(h->easy, CURLOPT_HTTPHEADER, hl);
	cu.setopt(h->easy, CURLOPT_TIMEOUT_MS, (long)ms);
	cu.setopt(h->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)ms);
	if (body != NULL) {
		cu.setopt(h->easy, CURLOPT_POSTFIELDS, body);
		cu.setopt(h->easy, CURLOPT_POSTFIELDSIZE, (long)blen);
	} else {
		cu.setopt(h->easy, CURLOPT_HTTPGET, 1L);
	}
	cu.setopt(h->easy, CURLOPT_CUSTOMREQUEST,
			 strcmp(method, body != NULL ? "POST" : "GET") == 0 ?
			 NULL : method);
	cu.multi_add(h->multi, h->easy);
	rc = drive(h, deadline, sigfd, &res);
	cu.multi_remove(h->multi, h->easy);
	cu.setopt(h->easy, CURLOPT_HTTPHEADER, NULL);
	cu.slist_free_all(hl);
	if (rc != HTTP_OK)
		return rc;
	if (res == CURLE_OPERATION_TIMEDOUT)
		return HTTP_DEADLINE;
	if (res != CURLE_OK) {
		failf(f, MQ_FAIL, "%s", h->overflow ? "answer too long" :
		    h->cerr[0] ? h->cerr : cu.strerror(res));
		return HTTP_ERR;
	}
	cu.getinfo(h->easy, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = h->buf != NULL && h->len > 0 ? h->buf : empty;
	r->len = h->len;
	return HTTP_OK;
}
