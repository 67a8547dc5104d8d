/* exits.h - the exit codes. Fixed: the README and the man page list
 * them, and callers (VMware Tools, QEMU's agent, backup products,
 * scripts) may rely on them. */
#ifndef MQ_EXITS_H
#define MQ_EXITS_H

enum {
	MQ_OK = 0,      /* done: lock held (freeze), released (thaw) */
	MQ_FAIL = 1,    /* system error: fork, pipe, file I/O */
	MQ_USAGE = 2,   /* unknown name, verb or option */
	MQ_CONFIG = 3,  /* config file unreadable, unsafe or invalid */
	MQ_SERVER = 4,  /* server unreachable, or a statement failed */
	MQ_PRIV = 5,    /* access denied or a privilege missing */
	MQ_TIMEOUT = 6, /* no lock within snapshot_timeout; a deadline */
	MQ_BUSY = 7,    /* another freeze or thaw is running */
	MQ_LOST = 8,    /* thaw: the lock was lost before thaw came */
	MQ_ABORTED = 9, /* ended by SIGTERM/SIGINT/SIGHUP */
	MQ_STATE = 10,  /* run_dir or state file unsafe or corrupt */
	MQ_CMD = 11,    /* snapshot: the backend failed to take it */
	MQ_INCONSISTENT = 12, /* verify: a check failed: not exact */
	MQ_UNVERIFIED = 13,   /* verify: could not verify (no server
			       * binary, overlay refused, timeout) */
	MQ_LASTFAILED = 14,   /* status: the last freeze never held the
			       * lock (status exits 8 when it was lost or
			       * expired) */
};

#endif
