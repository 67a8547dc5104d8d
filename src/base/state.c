/* state.c - the state file: its format, atomic writes and checked reads
 * (run_dir itself and its locks: rundir.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "state.h"
#include "util.h"

/*
 * MUST: the state file decides which process thaw signals. It is only
 * ever read from a directory we own that nobody else can write, never
 * through a symlink, and any line that does not parse makes the whole
 * file unusable: thaw then signals nothing.
 */

static const char *const phase_names[] = {
	"waiting", "locked", "released", "expired", "lost", "failed",
};

const char *
phase_name(enum phase p)
{
	return phase_names[p];
}

void
state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->blocked_ms = -1;
	s->exit_code = -1;
}

int
state_format(const struct state *s, char *buf, size_t n)
{
	char user[sizeof(s->user)], file[sizeof(s->binlog_file)];
	char reason[sizeof(s->reason)];

	sanitize(user, sizeof(user), s->user);
	sanitize(file, sizeof(file), s->binlog_file);
	sanitize(reason, sizeof(reason), s->reason);
	return fmt(buf, n,
		   "version=1\nphase=%s\nthawed=%d\npid=%d\nstart_time=%llu\n"
		   "conn_id=%lu\nuser=%s\nmethod=%s\nlocked_at=%lld\n"
		   "locked_mono=%lld\nexpires_at=%lld\nreleased_at=%lld\n"
		   "blocked_ms=%lld\nbinlog_file=%s\nbinlog_pos=%llu\n"
		   "gtid=%s\nreason=%s\nattempts=%d\nfreeze_ms=%lld\n"
		   "flavor=%s\nbegan_at=%lld\nexit_verb=%s\nexit_code=%d\n"
		   "release_us=%lld\nabandoned_ms=%lld\nend=1\n",
		   phase_name(s->phase), s->thawed, (int)s->pid, s->start_time,
		   s->conn_id, user, s->method, (long long)s->locked_at,
		   (long long)s->locked_mono, (long long)s->expires_at,
		   (long long)s->released_at, (long long)s->blocked_ms, file,
		   s->binlog_pos, s->gtid, reason, s->attempts,
		   (long long)s->freeze_ms, s->flavor, (long long)s->began_at,
		   s->exit_verb, s->exit_code, (long long)s->release_us,
		   (long long)s->abandoned_ms);
}

int
state_write(int dirfd, const struct state *s)
{
	static char buf[8192];

	if (state_format(s, buf, sizeof(buf)) == -1) {
		errno = EOVERFLOW;
		return -1;
	}
	if (write_atomic(dirfd, STATE_FILE, buf, strlen(buf), 0600) == -1)
		return -1;
	/* a record again: the mark of an unrecorded failure is void */
	if (unlinkat(dirfd, UNRECORDED, 0) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

int
state_unrecorded(int dirfd)
{
	int fd;

	/* A rename needs no free space: the stale record itself becomes
	 * the mark. Without one, an empty file (an inode, no block). */
	if (renameat(dirfd, STATE_FILE, dirfd, UNRECORDED) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	fd = openat(dirfd, UNRECORDED, O_WRONLY | O_CREAT | O_NOFOLLOW |
		    O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

int
state_is_unrecorded(int dirfd)
{
	struct stat st;

	return fstatat(dirfd, UNRECORDED, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

enum { K_STR, K_NUM, K_PHASE };

struct key {
	const char *name;
	int type;
	size_t off, size;
	long long lo, hi;
};

#define S_STR(f) K_STR, offsetof(struct state, f), sizeof(((struct state *)0)->f)
#define S_NUM(f) K_NUM, offsetof(struct state, f), sizeof(((struct state *)0)->f)

static const struct key keys[] = {
	{ "version", K_NUM, 0, 0, 1, 1 },
	{ "phase", K_PHASE, offsetof(struct state, phase), 0, 0, 0 },
	{ "thawed", S_NUM(thawed), 0, 1 },
	{ "pid", S_NUM(pid), 0, 4194304 },  /* 0: no holder ran */
	{ "start_time", S_NUM(start_time), 0, (long long)1 << 62 },
	{ "conn_id", S_NUM(conn_id), 0, (long long)1 << 62 },
	{ "user", S_STR(user), 0, 0 },
	{ "method", S_STR(method), 0, 0 },
	{ "locked_at", S_NUM(locked_at), 0, (long long)1 << 62 },
	{ "locked_mono", S_NUM(locked_mono), 0, (long long)1 << 62 },
	{ "expires_at", S_NUM(expires_at), 0, (long long)1 << 62 },
	{ "released_at", S_NUM(released_at), 0, (long long)1 << 62 },
	{ "blocked_ms", S_NUM(blocked_ms), -1, (long long)1 << 62 },
	{ "binlog_file", S_STR(binlog_file), 0, 0 },
	{ "binlog_pos", S_NUM(binlog_pos), 0, (long long)1 << 62 },
	{ "gtid", S_STR(gtid), 0, 0 },
	{ "reason", S_STR(reason), 0, 0 },
	{ "attempts", S_NUM(attempts), 0, 1000000 },
	{ "freeze_ms", S_NUM(freeze_ms), 0, (long long)1 << 62 },
	{ "flavor", S_STR(flavor), 0, 0 },
	{ "began_at", S_NUM(began_at), 0, (long long)1 << 62 },
	{ "exit_verb", S_STR(exit_verb), 0, 0 },
	{ "exit_code", S_NUM(exit_code), -1, 255 },
	{ "release_us", S_NUM(release_us), 0, (long long)1 << 62 },
	{ "abandoned_ms", S_NUM(abandoned_ms), 0, (long long)1 << 62 },
	{ "end", K_NUM, 0, 0, 1, 1 },
};

/* Store an integer of the field's own width. */
static void
store_num(void *field, size_t size, long long v)
{
	if (size == sizeof(int)) {
		int i = (int)v;
		memcpy(field, &i, size);
	} else {
		int64_t l = v;
		memcpy(field, &l, size);
	}
}

static int
parse_line(const char *line, size_t len, struct state *s, unsigned *seen,
	   struct failure *f)
{
	const char *eq = memchr(line, '=', len);
	char val[4200];
	long long num;
	size_t i, klen;

	if (eq == NULL) {
		failf(f, MQ_STATE, "line without '='");
		return -1;
	}
	klen = (size_t)(eq - line);
	if (fmt(val, sizeof(val), "%.*s", (int)(len - klen - 1), eq + 1)) {
		failf(f, MQ_STATE, "value too long");
		return -1;
	}
	for (i = 0; i < ARRAY_LEN(keys); i++)
		if (strlen(keys[i].name) == klen &&
		    strncmp(keys[i].name, line, klen) == 0)
			break;
	if (i == ARRAY_LEN(keys)) {
		failf(f, MQ_STATE, "unknown key \"%.*s\"",
		    (int)(klen > 40 ? 40 : klen), line);
		return -1;
	}
	if (*seen & (1u << i)) {
		failf(f, MQ_STATE, "key %s twice", keys[i].name);
		return -1;
	}
	*seen |= 1u << i;
	switch (keys[i].type) {
	case K_PHASE:
		for (num = 0; num < (long long)ARRAY_LEN(phase_names); num++)
			if (strcmp(val, phase_names[num]) == 0)
				break;
		if (num == (long long)ARRAY_LEN(phase_names)) {
			failf(f, MQ_STATE, "unknown phase");
			return -1;
		}
		s->phase = (enum phase)num;
		return 0;
	case K_NUM:
		if (strcmp(val, "-1") == 0)
			num = -1;
		else if (parse_num(val, 0, keys[i].hi, &num) == -1)
			num = LLONG_MIN;
		if (num < keys[i].lo) {
			failf(f, MQ_STATE, "bad %s", keys[i].name);
			return -1;
		}
		if (keys[i].size != 0)
			store_num((char *)s + keys[i].off, keys[i].size, num);
		return 0;
	case K_STR:
		if (fmt((char *)s + keys[i].off, keys[i].size, "%s", val)) {
			failf(f, MQ_STATE, "%s too long", keys[i].name);
			return -1;
		}
		return 0;
	}
	return -1;
}

int
state_parse(const char *text, struct state *s, struct failure *f)
{
	const unsigned required = (1u << 0) | (1u << 1) | (1u << 3) |
				  (1u << 4) | (1u << (ARRAY_LEN(keys) - 1));
	const char *p = text;
	unsigned seen = 0;
	int lineno = 0;

	state_init(s);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		lineno++;
		if (nl == NULL) {
			failf(f, MQ_STATE, "line %d: truncated", lineno);
			return -1;
		}
		if (seen & (1u << (ARRAY_LEN(keys) - 1))) {
			failf(f, MQ_STATE, "line %d: text after the end",
			    lineno);
			return -1;
		}
		if (parse_line(p, (size_t)(nl - p), s, &seen, f) == -1) {
			fail_wrap(f, MQ_STATE, "line %d", lineno);
			return -1;
		}
		p = nl + 1;
	}
	if ((seen & required) != required) {
		failf(f, MQ_STATE, "truncated or incomplete (a required key is "
		    "missing)");
		return -1;
	}
	/* Only a failed freeze whose holder never ran names no holder. */
	if ((s->pid == 0 || s->start_time == 0) && s->phase != PH_FAILED) {
		failf(f, MQ_STATE, "bad pid or start_time: 0 names no holder");
		return -1;
	}
	return 0;
}

int
state_read(int dirfd, struct state *s, struct failure *f)
{
	static char buf[16384];
	struct stat st;
	ssize_t len;
	int fd;

	fd = openat(dirfd, STATE_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return 1;
		if (errno != ELOOP) {
			failf(f, MQ_STATE, "state file: cannot read it: %s",
			    strerror(errno));
			return -2;
		}
		failf(f, MQ_STATE, "state file: is a symlink; refusing it");
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)) ||
	    st.st_size >= (off_t)sizeof(buf)) {
		failf(f, MQ_STATE, "state file: not a regular file of ours, "
		    "or too large; refusing it");
		close(fd);
		return -1;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0) {
		failf(f, MQ_STATE, "state file: cannot read it: %s",
		    strerror(errno));
		return -2;
	}
	buf[len] = '\0';
	if (strlen(buf) != (size_t)len) {
		failf(f, MQ_STATE, "state file: corrupt (holds a NUL byte)");
		return -1;
	}
	if (state_parse(buf, s, f) == -1) {
		fail_wrap(f, MQ_STATE, "state file: corrupt");
		return -1;
	}
	return 0;
}
