/* ec2.h - EC2's Query API (src/aws/ec2.c): signed calls, one-line
 * errors, throttling, and the few actions snapshot mode uses, with
 * their wire format (form fields, XML names) kept here. */
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
	     const struct aws_creds *cr, struct failure *f);
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

/* The actions below: retry, deadline, sigfd and f as for ec2_call. */

/* DescribeInstances of id: its root device name and Name tag ("" if
 * none). MQ_CMD when the instance is not found. */
int ec2_instance(struct ec2 *e, const char *id, int64_t deadline, int sigfd,
		 char *root, size_t rn, char *name, size_t nn,
		 struct failure *f);

/* A volume attached to an instance. */
struct ec2_volume {
	char id[32];
	char device[64]; /* the attachment's device, /dev/sdf */
};

/* DescribeVolumes attached to instance: at most max into v, *n of
 * them. */
int ec2_volumes(struct ec2 *e, const char *instance, int64_t deadline,
		int sigfd, struct ec2_volume *v, int max, int *n,
		struct failure *f);

/* A tag: sent with a request, or asked for in a filter (value NULL:
 * any value). */
struct ec2_tag {
	const char *key, *value;
};

/* CreateSnapshots: one crash-consistent set of instance's volumes. */
struct ec2_set_request {
	const char *instance;
	int exclude_boot;
	const char *const *exclude; /* data volume ids left out */
	int nexclude;
	const char *description;
	const struct ec2_tag *tags; /* on each snapshot */
	int ntags;
	int dry_run;                /* DryRunOperation is the yes */
};

/* MQ_OK with the set's snapshot ids (at most max, *n of them);
 * otherwise as ec2_call, ecode the AWS error code; MQ_CONFIG when the
 * request is too long to send. */
int ec2_create_set(struct ec2 *e, const struct ec2_set_request *q,
		   int retry, int64_t deadline, int sigfd, char (*ids)[32],
		   int max, int *n, char *ecode, size_t en, struct failure *f);

/* A snapshot's tags, as DescribeSnapshots gave them. */
struct ec2_tags;
/* The value of tag key, or "" when it has none. */
const char *ec2_tag(const struct ec2_tags *t, const char *key);

/* Each of our own (Owner self) snapshots that carry every tag of flt,
 * page by page while the deadline allows: fn(arg, id, tags). */
int ec2_each_snapshot(struct ec2 *e, const struct ec2_tag *flt, int nflt,
		      int retry, int64_t deadline, int sigfd,
		      void (*fn)(void *arg, const char *id,
				 const struct ec2_tags *t),
		      void *arg, struct failure *f);

/* DeleteSnapshot id. */
int ec2_delete_snapshot(struct ec2 *e, const char *id, int retry,
			int64_t deadline, int sigfd, struct failure *f);

#endif
