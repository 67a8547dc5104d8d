/* holderctl.c - the holder seen from outside: freeze starts it and
 * reads its reports; thaw proves it ours and ends it. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "db.h"
#include "event.h"
#include "child.h"
#include "holder.h"
#include "holderctl.h"
#include "log.h"
#include "util.h"
#include "rundir.h"

/*
 * MUST: signal only a process proven to be the holder: the kernel names
 * the recorded pid as the owner of holder.lock's record lock (F_GETLK,
 * never a walk of /proc/locks on the release path), and through a pidfd
 * (which pins the pid) its start time equals the one it recorded. Kill
 * a connection only after checking, on the server, that it still
 * belongs to the holder's login.
 */

enum {
	TERM_WAIT_MS = 5000, KILL_WAIT_MS = 2000,
	STOP_WAIT_MS = 3000, /* a holder stopped before "ready": exit after
			      * KILL QUERY + TERM, well inside the 5 s
			      * VMware gives before SIGKILL */
};

/* Where the holder comes from: an exec of this binary, or (several
 * servers' freeze, whose process loaded the client library once for
 * all of them and holds nothing else) a fork of this process. */
static struct config *by_fork; /* the whole config, when by fork */

void
holder_spawn_by_fork(struct config *all)
{
	by_fork = all;
}

/* What a forked holder is given: its server, info file and command
 * line, as an exec'd one would have them. */
struct forked {
	const struct server_config *sv;
	const char *info;
	char **argv;
};

/*
 * In the forked holder: the command line an exec'd one has (ps and
 * pgrep -f show it; a DBA and the tests look for it), written over
 * this process's own argument strings and the environment's after
 * them, which nothing reads any more (child_fork_shaped replaced the
 * environment), as setproctitle does: one string, its words spaced,
 * padded with spaces to the end of the argument area, whose last byte
 * not being NUL tells the kernel to read on to the string's end; the
 * rest of both areas zeroed, so that nothing of the caller's
 * environment stays readable in /proc/PID/environ. 0, or -1: it does
 * not fit.
 */
static int
name_self(char **argv)
{
	char title[2 * PATH_MAX + 64] = "";
	unsigned long long v[4]; /* arg_start, arg_end, env_start, env_end */
	size_t len = 0, room, args;
	char *area;
	int i;

	for (i = 0; argv[i] != NULL; i++)
		if (append(title, sizeof(title), "%s%s", i ? " " : "",
			   argv[i]) == -1)
			return -1;
	len = strlen(title);
	if (proc_stat_fields(getpid(), 48, 4, v, NULL) == -1 || v[1] <= v[0])
		return -1;
	area = (char *)(uintptr_t)v[0];
	args = v[1] - v[0];
	/* the kernel reads on past arg_end only into the environment
	 * right after it */
	room = v[2] == v[1] && v[3] > v[2] ? v[3] - v[0] : args;
	if (len + 1 > room)
		return -1;
	/* nothing of the caller's environment stays readable */
	memset(area, '\0', room);
	memcpy(area, title, len);
	if (len < args)
		memset(area + len, ' ', args - len);
	return 0;
}

/* The forked holder: named as the exec'd one, or, where it cannot be,
 * that one after all (its descriptors and session are already
 * shaped). Never returns into freeze. */
static int
holder_forked(void *arg)
{
	const struct forked *a = arg;
	char *const env[] = { CHILD_PATH_ENV, NULL };

	/* every server's password it forgets once connected, as the
	 * exec'd one does (holder_main) */
	if (name_self(a->argv) == -1) {
		execve("/proc/self/exe", a->argv, env);
		return 127;
	}
	return holder_main(by_fork, a->sv, a->info[0] != '\0' ? a->info : NULL);
}

/*
 * Start the holder: a new session, stdio on /dev/null, no descriptor
 * but its end of a socket pair as HOLDER_FD (it reports on it, and
 * waits on it for our "go"), an environment of PATH only. The config
 * file's path goes on its command line, never a secret: the holder
 * reads the file itself, with the same checks. child_start (posix_spawn,
 * a vfork underneath) costs a fraction of a fork of this process,
 * until the client library is loaded: then (holder_spawn_by_fork) a
 * fork, shaped the same, spares the holder its own exec and load.
 * Signals stay blocked across exec; the holder takes them by fd.
 */
int
holder_spawn(const struct config *c, const struct server_config *sv,
	     const char *info, struct holder_run *h)
{
	char *argv[] = { "pre-freeze-mysql-lock", "-c", (char *)c->path,
			 NULL, NULL, NULL, NULL, NULL };
	int a = 3;
	struct child ch = { .path = "/proc/self/exe", .argv = argv,
			    .nkeep = 1, .group = CHILD_SESSION };
	struct forked fk = { .sv = sv, .info = info, .argv = argv };
	int p[2], e;

	/* The binlog info file may be chosen by the caller (snapshot
	 * mode), not by the file the holder reads: always passed on. */
	if (info[0] != '\0') {
		argv[a++] = "-i";
		argv[a++] = (char *)info;
	}
	if (sv->name[0] != '\0') { /* one of several: the holder's own */
		argv[a++] = "-s";
		argv[a] = (char *)sv->name;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) == -1)
		return -1;
	ch.keep[0] = p[1]; /* the holder's HOLDER_FD */
	if (by_fork != NULL) {
		fflush(NULL); /* nothing buffered is written twice */
		e = child_fork_shaped(&ch, holder_forked, &fk) == -1 ? errno : 0;
	} else {
		e = child_start(&ch) == -1 ? errno : 0;
	}
	close(p[1]);
	if (e != 0) {
		close(p[0]);
		h->pid = 0;
		errno = e;
		return -1;
	}
	h->pid = ch.pid;
	h->rfd = p[0];
	h->hconn = 0;
	h->len = 0;
	return 0;
}

void
holder_reap(struct holder_run *h)
{
	if (h->pid > 0)
		(void)child_reap(h->pid, NO_DEADLINE, NULL);
	if (h->rfd != -1)
		close(h->rfd);
	h->pid = 0;
	h->rfd = -1;
}

/* Afterwards it holds nothing: it released, or its connection
 * closed. */
void
holder_stop(struct holder_run *h, struct db *d)
{
	struct pollfd p = { .fd = h->rfd, .events = POLLIN };
	int64_t end = mono_ms() + STOP_WAIT_MS;
	char sql[64], junk[256];
	struct failure lf;

	if (h->hconn != 0 && d->m != NULL) {
		fmt(sql, sizeof(sql), "KILL QUERY %lu", h->hconn);
		if (db_exec(d, sql, &lf) == -1)
			log_warn("%s: %s", sql, lf.why);
	}
	kill(h->pid, SIGTERM);
	for (;;) {
		int r = wait_until(&p, 1, end);

		if (r == 0) {
			log_err("holder pid %d did not stop; killing it",
				(int)h->pid);
			kill(h->pid, SIGKILL);
			break;
		}
		if (r == -1 || read(h->rfd, junk, sizeof(junk)) <= 0)
			break; /* EOF: it exited */
	}
	holder_reap(h);
}

int
holder_line(struct holder_run *h, char *l, struct failure *f)
{
	char *end;

	if (strncmp(l, "conn ", 5) == 0) {
		h->hconn = strtoul(l + 5, NULL, 10);
		return 0;
	}
	if (strcmp(l, "ready") == 0)
		return 1;
	if (strncmp(l, "fail ", 5) == 0) {
		int code = (int)strtol(l + 5, &end, 10);

		h->retry = (int)strtol(end, &end, 10);
		failf(f, code > 0 ? code : MQ_FAIL, "%s",
		      *end == ' ' ? end + 1 : end);
	}
	return 0;
}

void
holder_detach(struct holder_run *h)
{
	close(h->rfd);
	h->rfd = -1;
	h->pid = 0;
}



/* Open a pidfd on the holder named by s, or -1 if it is not provably
 * ours. */
static int
open_holder(int dirfd, const struct state *s)
{
	unsigned long long start;
	int pfd;

	if (s->pid <= 0 || rundir_holder(dirfd, HOLDER_LOCK) != s->pid)
		return -1;
	pfd = pidfd_open(s->pid, 0);
	if (pfd == -1)
		return -1;
	/* The pidfd now pins the pid: this check cannot race a reuse. */
	if (proc_stat(s->pid, &start, NULL) == -1 || start != s->start_time) {
		close(pfd);
		return -1;
	}
	return pfd;
}

int
holder_alive(int dirfd, const struct state *s)
{
	int pfd = open_holder(dirfd, s);

	if (pfd == -1)
		return 0;
	close(pfd);
	return 1;
}

static int
wait_exit(int pfd, int ms)
{
	struct pollfd p = { .fd = pfd, .events = POLLIN };

	return wait_until(&p, 1, mono_ms() + ms) == 1;
}

/*
 * Kill the holder's connection, but only when the server shows it is
 * the holder's: the recorded login, and the holder's marker (its pid
 * in a comment before the statement it waits in). A connection id
 * alone is no proof: the state may be stale, or name another's.
 * Returns 1 if it was there and killed, 0 if not (gone or not proven
 * ours), -1 on error.
 */
static int
kill_connection(const struct server_config *c, const struct state *s)
{
	char sql[200], login[256], tag[64];
	struct failure lf;
	struct db d;
	MYSQL_RES *r;
	MYSQL_ROW row;
	int found = 0, rc;

	if (s->conn_id == 0)
		return 0;
	fmt(login, sizeof(login), "%.*s", (int)strcspn(s->user, "@"), s->user);
	fmt(tag, sizeof(tag), HOLDER_TAG_FMT, (int)s->pid);
	rc = db_connect(&d, c, 10, &lf);
	if (rc != MQ_OK) {
		log_err("cannot connect to kill the holder's connection: %s",
			lf.why);
		return -1;
	}
	fmt(sql, sizeof(sql), "SELECT USER, INFO FROM "
	    "information_schema.PROCESSLIST WHERE ID = %lu", s->conn_id);
	r = db_query(&d, sql, &lf);
	if (r == NULL) {
		log_err("cannot read the process list: %s", lf.why);
		db_close(&d);
		return -1;
	}
	row = mysql_fetch_row(r);
	if (row != NULL && row[0] != NULL && strcmp(row[0], login) == 0 &&
	    row[1] != NULL && strncmp(row[1], tag, strlen(tag)) == 0)
		found = 1;
	else if (row != NULL)
		log_err("connection %lu is not proven the holder's (%s); not "
			"killing it", s->conn_id, row[0] == NULL ||
			strcmp(row[0], login) != 0 ? "another login" :
			"no holder marker for pid in its statement");
	mysql_free_result(r);
	if (found) {
		fmt(sql, sizeof(sql), "KILL CONNECTION %lu", s->conn_id);
		if (db_exec(&d, sql, &lf) == -1) {
			log_err("KILL CONNECTION %lu: %s", s->conn_id, lf.why);
			found = -1;
		} else {
			log_warn("killed the holder's connection %lu",
				 s->conn_id);
		}
	}
	db_close(&d);
	return found;
}

/* The holder is gone without recording an outcome. If it was still
 * waiting, it never held the lock: that is no loss (MQ_OK, phase
 * failed). Otherwise it lost the lock. The verdict is in s; the
 * caller records it (cycle_close). */
static int
gone(struct state *s, const char *why)
{
	if (s->phase == PH_WAITING) {
		s->phase = PH_FAILED;
		fmt(s->reason, sizeof(s->reason), "the holder (pid %d) ended "
		    "before it took the lock; nothing was locked", (int)s->pid);
		return MQ_OK;
	}
	s->phase = PH_LOST;
	fmt(s->reason, sizeof(s->reason), "%s", why);
	return MQ_LOST;
}

int
holder_end(const struct server_config *c, int dirfd, struct state *s,
	   struct end_steps *t)
{
	char why[300];
	struct failure ef;
	int pfd, killed = 0, unresponsive = 0, r;

	pfd = open_holder(dirfd, s);
	if (t != NULL)
		t->proven = mono_us();
	if (pfd == -1) {
		fmt(why, sizeof(why), "the holder (pid %d) is gone; the "
		    "server released the lock when its connection closed",
		    (int)s->pid);
		return gone(s, why);
	}
	if (s->phase == PH_WAITING)
		killed = kill_connection(c, s); /* its wait ignores signals */
	/* SIGCONT: a stopped holder must run to release cleanly. */
	if (pidfd_send_signal(pfd, SIGTERM, NULL, 0) == -1 ||
	    pidfd_send_signal(pfd, SIGCONT, NULL, 0) == -1)
		log_warn("signalling holder pid %d: %s", (int)s->pid,
			 strerror(errno));
	if (t != NULL)
		t->signalled = mono_us();
	if (!wait_exit(pfd, TERM_WAIT_MS)) {
		log_warn("holder pid %d did not exit within %d ms of SIGTERM; "
			 "killing it", (int)s->pid, TERM_WAIT_MS);
		/* Its end closes its connection: the server releases. */
		pidfd_send_signal(pfd, SIGKILL, NULL, 0);
		if (wait_exit(pfd, KILL_WAIT_MS))
			unresponsive = 1;
		else {
			log_err("holder pid %d survives SIGKILL", (int)s->pid);
			if (killed == 0)
				killed = kill_connection(c, s);
		}
	}
	close(pfd);
	if ((r = state_read(dirfd, s, &ef)) != 0) {
		log_err("after the holder exited: %s", ef.why);
		return r == -2 ? MQ_FAIL : MQ_STATE;
	}
	if (s->phase == PH_LOCKED || s->phase == PH_WAITING) {
		/* It never recorded an outcome: we ended it ourselves. A
		 * waiting holder never held the lock (gone() says so). */
		if ((killed == 1 || unresponsive) && s->phase == PH_LOCKED) {
			s->phase = PH_RELEASED;
			s->released_at = real_ms();
			s->blocked_ms = s->released_at - s->locked_at +
					s->abandoned_ms;
			fmt(s->reason, sizeof(s->reason), "holder unresponsive; "
			    "%s", killed == 1 ? "its connection was killed" :
			    "it was killed, and its connection with it");
			return MQ_OK;
		}
		return gone(s, "the holder died without releasing; "
			    "the server released the lock");
	}
	return s->phase == PH_RELEASED || s->phase == PH_FAILED ? MQ_OK
								 : MQ_LOST;
}
