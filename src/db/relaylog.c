/* relaylog.c - a replica's relay logs read as data, event by event,
 * for where in its source's binary logs a recorded GTID set ends (the
 * contract is in include/relaylog.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dynlib.h"
#include "gtid.h"
#include "binlog.h"
#include "relaylog.h"
#include "util.h"

enum {
	HEADER = 19,          /* v4 event header */
	EV_ROTATE = 4,
	EV_MYSQL_GTID = 33, EV_MYSQL_ANON = 34, EV_MYSQL_TAGGED = 42,
	EV_MARIADB_GTID = 162,
	BODY_MAX = 512,       /* what is read of an event we look into */
	CHUNK = 1 << 20,
	CUT_EVERY = 64,       /* events between looks at the deadline and
			       * the stop signals (well under a second) */
};

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned long long
le64(const unsigned char *p)
{
	return (unsigned long long)le32(p) |
	       (unsigned long long)le32(p + 4) << 32;
}

/* zlib's crc32, opened when first needed (verify only). */
#define ZLIB_SONAME "libz.so.1"
static __typeof__(crc32) *z_crc32;

/* Does the event's last 4 bytes hold its CRC32 (binlog_checksum)? 1,
 * 0, or -1 when zlib cannot be loaded (f). */
static int
checksummed(const unsigned char *ev, size_t size, struct failure *f)
{
	static const char *const names[] = { "crc32" };
	static void **const slots[] = { (void **)&z_crc32 };

	if (z_crc32 == NULL && dynlib_open(ZLIB_SONAME, names, slots, 1, f) == NULL)
		return -1;
	return size >= HEADER + 4 && z_crc32(0L, ev, (uInt)(size - 4)) ==
	       le32(ev + size - 4);
}

/* The numeric suffix of a binary log's name, or -1. */
long long
relay_suffix(const char *name)
{
	const char *dot = strrchr(name, '.');
	long long v;

	return dot != NULL && parse_num(dot + 1, 0, (long long)1 << 40, &v) == 0 ?
	       v : -1;
}

/* Order of two places in the source's logs: by file (numbered logs of
 * one base by number), then position. */
static int
place_cmp(const char *fa, unsigned long long pa, const char *fb,
	  unsigned long long pb)
{
	size_t la = strrchr(fa, '.') ? (size_t)(strrchr(fa, '.') - fa) : 0;
	size_t lb = strrchr(fb, '.') ? (size_t)(strrchr(fb, '.') - fb) : 0;
	int c;

	if (la == lb && la > 0 && strncmp(fa, fb, la) == 0 &&
	    relay_suffix(fa) >= 0 && relay_suffix(fb) >= 0)
		c = relay_suffix(fa) < relay_suffix(fb) ? -1 :
		    relay_suffix(fa) > relay_suffix(fb);
	else
		c = strcmp(fa, fb);
	return c != 0 ? c : pa < pb ? -1 : pa > pb;
}

/* A Rotate names the source's next log, unless it is the relay log's
 * own (one of its files by name). */
static int
rotate(struct relay_scan *s, const unsigned char *ev, size_t size)
{
	struct failure lf;
	char name[256];
	size_t len;
	int crc;

	if ((crc = checksummed(ev, size, &lf)) == -1) {
		fmt(s->err, sizeof(s->err), "%s", lf.why);
		return -1;
	}
	len = size > HEADER + 8 + (crc ? 4 : 0) ?
	      size - HEADER - 8 - (crc ? 4 : 0) : 0;
	if (len == 0 || len >= sizeof(name)) {
		fmt(s->err, sizeof(s->err), "a Rotate event of %zu bytes", size);
		return -1;
	}
	memcpy(name, ev + HEADER + 8, len);
	name[len] = '\0';
	if (!binlog_plain_name(name)) {
		fmt(s->err, sizeof(s->err), "a Rotate event names no binary log");
		return -1;
	}
	if (s->relay_base[0] != '\0' &&
	    strncmp(name, s->relay_base, strlen(s->relay_base)) == 0 &&
	    name[strlen(s->relay_base)] == '.')
		return 0;
	fmt(s->src_file, sizeof(s->src_file), "%s", name);
	return 0;
}

/* A transaction begins: where, and is it in the set? */
static int
transaction(struct relay_scan *s, const char *gtid, unsigned long long end,
	    size_t size)
{
	struct relay_mark m;
	int in;

	if (s->src_file[0] == '\0' || end < size) {
		fmt(s->err, sizeof(s->err), "transaction %s comes with no "
		    "source position", gtid);
		return -1;
	}
	fmt(m.file, sizeof(m.file), "%s", s->src_file);
	m.pos = end - size;
	fmt(m.gtid, sizeof(m.gtid), "%s", gtid);
	if ((in = gtid_contains(s->mariadb, s->applied, gtid)) == -1) {
		fmt(s->err, sizeof(s->err), "the recorded GTID set or %s does not "
		    "parse", gtid);
		return -1;
	}
	s->groups++;
	if (in && s->have_next && !s->disorder) {
		s->disorder = 1;
		s->late = m;
	} else if (in && !s->have_next) {
		s->have_last = 1;
		s->last = m;
	} else if (!in && !s->have_next) {
		s->have_next = 1;
		s->next = m;
	}
	return 0;
}

int
relay_event(struct relay_scan *s, const unsigned char *ev, size_t have,
	    size_t size)
{
	char gtid[80];
	int i;

	if (have < HEADER || size < HEADER || have > size) {
		fmt(s->err, sizeof(s->err), "an event of %zu bytes", size);
		return -1;
	}
	switch (ev[4]) {
	case EV_ROTATE:
		if (have != size) {
			fmt(s->err, sizeof(s->err), "a Rotate event of %zu bytes",
			    size);
			return -1;
		}
		return rotate(s, ev, size);
	case EV_MARIADB_GTID:
		if (!s->mariadb || have < HEADER + 13)
			break;
		fmt(gtid, sizeof(gtid), "%u-%u-%llu", le32(ev + HEADER + 8),
		    le32(ev + 5), le64(ev + HEADER));
		return transaction(s, gtid, le32(ev + 13), size);
	case EV_MYSQL_GTID:
		if (s->mariadb || have < HEADER + 25)
			break;
		gtid[0] = '\0';
		for (i = 0; i < 16; i++)
			append(gtid, sizeof(gtid), "%s%02x", i == 4 || i == 6 ||
			       i == 8 || i == 10 ? "-" : "", ev[HEADER + 1 + i]);
		append(gtid, sizeof(gtid), ":%llu", le64(ev + HEADER + 17));
		return transaction(s, gtid, le32(ev + 13), size);
	case EV_MYSQL_ANON:
		fmt(s->err, sizeof(s->err), "anonymous transactions: the source "
		    "wrote no GTIDs");
		return -1;
	case EV_MYSQL_TAGGED:
		fmt(s->err, sizeof(s->err), "tagged GTIDs (MySQL 8.4) are not read");
		return -1;
	default:
		return 0;
	}
	fmt(s->err, sizeof(s->err), "a GTID event of another flavor or of %zu "
	    "bytes", size);
	return -1;
}

/* What relay_scan_file reads through: the file in CHUNK pieces. */
struct reader {
	int fd;
	off_t size, at;          /* the file's, and where buf starts */
	size_t len;
	unsigned char buf[CHUNK];
};

/* The n bytes at off in the buffer; NULL past the end of the file. */
static const unsigned char *
bytes(struct reader *r, off_t off, size_t n)
{
	ssize_t got;

	if (off < 0 || (off_t)n > r->size - off)
		return NULL;
	if (off >= r->at && off + (off_t)n <= r->at + (off_t)r->len)
		return r->buf + (off - r->at);
	r->at = off;
	r->len = 0;
	while (r->len < n) {
		got = pread(r->fd, r->buf + r->len, sizeof(r->buf) - r->len,
			    off + (off_t)r->len);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			return NULL;
		r->len += (size_t)got;
	}
	return r->buf;
}

/* Is the scan to end now: its deadline passed, or a stop signal
 * waiting (not taken: the verb's own check takes it)? s->cut says
 * which. */
static int
cut_short(struct relay_scan *s)
{
	struct pollfd p = { .fd = s->sigfd, .events = POLLIN };

	if (s->deadline > 0 && mono_ms() >= s->deadline)
		s->cut = 1;
	else if (s->sigfd >= 0 && poll(&p, 1, 0) == 1)
		s->cut = 2;
	return s->cut != 0;
}

int
relay_scan_file(struct relay_scan *s, int dirfd, const char *name)
{
	static struct reader r;
	const unsigned char *h, *ev;
	struct stat st;
	off_t off = 4;
	int rc = 0;
	unsigned n = 0;

	r.fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		      O_CLOEXEC | O_NOCTTY);
	if (r.fd == -1 || fstat(r.fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		fmt(s->err, sizeof(s->err), "%s: %s", name, r.fd == -1 &&
		    errno == ELOOP ? "a symlink: not followed" : r.fd == -1 ?
		    strerror(errno) : "not a regular file");
		if (r.fd != -1)
			close(r.fd);
		return -1;
	}
	r.size = st.st_size;
	r.at = 0;
	r.len = 0;
	if ((h = bytes(&r, 0, 4)) == NULL || memcmp(h, "\xfe" "bin", 4) != 0) {
		fmt(s->err, sizeof(s->err), "%s: not a binary log", name);
		close(r.fd);
		return -1;
	}
	while ((h = bytes(&r, off, HEADER)) != NULL) {
		size_t size = le32(h + 9), have;

		if (++n % CUT_EVERY == 0 && cut_short(s)) {
			fmt(s->err, sizeof(s->err), "%s: the scan %s at %lld",
			    name, s->cut == 1 ? "ran past --timeout" :
			    "was stopped by a signal", (long long)off);
			rc = -1;
			break;
		}

		if (size < HEADER) {
			fmt(s->err, sizeof(s->err), "%s: an event of %zu bytes at "
			    "%lld", name, size, (long long)off);
			rc = -1;
			break;
		}
		if ((off_t)size > r.size - off)
			break; /* a partial last event: the log was being written */
		have = h[4] == EV_ROTATE ? size : size < BODY_MAX ? size : BODY_MAX;
		if ((ev = bytes(&r, off, have)) == NULL) {
			fmt(s->err, sizeof(s->err), "%s: cannot be read at %lld",
			    name, (long long)off);
			rc = -1;
			break;
		}
		if (relay_event(s, ev, have, size) == -1) {
			char e[sizeof(s->err)];

			fmt(e, sizeof(e), "%s", s->err);
			fmt(s->err, sizeof(s->err), "%s at %lld: %s", name,
			    (long long)off, e);
			rc = -1;
			break;
		}
		off += (off_t)size;
	}
	close(r.fd);
	return rc;
}

int
relay_verdict(const struct relay_scan *s, const char *file,
	      unsigned long long pos, char *why, size_t n)
{
	const struct relay_mark *l = &s->last, *x = &s->next;

	if (s->err[0] != '\0') {
		fmt(why, n, "%s", s->err);
		return -1;
	}
	if (s->disorder) {
		fmt(why, n, "no position ends the GTID set: %s is not in it and "
		    "%s, after it, is", x->gtid, s->late.gtid);
		return 0;
	}
	if (!s->have_last && !s->have_next) {
		fmt(why, n, "the relay logs hold no transaction");
		return -1;
	}
	if (s->have_last && place_cmp(file, pos, l->file, l->pos) <= 0) {
		fmt(why, n, "%s:%llu is not after %s (at %s:%llu), which the GTID "
		    "set holds: a checkpoint before the set's end", file, pos,
		    l->gtid, l->file, l->pos);
		return 0;
	}
	if (s->have_next && place_cmp(file, pos, x->file, x->pos) > 0) {
		fmt(why, n, "%s:%llu is past the start of %s (at %s:%llu), which "
		    "the GTID set does not hold", file, pos, x->gtid, x->file,
		    x->pos);
		return 0;
	}
	if (s->have_last && s->have_next)
		fmt(why, n, "%s:%llu ends the GTID set: after %s (at %s:%llu), "
		    "at most %s:%llu where %s, not in it, starts", file, pos,
		    l->gtid, l->file, l->pos, x->file, x->pos, x->gtid);
	else if (s->have_last)
		fmt(why, n, "%s:%llu ends the GTID set: after %s (at %s:%llu), "
		    "the last transaction the relay logs hold", file, pos,
		    l->gtid, l->file, l->pos);
	else
		fmt(why, n, "%s:%llu is at most %s:%llu where %s, not in the set, "
		    "starts (no earlier transaction in the relay logs)", file,
		    pos, x->file, x->pos, x->gtid);
	return 1;
}

enum { MAX_RELAYS = 4096 };

static int
by_suffix(const void *a, const void *b)
{
	long long x = relay_suffix(*(const char *const *)a),
		  y = relay_suffix(*(const char *const *)b);

	return x < y ? -1 : x > y;
}

int
relay_scan_from(struct relay_scan *s, int dirfd, long long first)
{
	static char names[MAX_RELAYS][256];
	static const char *order[MAX_RELAYS];
	size_t blen = strlen(s->relay_base);
	struct dirent *e;
	int n = 0, i, fd;
	DIR *d;

	if ((fd = dup(dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		fmt(s->err, sizeof(s->err), "cannot list: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL && n < MAX_RELAYS)
		if (strncmp(e->d_name, s->relay_base, blen) == 0 &&
		    e->d_name[blen] == '.' && strchr(e->d_name + blen + 1, '.')
		    == NULL && binlog_plain_name(e->d_name) &&
		    relay_suffix(e->d_name) >= first) {
			fmt(names[n], sizeof(names[0]), "%s", e->d_name);
			order[n] = names[n];
			n++;
		}
	closedir(d);
	qsort(order, (size_t)n, sizeof(order[0]), by_suffix);
	for (i = 0; i < n; i++)
		if (cut_short(s) || relay_scan_file(s, dirfd, order[i]) == -1) {
			if (s->cut != 0 && s->err[0] == '\0')
				fmt(s->err, sizeof(s->err), "the scan %s before "
				    "%s", s->cut == 1 ? "ran past --timeout" :
				    "was stopped by a signal", order[i]);
			return -1;
		}
	return 0;
}
