/* child.c - the one way to start a child (the contract is in
 * include/child.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "event.h"
#include "util.h"

int
child_start(struct child *ch)
{
	char *const path_env[] = { CHILD_PATH_ENV, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int staged[CHILD_KEEP_MAX], i, e = 0, n = 0;
	short flags = 0;
	sigset_t none, all;

	ch->pid = 0;
	if (ch->nkeep < 0 || ch->nkeep > CHILD_KEEP_MAX) {
		errno = EINVAL;
		return -1;
	}
	/* every descriptor to keep first copied above the numbers they
	 * are to have (a kept one may hold another's number), as low as
	 * that: a process short of descriptors is told so (EMFILE) */
	for (n = 0; n < ch->nkeep; n++)
		if ((staged[n] = fcntl(ch->keep[n], F_DUPFD_CLOEXEC,
				       3 + ch->nkeep)) == -1) {
			e = errno;
			break;
		}
	if (e == 0 && (e = posix_spawn_file_actions_init(&fa)) == 0 &&
	    (e = posix_spawnattr_init(&at)) != 0)
		posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		while (n > 0)
			close(staged[--n]);
		errno = e;
		return -1;
	}
	if (ch->stdio != CHILD_OUR_STDIO &&
	    (e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDWR,
						  0)))
		goto out;
	if (ch->stdio == CHILD_NULL_STDIO &&
	    ((e = posix_spawn_file_actions_adddup2(&fa, 0, 1)) ||
	     (e = posix_spawn_file_actions_adddup2(&fa, 0, 2))))
		goto out;
	for (i = 0; i < n; i++)
		if ((e = posix_spawn_file_actions_adddup2(&fa, staged[i],
							  3 + i)))
			goto out;
	/* then everything else: the staged copies are close-on-exec, and
	 * so above any kept number */
	if ((e = posix_spawn_file_actions_addclosefrom_np(&fa, 3 + ch->nkeep)))
		goto out;
	if (ch->group == CHILD_SESSION)
		flags |= POSIX_SPAWN_SETSID;
	else if (ch->group == CHILD_GROUP) {
		flags |= POSIX_SPAWN_SETPGROUP;
		if ((e = posix_spawnattr_setpgroup(&at, 0)))
			goto out;
	}
	if (ch->default_signals) {
		sigemptyset(&none);
		sigfillset(&all);
		flags |= POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
		if ((e = posix_spawnattr_setsigmask(&at, &none)) ||
		    (e = posix_spawnattr_setsigdefault(&at, &all)))
			goto out;
	}
	if ((e = posix_spawnattr_setflags(&at, flags)))
		goto out;
	e = (ch->search ? posix_spawnp : posix_spawn)(&ch->pid, ch->path, &fa,
						      &at, ch->argv,
						      ch->envp ? ch->envp :
						      path_env);
out:
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	for (i = 0; i < n; i++)
		close(staged[i]);
	if (e != 0) {
		ch->pid = 0;
		errno = e;
		return -1;
	}
	return 0;
}

/* In the forked child: what child_start's file actions and attributes
 * do at the exec. 0, or -1. */
static int
shape(const struct child *ch, const sigset_t *mask)
{
	int staged[CHILD_KEEP_MAX], i, fd;
	sigset_t none;

	closelog();
	for (i = 0; i < ch->nkeep; i++)
		if ((staged[i] = fcntl(ch->keep[i], F_DUPFD_CLOEXEC,
				       3 + ch->nkeep)) == -1)
			return -1;
	if (ch->stdio != CHILD_OUR_STDIO &&
	    ((fd = open("/dev/null", O_RDWR)) == -1 ||
	     (fd != 0 && dup2(fd, 0) == -1)))
		return -1;
	if (ch->stdio == CHILD_NULL_STDIO &&
	    (dup2(0, 1) == -1 || dup2(0, 2) == -1))
		return -1;
	for (i = 0; i < ch->nkeep; i++)
		if (dup2(staged[i], 3 + i) == -1)
			return -1;
	if (close_range(3 + (unsigned)ch->nkeep, ~0U, 0) == -1)
		return -1;
	if ((ch->group == CHILD_SESSION && setsid() == -1) ||
	    (ch->group == CHILD_GROUP && setpgid(0, 0) == -1))
		return -1;
	if (clearenv() != 0)
		return -1;
	if (ch->envp == NULL) {
		if (putenv((char *)CHILD_PATH_ENV) != 0)
			return -1;
	} else {
		for (i = 0; ch->envp[i] != NULL; i++)
			if (putenv(ch->envp[i]) != 0)
				return -1;
	}
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, ch->default_signals ? &none : mask,
			   NULL);
}

/*
 * The one fork: every signal blocked across it; in the child every
 * disposition the default (nothing of the parent's handlers: a signal
 * taken here is the default's or stays blocked), then, with ch, shaped
 * as child_start would start it (else the mask stays all blocked), and
 * fn(arg)'s return its _exit status. The pid, or -1 with errno.
 */
static pid_t
fork_run(const struct child *ch, int pdeath, int (*fn)(void *), void *arg)
{
	pid_t parent = getpid(), p;
	sigset_t all, old;
	int e, s;

	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &old) == -1)
		return -1;
	p = fork();
	if (p == 0) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		for (s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				(void)sigaction(s, &dfl, NULL);
		/* set, then checked: a parent gone before the prctl sends
		 * nothing, and we were reparented already */
		if (pdeath != 0 && (prctl(PR_SET_PDEATHSIG, pdeath) == -1 ||
				    getppid() != parent))
			_exit(CHILD_ORPHANED);
		if (ch != NULL && shape(ch, &old) == -1)
			_exit(127); /* as an exec that failed */
		_exit(fn(arg));
	}
	e = errno;
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return p;
}

pid_t
child_fork(int (*fn)(void *), void *arg)
{
	return fork_run(NULL, SIGTERM, fn, arg);
}

int
child_fork_shaped(struct child *ch, int (*fn)(void *), void *arg)
{
	pid_t p;

	ch->pid = 0;
	if (ch->nkeep < 0 || ch->nkeep > CHILD_KEEP_MAX) {
		errno = EINVAL;
		return -1;
	}
	if ((p = fork_run(ch, 0, fn, arg)) == -1)
		return -1;
	ch->pid = p;
	return 0;
}

int
child_reap(pid_t pid, int64_t deadline, int *status)
{
	int st, pfd, flags = deadline == NO_DEADLINE ? 0 : WNOHANG;
	pid_t r;

	for (;;) {
		struct pollfd p = { .events = POLLIN };

		if ((r = waitpid(pid, &st, flags)) == pid) {
			if (status != NULL)
				*status = st;
			return 1;
		}
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		/* still running: until it ends or the deadline */
		if (mono_ms() >= deadline)
			return 0;
		if ((p.fd = pfd = pidfd_open(pid, 0)) == -1)
			return -1;
		r = wait_until(&p, 1, deadline);
		close(pfd);
		if (r <= 0)
			return r;
	}
}
