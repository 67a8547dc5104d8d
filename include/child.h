/* child.h - the one way to start a child (src/base/child.c). */
#ifndef MQ_CHILD_H
#define MQ_CHILD_H

#include <stdint.h>
#include <sys/types.h>

/*
 * MUST: a child keeps no descriptor of ours but those named in keep
 * (as 3, 4, ...) and the stdio it is told to share (else /dev/null), and an environment of PATH only unless it is given
 * one: no secret, no connection, no lock file reaches it by accident.
 * MUST: a fork happens here alone, with every signal blocked across
 * it; the forked child runs only what it is given, with the
 * dispositions reset, and leaves by _exit.
 */

enum { CHILD_KEEP_MAX = 20 };

#define CHILD_PATH_ENV "PATH=/usr/sbin:/usr/bin:/sbin:/bin"

enum child_stdio {
	CHILD_NULL_STDIO = 0, /* 0, 1 and 2 on /dev/null */
	CHILD_NULL_STDIN,     /* 0 on /dev/null, 1 and 2 ours */
	CHILD_OUR_STDIO,      /* 0, 1 and 2 ours */
};

enum child_group {
	CHILD_SAME = 0,    /* our process group */
	CHILD_GROUP,       /* a group of its own (killed as one) */
	CHILD_SESSION,     /* a session of its own: no terminal's signal */
};

struct child {
	const char *path;       /* absolute, or with search a name in PATH */
	int search;
	char *const *argv;
	char *const *envp;      /* NULL: CHILD_PATH_ENV alone */
	int keep[CHILD_KEEP_MAX]; /* ours: the child's 3, 4, ... in order */
	int nkeep;
	enum child_stdio stdio;
	enum child_group group;
	int default_signals;    /* its mask emptied and every handler the
				 * default; else our mask goes with it
				 * (the holder takes its signals by fd) */
	pid_t pid;              /* out */
};

/* Start ch (posix_spawn: an exec failure is its return). 0, or -1 with
 * errno; nothing is left open either way. */
int child_start(struct child *ch);

/* The exit status of a forked child whose parent was gone before it
 * could run anything. */
enum { CHILD_ORPHANED = 126 };

/*
 * Fork, every signal blocked across it; in the child the blocked mask
 * stays, dispositions are reset to the default, and fn(arg)'s return is
 * its _exit status (fn must use only async-signal-safe calls, and exec
 * or return). The child dies with us: SIGTERM is its parent-death
 * signal (pending while it blocks it, for its own signal fd to take),
 * and a child whose parent is gone before that was set runs nothing
 * (CHILD_ORPHANED). The parent-death signal does not survive a change
 * of credentials, nor an exec of a set-user-ID program: a child that
 * does either sets its own again. The child's pid, or -1 with errno.
 */
pid_t child_fork(int (*fn)(void *), void *arg);

/*
 * Fork a child shaped as child_start would start ch, without the exec:
 * in the child, ch's descriptors as 3, 4, ..., stdio, process group or
 * session and environment as for child_start, every other descriptor
 * closed (syslog's connection first, so no stale number is written
 * to), the mask ours at the fork (or emptied, with default_signals),
 * dispositions the default; then fn(arg), whose return is its _exit
 * status. ch->path and ch->argv are not used. For a child that needs
 * what this process already loaded and nothing else of it: the holder
 * of one of several servers. 0 (ch->pid set), or -1 with errno.
 */
int child_fork_shaped(struct child *ch, int (*fn)(void *), void *arg);

/*
 * Wait for pid to exit until deadline (mono ms; NO_DEADLINE: as long as
 * it takes), EINTR retried, and reap it. 1 reaped (its wait status in
 * *status if not NULL), 0 still running at the deadline, -1 error.
 */
int child_reap(pid_t pid, int64_t deadline, int *status);

#endif
