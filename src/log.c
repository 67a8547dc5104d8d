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
	int n, fd;
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

	if (log_path != NULL) {
		fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
			  O_NOCTTY, 0640);
		if (fd == -1 || write_all(fd, line, len) == -1) {
			if (!log_file_failed)
				fprintf(stderr, "mysql-quiesce: log file %s: "
					"%s\n", log_path, strerror(errno));
			log_file_failed = 1;
		}
		if (fd != -1)
			close(fd);
	}
	if (log_tty == -1)
		log_tty = isatty(STDERR_FILENO);
	if (level <= L_WARN || log_tty == 1 || log_path == NULL)
		write_all(STDERR_FILENO, line, len);
}
