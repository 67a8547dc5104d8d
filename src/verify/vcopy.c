/* vcopy.c - verify's full copy of a snapshot (--copy): its content and
 * nothing more, refused when it holds a device node, FIFO or socket,
 * bounded by --timeout and a stop signal. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "event.h"
#include "util.h"
#include "verify.h"
#include "vcopy.h"

/* run_tool for a long step: ended (its whole group killed) at v's
 * deadline or a stop signal (left pending for the verb to take). 0, -1
 * (it failed), CUT_DEADLINE or CUT_STOP. */
enum { CUT_DEADLINE = -2, CUT_STOP = -3 };
static int
run_bounded(const struct verify *v, char *const argv[])
{
	struct child ch = { .path = argv[0], .search = 1, .argv = argv,
			    .stdio = CHILD_NULL_STDIN, .group = CHILD_GROUP };
	struct pollfd p[2];
	int st, r, pfd;

	if (child_start(&ch) == -1)
		return -1;
	if ((pfd = pidfd_open(ch.pid, 0)) == -1) {
		kill(-ch.pid, SIGKILL);
		child_reap(ch.pid, NO_DEADLINE, NULL);
		return -1;
	}
	p[0] = (struct pollfd){ .fd = pfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = v->sigfd, .events = POLLIN };
	r = wait_until(p, 2, v->deadline);
	close(pfd);
	if (r <= 0 || !(p[0].revents & (POLLIN | POLLHUP))) {
		kill(-ch.pid, SIGKILL);
		child_reap(ch.pid, NO_DEADLINE, NULL);
		return r == 0 ? CUT_DEADLINE : r > 0 ? CUT_STOP : -1;
	}
	if (child_reap(ch.pid, NO_DEADLINE, &st) != 1)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The first entry under a tree that is neither a regular file, a
 * directory nor a symbolic link (nftw's callback takes no argument). */
static char special[PATH_MAX];

static int
find_special(const char *path, const struct stat *st, int type,
	     struct FTW *ftw)
{
	(void)type;
	(void)ftw;
	if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode) ||
	    S_ISLNK(st->st_mode))
		return 0;
	fmt(special, sizeof(special), "%s (%s)", path,
	    S_ISBLK(st->st_mode) ? "a block device" :
	    S_ISCHR(st->st_mode) ? "a character device" :
	    S_ISFIFO(st->st_mode) ? "a FIFO" :
	    S_ISSOCK(st->st_mode) ? "a socket" : "not a file");
	return 1;
}

/* See include/vcopy.h. */
int
verify_copy_tree(const struct verify *v, const char *src, const char *dst,
		 char *why, size_t n)
{
	char owner[64];
	char *cp[] = { "cp", "-R", "-P", "--preserve=timestamps",
		       "--no-preserve=mode,ownership", "--", (char *)src,
		       (char *)dst, NULL };
	char *ch[] = { "chown", "-R", "-P", "-h", "--", owner, (char *)dst,
		       NULL };
	int r;

	why[0] = '\0';
	special[0] = '\0';
	if ((r = nftw(src, find_special, 32, FTW_PHYS)) != 0) {
		if (r == 1)
			fmt(why, n, "the snapshot holds %s: refused, never "
			    "copied (a copy would be the device itself)",
			    special);
		else
			fmt(why, n, "cannot walk %s: %s", src, strerror(errno));
		return -1;
	}
	fmt(owner, sizeof(owner), "%lu:%lu", (unsigned long)v->as.uid,
	    (unsigned long)v->as.gid);
	if ((r = run_bounded(v, cp)) == 0)
		r = run_bounded(v, ch);
	if (r == CUT_DEADLINE)
		fmt(why, n, "the copy ran past --timeout: ended");
	else if (r == CUT_STOP)
		fmt(why, n, "the copy was stopped by a signal");
	return r == 0 ? 0 : -1;
}

