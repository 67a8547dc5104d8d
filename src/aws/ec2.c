/* aws/ec2.c - EC2's Query API: a form body signed with SigV4, POSTed,
 * its XML answer parsed; errors made one line; throttling retried
 * inside the caller's deadline. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "ec2.h"
#include "event.h"
#include "util.h"

enum {
	BODY_MAX = 65536,
	BACKOFF_FIRST_MS = 100,
	BACKOFF_MAX_MS = 2000,
};

#define EC2_VERSION "2016-11-15"

int
ec2_init(struct ec2 *e, const char *endpoint, const char *region,
	 const struct aws_creds *cr, char *err, size_t n)
{
	const char *p, *slash;

	memset(e, 0, sizeof(*e));
	e->cr = cr;
	if (fmt(e->region, sizeof(e->region), "%s", region) == -1 ||
	    (endpoint[0] != '\0' ?
	     fmt(e->url, sizeof(e->url), "%s", endpoint) :
	     fmt(e->url, sizeof(e->url), "https://ec2.%s.amazonaws.com/",
		 region)) == -1) {
		fmt(err, n, "EC2 endpoint or region too long");
		return -1;
	}
	if (strncmp(e->url, "https://", 8) != 0 &&
	    strncmp(e->url, "http://", 7) != 0) {
		fmt(err, n, "EC2 endpoint %s: not an http:// or https:// URL",
		    e->url);
		return -1;
	}
	/* only the root path is signed: the endpoint is a host */
	p = strstr(e->url, "://") + 3;
	slash = strchr(p, '/');
	if ((slash != NULL && slash[1] != '\0') ||
	    fmt(e->host, sizeof(e->host), "%.*s",
		(int)(slash ? slash - p : (long)strlen(p)), p) == -1 ||
	    e->host[0] == '\0') {
		fmt(err, n, "EC2 endpoint %s: give scheme and host only",
		    e->url);
		return -1;
	}
	if (slash == NULL && append(e->url, sizeof(e->url), "/") == -1) {
		fmt(err, n, "EC2 endpoint too long");
		return -1;
	}
	if ((e->h = http_new(0, err, n)) == NULL)
		return -1;
	return 0;
}

void
ec2_free(struct ec2 *e)
{
	http_free(e->h);
	e->h = NULL;
}

static int
is_auth_error(const char *code)
{
	static const char *const codes[] = {
		"AuthFailure", "UnauthorizedOperation", "AccessDenied",
		"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken",
		"RequestExpired", "OptInRequired", "Blocked",
		"UnrecognizedClientException", "InvalidToken",
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(codes); i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int
is_throttle(const char *code)
{
	return strcmp(code, "RequestLimitExceeded") == 0 ||
	       strcmp(code, "Throttling") == 0 ||
	       strcmp(code, "ThrottlingException") == 0;
}

/* Backoff before try k: doubling from 100 ms, capped, with jitter. */
static int64_t
backoff_ms(int k)
{
	int64_t ms = BACKOFF_FIRST_MS;
	unsigned short r = 0;

	while (k-- > 0 && ms < BACKOFF_MAX_MS)
		ms *= 2;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	(void)!getrandom(&r, sizeof(r), GRND_NONBLOCK);
	return ms / 2 + (int64_t)(r % (unsigned)(ms / 2 + 1));
}

/* One signed POST. HTTP codes as http_request; r set on HTTP_OK. */
static int
post(struct ec2 *e, const char *body, int64_t deadline, int sigfd,
     struct http_resp *r, char *err, size_t n)
{
	static const char ctype[] =
		"application/x-www-form-urlencoded; charset=utf-8";
	char date[32], auth[1024], h_auth[1100], h_date[64], h_host[300];
	char h_token[4200];
	const char *hdrs[6];
	int k = 0, rc;

	sigv4_amzdate(date, sizeof(date), real_ms());
	if (sigv4_authorization(e->cr, e->region, "ec2", "POST", e->host, "/",
				"", ctype, body, strlen(body), date, auth,
				sizeof(auth)) == -1) {
		fmt(err, n, "cannot sign the request");
		return HTTP_ERR;
	}
	fmt(h_auth, sizeof(h_auth), "Authorization: %s", auth);
	fmt(h_date, sizeof(h_date), "X-Amz-Date: %s", date);
	fmt(h_host, sizeof(h_host), "Host: %s", e->host);
	hdrs[k++] = "Content-Type: application/x-www-form-urlencoded; "
		    "charset=utf-8";
	hdrs[k++] = h_host;
	hdrs[k++] = h_date;
	hdrs[k++] = h_auth;
	if (e->cr->token[0] != '\0') {
		fmt(h_token, sizeof(h_token), "X-Amz-Security-Token: %s",
		    e->cr->token);
		hdrs[k++] = h_token;
	}
	hdrs[k] = NULL;
	rc = http_request(e->h, "POST", e->url, hdrs, body, strlen(body),
			  deadline, sigfd, r, err, n);
	explicit_bzero(h_token, sizeof(h_token));
	return rc;
}

int
ec2_call(struct ec2 *e, const char *action, const char *params, int retry,
	 int64_t deadline, int sigfd, struct xnode **out, char *ecode,
	 size_t en, struct failure *f)
{
	static char body[BODY_MAX];
	char err[512];
	int tries;

	*out = NULL;
	ecode[0] = '\0';
	body[0] = '\0';
	if (form_add(body, sizeof(body), "Action", action) == -1 ||
	    form_add(body, sizeof(body), "Version", EC2_VERSION) == -1 ||
	    (params[0] != '\0' &&
	     append(body, sizeof(body), "&%s", params) == -1))
		return failf(f, MQ_FAIL, "EBS %s: request too long", action);
	for (tries = 0;; tries++) {
		struct http_resp r;
		struct xnode *x;
		const char *code, *msg;
		int rc, transient;
		int64_t wait;

		rc = post(e, body, deadline, sigfd, &r, err, sizeof(err));
		if (rc == HTTP_SIGNAL)
			return failf(f, MQ_ABORTED, "EBS %s: stopped by a "
				     "signal", action);
		if (rc == HTTP_DEADLINE)
			return failf(f, MQ_TIMEOUT, "EBS %s: no answer by the "
				     "deadline", action);
		if (rc == HTTP_ERR)
			return failf(f, MQ_CMD, "EBS %s: %s (%s)", action, err,
				     e->url);
		x = xml_parse(r.body, r.len, err, sizeof(err));
		if (r.status == 200 && x != NULL) {
			*out = x;
			return MQ_OK;
		}
		code = x != NULL ? xml_text(xml_find(x, "Error"), "Code") : "";
		msg = x != NULL ? xml_text(xml_find(x, "Error"), "Message") : "";
		fmt(ecode, en, "%s", code);
		transient = is_throttle(code) ||
			    ((retry & EC2_RETRY_5XX) && r.status >= 500);
		if (code[0] != '\0')
			failf(f, is_auth_error(code) ? MQ_PRIV : MQ_CMD,
			      "EBS %s: %s: %s", action, code, msg);
		else
			failf(f, MQ_CMD, "EBS %s: HTTP %ld%s%s", action,
			      r.status, x == NULL ? ", " : "",
			      x == NULL ? err : "");
		xml_free(x);
		if (is_throttle(code))
			transient = retry & EC2_RETRY_THROTTLE;
		wait = backoff_ms(tries);
		if (!transient || mono_ms() + wait >= deadline)
			return f->code;
		log_warn("%s; trying again in %lld ms", f->why, (long long)wait);
		{
			struct pollfd p = { .fd = sigfd, .events = POLLIN };

			if (wait_until(&p, sigfd >= 0 ? 1 : 0,
				       mono_ms() + wait) != 0)
				return failf(f, MQ_ABORTED, "EBS %s: stopped by "
					     "a signal", action);
		}
	}
}
