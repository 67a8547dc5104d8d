/* ebs.h - the native EBS backend's parts (src/backend/): which attached
 * volume holds a device, and retention of this instance's sets. */
#ifndef MQ_EBS_H
#define MQ_EBS_H

#include <stdint.h>

#include "creds.h"
#include "ec2.h"
#include "imds.h"
#include "log.h"

enum { MAX_VOLS = 64 };

#define TAG_PREFIX "mysql-quiesce:"

/* A volume attached to this instance. */
struct ebs_vol {
	char id[32];
	char device[64];       /* the attachment's device, /dev/sdf */
	char dev[64];          /* our leaf device, nvme1n1, "" if none */
};

/*
 * Map one leaf device (nvme1n1, xvdf, sdf) to one of the natt volumes
 * attached to instance: NVMe by its controller's model and serial under
 * sys_root (/sys), Xen names by the attachment's device. Its index, or
 * -1 with f saying why.
 */
int ebs_map_device(const char *sys_root, const char *dev,
		   const struct ebs_vol *att, int natt, const char *instance,
		   struct failure *f);

/*
 * Keep the newest keep sets of instance's snapshots that carry this
 * config's owner tag (TAG_PREFIX "config") and are named like name
 * (YYYYmmdd_HHMMSS_<instance Name>[_<suffix>]), set_id's always among
 * them; delete the rest of those, by deadline. A set without our owner
 * tag is never counted nor deleted. Logs what it did; its failures are
 * warnings (the snapshot was taken).
 */
void ebs_retention(struct ec2 *e, const char *instance, const char *owner,
		   const char *set_id, const char *name, long long keep,
		   int sigfd, int64_t deadline);

#endif
