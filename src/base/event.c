/* event.c - stop signals as a descriptor, and the one way to wait. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "event.h"
#include "util.h"

void
sig_stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

int
sig_fd(void)
{
	sigset_t set;

	sig_stop_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int
sig_take(int sigfd, unsigned *from_pid)
{
	struct signalfd_siginfo si;

	if (sigfd < 0 || read(sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	if (from_pid != NULL)
		*from_pid = si.ssi_pid;
	return (int)si.ssi_signo;
}

int
wait_until(struct pollfd *p, unsigned n, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline == NO_DEADLINE ? -1 :
			       deadline - mono_ms();
		int r;

		if (deadline != NO_DEADLINE && left <= 0)
			return 0;
		r = poll(p, n, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return r;
		if (r == -1 && errno != EINTR)
			return -1;
	}
}
