/* snapsteps.c - snapshot mode's steps over one server or several:
 * the plan (each server's, and all of them made one), the lock taken
 * on each in turn (rolled back if one cannot be), the record, the
 * unlock. */
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

/* c's info file: as set, else DATADIR/binlog_info.txt of p's. */
static int
info_default(struct config *c, const struct plan *p, struct failure *f)
{
	if (c->files_binlog_info_file[0] == '\0' &&
	    fmt(c->files_binlog_info_file, sizeof(c->files_binlog_info_file),
		"%s%sbinlog_info.txt", p->datadir,
		p->datadir[strlen(p->datadir) - 1] == '/' ? "" : "/") == -1)
		return failf(f, MQ_FAIL, "datadir path too long");
	return MQ_OK;
}

/* Several servers' plans made one: every filesystem (frozen together,
 * parents first, in one fixed order) and every device, once. */
static int
merge(struct snap *s, struct failure *f)
{
	const char *proc = s->c.snapshot_proc_root;
	int i, k, j;

	fs_init(&s->p.fs);
	s->p.ndev = 0;
	fmt(s->p.datadir, sizeof(s->p.datadir), "%s", s->sp[0].datadir);
	for (i = 0; i < s->nsv; i++) {
		for (k = 0; k < s->sp[i].fs.n; k++)
			if (fs_add(&s->p.fs, proc, s->sp[i].fs.mp[k].point, f)
			    == -1)
				return f->code;
		for (k = 0; k < s->sp[i].ndev; k++) {
			for (j = 0; j < s->p.ndev &&
			     strcmp(s->p.devs[j], s->sp[i].devs[k]) != 0; j++)
				;
			if (j == s->p.ndev && s->p.ndev < PLAN_MAX_DEVS)
				fmt(s->p.devs[s->p.ndev++], sizeof(s->p.devs[0]),
				    "%s", s->sp[i].devs[k]);
		}
	}
	return MQ_OK;
}

/* The plan: the server, its paths, the filesystems and devices; with
 * several servers, each one's, and all of them together. */
int
snap_plan(struct snap *s, struct failure *f)
{
	int r, i;

	if (s->nsv == 0) {
		r = plan_discover(&s->c, &s->po, &s->d, s->x.sigfd, &s->p, f);
		if (r != MQ_OK || (r = info_default(&s->c, &s->p, f)) != MQ_OK)
			return r;
		s->x.info_file = s->c.files_binlog_info_file;
		return MQ_OK;
	}
	for (i = 0; i < s->nsv; i++) {
		fs_init(&s->sp[i].fs);
		r = plan_discover(&s->sc[i], &s->po, &s->sd[i], s->x.sigfd,
				  &s->sp[i], f);
		if (r == MQ_OK)
			r = info_default(&s->sc[i], &s->sp[i], f);
		if (r != MQ_OK) {
			fail_wrap(f, r, "[mysql %s]", s->sc[i].server);
			return r;
		}
		s->x.sv_name[i] = s->sc[i].server;
		s->x.sv_info[i] = s->sc[i].files_binlog_info_file;
	}
	s->x.nsv = s->nsv;
	s->x.info_file = s->sc[0].files_binlog_info_file;
	return merge(s, f);
}

/* Record: the lock is held and the info file written by the holder;
 * flush the engines' logs and sync, so that the frozen image holds
 * all of it. Then our connection goes: nothing may inherit it. */
int
snap_record(struct snap *s, struct failure *f)
{
	int r = MQ_OK, i;

	if (s->nsv == 0 &&
	    db_exec(&s->d, "FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS") == -1)
		r = failf(f, db_errclass(&s->d), "FLUSH ENGINE LOGS: %s",
			  s->d.fail.why);
	for (i = 0; i < s->nsv; i++)
		if (db_exec(&s->sd[i], "FLUSH NO_WRITE_TO_BINLOG ENGINE LOGS")
		    == -1 && r == MQ_OK)
			r = failf(f, db_errclass(&s->sd[i]), "[mysql %s] FLUSH "
				  "ENGINE LOGS: %s", s->sc[i].server,
				  s->sd[i].fail.why);
	db_close(&s->d);
	for (i = 0; i < s->nsv; i++)
		db_close(&s->sd[i]);
	sync();
	return r;
}

/*
 * Lock: the one server, or every server in turn (each its own run_dir,
 * holder and info file). If one cannot be locked, the ones locked
 * before it are released here. MQ_OK, or the code with f naming the
 * server.
 */
int
snap_lock_all(struct snap *s, struct failure *f)
{
	struct failure uf;
	struct state end;
	int r;

	if (s->nsv == 0)
		return quiesce_begin(&s->c, s->x.sigfd, &s->x.st, f);
	/* run_dir: every server's run_dir/NAME is in it */
	if ((r = rundir_open(s->c.base_run_dir, 1, f)) < 0)
		return f->code;
	close(r);
	for (s->locked = 0; s->locked < s->nsv; s->locked++) {
		log_init(&s->sc[s->locked], "snapshot");
		r = quiesce_begin(&s->sc[s->locked], s->x.sigfd,
				  &s->x.sv_st[s->locked], f);
		if (r != MQ_OK) {
			fail_wrap(f, r, "[mysql %s]", s->sc[s->locked].server);
			while (s->locked > 0) {
				s->locked--;
				log_init(&s->sc[s->locked], "snapshot");
				if (release_lock(&s->sc[s->locked], &end, &uf) !=
				    MQ_OK)
					fail_log(&uf);
			}
			log_init(&s->c, "snapshot");
			return r;
		}
	}
	log_init(&s->c, "snapshot");
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

	if (s->nsv == 0) {
		r = release_lock(&s->c, &end, f);
		s->x.st.blocked_ms = end.blocked_ms; /* for the result line */
		return r;
	}
	for (i = 0; i < s->locked; i++) {
		log_init(&s->sc[i], "snapshot");
		u = release_lock(&s->sc[i], &end, &uf);
		s->x.sv_st[i].blocked_ms = end.blocked_ms;
		if (u != MQ_OK && (r == MQ_OK || (u == MQ_LOST && r != MQ_LOST))) {
			r = u;
			*f = uf;
			fail_wrap(f, u, "[mysql %s]", s->sc[i].server);
		} else if (u != MQ_OK) {
			fail_log(&uf);
		}
	}
	log_init(&s->c, "snapshot");
	return r;
}
