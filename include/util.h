/* util.h - small helpers shared by every role. */
#ifndef MQ_UTIL_H
#define MQ_UTIL_H


#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exits.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Milliseconds on CLOCK_MONOTONIC (system-wide, comparable across
 * processes) and on CLOCK_REALTIME. */
int64_t mono_ms(void);
int64_t mono_us(void);
int64_t real_ms(void);

/* True for errno values that say the system ran short (descriptors,
 * memory), not that a file is wrong: a system error (exit 1). */
int shortage(int e);

/* Format into buf; returns 0, or -1 if the output did not fit. */
int fmt(char *buf, size_t n, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

/* Append to buf (a NUL-terminated string of capacity n); -1 if it did
 * not fit, and buf then holds as much as fit. */
int append(char *buf, size_t n, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse a whole decimal number in [lo, hi]; 0 or -1. */
int parse_num(const char *s, long long lo, long long hi, long long *out);

/* The length of the well-formed UTF-8 character at s (1 for ASCII), or
 * 0 if the bytes there are not one. */
size_t utf8_len(const char *s);

/* Copy src into dst (capacity n) as one line of valid UTF-8: control
 * characters (C0, DEL, C1) become spaces, bytes that are not UTF-8
 * become '?', and a cut falls between characters (then ending in
 * "..."). */
void sanitize(char *dst, size_t n, const char *src);

/* Remove leading and trailing white space from s, in place. */
void trim_blanks(char *s);

/* The whole of fd into a new NUL-ended buffer (*text, free it); 0, or
 * -1 with errno (*len > max: larger than max bytes). */
int read_text(int fd, size_t max, char **text, size_t *len);

/* Write all of buf, retrying on EINTR and short writes; 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

/*
 * Replace dirfd/name by a file holding data, atomically: write a
 * temporary file beside it, fsync, rename over, fsync the directory.
 * Never follows a symlink at name. 0, or -1 with errno set.
 */
int write_atomic(int dirfd, const char *name, const char *data, size_t len,
		 mode_t mode);

/* Start time of pid in clock ticks since boot (/proc/PID/stat field
 * 22) and its state letter; 0, or -1 if the process is gone. */
int proc_stat(pid_t pid, unsigned long long *start, char *state);

/* Fields first to first + n - 1 (numbered as in proc(5), from 3) of
 * /proc/PID/stat, each a number, into v; its state letter into state
 * unless NULL. 0, or -1 (the process is gone, or the line not so). */
int proc_stat_fields(pid_t pid, int first, int n, unsigned long long *v,
		     char *state);

/* v as a JSON string on stdout, then after. */
void json_str(const char *v, const char *after);
/* Print "key":"value" to stdout, the value JSON-escaped, then after
 * (",", "}\n", ...). */
void json_field(const char *key, const char *v, const char *after);

/*
 * 1 when paths a and b (absolute) name the same file, whether or not it
 * exists yet: spelt alike once "." and repeated slashes are taken out,
 * or the same last name in the same directory (its device and inode,
 * so "..", links and bind mounts are seen through). Else 0.
 */
int same_path(const char *a, const char *b);

/* ISO-8601 local time with milliseconds and offset, from real ms. */
void iso_time(char *buf, size_t n, int64_t ms);

/* s as the body of a single-quoted SQL string (quote and backslash
 * doubled): a name that holds one can neither break nor extend the
 * statement. dst needs 2 * strlen(s) + 1; returns dst. */
const char *sql_str(char *dst, size_t n, const char *s);

#endif
