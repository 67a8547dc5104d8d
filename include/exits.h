/* exits.h - the exit codes (src/base/exits.c names them). Fixed: the
 * README and the man page list them, and callers (VMware Tools, QEMU's
 * agent, backup products, scripts) may rely on them. */
#ifndef MQ_EXITS_H
#define MQ_EXITS_H

/* X(identifier, code, name): the name as usage and status say it. */
#define EXIT_CODES(X)                                                        \
	/* done: lock held (freeze), released (thaw) */                     \
	X(MQ_OK, 0, "ok")                                                   \
	/* system error: fork, pipe, file I/O */                            \
	X(MQ_FAIL, 1, "system error")                                       \
	/* unknown name, verb or option */                                  \
	X(MQ_USAGE, 2, "usage")                                             \
	/* config file unreadable, unsafe or invalid */                     \
	X(MQ_CONFIG, 3, "config")                                           \
	/* server unreachable, or a statement failed */                     \
	X(MQ_SERVER, 4, "server")                                           \
	/* access denied or a privilege missing; not root */               \
	X(MQ_PRIV, 5, "privilege")                                          \
	/* no lock within snapshot_timeout; a deadline */                   \
	X(MQ_TIMEOUT, 6, "timeout")                                         \
	/* another freeze or thaw is running */                             \
	X(MQ_BUSY, 7, "busy")                                               \
	/* thaw: the lock was lost before thaw came */                      \
	X(MQ_LOST, 8, "lock lost before thaw")                              \
	/* ended by SIGTERM/SIGINT/SIGHUP */                                \
	X(MQ_ABORTED, 9, "aborted")                                         \
	/* run_dir or state file unsafe or corrupt */                       \
	X(MQ_STATE, 10, "state")                                            \
	/* snapshot: the backend failed to take it */                       \
	X(MQ_CMD, 11, "snapshot backend failed")                            \
	/* verify: a check failed: not exact */                             \
	X(MQ_INCONSISTENT, 12, "verify: not consistent")                    \
	/* verify: could not verify (no server binary, overlay refused,     \
	 * timeout) */                                                      \
	X(MQ_UNVERIFIED, 13, "verify: could not verify")                    \
	/* status: the last freeze never held the lock (status exits 8      \
	 * when it was lost or expired) */                                  \
	X(MQ_LASTFAILED, 14, "status: the last freeze held no lock")        \
	/* seed: the new server may not replicate from the source (it is   \
	 * the source, or shares its server_id or server_uuid); wire: a     \
	 * file it did not write is in the way */                           \
	X(MQ_REFUSED, 15, "refused")                                        \
	/* seed: replication started and stopped on a thread's error */    \
	X(MQ_REPLICATION, 16, "seed: replication failed")                   \
	/* check: not ready, for a reason no code above names (a caller's  \
	 * wiring broken, a file's directory unwritable, EBS not usable) */ \
	X(MQ_NOTREADY, 17, "check: not ready")

#define EXIT_ID(id, code, name) id = code,
enum { EXIT_CODES(EXIT_ID) };

/* The name of exit code code ("timeout"), or "unknown". */
const char *exit_name(int code);

#endif
