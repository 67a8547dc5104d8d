/* idmap.c - verify's server as an unprivileged user of its own: the
 * snapshot shown to it through an idmapped mount (what the snapshot's
 * owner owns is that user's there, nothing else is), the server run
 * as that user from its first instruction. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "event.h"
#include "idmap.h"
#include "util.h"

int
runas_find(struct runas *u, const char *name, struct failure *f)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(name)) == NULL) {
		failf(f, MQ_FAIL, "no user \"%.60s\" to run the throwaway "
		    "server as: create it (the package does: adduser --system "
		    "--group --no-create-home mysql-quiesce), or give --user "
		    "NAME", name);
		return -1;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		failf(f, MQ_FAIL, "--user %.60s is root's: the throwaway "
		    "server never runs as root, give an unprivileged user of "
		    "its own", name);
		return -1;
	}
	fmt(u->name, sizeof(u->name), "%s", name);
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

/* "FROM TO 1" into /proc/PID/FILE. */
static int
write_map(pid_t pid, const char *file, unsigned long from, unsigned long to)
{
	char path[64], line[64];
	int fd, r;

	fmt(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	fmt(line, sizeof(line), "%lu %lu 1\n", from, to);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	r = write_all(fd, line, strlen(line));
	close(fd);
	return r;
}

/* userns's child: a namespace with nobody in it but us, held until
 * the parent has its descriptor (go's end of file). */
struct ns_child {
	int ready, go;       /* our ends */
	int ready_r, go_w;   /* the parent's, closed here: go's end of
			      * file must be the parent's close alone */
};

static int
ns_child(void *arg)
{
	const struct ns_child *n = arg;
	char c;

	close(n->go_w);
	close(n->ready_r);
	c = unshare(CLONE_NEWUSER) == 0 ? 'y' : 'n';
	if (write(n->ready, &c, 1) != 1)
		return 1;
	while (read(n->go, &c, 1) == -1 && errno == EINTR)
		;
	return 0;
}

/* A user namespace mapping on-disk uid fu to u->uid and gid fg to
 * u->gid, only to describe the mapping: its descriptor, or -1. */
static int
userns(uid_t fu, gid_t fg, const struct runas *u)
{
	int ready[2], go[2], fd = -1, e = 0;
	struct ns_child nc;
	char c, path[64];
	pid_t p;

	if (pipe2(ready, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(go, O_CLOEXEC) == -1) {
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	nc.ready = ready[1];
	nc.go = go[0];
	nc.ready_r = ready[0];
	nc.go_w = go[1];
	if ((p = child_fork(ns_child, &nc)) == -1) {
		e = errno;
		goto out;
	}
	close(ready[1]);
	ready[1] = -1;
	close(go[0]);
	go[0] = -1;
	if (read(ready[0], &c, 1) != 1 || c != 'y')
		e = EPERM;
	else if (write_map(p, "uid_map", fu, u->uid) == -1 ||
		 write_map(p, "gid_map", fg, u->gid) == -1)
		e = errno;
	else {
		fmt(path, sizeof(path), "/proc/%ld/ns/user", (long)p);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			e = errno;
	}
	close(go[1]);
	go[1] = -1;
	(void)child_reap(p, NO_DEADLINE, NULL);
out:
	if (ready[1] != -1)
		close(ready[1]);
	if (go[0] != -1)
		close(go[0]);
	if (go[1] != -1)
		close(go[1]);
	close(ready[0]);
	errno = e;
	return e ? -1 : fd;
}

int
idmap_mount(const char *src, const char *dst, const struct runas *u,
	    struct failure *f)
{
	struct mount_attr a = { 0 };
	struct stat st;
	int ns, t, e;

	if (lstat(src, &st) == -1 || !S_ISDIR(st.st_mode)) {
		failf(f, MQ_FAIL, "%s is not a directory", src);
		return -1;
	}
	if ((ns = userns(st.st_uid, st.st_gid, u)) == -1) {
		failf(f, MQ_FAIL, "cannot make the user namespace that maps "
		    "%s's owner to %s (%s): run as root", src, u->name,
		    strerror(errno));
		return -1;
	}
	if ((t = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			   AT_SYMLINK_NOFOLLOW)) == -1) {
		e = errno;
		close(ns);
		failf(f, MQ_FAIL, "cannot take a private view of %s (%s)", src,
		    strerror(e));
		return -1;
	}
	a.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY |
		     MOUNT_ATTR_NOSYMFOLLOW | MOUNT_ATTR_NOSUID |
		     MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	a.userns_fd = (unsigned)ns;
	if (mount_setattr(t, "", AT_EMPTY_PATH, &a, sizeof(a)) == -1) {
		e = errno;
		failf(f, MQ_FAIL, "%s's filesystem cannot show its files as "
		    "%s's (an idmapped mount: %s); use --copy DIR for a full "
		    "copy owned by %s", src, u->name, strerror(e), u->name);
		close(t);
		close(ns);
		return -1;
	}
	close(ns);
	if (move_mount(t, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) == -1) {
		e = errno;
		close(t);
		failf(f, MQ_FAIL, "cannot mount the mapped view of %s at %s "
		    "(%s)", src, dst, strerror(e));
		return -1;
	}
	close(t);
	return 0;
}

/* This process becomes u: no supplementary group, u's gid and uid,
 * real, effective and saved. 0, or -1 with errno. Async-signal-safe,
 * for a child between fork and exec or _exit. */
static int
become(const struct runas *u)
{
	return setgroups(0, NULL) == -1 ||
	       setresgid(u->gid, u->gid, u->gid) == -1 ||
	       setresuid(u->uid, u->uid, u->uid) == -1 ? -1 : 0;
}

/* runas_access's child: u's access(2) as its exit status. */
struct access_child {
	const struct runas *u;
	const char *path;
	int mode;
};

static int
access_child(void *arg)
{
	const struct access_child *a = arg;
	int e = become(a->u) == -1 ? EPERM :
		access(a->path, a->mode) == -1 ? errno : 0;

	return e > 0 && e < 256 ? e : e ? 255 : 0;
}

int
runas_access(const struct runas *u, const char *path, int mode)
{
	struct access_child a = { u, path, mode };
	int st;
	pid_t p;

	if ((p = child_fork(access_child, &a)) == -1 ||
	    child_reap(p, NO_DEADLINE, &st) != 1)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	errno = WIFEXITED(st) ? WEXITSTATUS(st) : EPERM;
	return -1;
}

/* runas_spawn's child: u, no new privileges, killed with its parent,
 * stdio on /dev/null, nothing of ours but the error pipe (which exec
 * closes), then path; an exec that fails writes its errno there. Only
 * async-signal-safe calls. */
struct spawn_child {
	const struct runas *u;
	const char *path;
	char *const *argv, *const *envp;
	pid_t parent;
	int ep; /* the error pipe's write end */
};

static int
spawn_child(void *arg)
{
	const struct spawn_child *c = arg;
	sigset_t none;
	int e = 0, fd = -1;

	if (become(c->u) == -1 || getuid() == 0 || geteuid() == 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    /* after the uid change, which clears it */
	    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		e = errno ? errno : EPERM;
	else if (getppid() != c->parent)
		return 127;
	else if ((fd = open("/dev/null", O_RDWR)) == -1 ||
		 dup2(fd, 0) == -1 || dup2(fd, 1) == -1 ||
		 dup2(fd, 2) == -1)
		e = errno;
	if (e == 0) {
		if (fd > 2)
			close(fd);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (c->ep > 3)
			close_range(3, (unsigned)c->ep - 1, 0);
		close_range((unsigned)c->ep + 1, ~0U, 0);
		execve(c->path, c->argv, c->envp);
		e = errno;
	}
	while (write(c->ep, &e, sizeof(e)) == -1 && errno == EINTR)
		;
	return 127;
}

pid_t
runas_spawn(const struct runas *u, const char *path, char *const argv[],
	    char *const envp[])
{
	struct spawn_child c = { u, path, argv, envp, getpid(), -1 };
	int ep[2], e;
	pid_t p;
	ssize_t r;

	if (pipe2(ep, O_CLOEXEC) == -1)
		return -1;
	c.ep = ep[1];
	if ((p = child_fork(spawn_child, &c)) == -1) {
		e = errno;
		close(ep[0]);
		close(ep[1]);
		errno = e;
		return -1;
	}
	close(ep[1]);
	while ((r = read(ep[0], &e, sizeof(e))) == -1 && errno == EINTR)
		;
	close(ep[0]);
	if (r == (ssize_t)sizeof(e)) {
		(void)child_reap(p, NO_DEADLINE, NULL);
		errno = e;
		return -1;
	}
	return p;
}
