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
#include "lock.h"
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

/* The instance's root device and Name tag; its attached volumes. */
static int
describe(const struct snapctx *x, struct failure *f)
{
	struct ebs *eb = x->priv;
	static struct ec2_volume v[MAX_VOLS];
	char name[256];
	int rc, i, n;

	rc = ec2_instance(&eb->e, eb->instance, bound(x, 0), x->sigfd,
			  eb->root_dev, sizeof(eb->root_dev), name,
			  sizeof(name), f);
	if (rc != MQ_OK)
		return rc;
	if (eb->iname[0] == '\0')
		fmt(eb->iname, sizeof(eb->iname), "%s", name);
	rc = ec2_volumes(&eb->e, eb->instance, bound(x, 0), x->sigfd, v,
			 MAX_VOLS, &n, f);
	if (rc != MQ_OK)
		return rc;
	for (i = eb->natt = 0; i < n; i++) {
		fmt(eb->att[i].id, sizeof(eb->att[0].id), "%s", v[i].id);
		fmt(eb->att[i].device, sizeof(eb->att[0].device), "%s",
		    v[i].device);
		if (strcmp(eb->att[i].device, eb->root_dev) == 0)
			eb->boot = i;
		eb->natt++;
	}
	return MQ_OK;
}

/* The set's request, its tags in tag[] (values in val[]); coordinates
 * from x->st (empty in a DryRun). */
enum { TAGS_MAX = 50 }; /* EC2's most per resource */
struct set_req {
	struct ec2_set_request q;
	const char *exclude[MAX_VOLS];
	struct ec2_tag tag[TAGS_MAX];
	char val[TAGS_MAX][NAME_TAG_MAX + 1]; /* each tag's key, then value */
	char key[TAGS_MAX][NAME_TAG_MAX + 1];
	char desc[DESC_MAX + 1];
	int too_many;                         /* tags past TAGS_MAX */
};

static void
add_tag(struct set_req *r, const char *key, const char *value)
{
	int t = r->q.ntags;

	if (t == TAGS_MAX) {
		r->too_many = 1;
		return;
	}
	fmt(r->key[t], sizeof(r->key[t]), "%s", key);
	fmt(r->val[t], sizeof(r->val[t]), "%s", value);
	r->tag[t].key = r->key[t];
	r->tag[t].value = r->val[t];
	r->q.ntags++;
}

/* One server's coordinates as tags; pre: "" with one server, "NAME:"
 * for each of several. */
static void
coords_tags(struct set_req *r, const char *pre, const struct state *st)
{
	char key[96], num[32];

	fmt(key, sizeof(key), TAG_PREFIX "%sbinlog-file", pre);
	add_tag(r, key, st->binlog_file);
	fmt(num, sizeof(num), "%llu", st->binlog_pos);
	fmt(key, sizeof(key), TAG_PREFIX "%sbinlog-pos", pre);
	add_tag(r, key, num);
	fmt(key, sizeof(key), TAG_PREFIX "%sgtid", pre);
	add_tag(r, key, st->gtid);
	fmt(key, sizeof(key), TAG_PREFIX "%slock-method", pre);
	add_tag(r, key, st->method);
	fmt(key, sizeof(key), TAG_PREFIX "%scoordinates", pre);
	add_tag(r, key, lock_lower_bound(st->method) ? "lower-bound" : "exact");
}

static void
set_request(const struct snapctx *x, int dry, struct set_req *r)
{
	struct ebs *eb = x->priv;
	const char *tags = x->c->ebs_tags;
	char when[48], key[CONFIG_NAME_MAX + 2];
	char servers[CONFIG_MAX_SERVERS * CONFIG_NAME_MAX + 8] = "";
	int i;

	for (i = 0; i < x->nsv; i++)
		append(servers, sizeof(servers), "%s%s", i ? " " : "",
		       x->sv_name[i]);
	memset(r, 0, sizeof(*r));
	r->q.instance = eb->instance;
	r->q.exclude_boot = !(eb->boot >= 0 && eb->involved[eb->boot]);
	for (i = 0; i < eb->natt; i++)
		if (!eb->involved[i] && i != eb->boot)
			r->exclude[r->q.nexclude++] = eb->att[i].id;
	r->q.exclude = r->exclude;
	if (x->nsv == 0)
		fmt(r->desc, sizeof(r->desc), "mysql-quiesce binlog:%s@%s%llu "
		    "gtid:%s set:%s", x->st.binlog_file[0] ? x->st.binlog_file :
		    "-", lock_lower_bound(x->st.method) ? ">=" : "",
		    x->st.binlog_pos, x->st.gtid[0] ? x->st.gtid : "-",
		    eb->set_id);
	else /* several servers: their coordinates are in the tags */
		fmt(r->desc, sizeof(r->desc), "mysql-quiesce servers:%s set:%s",
		    servers, eb->set_id);
	r->q.description = r->desc;
	r->q.tags = r->tag;
	add_tag(r, "Name", eb->name);
	add_tag(r, TAG_PREFIX "set-id", eb->set_id);
	add_tag(r, TAG_PREFIX "instance", eb->instance);
	add_tag(r, TAG_PREFIX "config", eb->owner);
	if (x->nsv == 0)
		coords_tags(r, "", &x->st);
	else
		add_tag(r, TAG_PREFIX "servers", servers);
	for (i = 0; i < x->nsv; i++) {
		fmt(key, sizeof(key), "%s:", x->sv_name[i]);
		coords_tags(r, key, &x->sv_st[i]);
	}
	iso_time(when, sizeof(when), x->st.locked_at ? x->st.locked_at :
		 real_ms());
	add_tag(r, TAG_PREFIX "time", when);
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
			add_tag(r, item, eq + 1);
		}
		tags += len + (tags[len] == ',');
	}
	r->q.dry_run = dry;
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
	static struct set_req req;
	char code[64];
	struct failure ef;
	int i, j, rc;

	if (eb == NULL)
		return failf(f, MQ_FAIL, "EBS: out of memory");
	if (eb->ready)
		return MQ_OK;
	if (imds_init(&eb->im, x->c->ebs_imds_endpoint, &ef) == -1)
		return failf(f, MQ_FAIL, "EBS: %s", ef.why);
	if (imds_get(&eb->im, "meta-data/instance-id", eb->instance,
		     sizeof(eb->instance), bound(x, 0), &ef) != 0)
		return failf(f, MQ_CMD, "this instance's id: %s",
		    ef.why[0] ? ef.why : "not in instance metadata");
	if (x->c->ebs_region[0] != '\0')
		fmt(eb->region, sizeof(eb->region), "%s", x->c->ebs_region);
	else if (imds_get(&eb->im, "meta-data/placement/region", eb->region,
			  sizeof(eb->region), bound(x, 0), &ef) != 0)
		return failf(f, MQ_CMD, "the region: %s (or set [ebs] region)",
			     ef.why[0] ? ef.why : "not in instance metadata");
	trim_blanks(eb->region);
	rc = creds_find(&eb->cr, x->c->ebs_profile, &eb->im, bound(x, 0), f);
	if (rc != MQ_OK)
		return rc;
	if (ec2_init(&eb->e, x->c->ebs_endpoint, eb->region, &eb->cr, f) == -1)
		return f->code;
	eb->ready = 1;
	log_info("EBS: instance %s in %s, credentials from %s", eb->instance,
		 eb->region, eb->cr.source);
	/* the Name tag, when instance metadata tags are on */
	if (imds_get(&eb->im, "meta-data/tags/instance/Name", eb->iname,
		     sizeof(eb->iname), bound(x, 0), &ef) != 0)
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
	set_request(x, 1, &req);
	if (req.too_many)
		return failf(f, MQ_CONFIG, "[ebs] tags: more than EC2's %d "
		    "tags per snapshot, with the 9 of our own", TAGS_MAX);
	rc = ec2_create_set(&eb->e, &req.q, EC2_RETRY_THROTTLE | EC2_RETRY_5XX,
			    bound(x, 0), x->sigfd, eb->created, MAX_VOLS,
			    &eb->ncreated, code, sizeof(code), f);
	eb->ncreated = 0;
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

/* One snapshot of the set looked up: its id kept. */
static void
found(void *arg, const char *id, const struct ec2_tags *t)
{
	struct ebs *eb = arg;

	(void)t;
	if (eb->ncreated < MAX_VOLS)
		fmt(eb->created[eb->ncreated++], sizeof(eb->created[0]), "%s",
		    id);
}

/* After a failed or timed-out call: was the set made after all? 1
 * yes (ids recorded), 0 no, -1 cannot tell. */
static int
lookup_set(const struct snapctx *x, int64_t deadline)
{
	struct ebs *eb = x->priv;
	const struct ec2_tag flt = { TAG_PREFIX "set-id", eb->set_id };
	struct failure lf;

	eb->ncreated = 0;
	if (ec2_each_snapshot(&eb->e, &flt, 1, EC2_RETRY_THROTTLE, deadline,
			      x->sigfd, found, eb, &lf) != MQ_OK) {
		log_warn("%s", lf.why);
		return -1;
	}
	return eb->ncreated > 0;
}

static int
ebs_take(struct snapctx *x, struct failure *f)
{
	struct ebs *eb = x->priv;
	static struct set_req req;
	char code[64];
	int64_t t0 = mono_ms();
	int rc, tries;

	if (eb == NULL || !eb->ready)
		return failf(f, MQ_FAIL, "EBS: not prepared");
	set_request(x, 0, &req);
	for (tries = 0;; tries++) {
		rc = ec2_create_set(&eb->e, &req.q, EC2_RETRY_THROTTLE,
				    bound(x, x->deadline), x->sigfd,
				    eb->created, MAX_VOLS, &eb->ncreated,
				    code, sizeof(code), f);
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
