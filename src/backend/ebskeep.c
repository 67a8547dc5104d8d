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

void
ebs_retention(struct ec2 *e, const char *instance, const char *owner,
	      const char *set_id, const char *name, long long keep, int sigfd,
	      int64_t deadline)
{
	static struct owned s[4096];
	char params[2048], code[64], token[1024] = "", prefix[300];
	char kept[64][40];
	struct failure lf;
	struct xnode *r, *it, *t;
	int n = 0, nkept = 0, i, j, deleted = 0;

	/* only sets named as ours: YYYYmmdd_HHMMSS_<name>[_<suffix>] */
	fmt(prefix, sizeof(prefix), "%s", strlen(name) > 16 ? name + 16 : "");
	do {
		params[0] = '\0';
		form_add(params, sizeof(params), "Owner.1", "self");
		form_add(params, sizeof(params), "Filter.1.Name",
			 "tag:" TAG_PREFIX "instance");
		form_add(params, sizeof(params), "Filter.1.Value.1",
			 instance);
		form_add(params, sizeof(params), "Filter.2.Name", "tag-key");
		form_add(params, sizeof(params), "Filter.2.Value.1",
			 TAG_PREFIX "set-id");
		form_add(params, sizeof(params), "MaxResults", "500");
		if (token[0] != '\0')
			form_add(params, sizeof(params), "NextToken", token);
		if (ec2_call(e, "DescribeSnapshots", params,
			     EC2_RETRY_THROTTLE | EC2_RETRY_5XX, deadline,
			     sigfd, &r, code, sizeof(code), &lf) != MQ_OK) {
			log_warn("retention skipped: %s", lf.why);
			return;
		}
		for (it = xml_child(xml_find(r, "snapshotSet"), "item");
		     it != NULL && n < (int)ARRAY_LEN(s); it = it->next) {
			const char *nm = "", *set = "", *by = "";

			for (t = xml_child(xml_child(it, "tagSet"), "item"); t;
			     t = t->next) {
				if (strcmp(xml_text(t, "key"), "Name") == 0)
					nm = xml_text(t, "value");
				if (strcmp(xml_text(t, "key"),
					   TAG_PREFIX "set-id") == 0)
					set = xml_text(t, "value");
				if (strcmp(xml_text(t, "key"),
					   TAG_PREFIX "config") == 0)
					by = xml_text(t, "value");
			}
			if (strcmp(by, owner) != 0)
				continue; /* another config's, or made before */
			if (set[0] == '\0' || strlen(nm) < 16 ||
			    nm[8] != '_' || strcmp(nm + 16, prefix) != 0)
				continue;
			fmt(s[n].id, sizeof(s[n].id), "%s",
			    xml_text(it, "snapshotId"));
			fmt(s[n].set, sizeof(s[n].set), "%s", set);
			/* the Name starts with the set's time */
			fmt(s[n].when, sizeof(s[n].when), "%.15s", nm);
			n++;
		}
		fmt(token, sizeof(token), "%s", xml_text(r, "nextToken"));
		xml_free(r);
	} while (token[0] != '\0' && mono_ms() < deadline);
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
		params[0] = '\0';
		form_add(params, sizeof(params), "SnapshotId", s[i].id);
		if (ec2_call(e, "DeleteSnapshot", params,
			     EC2_RETRY_THROTTLE | EC2_RETRY_5XX, deadline,
			     sigfd, &r, code, sizeof(code), &lf) != MQ_OK) {
			log_warn("retention: %s", lf.why);
			continue;
		}
		xml_free(r);
		deleted++;
		log_info("retention: deleted %s of set %s (keep = %lld)",
			 s[i].id, s[i].set, keep);
	}
	log_info("retention: %d set%s kept, %d snapshot%s deleted", nkept,
		 nkept == 1 ? "" : "s", deleted, deleted == 1 ? "" : "s");
}
