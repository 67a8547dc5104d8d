/* plan.c - what a snapshot of this server covers: the data and binary
 * log directories, their filesystems, the block devices under them. */
#define _GNU_SOURCE
#include <string.h>

#include "discover.h"
#include "event.h"
#include "log.h"
#include "plan.h"
#include "util.h"

/* @@datadir, the binary log's directory, InnoDB's own. */
static int
server_paths(struct db *d, struct plan *p, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	char *slash;
	int i;

	r = db_query(d, "SELECT @@GLOBAL.datadir, @@GLOBAL.log_bin_basename, "
		     "@@GLOBAL.innodb_log_group_home_dir, "
		     "@@GLOBAL.innodb_undo_directory, "
		     "@@GLOBAL.innodb_data_home_dir", f);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row == NULL || row[0] == NULL) {
		mysql_free_result(r);
		failf(f, MQ_SERVER, "no @@datadir");
		return -1;
	}
	fmt(p->datadir, sizeof(p->datadir), "%s", row[0]);
	p->binlog_dir[0] = '\0';
	if (row[1] != NULL && (slash = strrchr(row[1], '/')) != NULL)
		fmt(p->binlog_dir, sizeof(p->binlog_dir), "%.*s",
		    (int)(slash - row[1]), row[1]);
	for (i = 0; i < 3; i++)
		fmt(p->innodb_dirs[i], sizeof(p->innodb_dirs[i]), "%s",
		    row[2 + i] != NULL && row[2 + i][0] == '/' ? row[2 + i] :
		    "");
	mysql_free_result(r);
	return 0;
}

/* The filesystems to freeze and their leaf devices; logged. */
static int
filesystems(const struct config *c, const struct plan_opts *o,
	    struct plan *p, struct failure *f)
{
	struct fsset *fs = &p->fs;
	const char *proc = c->snapshot_proc_root;
	char chain[1024], leaves[DISC_MAX_DEVS][64];
	int i, j, k, nl;

	if (!o->replace && !o->no_fs) {
		if (fs_add(fs, proc, p->datadir, f) == -1 ||
		    (p->binlog_dir[0] != '\0' &&
		     fs_add(fs, proc, p->binlog_dir, f) == -1))
			return -1;
		for (i = 0; i < 3; i++)
			if (p->innodb_dirs[i][0] != '\0' &&
			    fs_add(fs, proc, p->innodb_dirs[i], f) == -1)
				return -1;
	}
	for (i = 0; i < o->nadd; i++)
		if (fs_add(fs, proc, o->add[i], f) == -1)
			return -1;
	for (i = 0; i < fs->n; i++) {
		const struct mountpt *m = &fs->mp[i];

		nl = discover_devices(c->snapshot_sys_root, m, leaves,
				      DISC_MAX_DEVS, chain, sizeof(chain), f);
		if (nl == -1)
			return -1;
		log_info("filesystem %s (%s, %s): %s", m->point, m->fstype,
			 m->source, chain);
		for (j = 0; j < nl; j++) {
			for (k = 0; k < p->ndev; k++)
				if (strcmp(p->devs[k], leaves[j]) == 0)
					break;
			if (k == p->ndev && p->ndev < PLAN_MAX_DEVS)
				fmt(p->devs[p->ndev++], 64, "%s", leaves[j]);
		}
	}
	return 0;
}

int
plan_discover(const struct config *c, const struct server_config *sv,
	      const struct plan_opts *o, struct db *d, int sigfd,
	      struct plan *p, struct failure *f)
{
	struct failure ef;
	int r;

	p->ndev = 0;
	fs_init(&p->fs);
	r = db_connect_until(d, sv, 30, sigfd, NO_DEADLINE, f);
	if (r != MQ_OK)
		return failf(f, r, "cannot connect: %s", f->why);
	if (server_paths(d, p, f) == -1)
		return failf(f, db_errclass(d), "reading @@datadir: %s",
			     f->why);
	if (filesystems(c, o, p, &ef) == -1)
		return failf(f, MQ_FAIL, "finding the filesystems: %s", ef.why);
	return MQ_OK;
}
