/* backend/ebs.c - snapshot backend: native EBS. Before the lock: the
 * instance, its region, credentials, and every leaf device of the data
 * mapped to an attached EBS volume, with a DryRun of the call. While
 * frozen: one CreateSnapshots of this instance's involved volumes, a
 * crash-consistent multi-volume set, tagged at creation. After unlock:
 * retention. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "creds.h"
#include "ec2.h"
#include "imds.h"
#include "backend.h"
#include "ebs.h"
#include "event.h"
#include "util.h"

/*
 * MUST: every error about devices, credentials, permissions or the
 * instance comes from prepare, before anything is locked or frozen;
 * take makes one call (and, after a timeout, at most a lookup by the
 * set id before trying again, so that no second set is made), writes
 * no file, and returns by the deadline; retention runs only in finish,
 * after thaw and unlock. No secret goes into a message.
 */

enum {
	FINISH_CALLS_S = 60,   /* retention's calls together, at most */
	NAME_TAG_MAX = 256,    /* EC2's longest tag value */
	DESC_MAX = 255,        /* EC2's longest description */
};

struct ebs {
	struct imds im;
	struct aws_creds cr;
	struct ec2 e;
	int ready;             /* im, cr, e set up */
	char instance[64], region[64], iname[256], root_dev[64];
	struct ebs_vol att[MAX_VOLS];  /* attached to this instance */
	int natt;
	int involved[MAX_VOLS];    /* att[i] holds data */
	int boot;                  /* index of the boot volume, -1 */
	char set_id[40], name[NAME_TAG_MAX + 1];
	char owner[40];            /* the config's tag: see owner_tag */
	char created[MAX_VOLS][32];
	int ncreated;
	int64_t api_ms;
};

/* Our state, in the context (x->priv): made by the first step (plan or
 * prepare), freed by finish (after a plan alone, by the process's end).
 * NULL when it cannot be made. */
static struct ebs *
ebs_state(struct snapctx *x)
{
	struct ebs *eb = x->priv;

	if (eb == NULL && (eb = calloc(1, sizeof(*eb))) != NULL) {
		eb->boot = -1;
		x->priv = eb;
	}
	return eb;
}

/* Call bound: [ebs] timeout from now, never past limit. */
static int64_t
bound(const struct snapctx *x, int64_t limit)
{
	int64_t d = mono_ms() + x->c->ebs_timeout * 1000;

	return limit > 0 && limit < d ? limit : d;
}

/* A read-only call before the lock: retried on throttling and 5xx. */
static int
ask(const struct snapctx *x, const char *action, const char *params,
    struct xnode **r, struct failure *f)
{
	struct ebs *eb = x->priv;
	char code[64];

	return ec2_call(&eb->e, action, params, EC2_RETRY_THROTTLE |
			EC2_RETRY_5XX, bound(x, 0), x->sigfd, r, code,
			sizeof(code), f);
}

/* The instance's root device and Name tag; its attached volumes. */
static int
describe(const struct snapctx *x, struct failure *f)
{
	struct ebs *eb = x->priv;
	char params[512];
	struct xnode *r, *it, *t;
	int rc;

	params[0] = '\0';
	form_add(params, sizeof(params), "InstanceId.1", eb->instance);
	if ((rc = ask(x, "DescribeInstances", params, &r, f)) != MQ_OK)
		return rc;
	it = xml_find(r, "instancesSet");
	it = xml_child(it, "item");
	if (it == NULL) {
		xml_free(r);
		return failf(f, MQ_CMD, "EBS DescribeInstances: %s not found",
			     eb->instance);
	}
	fmt(eb->root_dev, sizeof(eb->root_dev), "%s",
	    xml_text(it, "rootDeviceName"));
	for (t = xml_child(xml_child(it, "tagSet"), "item"); t; t = t->next)
		if (eb->iname[0] == '\0' && strcmp(xml_text(t, "key"), "Name") == 0)
			fmt(eb->iname, sizeof(eb->iname), "%s",
			    xml_text(t, "value"));
	xml_free(r);

	params[0] = '\0';
	form_add(params, sizeof(params), "Filter.1.Name",
		 "attachment.instance-id");
	form_add(params, sizeof(params), "Filter.1.Value.1", eb->instance);
	if ((rc = ask(x, "DescribeVolumes", params, &r, f)) != MQ_OK)
		return rc;
	eb->natt = 0;
	for (it = xml_child(xml_find(r, "volumeSet"), "item"); it;
	     it = it->next) {
		struct xnode *a;

		for (a = xml_child(xml_child(it, "attachmentSet"), "item"); a;
		     a = a->next) {
			if (strcmp(xml_text(a, "instanceId"), eb->instance) != 0)
				continue;
			if (eb->natt == MAX_VOLS)
				break;
			fmt(eb->att[eb->natt].id, sizeof(eb->att[0].id), "%s",
			    xml_text(it, "volumeId"));
			fmt(eb->att[eb->natt].device, sizeof(eb->att[0].device),
			    "%s", xml_text(a, "device"));
			if (strcmp(eb->att[eb->natt].device, eb->root_dev) == 0)
				eb->boot = eb->natt;
			eb->natt++;
		}
	}
	xml_free(r);
	return MQ_OK;
}

/* The call's parameters; coordinates from x->st (empty in a DryRun). */
static int
params_for(const struct snapctx *x, int dry, char *p, size_t n)
{
	struct ebs *eb = x->priv;
	char desc[DESC_MAX + 1], val[NAME_TAG_MAX + 1], when[48], num[32];
	const char *tags = x->c->ebs_tags;
	int i, k = 0, t = 0;

#define TAG(key, value)                                                     \
	do {                                                                \
		char tk[64];                                                \
		t++;                                                        \
		fmt(tk, sizeof(tk), "TagSpecification.1.Tag.%d.Key", t);    \
		if (form_add(p, n, tk, key) == -1)                          \
			return -1;                                          \
		fmt(tk, sizeof(tk), "TagSpecification.1.Tag.%d.Value", t);  \
		fmt(val, sizeof(val), "%s", value);                         \
		if (form_add(p, n, tk, val) == -1)                          \
			return -1;                                          \
	} while (0)

	p[0] = '\0';
	if (form_add(p, n, "InstanceSpecification.InstanceId", eb->instance) ||
	    form_add(p, n, "InstanceSpecification.ExcludeBootVolume",
		     eb->boot >= 0 && eb->involved[eb->boot] ? "false" : "true"))
		return -1;
	for (i = 0; i < eb->natt; i++) {
		char key[80];

		if (eb->involved[i] || i == eb->boot)
			continue;
		fmt(key, sizeof(key),
		    "InstanceSpecification.ExcludeDataVolumeId.%d", ++k);
		if (form_add(p, n, key, eb->att[i].id) == -1)
			return -1;
	}
	fmt(desc, sizeof(desc), "mysql-quiesce binlog:%s@%llu gtid:%s set:%s",
	    x->st.binlog_file[0] ? x->st.binlog_file : "-", x->st.binlog_pos,
	    x->st.gtid[0] ? x->st.gtid : "-", eb->set_id);
	if (form_add(p, n, "Description", desc) == -1 ||
	    form_add(p, n, "TagSpecification.1.ResourceType", "snapshot") == -1)
		return -1;
	TAG("Name", eb->name);
	TAG(TAG_PREFIX "set-id", eb->set_id);
	TAG(TAG_PREFIX "instance", eb->instance);
	TAG(TAG_PREFIX "config", eb->owner);
	TAG(TAG_PREFIX "binlog-file", x->st.binlog_file);
	fmt(num, sizeof(num), "%llu", x->st.binlog_pos);
	TAG(TAG_PREFIX "binlog-pos", num);
	TAG(TAG_PREFIX "gtid", x->st.gtid);
	TAG(TAG_PREFIX "lock-method", x->st.method);
	iso_time(when, sizeof(when), x->st.locked_at ? x->st.locked_at :
		 real_ms());
	TAG(TAG_PREFIX "time", when);
	/* [ebs] tags: Key=Value, ... (checked when the config was read) */
	while (*tags != '\0') {
		char item[CONFIG_STR_MAX], *eq;
		size_t len = strcspn(tags, ",");

		fmt(item, sizeof(item), "%.*s", (int)len, tags);
		trim_blanks(item);
		if ((eq = strchr(item, '=')) != NULL) {
			*eq = '\0';
			trim_blanks(item);
			trim_blanks(eq + 1);
			TAG(item, eq + 1);
		}
		tags += len + (tags[len] == ',');
	}
	if (dry && form_add(p, n, "DryRun", "true") == -1)
		return -1;
	return 0;
#undef TAG
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whose sets these are: "cfg-" and 16 hex digits of SHA-256 over the
 * config file's path and the volume ids it covers, sorted. Retention
 * counts and deletes only sets that carry ours: two configs on one
 * instance never touch each other's. */
static void
owner_tag(const struct snapctx *x)
{
	struct ebs *eb = x->priv;
	char buf[CONFIG_STR_MAX + MAX_VOLS * 32], hex[65];
	char *ids[MAX_VOLS] = { 0 };
	int i, k = 0;

	for (i = 0; i < eb->natt; i++)
		if (eb->involved[i])
			ids[k++] = eb->att[i].id;
	qsort(ids, (size_t)k, sizeof(ids[0]), by_str);
	fmt(buf, sizeof(buf), "%s", x->c->path);
	for (i = 0; i < k; i++)
		append(buf, sizeof(buf), "\n%s", ids[i]);
	if (sha256_hex(buf, strlen(buf), hex) == -1)
		fmt(hex, sizeof(hex), "%s", "0000000000000000");
	fmt(eb->owner, sizeof(eb->owner), "cfg-%.16s", hex);
}

/* YYYYmmdd_HHMMSS_<instance Name>[_<suffix>], as the seed made it. */
static void
set_names(const struct snapctx *x)
{
	struct ebs *eb = x->priv;
	unsigned char r[8];
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (i = 0; i < 8; i++)
			r[i] = (unsigned char)(now >> (i * 4)) ^
			       (unsigned char)getpid();
	fmt(eb->set_id, sizeof(eb->set_id), "mq-%02x%02x%02x%02x%02x%02x%02x%02x",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%d_%H%M%S", &tm) == 0)
		fmt(stamp, sizeof(stamp), "%lld", (long long)now);
	fmt(eb->name, sizeof(eb->name), "%s_%s%s%s", stamp,
	    eb->iname[0] ? eb->iname : eb->instance,
	    x->c->ebs_name_suffix[0] ? "_" : "", x->c->ebs_name_suffix);
}

static int
ebs_prepare(struct snapctx *x, struct failure *f)
{
	struct ebs *eb = ebs_state(x);
	char err[512], params[16384], code[64];
	struct xnode *r;
	int i, j, rc;

	if (eb == NULL)
		return failf(f, MQ_FAIL, "EBS: out of memory");
	if (eb->ready)
		return MQ_OK;
	if (imds_init(&eb->im, x->c->ebs_imds_endpoint, err, sizeof(err)) == -1)
		return failf(f, MQ_FAIL, "EBS: %s", err);
	if (imds_get(&eb->im, "meta-data/instance-id", eb->instance,
		     sizeof(eb->instance), bound(x, 0), err, sizeof(err)) != 0)
		return failf(f, MQ_CMD, "this instance's id: %s", err[0] ? err :
			     "not in instance metadata");
	if (x->c->ebs_region[0] != '\0')
		fmt(eb->region, sizeof(eb->region), "%s", x->c->ebs_region);
	else if (imds_get(&eb->im, "meta-data/placement/region", eb->region,
			  sizeof(eb->region), bound(x, 0), err,
			  sizeof(err)) != 0)
		return failf(f, MQ_CMD, "the region: %s (or set [ebs] region)",
			     err[0] ? err : "not in instance metadata");
	trim_blanks(eb->region);
	rc = creds_find(&eb->cr, x->c->ebs_profile, &eb->im, bound(x, 0), f);
	if (rc != MQ_OK)
		return rc;
	if (ec2_init(&eb->e, x->c->ebs_endpoint, eb->region, &eb->cr, err,
		     sizeof(err)) == -1)
		return failf(f, MQ_CONFIG, "%s", err);
	eb->ready = 1;
	log_info("EBS: instance %s in %s, credentials from %s", eb->instance,
		 eb->region, eb->cr.source);
	/* the Name tag, when instance metadata tags are on */
	if (imds_get(&eb->im, "meta-data/tags/instance/Name", eb->iname,
		     sizeof(eb->iname), bound(x, 0), err, sizeof(err)) != 0)
		eb->iname[0] = '\0';
	trim_blanks(eb->iname);
	if ((rc = describe(x, f)) != MQ_OK)
		return rc;
	if (x->plan->ndev == 0)
		return failf(f, MQ_CMD, "no block device under the data's "
			     "filesystems: nothing for EBS to snapshot");
	for (i = 0; i < x->plan->ndev; i++) {
		if ((j = ebs_map_device(x->c->snapshot_sys_root, x->plan->devs[i], eb->att,
					   eb->natt, eb->instance, f)) == -1)
			return f->code;
		eb->involved[j] = 1;
		fmt(eb->att[j].dev, sizeof(eb->att[j].dev), "%s", x->plan->devs[i]);
		log_info("EBS: /dev/%s is %s (attached as %s)%s", x->plan->devs[i],
			 eb->att[j].id, eb->att[j].device,
			 j == eb->boot ? ", the boot volume" : "");
	}
	set_names(x);
	owner_tag(x);
	/* Would the call be allowed? DryRun answers DryRunOperation. */
	if (params_for(x, 1, params, sizeof(params)) == -1)
		return failf(f, MQ_CONFIG, "the snapshot's tags are too long");
	rc = ec2_call(&eb->e, "CreateSnapshots", params, EC2_RETRY_THROTTLE |
		      EC2_RETRY_5XX, bound(x, 0), x->sigfd, &r, code,
		      sizeof(code), f);
	xml_free(r);
	if (strcmp(code, "DryRunOperation") == 0)
		return failf(f, MQ_OK, "CreateSnapshots would be allowed");
	if (rc == MQ_OK)
		return failf(f, MQ_CMD, "EBS CreateSnapshots: DryRun was not "
			     "honoured by %s", eb->e.url);
	return rc;
}

static int
ebs_plan(struct snapctx *x, struct failure *f)
{
	struct ebs *eb = ebs_state(x);
	int rc = ebs_prepare(x, f), i;

	if (eb == NULL)
		return rc;
	printf("instance:    %s (%s) in %s\n", eb->instance[0] ? eb->instance :
	       "-", eb->iname[0] ? eb->iname : "no Name tag",
	       eb->region[0] ? eb->region : "-");
	printf("credentials: %s\n", eb->cr.source[0] ? eb->cr.source : "-");
	for (i = 0; i < eb->natt; i++)
		printf("volume:      %s %s%s%s%s\n", eb->att[i].id,
		       eb->att[i].device, eb->involved[i] ? " = /dev/" : "",
		       eb->involved[i] ? eb->att[i].dev : " (not involved: "
		       "excluded)", i == eb->boot ? " (boot)" : "");
	if (eb->name[0] != '\0')
		printf("name:        %s\n", eb->name);
	printf("dry run:     %s\n", rc == MQ_OK ? f->why : "refused");
	return rc;
}

/* The snapshot ids of a CreateSnapshots or DescribeSnapshots answer
 * into eb.created; r is freed. */
static void
keep_ids(struct ebs *eb, struct xnode *r)
{
	struct xnode *it;

	eb->ncreated = 0;
	for (it = xml_child(xml_find(r, "snapshotSet"), "item");
	     it != NULL && eb->ncreated < MAX_VOLS; it = it->next)
		fmt(eb->created[eb->ncreated++], sizeof(eb->created[0]), "%s",
		    xml_text(it, "snapshotId"));
	xml_free(r);
}

/* After a failed or timed-out call: was the set made after all? 1
 * yes (ids recorded), 0 no, -1 cannot tell. */
static int
lookup_set(const struct snapctx *x, int64_t deadline)
{
	struct ebs *eb = x->priv;
	char params[512], code[64];
	struct failure lf;
	struct xnode *r;

	params[0] = '\0';
	form_add(params, sizeof(params), "Filter.1.Name",
		 "tag:" TAG_PREFIX "set-id");
	form_add(params, sizeof(params), "Filter.1.Value.1", eb->set_id);
	if (ec2_call(&eb->e, "DescribeSnapshots", params, EC2_RETRY_THROTTLE,
		     deadline, x->sigfd, &r, code, sizeof(code), &lf) != MQ_OK) {
		log_warn("%s", lf.why);
		return -1;
	}
	keep_ids(eb, r);
	return eb->ncreated > 0;
}

static int
ebs_take(struct snapctx *x, struct failure *f)
{
	struct ebs *eb = x->priv;
	static char params[16384];
	char code[64];
	struct xnode *r;
	int64_t t0 = mono_ms();
	int rc, tries;

	if (eb == NULL || !eb->ready)
		return failf(f, MQ_FAIL, "EBS: not prepared");
	if (params_for(x, 0, params, sizeof(params)) == -1)
		return failf(f, MQ_CMD, "the snapshot's tags are too long");
	for (tries = 0;; tries++) {
		rc = ec2_call(&eb->e, "CreateSnapshots", params,
			      EC2_RETRY_THROTTLE, bound(x, x->deadline),
			      x->sigfd, &r, code, sizeof(code), f);
		if (rc == MQ_OK)
			break;
		/* not made for sure: refused, or stopped */
		if (rc == MQ_PRIV || rc == MQ_ABORTED ||
		    (code[0] != '\0' && strcmp(code, "InternalError") != 0 &&
		     strcmp(code, "Unavailable") != 0 &&
		     strcmp(code, "ServiceUnavailable") != 0))
			return rc;
		/* a timeout or a server error: it may have been made */
		if (mono_ms() >= x->deadline)
			return rc;
		switch (lookup_set(x, bound(x, x->deadline))) {
		case 1:
			eb->api_ms = mono_ms() - t0;
			log_warn("%s; but the set %s was made: not trying again",
				 f->why, eb->set_id);
			log_info("EBS CreateSnapshots: set %s (%s) in %lld ms",
				 eb->set_id, eb->name, (long long)eb->api_ms);
			failf(f, MQ_OK, "ok");
			return MQ_OK;
		case -1:
			return rc;
		}
		if (mono_ms() >= x->deadline || tries >= 3)
			return rc;
		log_warn("%s; the set was not made; trying again", f->why);
	}
	eb->api_ms = mono_ms() - t0;
	keep_ids(eb, r);
	log_info("EBS CreateSnapshots: set %s (%s) in %lld ms", eb->set_id,
		 eb->name, (long long)eb->api_ms);
	return MQ_OK;
}

static int
ebs_finish(struct snapctx *x, int took, struct failure *f)
{
	struct ebs *eb = x->priv;
	char ids[MAX_VOLS * 24] = "";
	int i;

	(void)f;
	if (eb == NULL)
		return MQ_OK;
	if (took == MQ_OK) {
		for (i = 0; i < eb->ncreated; i++)
			append(ids, sizeof(ids), "%s%s", i ? " " : "",
			       eb->created[i]);
		log_info("EBS snapshot set %s: %s; CreateSnapshots took %lld ms",
			 eb->set_id, ids[0] ? ids : "(no ids in the answer)",
			 (long long)eb->api_ms);
	}
	/* only after a set was made: a failed run deletes nothing */
	if (took == MQ_OK && x->c->ebs_keep > 0) {
		struct failure rf;

		/* role credentials near their end are fetched anew (after
		 * unlock: never while frozen) */
		if (creds_refresh(&eb->cr, &eb->im, 0, bound(x, 0), &rf) != MQ_OK)
			log_warn("retention skipped: %s", rf.why);
		else
			ebs_retention(&eb->e, eb->instance, eb->owner, eb->set_id,
				      eb->name, x->c->ebs_keep, x->sigfd,
				      mono_ms() + FINISH_CALLS_S * 1000);
	}
	ec2_free(&eb->e);
	imds_free(&eb->im);
	creds_wipe(&eb->cr);
	free(eb);
	x->priv = NULL;
	return MQ_OK;
}

const struct backend backend_ebs = {
	.name = "ebs",
	.plan = ebs_plan,
	.prepare = ebs_prepare,
	.take = ebs_take,
	.finish = ebs_finish,
};
