/* verify.h - verify's shared state: the checks found, and the
 * throwaway server they run against (src/verb/verify.c,
 * src/verb/scratch.c; each check recorded by src/verb/vcheck.c). */
#ifndef MQ_VERIFY_H
#define MQ_VERIFY_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "db.h"
#include "idmap.h"

/*
 * MUST: PATH is never written: the server runs on an overlay whose
 * upper layer is in a private temporary directory, mounted in a mount
 * namespace of our own (or on a full copy, with --copy); whatever path
 * we leave by (a stop signal and the deadline included), the server is
 * stopped and the overlay unmounted.
 * MUST: the snapshot is data, never instructions: a value from its info
 * file is checked before use (a binary log is a plain name, numbers are
 * numbers); no symlink in it is followed (verify's own reads use
 * O_NOFOLLOW, the layers are mounted nosymfollow); the server is given
 * an index written by us that names only the snapshot's own binary
 * logs, never the live server's.
 */

enum { MAX_CHECKS = 32, SHUTDOWN_WAIT_MS = 60000, MAX_BINLOGS = 256,
       INFO_MAX = 65536 };

struct vcheck {
	char name[24];
	int ok;
	char detail[600];
};

struct verify {
	const char *path, *info, *server, *copy, *scratch;
	const char *binlog_dir, *root; /* --binlog-dir, --root */
	const char *user;      /* --user: the server's, never root */
	struct runas as;
	int json, keep, full;
	long long timeout;
	char tmp[PATH_MAX], data[PATH_MAX], sock[PATH_MAX + 8];
	char run[PATH_MAX + 8]; /* the server's user's own: socket, log,
				 * pid, tmpdir, secure_file_priv, index */
	char errlog[PATH_MAX + 16], infopath[PATH_MAX];
	char sockdir[32];      /* the socket's own directory, when v->tmp is
				* too deep for a socket path */
	int mounted, lmounted, blmounted; /* the overlay, the mapped views
					   * under it and the binlogs' */
	pid_t pid;
	struct db d;
	/* the info file's keys */
	char flavor[32], file[256], gtid[4096], gtid_kind[32], slave_pos[4096];
	unsigned long long pos;
	int has_info, nchan;
	/* the first channel's executed source position, its relay log,
	 * and whether the info file calls the position exact */
	char src_file[256], relay[256];
	unsigned long long src_pos;
	int src_inexact;
	/* the snapshot's binary logs: where, and the index's entries that
	 * map to files there, in order */
	char bdir[PATH_MAX];
	int bdir_is_data;      /* the binlogs are in PATH itself */
	char bins[MAX_BINLOGS][256];
	int nbins;
	char blayer[PATH_MAX + 16]; /* where the server sees them */
	char bindex[PATH_MAX + 32]; /* the index we write for it */
	int bmounted;
	int sigfd;             /* stop signals */
	struct vcheck c[MAX_CHECKS];
	int n, unverified, aborted;
};

/* The info file, read bounded and checked (src/verb/vinfo.c). */
void verify_read_info(struct verify *v);
/* The snapshot's binary logs found, their index mapped, the recorded
 * position checked against them. */
void verify_check_binlog(struct verify *v);
/* The first channel's recorded source position checked against the
 * recorded GTID set in the snapshot's relay logs (src/verb/vrelay.c). */
void verify_check_relay(struct verify *v);
/* Our own index for the server, naming v->blayer/NAME for each of
 * v->bins; 0, or -1 (recorded). */
int verify_write_index(struct verify *v);
/* A file of the snapshot read whole: never through a symlink, never
 * blocking, regular only, at most max bytes; 0, or -1 with why. */
int verify_snap_read(int dirfd, const char *name, size_t max, char **text,
		     size_t *len, char *why, size_t n);
/* 1 if s is a binary log's name as servers write them (BASE.NNNNNN). */
int verify_plain_binlog(const char *s);
/* Text with control characters escaped as JSON does (\u00XX). */
void verify_escape(char *out, size_t n, const char *in);

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
