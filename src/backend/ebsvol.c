/* backend/ebsvol.c - which attached EBS volume holds a leaf device:
 * NVMe controllers by their model and serial (the serial is the volume
 * id), Xen block devices by the attachment's device name. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "ebs.h"
#include "exits.h"
#include "util.h"

/* SYS_ROOT/class/block/DEV/device/FILE, trimmed; 0 or -1. */
static int
sys_attr(const char *sys_root, const char *dev, const char *file, char *out,
	 size_t n)
{
	char path[PATH_MAX];
	ssize_t r;
	int fd;

	if (fmt(path, sizeof(path), "%s/class/block/%s/device/%s",
		sys_root, dev, file) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	r = read(fd, out, n - 1);
	close(fd);
	if (r < 0)
		return -1;
	out[r] = '\0';
	trim_blanks(out);
	return 0;
}

/* "/dev/sdf", "/dev/xvdf", "sdf", "xvdf" -> "f" (Xen renames sd to
 * xvd); NULL if the name is neither. */
static const char *
xen_suffix(const char *name)
{
	if (strncmp(name, "/dev/", 5) == 0)
		name += 5;
	if (strncmp(name, "xvd", 3) == 0)
		return name + 3;
	if (strncmp(name, "sd", 2) == 0)
		return name + 2;
	return NULL;
}

int
ebs_map_device(const char *sys_root, const char *dev,
	       const struct ebs_vol *att, int natt, const char *instance,
	       struct failure *f)
{
	char model[128], serial[128], id[32];
	const char *sx;
	int i;

	if (strncmp(dev, "nvme", 4) == 0) {
		if (sys_attr(sys_root, dev, "model", model, sizeof(model)) == -1 ||
		    sys_attr(sys_root, dev, "serial", serial, sizeof(serial)) == -1) {
			failf(f, MQ_CMD, "/dev/%s: cannot read its NVMe model "
			      "and serial under %s", dev, sys_root);
			return -1;
		}
		if (strstr(model, "Instance Storage") != NULL) {
			failf(f, MQ_CMD, "/dev/%s is instance storage (%s): "
			      "EBS cannot snapshot it", dev, model);
			return -1;
		}
		if (strcmp(model, "Amazon Elastic Block Store") != 0 ||
		    strncmp(serial, "vol", 3) != 0 || serial[3] == '-') {
			failf(f, MQ_CMD, "/dev/%s is not an EBS volume (model "
			      "\"%s\", serial \"%s\")", dev, model, serial);
			return -1;
		}
		fmt(id, sizeof(id), "vol-%s", serial + 3);
		for (i = 0; i < natt && strcmp(att[i].id, id) != 0; i++)
			;
		if (i == natt) {
			failf(f, MQ_CMD, "/dev/%s is %s, which is not attached "
			      "to %s", dev, id, instance);
			return -1;
		}
		return i;
	}
	if ((sx = xen_suffix(dev)) != NULL && *sx != '\0')
		for (i = 0; i < natt; i++) {
			const char *ax = xen_suffix(att[i].device);

			if (ax != NULL && strcmp(ax, sx) == 0)
				return i;
		}
	failf(f, MQ_CMD, "/dev/%s maps to no EBS volume attached to %s", dev,
	      instance);
	return -1;
}
