/* util.c - small helpers: clocks, formatting, safe writes, /proc. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static int64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) == -1)
		abort(); /* cannot fail with a valid clock id */
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
mono_ms(void)
{
	return clock_us(CLOCK_MONOTONIC) / 1000;
}

int64_t
mono_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

int64_t
real_ms(void)
{
	return clock_us(CLOCK_REALTIME) / 1000;
}

int
shortage(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM;
}

int
fmt(char *buf, size_t n, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = vsnprintf(buf, n, f, ap);
	va_end(ap);
	return (r < 0 || (size_t)r >= n) ? -1 : 0;
}

int
append(char *buf, size_t n, const char *f, ...)
{
	size_t used = strnlen(buf, n);
	va_list ap;
	int r;

	if (used >= n)
		return -1;
	va_start(ap, f);
	r = vsnprintf(buf + used, n - used, f, ap);
	va_end(ap);
	return (r < 0 || (size_t)r >= n - used) ? -1 : 0;
}

int
parse_num(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1; /* no sign, no blanks, no empty string */
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

size_t
utf8_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* no overlong forms, no surrogates, nothing past U+10FFFF */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

void
sanitize(char *dst, size_t n, const char *src)
{
	size_t k = 0, len;
	int cut = 0;

	if (n == 0)
		return;
	while (*src != '\0') {
		unsigned char c = (unsigned char)*src;

		len = utf8_len(src);
		if (k + (len ? len : 1) + 1 > n) {
			cut = 1;
			break;
		}
		if (len == 0) /* not UTF-8: one byte, shown as '?' */
			dst[k++] = '?', len = 1;
		else if (c < 0x20 || c == 0x7f ||
			 (c == 0xc2 && (unsigned char)src[1] < 0xa0))
			dst[k++] = ' '; /* C0, DEL and C1 controls */
		else
			memcpy(dst + k, src, len), k += len;
		src += len;
	}
	if (cut && n > 4) {
		/* drop whole characters until "..." fits */
		while (k + 4 > n)
			while (k > 0 && ((unsigned char)dst[--k] & 0xc0) == 0x80)
				;
		memcpy(dst + k, "...", 3);
		k += 3;
	}
	dst[k] = '\0';
}

void
trim_blanks(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (isspace((unsigned char)*s))
		memmove(s, s + 1, n--);
}

int
read_text(int fd, size_t max, char **text, size_t *len)
{
	size_t cap = 8192;
	char *b = malloc(cap), *nb;
	ssize_t r;

	*len = 0;
	if (b == NULL)
		return -1;
	for (;;) {
		if (*len + 1 >= cap) {
			if (cap > max) {
				*len = max + 1;
				free(b);
				return -1;
			}
			if ((nb = realloc(b, cap * 2)) == NULL) {
				free(b);
				return -1;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + *len, cap - 1 - *len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	b[*len] = '\0';
	*text = b;
	return 0;
}

int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
write_atomic(int dirfd, const char *name, const char *data, size_t len,
	     mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, saved;

	/* Ours alone: two writers never share a temporary file. */
	if (fmt(tmp, sizeof(tmp), ".%s.%d.tmp", name, (int)getpid()) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* A leftover temporary from a process that died is ours to drop. */
	if (unlinkat(dirfd, tmp, 0) == -1 && errno != ENOENT)
		return -1;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
	if (fd == -1)
		return -1;
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) == -1)
		goto fail;
	if (fsync(dirfd) == -1 && errno != EINVAL)
		return -1;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	errno = saved;
	return -1;
}

int
proc_stat_fields(pid_t pid, int first, int n, unsigned long long *v,
		 char *state)
{
	char path[64], buf[2048], *p;
	ssize_t len;
	int fd, field, i;

	if (first < 3 || fmt(path, sizeof(path), "/proc/%d/stat", (int)pid)
	    == -1)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = '\0';
	/* The command name may hold spaces and parentheses: skip to the
	 * last ')'. Field 3 (state) follows. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] != ' ')
		return -1;
	p += 2;
	if (state != NULL)
		*state = *p;
	for (field = 3; field < first; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		p++;
	}
	for (i = 0; i < n; i++) {
		unsigned long long x = 0;
		char *start = p;

		while (*p >= '0' && *p <= '9')
			x = x * 10 + (unsigned long long)(*p++ - '0');
		if (p == start || (*p != ' ' && *p != '\n' && *p != '\0'))
			return -1;
		v[i] = x;
		if (*p != '\0')
			p++;
	}
	return 0;
}

int
proc_stat(pid_t pid, unsigned long long *start, char *state)
{
	return proc_stat_fields(pid, 22, 1, start, state);
}

void
iso_time(char *buf, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char date[32], zone[8];

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0 ||
	    strftime(zone, sizeof(zone), "%z", &tm) != 5) {
		fmt(buf, n, "@%lld.%03d", (long long)t, (int)(ms % 1000));
		return;
	}
	/* %z gives +0100; ISO-8601 extended form wants +01:00. */
	fmt(buf, n, "%s.%03d%.3s:%s", date, (int)(ms % 1000), zone, zone + 3);
}

void
json_str(const char *v, const char *after)
{
	putchar('"');
	for (; *v != '\0'; v++) {
		unsigned char ch = (unsigned char)*v;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	printf("\"%s", after);
}

void
json_field(const char *key, const char *v, const char *after)
{
	printf("\"%s\":", key);
	json_str(v, after);
}

/*
 * s as the body of a single-quoted SQL string: quote and backslash
 * doubled, so a channel, host or file name that holds one can neither
 * break nor extend the statement. (A doubled backslash is one backslash
 * unless sql_mode has NO_BACKSLASH_ESCAPES.) dst needs 2 * strlen(s) + 1.
 */
const char *
sql_str(char *dst, size_t n, const char *s)
{
	size_t j = 0;

	for (; *s != '\0' && j + 2 < n; s++) {
		if (*s == '\'' || *s == '\\')
			dst[j++] = *s;
		dst[j++] = *s;
	}
	dst[j] = '\0';
	return dst;
}

/* path with "." components and repeated slashes taken out, into out
 * (n bytes): a spelling, not a resolution. 0, or -1 if it does not fit. */
static int
tidy_path(char *out, size_t n, const char *path)
{
	const char *p = path, *e;
	size_t j = 0, k;

	if (n < 2)
		return -1;
	if (*p == '/')
		out[j++] = '/';
	while (*p != '\0') {
		p += strspn(p, "/");
		e = p + strcspn(p, "/");
		k = (size_t)(e - p);
		if (k == 0 || (k == 1 && *p == '.')) {
			p = e;
			continue;
		}
		if (j > 0 && out[j - 1] != '/')
			out[j++] = '/';
		if (j + k + 1 > n)
			return -1;
		memcpy(out + j, p, k);
		j += k;
		p = e;
	}
	out[j] = '\0';
	return 0;
}

int
same_path(const char *a, const char *b)
{
	char ta[PATH_MAX], tb[PATH_MAX], *sa, *sb;
	struct stat da, db;
	int ra, rb;

	if (tidy_path(ta, sizeof(ta), a) == -1 ||
	    tidy_path(tb, sizeof(tb), b) == -1)
		return strcmp(a, b) == 0;
	if (strcmp(ta, tb) == 0)
		return 1;
	sa = strrchr(ta, '/');
	sb = strrchr(tb, '/');
	if (sa == NULL || sb == NULL || strcmp(sa + 1, sb + 1) != 0)
		return 0;
	/* the same last name: in the same directory? */
	*sa = *sb = '\0';
	ra = stat(sa == ta ? "/" : ta, &da);
	rb = stat(sb == tb ? "/" : tb, &db);
	if (ra == 0 && rb == 0)
		return da.st_dev == db.st_dev && da.st_ino == db.st_ino;
	return 0;
}
