/* snapsteps.c - snapshot mode's steps over its servers, one or
 * several, one way: the plan (each server's, and several made one),
 * the lock taken on each in turn (rolled back if one cannot be), the
 * record, the unlock. */
#define _GNU_SOURCE
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "fsfreeze.h"
#include "log.h"
#include "quiesce.h"
#include "release.h"
#include "rundir.h"
#include "snap.h"
#include "util.h"

/* Server i's info file: as set, else DATADIR/binlog_info.txt of its
 * plan's. */
static int
info_default(struct snap *s, int i, struct failure *f)
{
	const char *dir = s->sp[i].datadir;

	if (fmt(s->info[i], sizeof(s->info[i]), "%s",
		s->sv[i]->files_binlog_info_file) == -1 ||
	    (s->info[i][0] == '\0' &&
	     fmt(s->info[i], sizeof(s->info[i]), "%s%sbinlog_info.txt", dir,
		 dir[strlen(dir) - 1] == '/' ? "" : "/") == -1))
		return failf(f, MQ_FAIL, "datadir path too long");
	return MQ_OK;
}

/* The log's lines said as server i's (-1: the run's). */
static void
as(const struct snap *s, int i)
{
	log_init(s->c, i >= 0 ? s->sv[i] : s->n == 1 ? s->sv[0] : NULL,
		 "snapshot");
}

/* f said as server i's: its name first, when there are several. */
static int
wrap(const struct snap *s, int i, int r, struct failure *f)
{
	if (s->named)
		fail_wrap(f, r, "[mysql %s]", s->sv[i]->name);
	return r;
}

/* Several servers' plans made one: every filesystem (frozen together,
 * parents first, in one fixed order) and every device, once. */
static int
merge(struct snap *s, struct failure *f)
{
	const char *proc = s->c->snapshot_proc_root;
	struct plan *p = &s->all;
	int i, k, j;

	fs_init(&p->fs);
	p->ndev = 0;
	fmt(p->datadir, sizeof(p->datadir), "%s", s->sp[0].datadir);
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < s->sp[i].fs.n; k++)
			if (fs_add(&p->fs, proc, s->sp[i].fs.mp[k].point, f)
			    == -1)
				return f->code;
		for (k = 0; k < s->sp[i].ndev; k++) {
			for (j = 0; j < p->ndev &&
			     strcmp(p->devs[j], s->sp[i].devs[k]) != 0; j++)
				;
			if (j == p->ndev && p->ndev < PLAN_MAX_DEVS)
				fmt(p->devs[p->ndev++], sizeof(p->devs[0]),
				    "%s", s->sp[i].devs[k]);
		}
	}
	s->p = p;
	return MQ_OK;
}

/* The plan: each server's, its paths, the filesystems and devices;
 * with several servers, all of them together. */
int
snap_plan(struct snap *s, struct failure *f)
{
	int r, i;

	for (i = 0; i < s->n; i++) {
		r = plan_discover(s->c, s->sv[i], &s->po, &s->d[i], s->x.sigfd,
				  &s->sp[i], f);
		if (r == MQ_OK)
			r = info_default(s, i, f);
		if (r != MQ_OK)
			return wrap(s, i, r, f);
		if (s->named) {
			s->x.sv_name[i] = s->sv[i]->name;
			s->x.sv_info[i] = s->info[i];
		}
	}
	s->x.nsv = s->named ? s->n : 0;
	s->x.info_file = s->info[0];
	s->p = &s->sp[0];
	return s->n == 1 ? MQ_OK : merge(s, f);
}

/* Record: the lock is held and the info file written by the holder;
 * flush the engines' logs and sync, so that the frozen image holds
 * all of it. Then our connections go: nothing may inherit one. */
int
snap_record(struct snap *s, struct failure *f)
{
	struct failure lf;
	int r = MQ_OK, i;

	for (i = 0; i < s->n; i++)
		if (db_exec(&s->d[i], "FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS",
			    &lf) == -1 && r == MQ_OK) {
			r = failf(f, db_errclass(&s->d[i]), "FLUSH ENGINE "
				  "LOGS: %s", lf.why);
			wrap(s, i, r, f);
		}
	for (i = 0; i < s->n; i++)
		db_close(&s->d[i]);
	sync();
	return r;
}

/*
 * Lock: every server in turn (each its own run_dir, holder and info
 * file). If one cannot be locked, the ones locked before it are
 * released here. MQ_OK, or the code with f naming the server.
 */
int
snap_lock_all(struct snap *s, struct failure *f)
{
	struct begin_opts bo = s->bo;
	struct failure uf;
	struct state end;
	int r;

	/* run_dir: every server's run_dir/NAME is in it */
	if (s->named) {
		if ((r = rundir_open(s->c->run_dir, 1, f)) < 0)
			return f->code;
		close(r);
	}
	for (s->locked = 0; s->locked < s->n; s->locked++) {
		as(s, s->locked);
		bo.info = s->info[s->locked];
		r = quiesce_begin(s->c, s->sv[s->locked], &bo, s->x.sigfd,
				  &s->x.sv_st[s->locked], f);
		if (r != MQ_OK) {
			wrap(s, s->locked, r, f);
			while (s->locked > 0) {
				s->locked--;
				as(s, s->locked);
				if (release_lock(s->c, s->sv[s->locked], &end,
						 &uf) != MQ_OK)
					fail_log(&uf);
			}
			as(s, -1);
			return r;
		}
	}
	as(s, -1);
	s->x.st = s->x.sv_st[0];
	return MQ_OK;
}

/* Unlock every server locked (a lost lock first among the codes). */
int
snap_unlock_all(struct snap *s, struct failure *f)
{
	struct failure uf;
	struct state end;
	int i, u, r = MQ_OK;

	for (i = 0; i < s->locked; i++) {
		as(s, i);
		u = release_lock(s->c, s->sv[i], &end, &uf);
		s->x.sv_st[i].blocked_ms = end.blocked_ms;
		if (u != MQ_OK && (r == MQ_OK || (u == MQ_LOST && r != MQ_LOST))) {
			r = u;
			*f = uf;
			wrap(s, i, u, f);
		} else if (u != MQ_OK) {
			fail_log(&uf);
		}
	}
	as(s, -1);
	/* for the result line */
	s->x.st.blocked_ms = s->x.sv_st[0].blocked_ms;
	return r;
}
