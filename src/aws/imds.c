/* aws/imds.c - instance metadata, IMDSv2 only: a session token from a
 * PUT with a TTL, then GETs that carry it; the token is renewed before
 * it runs out, and once more if the service refuses it. */
#define _GNU_SOURCE
#include <string.h>

#include "imds.h"
#include "util.h"

enum {
	TOKEN_TTL_S = 21600,
	TOKEN_RENEW_MS = 60000, /* renew this long before the TTL ends */
};

int
imds_init(struct imds *im, const char *base, struct failure *f)
{
	memset(im, 0, sizeof(*im));
	if (fmt(im->base, sizeof(im->base), "%s", base) == -1) {
		failf(f, MQ_FAIL, "imds_endpoint too long");
		return -1;
	}
	/* a trailing slash would double the path's */
	while (im->base[0] != '\0' && im->base[strlen(im->base) - 1] == '/')
		im->base[strlen(im->base) - 1] = '\0';
	im->h = http_new(1, f);
	return im->h != NULL ? 0 : -1;
}

void
imds_free(struct imds *im)
{
	http_free(im->h);
	im->h = NULL;
	explicit_bzero(im->token, sizeof(im->token));
}

static int
get_token(struct imds *im, int64_t deadline, struct failure *f)
{
	const char *hdr[] = { "X-aws-ec2-metadata-token-ttl-seconds: 21600",
			      NULL };
	struct http_resp r;
	char url[600];
	struct failure lf;
	int rc;

	fmt(url, sizeof(url), "%s/latest/api/token", im->base);
	rc = http_request(im->h, "PUT", url, hdr, NULL, 0, deadline, -1, &r,
			  &lf);
	if (rc != HTTP_OK) {
		failf(f, MQ_FAIL, "instance metadata %s: %s", im->base,
		    rc == HTTP_DEADLINE ? "no answer in time" : lf.why);
		return -1;
	}
	if (r.status != 200 || r.len == 0 || r.len >= sizeof(im->token) ||
	    strpbrk(r.body, "\r\n") != NULL) {
		failf(f, MQ_FAIL, "instance metadata %s: no IMDSv2 token "
		    "(HTTP %ld to the token PUT)", im->base, r.status);
		return -1;
	}
	memcpy(im->token, r.body, r.len + 1);
	explicit_bzero(r.body, r.len);
	im->token_until = mono_ms() + TOKEN_TTL_S * 1000LL - TOKEN_RENEW_MS;
	return 0;
}

int
imds_get(struct imds *im, const char *path, char *out, size_t n,
	 int64_t deadline, struct failure *f)
{
	char url[800], hdr[600];
	struct failure lf;
	const char *hdrs[] = { hdr, NULL };
	struct http_resp r;
	int tries, rc;

	for (tries = 0; tries < 2; tries++) {
		if ((im->token[0] == '\0' || mono_ms() >= im->token_until) &&
		    get_token(im, deadline, f) == -1)
			return -1;
		fmt(url, sizeof(url), "%s/latest/%s", im->base, path);
		fmt(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s",
		    im->token);
		rc = http_request(im->h, "GET", url, hdrs, NULL, 0, deadline,
				  -1, &r, &lf);
		explicit_bzero(hdr, sizeof(hdr));
		if (rc != HTTP_OK) {
			failf(f, MQ_FAIL, "instance metadata %s: %s", path,
			    rc == HTTP_DEADLINE ? "no answer in time" : lf.why);
			return -1;
		}
		if (r.status == 401) { /* the token expired: once more */
			im->token[0] = '\0';
			continue;
		}
		if (r.status == 404)
			return 1;
		if (r.status != 200) {
			failf(f, MQ_FAIL, "instance metadata %s: HTTP %ld",
			    path, r.status);
			return -1;
		}
		if (fmt(out, n, "%s", r.body) == -1) {
			failf(f, MQ_FAIL, "instance metadata %s: answer too "
			    "long", path);
			return -1;
		}
		explicit_bzero(r.body, r.len);
		return 0;
	}
	failf(f, MQ_FAIL, "instance metadata %s: the service refused its own "
	    "token", path);
	return -1;
}
