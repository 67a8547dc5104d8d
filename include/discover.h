/* discover.h - which filesystems and block devices hold a path. */
#ifndef MQ_DISCOVER_H
#define MQ_DISCOVER_H

#include "failure.h"

#include <limits.h>
#include <stddef.h>

enum { DISC_MAX_DEVS = 32 };

struct mountpt {
	char point[PATH_MAX];   /* mount point, unescaped */
	char source[PATH_MAX];  /* what is mounted, e.g. /dev/md0 */
	char fstype[64];
	unsigned major, minor;  /* st_dev of the filesystem */
};

/*
 * The mount that holds path: the line of PROC_ROOT/self/mountinfo whose
 * device is path's st_dev and whose mount point is the longest prefix of
 * path's real path (the last such line: later mounts cover earlier
 * ones). 0, or -1 with f saying why.
 */
int discover_mount(const char *proc_root, const char *path,
		   struct mountpt *m, struct failure *f);

/*
 * The block devices under m, from SYS_ROOT: the device (by the mount's
 * device number, else its source's), then each one's slaves
 * (md RAID, device-mapper/LVM) recursively and each partition's disk.
 * leaves gets the physical devices (kernel names, deduplicated); chain
 * a readable "dm-0 <- md0 <- nvme0n1p1 (nvme0n1), ..." line. Returns the
 * number of leaves (0: no block device, e.g. tmpfs or overlay), or -1
 * with f saying why.
 */
int discover_devices(const char *sys_root, const struct mountpt *m,
		     char leaves[][64], int max, char *chain, size_t cn,
		     struct failure *f);

/* Decode mountinfo's octal escapes (\040 and friends) in place. */
void discover_unescape(char *s);

#endif
