/* log.c - open-append-close logging with time, pid, role and level. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static const char *log_path;
static const char *log_role = "mysql-quiesce";
static int log_tty = -1;
static int log_file_failed;

static const char *const level_names[] = { "ERROR", "WARN", "INFO" };

enum { HELD_MAX = 65536 };
static int held;                 /* log_hold() in force */
static char held_file[HELD_MAX], held_err[HELD_MAX];
static size_t held_file_len, held_err_len;
static unsigned held_dropped;

static void
keep(char *buf, size_t *len, const char *line, size_t n)
{
	if (*len + n > HELD_MAX) {
		held_dropped++;
		return;
	}
	memcpy(buf + *len, line, n);
	*len += n;
}

static void
to_file(const char *line, size_t len)
{
	int fd;

	if (log_path == NULL)
		return;
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
		  O_NOCTTY, 0640);
	if (fd == -1 || write_all(fd, line, len) == -1) {
		if (!log_file_failed)
			fprintf(stderr, "mysql-quiesce: log file %s: %s\n",
				log_path, strerror(errno));
		log_file_failed = 1;
	}
	if (fd != -1)
		close(fd);
}

void
log_hold(void)
{
	held = 1;
}

void
log_release(void)
{
	unsigned dropped = held_dropped;

	held = 0;
	if (held_file_len > 0)
		to_file(held_file, held_file_len);
	if (held_err_len > 0)
		write_all(STDERR_FILENO, held_err, held_err_len);
	held_file_len = held_err_len = 0;
	held_dropped = 0;
	if (dropped > 0)
		log_msg(L_WARN, "%u log lines were lost while filesystems "
			"were frozen (buffer full)", dropped);
}

void
log_init(const char *path, const char *role)
{
	log_path = (path != NULL && *path != '\0') ? path : NULL;
	log_role = role;
}

void
log_verbose(void)
{
	log_tty = 1;
}

void
log_msg(int level, const char *f, ...)
{
	char line[2048], when[48];
	va_list ap;
	int n, err;
	size_t len;

	iso_time(when, sizeof(when), real_ms());
	n = snprintf(line, sizeof(line), "%s [%d] %s %s ", when, (int)getpid(),
		     log_role, level_names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, f);
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, f, ap);
	va_end(ap);
	len = strlen(line);
	line[len++] = '\n';

	if (log_tty == -1)
		log_tty = isatty(STDERR_FILENO);
	err = level <= L_WARN || log_tty == 1 || log_path == NULL;
	if (held) {
		if (log_path != NULL)
			keep(held_file, &held_file_len, line, len);
		if (err)
			keep(held_err, &held_err_len, line, len);
		return;
	}
	to_file(line, len);
	if (err)
		write_all(STDERR_FILENO, line, len);
}

int
failf(struct failure *f, int code, const char *fm, ...)
{
	char line[sizeof(f->why)];
	va_list ap;

	va_start(ap, fm);
	vsnprintf(line, sizeof(line), fm, ap);
	va_end(ap);
	sanitize(f->why, sizeof(f->why), line);
	f->code = code;
	return code;
}

int
fail_log(const struct failure *f)
{
	if (f->code != MQ_OK)
		log_err("%s", f->why);
	return f->code;
}
