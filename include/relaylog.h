/* relaylog.h - a replica's relay logs, read for one fact: where in its
 * source's binary logs a recorded GTID set ends (src/db/relaylog.c;
 * the log names are binlog.h's). */
#ifndef MQ_RELAYLOG_H
#define MQ_RELAYLOG_H

#include <stdint.h>

#include <stddef.h>

/*
 * MUST: the relay logs are the snapshot's, so data: every length is
 * checked against what was read, nothing is followed, a malformed log
 * ends the scan with a reason ("cannot tell"), never a verdict.
 *
 * A relay log holds the source's events as sent: each one's header
 * carries its end position in the source's binary log, and Rotate
 * events name that log. A transaction starts with its GTID event, so
 * its start in the source's log is that event's end less its size.
 * A replica that has applied exactly the recorded set has executed up
 * to a position after the start of the last transaction in the set and
 * at most the start of the first one not in it.
 */

struct relay_mark {
	char file[256];               /* the source's binary log */
	unsigned long long pos;       /* where the transaction starts */
	char gtid[80];
};

struct relay_scan {
	int mariadb;
	const char *applied;          /* the recorded GTID set */
	char relay_base[256];         /* the relay logs' own BASE: their
				       * own Rotates are not the source's */
	char src_file[256];           /* the source's log being read */
	int groups;                   /* transactions seen */
	int have_last, have_next, disorder;
	struct relay_mark last;       /* the last one in the set */
	struct relay_mark next;       /* the first one not in it */
	struct relay_mark late;       /* in the set, after next */
	char err[200];                /* the scan could not go on */
	int64_t deadline;             /* mono ms it stops by (0: none) */
	int sigfd;                    /* a stop signal on it (left
				       * pending) ends the scan (-1: none) */
	int cut;                      /* 1: ended by the deadline, 2: by a
				       * stop signal */
};

/* One event; ev holds have bytes (at least the 19 of the header) of
 * an event of size bytes. 0, or -1 with s->err. */
int relay_event(struct relay_scan *s, const unsigned char *ev, size_t have,
		size_t size);

/* One relay log file, opened in dirfd without following a symlink,
 * event by event. A partial last event (a log being written) ends it
 * quietly. 0, or -1 with s->err. */
int relay_scan_file(struct relay_scan *s, int dirfd, const char *name);

/* Is (file, pos) where the scanned set ends? 1 yes, 0 no, -1 the relay
 * logs cannot tell; one line in why either way. */
int relay_verdict(const struct relay_scan *s, const char *file,
		  unsigned long long pos, char *why, size_t n);

/* A log file's number: what follows its last dot, or -1. */
long long relay_suffix(const char *name);

/* Scan the relay logs of s->relay_base in dirfd from number first on,
 * in order. 0, or -1 with s->err. */
int relay_scan_from(struct relay_scan *s, int dirfd, long long first);

#endif
