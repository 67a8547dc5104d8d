/* log.h - one line per event, to log_file and (for people) stderr. */
#ifndef MQ_LOG_H
#define MQ_LOG_H

#include "failure.h"

enum { L_ERROR, L_WARN, L_INFO };

struct config;
struct server_config;

/* In run_dir: syslog lines logged while the lock is held. */
#define SYSLOG_HELD "syslog.held"

/*
 * Set the log file, syslog ([log] syslog, facility) and this process's
 * role (freeze, holder, thaw, snapshot, watchdog), the syslog ident;
 * with sv one of several servers, the role is "ROLE@NAME".
 * Until called, lines go to stderr only. The file is opened, appended
 * to and closed for every line, so logrotate needs no signal; a failure
 * to write it is reported once on stderr.
 */
void log_init(const struct config *c, const struct server_config *sv,
	      const char *role);

/*
 * The lock is held: from now, syslog lines are appended to
 * dirfd/SYSLOG_HELD, never sent (journald may write to a filesystem
 * about to be frozen, and a full socket blocks). The holder, once it
 * has released, and thaw after it call log_flush_deferred(): it sends
 * the file's lines, oldest first, each with its role, pid and time,
 * removes the file, and sends directly again.
 */
void log_defer(int dirfd);
void log_flush_deferred(int dirfd);

/*
 * Log one line: "TIME [PID] ROLE LEVEL message". Errors and warnings
 * also go to stderr; info lines only when stderr is a terminal or
 * log_verbose() was called. Message text is logged as given: pass
 * anything taken from outside (query text) through sanitize() first.
 */
void log_msg(int level, const char *f, ...)
	__attribute__((format(printf, 2, 3)));

void log_verbose(void);

/* Log the caller's argument after a hook verb (VMware's scriptArg), if
 * there is one, as one clean line. */
void hook_arg_log(const char *arg);

/* For a person watching: true when stderr is a terminal or after
 * log_verbose(); then log_progress() writes its line to stderr only
 * (never the log file, never syslog, never a hook's piped stderr). */
int log_progress_on(void);
void log_progress(const char *f, ...) __attribute__((format(printf, 1, 2)));

/*
 * While a filesystem may be frozen, write nothing: log_hold() keeps
 * lines in memory (the file's and stderr's alike); log_release() writes
 * them out in order and logs directly again. Lines beyond the buffer
 * are counted and the count is logged on release.
 */
void log_hold(void);
void log_release(void);

/* Log f as an error line (if it is one) and return its code. */
int fail_log(const struct failure *f);

#define log_err(...) log_msg(L_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(L_WARN, __VA_ARGS__)
#define log_info(...) log_msg(L_INFO, __VA_ARGS__)

#endif
