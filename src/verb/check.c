/* check.c - is everything in place for a freeze? Says what is not. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "backend.h"
#include "committed.h"
#include "coords.h"
#include "db.h"
#include "imds.h"
#include "grants.h"
#include "plan.h"
#include "main.h"
#include "lock.h"
#include "recovery.h"
#include "openpath.h"
#include "rundir.h"
#include "state.h"
#include "util.h"
#include "wiring.h"

struct priv {
	const char *name;   /* as SHOW GRANTS names it */
	const char *alt;    /* another name that grants it, or NULL */
	const char *why;
};

static const struct priv mariadb_privs[] = {
	{ "RELOAD", NULL, "to take the lock (FLUSH, BACKUP STAGE)" },
	{ "PROCESS", NULL, "to read the process list" },
	{ "BINLOG MONITOR", "SUPER", "to read the binlog position" },
	{ "SLAVE MONITOR", "SUPER", "to read replica positions" },
	{ "CONNECTION ADMIN", "SUPER", "to kill a stuck holder's or long "
	  "query's connection" },
};

static const struct priv mysql_privs[] = {
	{ "RELOAD", NULL, "to take the lock (FLUSH TABLES WITH READ LOCK)" },
	{ "PROCESS", NULL, "to read the process list" },
	{ "REPLICATION CLIENT", "SUPER", "to read binlog and replica "
	  "positions" },
	/* not BACKUP_ADMIN: ftwrl never uses it (recovery's is checked
	 * apart) */
	{ "CONNECTION_ADMIN", "SUPER", "to kill a stuck holder's or long "
	  "query's connection" },
};

/* Every global privilege of sql's GRANT lines into privs; 0 or -1. */
static int
grant_lines(struct db *d, const char *sql, char *privs, size_t n,
	    struct failure *f)
{
	MYSQL_RES *r = db_query(d, sql, f);
	MYSQL_ROW row;

	if (r == NULL)
		return -1;
	while ((row = mysql_fetch_row(r)) != NULL)
		if (row[0] != NULL && grants_global(row[0], privs, n) == -1)
			break;
	mysql_free_result(r);
	return 0;
}

/*
 * What this session may do: its account's global grants and its active
 * roles', as SHOW GRANTS says (MySQL 8: USING the current roles; MariaDB
 * shows the current role's grants beside the account's), not
 * USER_PRIVILEGES, which lists direct grants only. 0, or -1 with f set.
 */
static int
effective_privs(struct db *d, char *privs, size_t n, struct failure *f)
{
	char roles[1024], sql[1200];

	privs[0] = '\0';
	if (db_value(d, "SELECT CURRENT_ROLE()", roles, sizeof(roles), f) == -1)
		roles[0] = '\0'; /* no roles on this server */
	if (strcmp(roles, "NONE") == 0)
		roles[0] = '\0';
	if (d->flavor != FL_MARIADB && roles[0] != '\0' &&
	    fmt(sql, sizeof(sql), "SHOW GRANTS FOR CURRENT_USER() USING %s",
		roles) == 0)
		return grant_lines(d, sql, privs, n, f);
	return grant_lines(d, "SHOW GRANTS", privs, n, f);
}

static int
check_privs(struct db *d, int backup_admin, enum kill_choice kill)
{
	const struct priv *p = d->flavor == FL_MARIADB ? mariadb_privs
						       : mysql_privs;
	size_t i, n = d->flavor == FL_MARIADB ? ARRAY_LEN(mariadb_privs)
					      : ARRAY_LEN(mysql_privs);
	static char privs[8192];
	struct failure f;
	int missing = 0;

	if (effective_privs(d, privs, sizeof(privs), &f) == -1) {
		printf("FAIL  privileges: %s\n", f.why);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (grants_has(privs, p[i].name) ||
		    grants_has(privs, p[i].alt)) {
			printf("ok    privilege %s\n", p[i].name);
		} else {
			printf("FAIL  privilege %s missing: needed %s\n",
			       p[i].name, p[i].why);
			missing++;
		}
	}
	/* method recovery on MySQL: LOCK INSTANCE FOR BACKUP */
	if (backup_admin && !grants_has(privs, "BACKUP_ADMIN")) {
		printf("FAIL  privilege BACKUP_ADMIN missing: needed for method "
		       "recovery (LOCK INSTANCE FOR BACKUP)\n");
		missing++;
	} else if (backup_admin) {
		printf("ok    privilege BACKUP_ADMIN\n");
	}
	/* MySQL >= 8.0.16: only a SYSTEM_USER may kill a SYSTEM_USER's
	 * statement ("You are not owner of thread"), root's among them */
	if (d->flavor != FL_MARIADB && d->version >= 80016 &&
	    kill != KILL_NO && !grants_has(privs, "SYSTEM_USER"))
		printf("warn  privilege SYSTEM_USER missing: kill_long_queries "
		       "cannot kill the statements of accounts that have it "
		       "(root's among them; the server answers \"not owner of "
		       "thread\")\n");
	return missing;
}

/*
 * What a snapshot of this server can be used for, warned where it falls
 * short (a warning, not "not ready": the lock works): binary logging
 * off (no coordinates, no seeding); a replica that does not log what
 * it applies (a snapshot can seed a sibling, not a replica of it); a
 * MariaDB replica's committed gtid_slave_pos unreadable (its recorded
 * one is then the applier's report, include/committed.h).
 */
static void
check_uses(struct db *d)
{
	char v[16], one[16];
	struct failure f;
	MYSQL_RES *r;
	MYSQL_ROW row;
	int replica, logs = -1;

	if (db_value(d, "SELECT @@GLOBAL.log_bin", v, sizeof(v), &f) == 0 &&
	    strcmp(v, "1") != 0)
		printf("warn  binary logging is off: a snapshot carries no "
		       "binary log coordinates, and seed cannot make a replica "
		       "of this server from it (log_bin in the server's "
		       "config)\n");
	if ((r = db_query(d, coords_replica_sql(d->flavor, d->version),
			  &f)) == NULL)
		return;
	replica = mysql_fetch_row(r) != NULL;
	mysql_free_result(r);
	if (!replica)
		return;
	if ((r = db_query(d, coords_workers_sql(d->flavor, d->version),
			  &f)) != NULL) {
		if ((row = mysql_fetch_row(r)) != NULL &&
		    mysql_num_fields(r) > 1 && row[1] != NULL)
			logs = strcmp(row[1], "1") == 0;
		mysql_free_result(r);
	}
	if (logs == 0)
		printf("warn  replica: it does not write what it applies to its "
		       "own binary log (%s off): a snapshot of it can seed a "
		       "sibling replica, not a replica of this server (the "
		       "info file comments those lines out)\n",
		       d->flavor != FL_MARIADB && d->version >= 80026 ?
		       "log_replica_updates" : "log_slave_updates");
	else if (logs == 1)
		printf("ok    replica: it logs what it applies "
		       "(log_slave_updates)\n");
	if (d->flavor != FL_MARIADB)
		return;
	if (db_value(d, committed_sql, one, sizeof(one), &f) == -1)
		printf("warn  replica: mysql.gtid_slave_pos cannot be read (%s): "
		       "GRANT SELECT ON mysql.gtid_slave_pos, or the recorded "
		       "gtid_slave_pos is the applier's report, which can lag "
		       "its tables, and is marked not exact\n", f.why);
	else
		printf("ok    replica: its committed gtid_slave_pos is readable\n");
}

/* The directory of what's path must be writable, and a file already
 * there must be one we would open (open_path's rules: no FIFO, device
 * or another user's symlink). */
static int
check_dir_writable(const char *what, const char *path, int flags)
{
	char dir[CONFIG_STR_MAX];
	struct failure ef;
	const char *slash = strrchr(path, '/');
	int fd;

	if (path[0] == '\0')
		return 0;
	fd = open_path(what, path, flags, 0, &ef);
	if (fd == -1 && errno != ENOENT) {
		printf("FAIL  %s\n", ef.why);
		return 1;
	}
	if (fd != -1)
		close(fd);
	fmt(dir, sizeof(dir), "%.*s", slash && slash != path ?
	    (int)(slash - path) : 1, slash ? path : ".");
	if (access(dir, W_OK) == -1) {
		printf("FAIL  %s %s: directory %s: %s\n", what, path, dir,
		       strerror(errno));
		return 1;
	}
	printf("ok    %s %s\n", what, path);
	return 0;
}

/* With an [ebs] section: instance, credentials' source, region, the
 * mapping of the data's devices, and EC2's answer to a DryRun. */
enum { IMDS_PROBE_MS = 2000 }; /* EC2's metadata answers in a few ms */

/* Does instance metadata answer with this instance's id? f says why
 * not. */
static int
on_ec2(const struct config *c, struct failure *f)
{
	struct imds im;
	char id[64];
	int r;

	if (imds_init(&im, c->ebs_imds_endpoint, f) == -1)
		return 0;
	r = imds_get(&im, "meta-data/instance-id", id, sizeof(id),
		     mono_ms() + IMDS_PROBE_MS, f);
	imds_free(&im);
	if (r == 1)
		failf(f, MQ_FAIL, "instance metadata has no instance id");
	return r == 0;
}

static int
check_ebs(const struct config *c, const struct server_config *sv)
{
	static struct plan p;
	static struct snapctx x;
	struct plan_opts po = { 0 };
	struct failure f;
	struct db d;
	int r;

	/* off EC2 (no instance metadata to answer) there is nothing the
	 * EBS backend could do: said, not a failure */
	if (!on_ec2(c, &f)) {
		printf("--    EBS: not on EC2 (%s): snapshot --ebs cannot run on "
		       "this host\n", f.why);
		return MQ_OK;
	}
	r = plan_discover(c, sv, &po, &d, -1, &p, &f);
	db_close(&d);
	x.c = c;
	x.plan = &p;
	x.sigfd = -1;
	if (r == MQ_OK)
		r = backend_ebs.plan(&x, &f);
	if (r != MQ_OK) {
		printf("FAIL  EBS: %s\n", f.why);
		return r;
	}
	printf("ok    EBS: %s\n", f.why);
	if (c->ebs_keep > 0 && c->ebs_name_suffix[0] == '\0')
		printf("note  EBS retention counts this config's sets alone "
		       "(tag mysql-quiesce:config); another config on this "
		       "instance would share their Name: give each its own "
		       "[ebs] name_suffix\n");
	return MQ_OK;
}

/*
 * Method recovery: configured, its preconditions (a failure: 1);
 * otherwise a hint where it applies (an InnoDB-only server with a
 * durable binary log, MariaDB >= 10.4.1 or MySQL 8.0). 0 else.
 */
static int
check_recovery(struct db *d, const struct lock_method *m)
{
	const struct lock_method *rm;
	struct failure f;

	if (m->by_recovery) {
		if (recovery_ready(d, 0, &f) != MQ_OK) {
			printf("FAIL  %s\n", f.why);
			return 1;
		}
		printf("ok    method recovery: binary log on and durable, every "
		       "table transactional\n");
		return 0;
	}
	rm = lock_choose(METHOD_RECOVERY, d->flavor, d->version, &f);
	if (rm != NULL && recovery_ready(d, 0, &f) == MQ_OK)
		printf("hint  method = recovery would block no commit here "
		       "(every table transactional, binary log durable): "
		       "its coordinates are a lower bound, verify reads the "
		       "exact ones back\n");
	return 0;
}

static int
check_one(const struct config *c, const struct server_config *sv)
{
	const struct lock_method *m;
	struct failure ef;
	struct db d;
	int r, bad = 0, dirfd;

	printf("ok    config %s\n", c->path);
	dirfd = rundir_open(sv->files_run_dir, 0, &ef);
	if (dirfd == -1) {
		printf("FAIL  %s\n", ef.why);
		bad = MQ_STATE;
	} else {
		printf("ok    run_dir %s%s\n", sv->files_run_dir,
		       dirfd == -2 ? " (created on first freeze)" : "");
		if (dirfd >= 0)
			close(dirfd);
	}
	if (wiring_report(c, sv) > 0)
		bad = bad ? bad : MQ_NOTREADY;
	if (check_dir_writable("log_file", c->files_log_file,
			       O_WRONLY | O_APPEND) |
	    check_dir_writable("binlog_info_file", sv->files_binlog_info_file,
			       O_RDONLY) |
	    check_dir_writable("metrics_file", sv->files_metrics_file,
			       O_RDONLY))
		bad = bad ? bad : MQ_NOTREADY;
	r = db_connect(&d, sv, 10, &ef);
	if (r != MQ_OK) {
		printf("FAIL  connect: %s\n", ef.why);
		return r;
	}
	printf("ok    connected as %s to %s %s\n", d.user,
	       db_flavor_name(d.flavor), d.version_str);
	m = lock_choose(sv->lock_method, d.flavor, d.version, &ef);
	if (m == NULL) {
		printf("FAIL  %s\n", ef.why);
		bad = bad ? bad : MQ_CONFIG;
	} else {
		const char *warn = lock_stall_warning(lock_waits_for(m,
				   d.flavor, d.version), sv->lock_kill_long_queries);

		printf("ok    lock method %s (configured: %s)\n", lock_name(m),
		       method_choice_names[sv->lock_method]);
		if (warn != NULL)
			printf("warn  %s\n", warn);
		bad = check_recovery(&d, m) && !bad ? MQ_CONFIG : bad;
	}
	if (check_privs(&d, m != NULL && m->by_recovery &&
			d.flavor != FL_MARIADB, sv->lock_kill_long_queries) > 0)
		bad = bad ? bad : MQ_PRIV;
	check_uses(&d);
	db_close(&d);
	if (c->has_ebs && (r = check_ebs(c, sv)) != MQ_OK)
		bad = bad ? bad : r == MQ_CMD || r == MQ_FAIL ? MQ_NOTREADY : r;
	printf("%s\n", bad ? "NOT READY" : "ready");
	return bad;
}

int
check_main(const struct config *c, const struct call *o)
{
	const struct server_config *sv = o->each;
	char bad[CONFIG_MAX_SERVERS * (CONFIG_NAME_MAX + 12)] = "";
	int i, r, n = o->n, several = o->sv == NULL;
	int code = MQ_OK;

	/* several: each under its name; the ones not ready named */
	for (i = 0; i < n; i++) {
		if (several)
			printf("%s== [mysql %s]\n", i ? "\n" : "", sv[i].name);
		fflush(stdout);
		r = check_one(c, &sv[i]);
		if (r != MQ_OK) {
			append(bad, sizeof(bad), "%s[mysql %s]", bad[0] ? ", " :
			       "", sv[i].name);
			if (code == MQ_OK)
				code = r;
		}
	}
	if (!several)
		return code;
	if (code == MQ_OK)
		printf("\nok    every server ready (%d)\n", c->n);
	else
		printf("\nFAIL  not ready: %s\n", bad);
	return code;
}
