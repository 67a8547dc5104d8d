/* log.c - open-append-close logging with time, pid, role and level. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "openpath.h"
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

/* syslog: on when [log] syslog = yes. While this process knows the lock
 * held, lines go to run_dir's SYSLOG_HELD file instead (defer_fd); in
 * log_hold() they wait in held_sys. Both hold records (rec_format). */
static int sys_on, sys_facility = LOG_DAEMON;
static int defer_fd = -1;
static char held_sys[HELD_MAX];
static size_t held_sys_len;
static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO };

/* syslog's value for each [log] facility, in config.h's order */
static const int facilities[] = {
	[FAC_DAEMON] = LOG_DAEMON, [FAC_USER] = LOG_USER,
	[FAC_LOCAL0] = LOG_LOCAL0, [FAC_LOCAL1] = LOG_LOCAL1,
	[FAC_LOCAL2] = LOG_LOCAL2, [FAC_LOCAL3] = LOG_LOCAL3,
	[FAC_LOCAL4] = LOG_LOCAL4, [FAC_LOCAL5] = LOG_LOCAL5,
	[FAC_LOCAL6] = LOG_LOCAL6, [FAC_LOCAL7] = LOG_LOCAL7,
};
_Static_assert(ARRAY_LEN(facilities) == facility_choice_count,
	       "a facility without its syslog value");

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

/* One syslog line kept for later: "LEVEL ROLE PID TIME message\n". */
struct rec {
	int level, pid;
	char role[48], when[48];
	const char *msg;
};

static int
rec_format(char *buf, size_t n, int level, const char *when, const char *msg)
{
	return fmt(buf, n, "%d %s %d %s %s\n", level, log_role, (int)getpid(),
		   when, msg);
}

/* Each record of buf (len bytes, changed in place) to fn. */
static void
each_rec(char *buf, size_t len, void (*fn)(const struct rec *))
{
	char *p, *nl, *end = buf + len;
	struct rec r;
	int off;

	for (p = buf; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		*nl = '\0';
		off = 0;
		if (sscanf(p, "%d %47s %d %47s %n", &r.level, r.role, &r.pid,
			   r.when, &off) != 4 || off == 0 ||
		    r.level < L_ERROR || r.level > L_INFO)
			continue;
		r.msg = p + off;
		fn(&r);
	}
}

/* Append a deferred line to run_dir's SYSLOG_HELD. */
static void
to_deferred(int level, const char *when, const char *msg)
{
	char rec[2200];
	int fd;

	if (rec_format(rec, sizeof(rec), level, when, msg) == -1)
		return;
	fd = openat(defer_fd, SYSLOG_HELD, O_WRONLY | O_APPEND | O_CREAT |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1)
		return;
	write_all(fd, rec, strlen(rec));
	close(fd);
}

/* One line to syslog, now or deferred, as this process's state says. */
static void
to_syslog(int level, const char *when, const char *msg)
{
	if (!sys_on)
		return;
	if (defer_fd != -1)
		to_deferred(level, when, msg);
	else
		syslog(prio[level], "%s", msg);
}

static void
to_file(const char *line, size_t len)
{
	struct failure ef;
	int fd;

	if (log_path == NULL)
		return;
	ef.why[0] = '\0';
	fd = open_path("log_file", log_path, O_WRONLY | O_APPEND | O_CREAT,
		       0640, &ef);
	if (fd != -1 && write_all(fd, line, len) == -1)
		failf(&ef, MQ_FAIL, "log_file %s: %s", log_path,
		    strerror(errno));
	if (fd == -1 || ef.why[0] != '\0') {
		if (!log_file_failed)
			fprintf(stderr, "mysql-quiesce: %s\n", ef.why);
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

/* A line of our own held by log_hold(): on, now or deferred. */
static void
resend(const struct rec *r)
{
	to_syslog(r->level, r->when, r->msg);
}

/* A line another process (or this one) deferred: under its own role's
 * name, with when and who. */
static void
send_deferred(const struct rec *r)
{
	openlog(r->role, 0, sys_facility);
	syslog(prio[r->level], "[%d] %s (held until release; logged at %s)",
	       r->pid, r->msg, r->when);
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
	each_rec(held_sys, held_sys_len, resend);
	held_file_len = held_err_len = held_sys_len = 0;
	held_dropped = 0;
	if (dropped > 0)
		log_msg(L_WARN, "%u log lines were lost while filesystems "
			"were frozen (buffer full)", dropped);
}

void
log_init(const struct config *c, const struct server_config *sv,
	 const char *role)
{
	const char *path = c != NULL ? c->files_log_file : NULL;

	static char named[48];

	log_path = (path != NULL && *path != '\0') ? path : NULL;
	log_role = role;
	/* one of several servers: each line says which ("freeze@db1") */
	if (sv != NULL && sv->name[0] != '\0' &&
	    fmt(named, sizeof(named), "%s@%s", role, sv->name) == 0)
		log_role = named;
	if (c == NULL || c->log_syslog != CHOICE_YES)
		return;
	sys_facility = facilities[c->log_facility];
	sys_on = 1;
	openlog(log_role, LOG_PID, sys_facility);
}

void
log_defer(int dirfd)
{
	if (!sys_on || defer_fd != -1)
		return;
	defer_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
}

void
log_flush_deferred(int dirfd)
{
	char name[64], *buf;
	struct stat st;
	ssize_t len;
	int fd;

	if (defer_fd != -1) {
		close(defer_fd);
		defer_fd = -1;
	}
	if (!sys_on)
		return;
	/* Take the file away first: a late appender writes to ours. */
	fmt(name, sizeof(name), "%s.%d", SYSLOG_HELD, (int)getpid());
	if (renameat(dirfd, SYSLOG_HELD, dirfd, name) == -1)
		return;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	unlinkat(dirfd, name, 0);
	if (fd == -1)
		return;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_size > 4 * HELD_MAX ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return;
	}
	len = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (len > 0)
		each_rec(buf, (size_t)len, send_deferred);
	free(buf);
	openlog(log_role, LOG_PID, sys_facility);
}

void
hook_arg_log(const char *arg)
{
	/* one line, whatever it holds: log_msg cleans every message */
	if (arg != NULL)
		log_info("the caller's argument: \"%.255s\" (logged, otherwise "
			 "ignored)", arg);
}

void
log_verbose(void)
{
	log_tty = 1;
}

int
log_progress_on(void)
{
	if (log_tty == -1)
		log_tty = isatty(STDERR_FILENO);
	return log_tty == 1;
}

void
log_progress(const char *f, ...)
{
	char line[1024], msg[1024];
	va_list ap;
	size_t len;

	if (!log_progress_on() || held)
		return;
	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	sanitize(line, sizeof(line) - 1, msg);
	len = strlen(line);
	line[len++] = '\n';
	write_all(STDERR_FILENO, line, len);
}

void
log_msg(int level, const char *f, ...)
{
	char line[2048], msg[2048], when[48];
	va_list ap;
	int n, err;
	size_t len;

	iso_time(when, sizeof(when), real_ms());
	n = snprintf(line, sizeof(line), "%s [%d] %s %s ", when, (int)getpid(),
		     log_role, level_names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, f);
	vsnprintf(msg, sizeof(msg), f, ap);
	va_end(ap);
	/* one line of valid UTF-8, whatever a server or caller sent */
	sanitize(line + n, sizeof(line) - (size_t)n - 1, msg);
	len = strlen(line);
	line[len++] = '\n';

	err = level <= L_WARN || log_progress_on() || log_path == NULL;
	if (held) {
		char rec[2200];

		if (log_path != NULL)
			keep(held_file, &held_file_len, line, len);
		if (err)
			keep(held_err, &held_err_len, line, len);
		line[len - 1] = '\0';
		if (sys_on && rec_format(rec, sizeof(rec), level, when,
					 line + n) == 0)
			keep(held_sys, &held_sys_len, rec, strlen(rec));
		return;
	}
	line[len - 1] = '\0';
	to_syslog(level, when, line + n);
	line[len - 1] = '\n';
	to_file(line, len);
	if (err)
		write_all(STDERR_FILENO, line, len);
}

int
fail_log(const struct failure *f)
{
	if (f->code != MQ_OK)
		log_err("%s", f->why);
	return f->code;
}
