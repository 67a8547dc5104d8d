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
	 const struct aws_creds *cr, struct failure *f)
{
	const char *p, *slash;

	memset(e, 0, sizeof(*e));
	e->cr = cr;
	if (fmt(e->region, sizeof(e->region), "%s", region) == -1 ||
	    (endpoint[0] != '\0' ?
	     fmt(e->url, sizeof(e->url), "%s", endpoint) :
	     fmt(e->url, sizeof(e->url), "https://ec2.%s.amazonaws.com/",
		 region)) == -1) {
		failf(f, MQ_CONFIG, "EC2 endpoint or region too long");
		return -1;
	}
	if (strncmp(e->url, "https://", 8) != 0 &&
	    strncmp(e->url, "http://", 7) != 0) {
		failf(f, MQ_CONFIG, "EC2 endpoint %s: not an http:// or "
		    "https:// URL", e->url);
		return -1;
	}
	/* only the root path is signed: the endpoint is a host */
	p = strstr(e->url, "://") + 3;
	slash = strchr(p, '/');
	if ((slash != NULL && slash[1] != '\0') ||
	    fmt(e->host, sizeof(e->host), "%.*s",
		(int)(slash ? slash - p : (long)strlen(p)), p) == -1 ||
	    e->host[0] == '\0') {
		failf(f, MQ_CONFIG, "EC2 endpoint %s: give scheme and host "
		    "only", e->url);
		return -1;
	}
	if (slash == NULL && append(e->url, sizeof(e->url), "/") == -1) {
		failf(f, MQ_CONFIG, "EC2 endpoint too long");
		return -1;
	}
	if ((e->h = http_new(0, f)) == NULL)
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
     struct http_resp *r, struct failure *f)
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
		failf(f, MQ_FAIL, "cannot sign the request");
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
			  deadline, sigfd, r, f);
	explicit_bzero(h_token, sizeof(h_token));
	return rc;
}

int
ec2_call(struct ec2 *e, const char *action, const char *params, int retry,
	 int64_t deadline, int sigfd, struct xnode **out, char *ecode,
	 size_t en, struct failure *f)
{
	static char body[BODY_MAX];
	struct failure ef;
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

		rc = post(e, body, deadline, sigfd, &r, &ef);
		if (rc == HTTP_SIGNAL)
			return failf(f, MQ_ABORTED, "EBS %s: stopped by a "
				     "signal", action);
		if (rc == HTTP_DEADLINE)
			return failf(f, MQ_TIMEOUT, "EBS %s: no answer by the "
				     "deadline", action);
		if (rc == HTTP_ERR)
			return failf(f, MQ_CMD, "EBS %s: %s (%s)", action,
			    ef.why, e->url);
		x = xml_parse(r.body, r.len, &ef);
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
			      x == NULL ? ef.why : "");
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

/* Add the filters: tag:KEY = VALUE, or tag-key = KEY. */
static int
add_filters(char *p, size_t n, const struct ec2_tag *flt, int nflt)
{
	char name[64], val[300];
	int i;

	for (i = 0; i < nflt; i++) {
		fmt(name, sizeof(name), "Filter.%d.Name", i + 1);
		if (flt[i].value != NULL)
			fmt(val, sizeof(val), "tag:%s", flt[i].key);
		else
			fmt(val, sizeof(val), "tag-key");
		if (form_add(p, n, name, val) == -1)
			return -1;
		fmt(name, sizeof(name), "Filter.%d.Value.1", i + 1);
		if (form_add(p, n, name, flt[i].value != NULL ? flt[i].value :
			     flt[i].key) == -1)
			return -1;
	}
	return 0;
}

static int
too_long(struct failure *f, const char *action)
{
	return failf(f, MQ_CONFIG, "EBS %s: the request is too long", action);
}

int
ec2_instance(struct ec2 *e, const char *id, int64_t deadline, int sigfd,
	     char *root, size_t rn, char *name, size_t nn, struct failure *f)
{
	char params[512], code[64];
	struct xnode *r, *it, *t;
	int rc;

	params[0] = '\0';
	if (form_add(params, sizeof(params), "InstanceId.1", id) == -1)
		return too_long(f, "DescribeInstances");
	rc = ec2_call(e, "DescribeInstances", params, EC2_RETRY_THROTTLE |
		      EC2_RETRY_5XX, deadline, sigfd, &r, code, sizeof(code), f);
	if (rc != MQ_OK)
		return rc;
	if ((it = xml_child(xml_find(r, "instancesSet"), "item")) == NULL) {
		xml_free(r);
		return failf(f, MQ_CMD, "EBS DescribeInstances: %s not found",
			     id);
	}
	fmt(root, rn, "%s", xml_text(it, "rootDeviceName"));
	fmt(name, nn, "%s", "");
	for (t = xml_child(xml_child(it, "tagSet"), "item"); t; t = t->next)
		if (strcmp(xml_text(t, "key"), "Name") == 0) {
			fmt(name, nn, "%s", xml_text(t, "value"));
			break;
		}
	xml_free(r);
	return MQ_OK;
}

int
ec2_volumes(struct ec2 *e, const char *instance, int64_t deadline, int sigfd,
	    struct ec2_volume *v, int max, int *n, struct failure *f)
{
	char params[512], code[64];
	struct xnode *r, *it, *a;
	int rc;

	params[0] = '\0';
	if (form_add(params, sizeof(params), "Filter.1.Name",
		     "attachment.instance-id") == -1 ||
	    form_add(params, sizeof(params), "Filter.1.Value.1", instance) == -1)
		return too_long(f, "DescribeVolumes");
	rc = ec2_call(e, "DescribeVolumes", params, EC2_RETRY_THROTTLE |
		      EC2_RETRY_5XX, deadline, sigfd, &r, code, sizeof(code), f);
	if (rc != MQ_OK)
		return rc;
	*n = 0;
	for (it = xml_child(xml_find(r, "volumeSet"), "item"); it; it = it->next)
		for (a = xml_child(xml_child(it, "attachmentSet"), "item");
		     a != NULL && *n < max; a = a->next) {
			if (strcmp(xml_text(a, "instanceId"), instance) != 0)
				continue;
			fmt(v[*n].id, sizeof(v[0].id), "%s",
			    xml_text(it, "volumeId"));
			fmt(v[*n].device, sizeof(v[0].device), "%s",
			    xml_text(a, "device"));
			(*n)++;
		}
	xml_free(r);
	return MQ_OK;
}

/* CreateSnapshots' form: the instance, what it leaves out, the
 * description, the tags on each snapshot. 0, or -1 when too long. */
static int
set_form(const struct ec2_set_request *q, char *p, size_t n)
{
	char key[80];
	int i;

	p[0] = '\0';
	if (form_add(p, n, "InstanceSpecification.InstanceId", q->instance) ||
	    form_add(p, n, "InstanceSpecification.ExcludeBootVolume",
		     q->exclude_boot ? "true" : "false"))
		return -1;
	for (i = 0; i < q->nexclude; i++) {
		fmt(key, sizeof(key),
		    "InstanceSpecification.ExcludeDataVolumeId.%d", i + 1);
		if (form_add(p, n, key, q->exclude[i]) == -1)
			return -1;
	}
	if (form_add(p, n, "Description", q->description) == -1 ||
	    form_add(p, n, "TagSpecification.1.ResourceType", "snapshot") == -1)
		return -1;
	for (i = 0; i < q->ntags; i++) {
		fmt(key, sizeof(key), "TagSpecification.1.Tag.%d.Key", i + 1);
		if (form_add(p, n, key, q->tags[i].key) == -1)
			return -1;
		fmt(key, sizeof(key), "TagSpecification.1.Tag.%d.Value", i + 1);
		if (form_add(p, n, key, q->tags[i].value) == -1)
			return -1;
	}
	if (q->dry_run && form_add(p, n, "DryRun", "true") == -1)
		return -1;
	return 0;
}

/* The snapshot ids of a CreateSnapshots or DescribeSnapshots answer. */
static void
set_ids(const struct xnode *r, char (*ids)[32], int max, int *n)
{
	const struct xnode *it;

	*n = 0;
	for (it = xml_child(xml_find(r, "snapshotSet"), "item");
	     it != NULL && *n < max; it = it->next)
		fmt(ids[(*n)++], sizeof(ids[0]), "%s",
		    xml_text(it, "snapshotId"));
}

int
ec2_create_set(struct ec2 *e, const struct ec2_set_request *q, int retry,
	       int64_t deadline, int sigfd, char (*ids)[32], int max, int *n,
	       char *ecode, size_t en, struct failure *f)
{
	static char params[16384];
	struct xnode *r;
	int rc;

	*n = 0;
	ecode[0] = '\0';
	if (set_form(q, params, sizeof(params)) == -1)
		return too_long(f, "CreateSnapshots");
	rc = ec2_call(e, "CreateSnapshots", params, retry, deadline, sigfd, &r,
		      ecode, en, f);
	if (rc == MQ_OK)
		set_ids(r, ids, max, n);
	xml_free(r);
	return rc;
}

struct ec2_tags {
	const struct xnode *set; /* tagSet */
};

const char *
ec2_tag(const struct ec2_tags *t, const char *key)
{
	const struct xnode *it;

	for (it = xml_child(t->set, "item"); it != NULL; it = it->next)
		if (strcmp(xml_text(it, "key"), key) == 0)
			return xml_text(it, "value");
	return "";
}

int
ec2_each_snapshot(struct ec2 *e, const struct ec2_tag *flt, int nflt,
		  int retry, int64_t deadline, int sigfd,
		  void (*fn)(void *arg, const char *id, const struct ec2_tags *t),
		  void *arg, struct failure *f)
{
	char params[2048], code[64], token[1024] = "";
	struct xnode *r, *it;
	int rc;

	do {
		params[0] = '\0';
		if (form_add(params, sizeof(params), "Owner.1", "self") ||
		    add_filters(params, sizeof(params), flt, nflt) ||
		    form_add(params, sizeof(params), "MaxResults", "500") ||
		    (token[0] != '\0' &&
		     form_add(params, sizeof(params), "NextToken", token)))
			return too_long(f, "DescribeSnapshots");
		rc = ec2_call(e, "DescribeSnapshots", params, retry, deadline,
			      sigfd, &r, code, sizeof(code), f);
		if (rc != MQ_OK)
			return rc;
		for (it = xml_child(xml_find(r, "snapshotSet"), "item");
		     it != NULL; it = it->next) {
			struct ec2_tags t = { xml_child(it, "tagSet") };

			fn(arg, xml_text(it, "snapshotId"), &t);
		}
		fmt(token, sizeof(token), "%s", xml_text(r, "nextToken"));
		xml_free(r);
	} while (token[0] != '\0' && mono_ms() < deadline);
	return MQ_OK;
}

int
ec2_delete_snapshot(struct ec2 *e, const char *id, int retry,
		    int64_t deadline, int sigfd, struct failure *f)
{
	char params[256], code[64];
	struct xnode *r;
	int rc;

	params[0] = '\0';
	if (form_add(params, sizeof(params), "SnapshotId", id) == -1)
		return too_long(f, "DeleteSnapshot");
	rc = ec2_call(e, "DeleteSnapshot", params, retry, deadline, sigfd, &r,
		      code, sizeof(code), f);
	xml_free(r);
	return rc;
}
