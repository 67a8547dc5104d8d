/* verify.h - verify's shared state (src/verify/verify.c runs it): the
 * checks found, and the throwaway server they run against. Its parts:
 * vinfo.h, vbinlog.h, vrelay.h, vcheck.h, scratch.h. */
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

/* A check's verdict: passed, failed, or a note (said, neither). */
enum { VCHECK_FAIL = 0, VCHECK_OK = 1, VCHECK_NOTE = 2 };

struct vcheck {
	char name[24];
	int ok;                /* VCHECK_*: only VCHECK_FAIL fails */
	char detail[600];
};

struct verify {
	const char *path, *info, *server, *copy, *scratch;
	const char *binlog_dir, *root; /* --binlog-dir, --root */
	const char *user;      /* --user: the server's, never root */
	const char *write_info; /* --write-info: the exact coordinates' */
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
	char method[32];
	int lower_bound;       /* coordinates = lower-bound (method
				* recovery): the snapshot holds these and
				* maybe more */
	unsigned long long pos;
	int has_info, nchan;
	/* the first channel's executed source position, its relay log,
	 * and whether the info file calls the position exact */
	char src_file[256], relay[256];
	char relay_base[256];  /* the relay logs' base name ("": the
				* server's default) */
	char rec_binbase[PATH_MAX]; /* the info file's binlog_basename and */
	char rec_datadir[PATH_MAX]; /* datadir: where the server kept them */
	unsigned long long src_pos;
	int src_inexact;
	/* the snapshot's binary logs: where, and the index's entries that
	 * map to files there, in order */
	char bdir[PATH_MAX];
	int bdir_is_data;      /* the binlogs are in PATH itself */
	char bins[MAX_BINLOGS][256];
	int nbins;
	long long file_size;   /* the recorded binary log's, -1 unknown */
	char blayer[PATH_MAX + 16]; /* where the server sees them */
	char bindex[PATH_MAX + 32]; /* the index we write for it */
	int bmounted;
	int sigfd;             /* stop signals */
	int64_t deadline;      /* --timeout's end, CLOCK_MONOTONIC ms: every
				* long step (relay scan, copy, recovery)
				* ends by it, and at a stop signal */
	/* the exact coordinates read back from the recovered server
	 * (src/verify/vderive.c): the end of its last whole transaction,
	 * its GTID set, and how many transactions lie past the recorded
	 * position */
	int has_exact;
	char ex_file[256], ex_gtid[4096];
	unsigned long long ex_pos;
	long ex_after;
	struct vcheck c[MAX_CHECKS];
	int n, unverified, aborted;
};

/* Check NAME: the recovered @@VAR (on v->d) is the recorded GTID set,
 * compared as sets: per domain and server (MariaDB), per UUID's merged
 * intervals (MySQL); never as a prefix of text. With lower, the
 * recorded set is a lower bound: the recovered one must hold it; one
 * before it is not this snapshot's state. Defined in verify.c; seed
 * runs it on the restored server. */
void verify_same_gtid(struct verify *v, const char *name, const char *var,
		      const char *recorded, int lower);

#endif
