/* event.h - stop signals as a descriptor, and the one way to wait. */
#ifndef MQ_EVENT_H
#define MQ_EVENT_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>

#define NO_DEADLINE INT64_MAX

/*
 * Block SIGTERM, SIGINT and SIGHUP and return a close-on-exec signalfd
 * that reads them; ignore SIGPIPE. Every long-running role calls this
 * once, first. Whatever this process starts must reset the mask and
 * SIGPIPE (posix_spawn attributes do). -1 with errno on failure.
 */
int sig_fd(void);

/* The stop signals sig_fd takes, as a set: SIGTERM, SIGINT, SIGHUP. */
void sig_stop_set(sigset_t *set);

/* The number of a stop signal pending on sigfd (read, so consumed),
 * and who sent it; 0 if none is pending. Never blocks. */
int sig_take(int sigfd, unsigned *from_pid);

/*
 * Wait until one of p is ready or deadline (mono_ms; NO_DEADLINE for
 * none) passes; EINTR is retried. n may be 0: a bounded sleep. Returns
 * the number of ready entries, 0 at the deadline, -1 on error (errno).
 */
int wait_until(struct pollfd *p, unsigned n, int64_t deadline);

#endif
