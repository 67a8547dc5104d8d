/* backend/ebskeep.c - retention for native EBS, after thaw and unlock:
 * this config's sets on this instance, found by our tags and Name, the
 * newest kept and the rest deleted. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "ebs.h"
#include "exits.h"
#include "util.h"

/* One snapshot of ours, for retention. */
struct owned {
	char id[32], set[40], when[48];
};

static int
by_when_desc(const void *a, const void *b)
{
	return strcmp(((const struct owned *)b)->when,
		      ((const struct owned *)a)->when);
}

/* What retention reads, page by page. */
struct found {
	struct owned *s;
	int n, max;
	const char *owner, *prefix;
};

/* One snapshot of the instance's sets: kept in mind if it is ours. */
static void
consider(void *arg, const char *id, const struct ec2_tags *t)
{
	struct found *fd = arg;
	const char *nm = ec2_tag(t, "Name"), *set = ec2_tag(t, TAG_PREFIX
							 "set-id");

	if (fd->n == fd->max ||
	    strcmp(ec2_tag(t, TAG_PREFIX "config"), fd->owner) != 0)
		return; /* another config's, or made before */
	if (set[0] == '\0' || strlen(nm) < 16 || nm[8] != '_' ||
	    strcmp(nm + 16, fd->prefix) != 0)
		return;
	fmt(fd->s[fd->n].id, sizeof(fd->s[0].id), "%s", id);
	fmt(fd->s[fd->n].set, sizeof(fd->s[0].set), "%s", set);
	/* the Name starts with the set's time */
	fmt(fd->s[fd->n].when, sizeof(fd->s[0].when), "%.15s", nm);
	fd->n++;
}

void
ebs_retention(struct ec2 *e, const char *instance, const char *owner,
	      const char *set_id, const char *name, long long keep, int sigfd,
	      int64_t deadline)
{
	static struct owned s[4096];
	const struct ec2_tag flt[] = { { TAG_PREFIX "instance", instance },
				       { TAG_PREFIX "set-id", NULL } };
	char prefix[300], kept[64][40];
	struct found fd = { s, 0, (int)ARRAY_LEN(s), owner, prefix };
	struct failure lf;
	int n, nkept = 0, i, j, deleted = 0;

	/* only sets named as ours: YYYYmmdd_HHMMSS_<name>[_<suffix>] */
	fmt(prefix, sizeof(prefix), "%s", strlen(name) > 16 ? name + 16 : "");
	if (ec2_each_snapshot(e, flt, 2, EC2_RETRY_THROTTLE | EC2_RETRY_5XX,
			      deadline, sigfd, consider, &fd, &lf) != MQ_OK) {
		log_warn("retention skipped: %s", lf.why);
		return;
	}
	n = fd.n;
	qsort(s, (size_t)n, sizeof(s[0]), by_when_desc);
	/* this run's set first, whatever the clock says */
	fmt(kept[nkept++], sizeof(kept[0]), "%s", set_id);
	for (i = 0; i < n; i++) {
		for (j = 0; j < nkept; j++)
			if (strcmp(kept[j], s[i].set) == 0)
				break;
		if (j < nkept)
			continue;
		if (nkept < keep && nkept < (int)ARRAY_LEN(kept)) {
			fmt(kept[nkept++], sizeof(kept[0]), "%s", s[i].set);
			continue;
		}
		if (ec2_delete_snapshot(e, s[i].id, EC2_RETRY_THROTTLE |
					EC2_RETRY_5XX, deadline, sigfd,
					&lf) != MQ_OK) {
			log_warn("retention: %s", lf.why);
			continue;
		}
		deleted++;
		log_info("retention: deleted %s of set %s (keep = %lld)",
			 s[i].id, s[i].set, keep);
	}
	log_info("retention: %d set%s kept, %d snapshot%s deleted", nkept,
		 nkept == 1 ? "" : "s", deleted, deleted == 1 ? "" : "s");
}
