/* state.h - the holder's state file in run_dir (src/base/state.c;
 * run_dir itself and its locks: include/rundir.h). */
#ifndef MQ_STATE_H
#define MQ_STATE_H

#include "failure.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum phase {
	PH_WAITING,  /* holder started, lock not yet held */
	PH_LOCKED,   /* lock held, coordinates recorded */
	PH_RELEASED, /* released on request (thaw, freezeFail, abort) */
	PH_EXPIRED,  /* released by itself at max_lock_time */
	PH_LOST,     /* the server closed the connection while held */
	PH_FAILED,   /* the lock was never held */
};

struct state {
	enum phase phase;
	int thawed;              /* a thaw has dealt with this state */
	pid_t pid;               /* holder pid */
	unsigned long long start_time; /* holder start, ticks since boot */
	unsigned long conn_id;   /* holder's connection id (0 = none) */
	char user[256];          /* holder's USER(): login@client host */
	char method[32];         /* lock method */
	int64_t locked_at;       /* real ms the lock was granted (0 = never) */
	int64_t locked_mono;     /* the same on CLOCK_MONOTONIC */
	int64_t expires_at;      /* real ms of the max_lock_time release */
	int64_t released_at;     /* real ms the lock was released */
	int64_t blocked_ms;      /* how long writers could be blocked: the
				  * lock's wait and hold, and abandoned_ms
				  * (-1 = unknown) */
	int64_t abandoned_ms;    /* of it, the worst writer's wait behind
				  * attempts abandoned before */
	char binlog_file[256];
	unsigned long long binlog_pos;
	char gtid[4096];
	char reason[256];        /* why it ended, one line */
	int attempts;            /* lock attempts of the freeze (0: unknown) */
	int64_t freeze_ms;       /* from freeze's start to the lock held */
	char flavor[32];         /* MariaDB, MySQL, Percona Server */
	int64_t began_at;        /* real ms the freeze began (0: unknown) */
	char exit_verb[16];      /* the verb that last ended in this cycle */
	int exit_code;           /* and its exit code (-1: none yet) */
	int64_t release_us;      /* CLOCK_MONOTONIC us the release statement
				  * was sent (0: none), for thaw's steps */
};

#define STATE_FILE "state"
/* Beside the state: the last freeze failed and could not write it. */
#define UNRECORDED "state.unrecorded"
/* The comment the holder puts before its statements: thaw kills a
 * waiting connection only when the process list shows it. */
#define HOLDER_TAG_FMT "/* mysql-quiesce holder pid=%d */"

const char *phase_name(enum phase p);

void state_init(struct state *s);

/* Write s to dirfd/state atomically, and drop UNRECORDED; 0 or -1
 * (errno). */
int state_write(int dirfd, const struct state *s);

/*
 * A freeze failed and state_write could not record it (run_dir full):
 * take the last record out of status's sight (renamed to UNRECORDED,
 * which needs no space), or leave an empty UNRECORDED. 0 or -1.
 * state_is_unrecorded: 1 while such a mark stands.
 */
int state_unrecorded(int dirfd);
int state_is_unrecorded(int dirfd);

/*
 * Read dirfd/state. 0 = read; 1 = there is none; -1 = unsafe, corrupt
 * or truncated; -2 = it could not be read (a shortage of descriptors
 * or memory, an I/O error): no verdict on the file. Both with f
 * saying why (MQ_STATE).
 */
int state_read(int dirfd, struct state *s, struct failure *f);

/* Serialize / parse (the file format, used by the tests too). */
int state_format(const struct state *s, char *buf, size_t n);
int state_parse(const char *text, struct state *s, struct failure *f);

#endif
