/* verify.h - verify's shared state: the checks found, and the
 * throwaway server they run against (src/verify.c, src/scratch.c). */
#ifndef MQ_VERIFY_H
#define MQ_VERIFY_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "db.h"

/*
 * MUST: PATH is never written: the server runs on an overlay whose
 * upper layer is in a private temporary directory, mounted in a mount
 * namespace of our own (or on a full copy, with --copy); whatever path
 * we leave by, the server is stopped and the overlay unmounted.
 */

enum { MAX_CHECKS = 32, SHUTDOWN_WAIT_MS = 60000 };

struct vcheck {
	char name[24];
	int ok;
	char detail[600];
};

struct verify {
	const char *path, *info, *server, *copy, *scratch;
	int json, keep, full;
	long long timeout;
	char tmp[PATH_MAX], data[PATH_MAX], sock[PATH_MAX + 8];
	char errlog[PATH_MAX + 16], infopath[PATH_MAX];
	int mounted;
	pid_t pid;
	struct db d;
	/* the info file's keys */
	char flavor[32], file[256], gtid[4096], gtid_kind[32], slave_pos[4096];
	unsigned long long pos;
	int has_info, nchan;
	struct vcheck c[MAX_CHECKS];
	int n, unverified;
};

/* One check's result; ok 0 is a finding about the snapshot. */
void verify_add(struct verify *v, int ok, const char *name, const char *f,
		...) __attribute__((format(printf, 4, 5)));
/* Could not verify (not a finding about the snapshot); -1. */
int verify_cannot(struct verify *v, const char *name, const char *why);

/* The writable layer over v->path; 0, or -1 (recorded). */
int verify_layer(struct verify *v);
/* Start the server of the installed flavor on the layer; wait until it
 * answers, is gone, or the deadline. 0 answering, -1 otherwise. */
int verify_start_server(struct verify *v, int64_t deadline);
/* Stop the server, unmount the layer, remove it unless --keep. */
void verify_cleanup(struct verify *v);

#endif
