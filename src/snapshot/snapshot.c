/* snapshot.c - the whole job alone: plan, prepare the backend, lock,
 * record, freeze, the backend takes the snapshot, thaw, unlock, the
 * backend finishes. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cycle.h"
#include "db.h"
#include "event.h"
#include "fsfreeze.h"
#include "lock.h"
#include "plan.h"
#include "log.h"
#include "opts.h"
#include "release.h"
#include "snap.h"
#include "state.h"
#include "usage.h"
#include "util.h"
#include "main.h"

/*
 * MUST: from the first FIFREEZE to the last FITHAW this process writes
 * nothing to any file (log lines are held in memory); every path out
 * thaws what it froze and ends the lock; a watchdog thaws and unlocks
 * if this process dies or hangs past the deadline; our server
 * connection is closed before the first FIFREEZE, so that nothing the
 * backend starts can inherit it.
 */

static int
usage_err(struct failure *f, const char *why, const char *arg)
{
	return failf(f, MQ_USAGE, "%s%s%s", why, arg ? " " : "",
		     arg ? arg : "");
}

static int
parse(struct snap *s, int argc, char **argv, struct failure *f)
{
	enum { O_EBS, O_DRY, O_NO_FS, O_FS, O_TIMEOUT };
	static const struct opt opts[] = {
		{ O_EBS, "--ebs", NULL, 0 },
		{ O_DRY, "--dry-run", NULL, 0 },
		{ O_NO_FS, "--no-freeze-fs", NULL, 0 },
		{ O_FS, "--freeze-fs", NULL, 1 },
		{ O_TIMEOUT, "--timeout", NULL, 1 },
		{ 0, NULL, NULL, 0 },
	};
	const char *a;
	int i = 0;

	/* 0: leave the lock 5 s beyond the frozen window */
	s->x.timeout = s->c->snapshot_timeout;
	if (s->x.timeout == 0)
		s->x.timeout = s->max_lock_time > 6 ? s->max_lock_time - 5 : 1;
	while (i < argc) {
		switch (opt_next(opts, argc, argv, &i, &a, f)) {
		case O_EBS:
			s->be = &backend_ebs;
			break;
		case O_DRY:
			s->dry = 1;
			break;
		case O_NO_FS:
			s->po.no_fs = 1;
			break;
		case O_FS:
			if (s->po.nadd == FS_MAX)
				return usage_err(f, "too many --freeze-fs", NULL);
			if (a[0] == '+')
				a++;
			else
				s->po.replace = 1;
			s->po.add[s->po.nadd++] = a;
			break;
		case O_TIMEOUT:
			if (parse_num(a, 1, 86400, &s->x.timeout) == -1)
				return failf(f, MQ_USAGE, "--timeout \"%.40s\": "
					     "not a whole number of seconds from "
					     "1 to 86400", a);
			break;
		case OPT_REST:
			if (s->be != NULL)
				return usage_err(f, "--ebs and a command "
						 "together", NULL);
			s->be = &backend_command;
			s->x.args = argv + i;
			i = argc;
			break;
		case OPT_WORD:
			return usage_err(f, "unknown argument", a);
		default:
			return f->code; /* opt_next said why */
		}
	}
	if (s->be == NULL)
		return usage_err(f, "no backend: --ebs, or a command after --",
				 NULL);
	if (s->po.no_fs && s->po.nadd > 0)
		return usage_err(f, "--no-freeze-fs and --freeze-fs together",
				 NULL);
	if (s->x.timeout >= s->max_lock_time)
		return failf(f, MQ_USAGE, "--timeout %lld is not below "
			     "max_lock_time (%lld): the lock must outlast the "
			     "frozen window", s->x.timeout, s->max_lock_time);
	return MQ_OK;
}

/* One server's part of the plan; its lock method, or NULL (lf). */
static const struct lock_method *
print_server(const struct server_config *c, const char *info,
	     const struct db *d, const struct plan *p, struct failure *lf)
{
	const struct lock_method *m;

	m = lock_choose(c->lock_method, d->flavor, d->version, lf);
	if (c->name[0] != '\0')
		printf("[mysql %s]\n", c->name);
	printf("server:      %s %s\n", db_flavor_name(d->flavor),
	       d->version_str);
	printf("lock method: %s\n", m ? lock_name(m) : lf->why);
	printf("datadir:     %s\n", p->datadir);
	printf("binlog dir:  %s\n", p->binlog_dir[0] ? p->binlog_dir :
	       "(binary logging off)");
	printf("info file:   %s\n", info);
	return m;
}

static int
print_plan(struct snap *s, struct failure *f)
{
	const struct lock_method *m = NULL, *mi;
	char buf[4096];
	struct failure lf, lfi;
	int i;

	for (i = 0; i < s->n; i++) {
		mi = print_server(s->sv[i], s->info[i], &s->d[i], &s->sp[i],
				  &lfi);
		if (i == 0 || (m != NULL && mi == NULL)) {
			m = mi;
			lf = lfi;
		}
	}
	if (s->named)
		printf("(all of them)\n");
	fs_list(&s->p->fs, buf, sizeof(buf));
	printf("freeze:      %s\n", s->p->fs.n ? buf : "(nothing)");
	buf[0] = '\0';
	for (i = 0; i < s->p->ndev; i++)
		append(buf, sizeof(buf), "%s/dev/%s", i ? " " : "",
		       s->p->devs[i]);
	printf("devices:     %s\n", s->p->ndev ? buf : "(none found)");
	printf("timeout:     %lld s\n", s->x.timeout);
	printf("backend:     %s\n", s->be->name);
	if (s->be->plan(&s->x, f) != MQ_OK)
		return f->code;
	if (m == NULL)
		return failf(f, MQ_CONFIG, "%s", lf.why);
	return MQ_OK;
}

int
snapshot_watchdog_main(const struct config *c, const struct call *o)
{
	struct failure f; /* its orders come on its socket */
	struct state st;
	int i, r = fs_watch();

	if (r < 0)
		return MQ_OK; /* all thawed in time: told to stop */
	/* we died or overran: it has thawed; release */
	log_init(c, o->sv, "watchdog");
	log_err("%s: thawed every filesystem of the snapshot; releasing the "
		"lock", r ? "the snapshot overran its deadline"
			  : "mysql-quiesce snapshot died");
	/* -s NAME's server, or a fleet of one's; else each one's lock */
	for (i = 0, r = MQ_OK; i < c->n; i++)
		if ((o->sv == NULL || o->sv == &c->sv[i]) &&
		    release_lock(c, &c->sv[i], &st, &f) != MQ_OK)
			r = fail_log(&f);
	return r;
}

/* Freeze, take, thaw; the frozen window, bounded by x.deadline. */
static int
window(struct snap *s, struct failure *f, int64_t *frozen_ms)
{
	int64_t t0;
	int r;

	/* even with nothing to freeze: it releases the lock if we die */
	if (fs_watchdog_start(&s->wd, &s->p->fs, s->x.deadline, s->c,
			      s->n == 1 && s->sv[0]->name[0] != '\0' ?
			      s->sv[0]->name : NULL)
	    == -1)
		return failf(f, MQ_FAIL, "cannot start the watchdog: %s",
			     strerror(errno));
	s->x.wd = &s->wd;
	/* From here until every filesystem is thawed: no file writes. */
	log_hold();
	t0 = mono_ms();
	if (fs_freeze(&s->p->fs, f) == -1)
		r = f->code;
	else
		r = s->be->take(&s->x, f);
	if (fs_thaw(&s->p->fs) > 0 && r == MQ_OK)
		r = failf(f, MQ_FAIL, "a filesystem could not be thawed");
	*frozen_ms = mono_ms() - t0;
	fs_watchdog_stop(&s->wd);
	return r;
}

/* What was frozen, for the log and the result line: the mount points
 * and for how long, or nothing (--no-freeze-fs, or none found). */
static void
frozen_text(const struct snap *s, int64_t frozen_ms, char *buf, size_t n)
{
	int i;

	buf[0] = '\0';
	if (s->p->fs.n == 0) {
		fmt(buf, n, "no filesystem frozen%s", s->po.no_fs ?
		    " (--no-freeze-fs)" : "");
		return;
	}
	fmt(buf, n, "filesystems frozen %lld ms (", (long long)frozen_ms);
	for (i = 0; i < s->p->fs.n; i++)
		append(buf, n, "%s%s", i ? ", " : "", s->p->fs.mp[i].point);
	append(buf, n, ")");
}

/* One server's coordinates and its writers' stall. */
static void
server_text(const struct state *st, char *buf, size_t n)
{
	fmt(buf, n, "binlog %s:%llu gtid %s; writes blocked %lld ms",
	    st->binlog_file[0] ? st->binlog_file : "(off)", st->binlog_pos,
	    st->gtid[0] ? st->gtid : "(none)", (long long)st->blocked_ms);
}

/* The log's closing lines, and on success one result line on stdout
 * (what the command or backend did, the coordinates, how long writes
 * were blocked, what was frozen). */
static void
report(const struct snap *s, int r, const struct failure *f,
       int64_t frozen_ms)
{
	char frozen[FS_MAX * 80 + 64], one[4600], line[8192];
	int i;

	frozen_text(s, frozen_ms, frozen, sizeof(frozen));
	for (i = 0; r == MQ_OK && s->named && i < s->n; i++)
		log_info("[mysql %s]: binlog %s:%llu gtid %s", s->sv[i]->name,
			 s->x.sv_st[i].binlog_file[0] ? s->x.sv_st[i].binlog_file :
			 "(off)", s->x.sv_st[i].binlog_pos,
			 s->x.sv_st[i].gtid[0] ? s->x.sv_st[i].gtid : "(none)");
	if (r == MQ_OK && s->named) {
		log_info("snapshot done: %s; %d servers locked throughout; "
			 "consistent", frozen, s->n);
		fmt(line, sizeof(line), "snapshot taken (%s)", s->be->name);
		for (i = 0; i < s->n; i++) {
			server_text(&s->x.sv_st[i], one, sizeof(one));
			append(line, sizeof(line), "; [mysql %s] %s",
			       s->sv[i]->name, one);
		}
		printf("%s; %s\n", line, frozen);
	} else if (r == MQ_OK) {
		server_text(&s->x.st, one, sizeof(one));
		log_info("snapshot done: %s; %s; consistent", frozen, one);
		printf("snapshot taken (%s); %s; %s\n", s->be->name, one,
		       frozen);
	} else if (r == MQ_LOST)
		log_err("the snapshot was taken but the lock was lost before "
			"the end: it may not match the coordinates (%s)",
			f->why);
	else if (r == MQ_TIMEOUT || r == MQ_ABORTED)
		log_err("%s; filesystems thawed, lock released; the snapshot "
			"may be incomplete", f->why);
	else
		fail_log(f);
}

static void
closeall(struct snap *s)
{
	int i;

	if (s->p == &s->all)
		fs_close(&s->all.fs);
	for (i = 0; i < s->n; i++) {
		db_close(&s->d[i]);
		fs_close(&s->sp[i].fs);
	}
}

int
snapshot_main(const struct config *c, const struct call *o)
{
	int argc = o->argc - 1;
	char **argv = o->argv + 1;
	static struct snap s;
	struct failure f, uf;
	int64_t frozen_ms = 0;
	int r, u, i;

	s.c = c;
	/* its servers: the one, or each [mysql NAME] one */
	s.named = o->sv == NULL;
	s.n = o->n;
	for (i = 0; i < s.n; i++) {
		s.sv[i] = &o->each[i];
		fs_init(&s.sp[i].fs);
		if (i == 0 || s.sv[i]->lock_max_lock_time < s.max_lock_time)
			s.max_lock_time = s.sv[i]->lock_max_lock_time;
	}
	fs_init(&s.all.fs);
	s.p = &s.sp[0];
	s.x.c = c;
	s.x.plan = s.p;
	failf(&f, MQ_OK, "ok");
	if ((r = parse(&s, argc, argv, &f)) != MQ_OK) {
		if (r == MQ_USAGE)
			usage_fail("snapshot", "%s", f.why);
		else
			fprintf(stderr, "mysql-quiesce snapshot: %s\n", f.why);
		return r;
	}
	/* the discovered filesystems are frozen around the snapshot */
	s.bo.fs_frozen = !s.po.no_fs && !s.po.replace;
	log_init(c, s.n == 1 ? s.sv[0] : NULL, "snapshot");
	if ((s.x.sigfd = sig_fd()) == -1) {
		r = failf(&f, MQ_FAIL, "cannot set up signals: %s",
			  strerror(errno));
		goto out;
	}
	if ((r = snap_plan(&s, &f)) != MQ_OK)
		goto out;
	s.x.plan = s.p;
	if (s.dry) {
		r = print_plan(&s, &f);
		goto out;
	}
	if ((r = s.be->prepare(&s.x, &f)) != MQ_OK)
		goto out;
	if (fs_trial(&s.p->fs, &f) == -1) {
		r = failf(&f, MQ_FAIL, "%s; nothing was locked", f.why);
		goto out;
	}
	sync();
	if ((r = snap_lock_all(&s, &f)) != MQ_OK)
		goto out;
	if ((r = snap_record(&s, &f)) == MQ_OK) {
		s.x.deadline = mono_ms() + s.x.timeout * 1000;
		r = window(&s, &f, &frozen_ms);
	}
	u = snap_unlock_all(&s, &uf);
	log_release();
	if (r == MQ_OK && u != MQ_OK) {
		r = u;
		f = uf;
	} else if (u != MQ_OK) {
		fail_log(&uf);
	}
	/* after unlock: reap, retention, reporting */
	backend_end(s.be, &s.x, r);
	report(&s, r, &f, frozen_ms);
	for (i = 0; i < s.n; i++)
		cycle_note_exit(s.sv[i], "snapshot", r);
	closeall(&s);
	return r;
out:
	backend_end(s.be, &s.x, BACKEND_NOT_TAKEN); /* wipes credentials */
	if (r != MQ_OK)
		fail_log(&f);
	closeall(&s);
	return r;
}
