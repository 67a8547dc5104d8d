/* lock.c - the lock methods per server flavor, what each waits for,
 * and the statements it would wait for (read from src/db/plist.c). */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "db.h"
#include "lock.h"
#include "plist.h"
#include "log.h"
#include "stall.h"
#include "util.h"

/*
 * FLUSH TABLES WITH READ LOCK. The first flush, outside the lock, closes
 * and writes out most tables while writers still run, so the locked
 * flush has little left to do.
 */
static const char *const ftwrl_take[] = {
	"FLUSH NO_WRITE_TO_BINLOG TABLES",
	"FLUSH TABLES WITH READ LOCK",
	NULL,
};
static const char *const ftwrl_release[] = { "UNLOCK TABLES", NULL };

/* MariaDB >= 10.4: commits are blocked only in the last stage. */
static const char *const bs_take[] = {
	"BACKUP STAGE START",
	"BACKUP STAGE FLUSH",
	"BACKUP STAGE BLOCK_DDL",
	"BACKUP STAGE BLOCK_COMMIT",
	NULL,
};
static const char *const bs_release[] = { "BACKUP STAGE END", NULL };

/* Percona Server 5.6 / 5.7 backup locks. */
static const char *const pbl_take[] = {
	"LOCK TABLES FOR BACKUP",
	"LOCK BINLOG FOR BACKUP",
	NULL,
};
static const char *const pbl_release[] = {
	"UNLOCK BINLOG",
	"UNLOCK TABLES",
	NULL,
};

/*
 * recovery, MariaDB >= 10.4.1: START, then FLUSH (new writes to
 * non-transactional tables wait; crash-safe engines' do not), then
 * BLOCK_DDL (DDL waits). Measured on 10.11: under these InnoDB inserts
 * and commits run on, a MyISAM insert and CREATE or ALTER TABLE wait;
 * account statements (Aria mysql.* tables) do not: check says so.
 */
static const char *const rec_take[] = {
	"BACKUP STAGE START",
	"BACKUP STAGE FLUSH",
	"BACKUP STAGE BLOCK_DDL",
	NULL,
};

/* recovery, MySQL and Percona Server >= 8.0: the instance backup lock
 * (DDL, file operations not in the redo log, account changes). */
static const char *const rec_mysql_take[] = {
	"LOCK INSTANCE FOR BACKUP",
	NULL,
};
static const char *const rec_mysql_release[] = { "UNLOCK INSTANCE", NULL };

static const struct lock_method recovery_mysql = {
	METHOD_RECOVERY, rec_mysql_take, rec_mysql_release, 1, NULL, 0, 0, 1,
};

/* Indexed by the configured value; the names are config.h's. */
static const struct lock_method methods[] = {
	[METHOD_AUTO] = { METHOD_AUTO, NULL, NULL, 0, NULL, 0, 0 },
	/* commits wait from FTWRL's sending: while it waits, and while it
	 * holds */
	[METHOD_FTWRL] = { METHOD_FTWRL, ftwrl_take, ftwrl_release, 0, NULL,
			   1, 1 },
	/* BACKUP STAGE START waits for nothing but another connection's
	 * BACKUP STAGE (another FTWRL does not stop it); commits wait from
	 * BLOCK_COMMIT. */
	[METHOD_BACKUP_STAGE] = { METHOD_BACKUP_STAGE, bs_take, bs_release, 1,
				  "another connection is in BACKUP STAGE (a "
				  "backup such as mariabackup running?)", 3,
				  0 },
	[METHOD_PERCONA_BACKUP_LOCKS] = { METHOD_PERCONA_BACKUP_LOCKS,
					  pbl_take, pbl_release, 1, NULL, 0,
					  0 },
	/* commits never wait; non-transactional writes from FLUSH */
	[METHOD_RECOVERY] = { METHOD_RECOVERY, rec_take, bs_release, 1,
			      "another connection is in BACKUP STAGE (a "
			      "backup such as mariabackup running?)", 1, 0,
			      1 },
};
_Static_assert(ARRAY_LEN(methods) == method_choice_count,
	       "a configured method without its statements");

const char *
lock_name(const struct lock_method *m)
{
	return method_choice_names[m->id];
}

const struct lock_method *
lock_by_name(const char *name, enum flavor fl, unsigned long version)
{
	int i = config_choice(method_choice_names, method_choice_count, name);
	struct failure f;

	return i <= METHOD_AUTO ? NULL :
	       lock_choose((enum method_choice)i, fl, version, &f);
}

int
lock_lower_bound(const char *name)
{
	int i = config_choice(method_choice_names, method_choice_count, name);

	return i > METHOD_AUTO && methods[i].by_recovery;
}

const struct lock_method *
lock_choose(enum method_choice configured, enum flavor fl, unsigned long v,
	    struct failure *f)
{
	int has_bs = fl == FL_MARIADB && v >= 100401;
	int has_pbl = fl == FL_PERCONA && v >= 50600 && v < 80000;

	switch (configured) {
	case METHOD_AUTO:
		if (has_bs)
			return &methods[METHOD_BACKUP_STAGE];
		if (has_pbl)
			return &methods[METHOD_PERCONA_BACKUP_LOCKS];
		return &methods[METHOD_FTWRL];
	case METHOD_BACKUP_STAGE:
		if (has_bs)
			break;
		failf(f, MQ_CONFIG, "lock method backup-stage needs MariaDB "
		    "10.4.1 or later");
		return NULL;
	case METHOD_PERCONA_BACKUP_LOCKS:
		if (has_pbl)
			break;
		failf(f, MQ_CONFIG, "lock method percona-backup-locks needs "
		    "Percona Server 5.6 or 5.7");
		return NULL;
	case METHOD_RECOVERY:
		/* exact by recovery needs atomic DDL and a transactional
		 * dictionary (MySQL 8.0) or the backup stages (MariaDB) */
		if ((fl == FL_MYSQL || fl == FL_PERCONA) && v >= 80000)
			return &recovery_mysql;
		if (has_bs)
			break;
		failf(f, MQ_CONFIG, "lock method recovery needs MySQL 8.0 or "
		    "MariaDB 10.4.1 or later");
		return NULL;
	default:
		break;
	}
	return &methods[configured];
}

int
lock_release(struct db *d, const struct lock_method *m, struct failure *f)
{
	const char *const *s;
	struct failure lf;
	int r = 0;

	/* every statement runs; the first failure is the one said */
	for (s = m->release; *s != NULL; s++)
		if (db_exec(d, *s, r == 0 ? f : &lf) == -1)
			r = -1;
	return r;
}

int
lock_take(struct db *d, const struct lock_method *m, int skip, int from,
	  int64_t *blocks_at, struct failure *f)
{
	const char *const *s;
	const char *hint;
	struct failure lf;
	unsigned int errnum;

	if (skip < 0 || skip > m->optional_first)
		skip = 0;
	if (from < skip)
		from = skip;
	for (s = m->take + skip; *s != NULL; s++) {
		if (s - m->take == from)
			*blocks_at = mono_ms();
		if (db_exec(d, *s, f) == 0)
			continue;
		errnum = d->errnum;
		lock_release(d, m, &lf);
		/* A first statement that timed out: say what it waits for. */
		hint = errnum == ER_LOCK_WAIT_TIMEOUT && s == m->take ?
		       m->first_wait : NULL;
		d->errnum = errnum;
		failf(f, db_errclass(d), "%s: %s%s%s", *s, f->why,
		      hint != NULL ? "; " : "", hint != NULL ? hint : "");
		return -1;
	}
	return 0;
}

int
lock_blocks_from(const struct lock_method *m, enum lock_waits w)
{
	return w == WAITS_ALL ? 0 : m->blocks_from;
}

int
lock_skip_first(const struct lock_method *m, enum lock_waits w, int running)
{
	return m->optional_first && w == WAITS_ALL && running != 0;
}

enum lock_waits
lock_waits_for(const struct lock_method *m, enum flavor f, unsigned long v)
{
	if (m->backup_lock)
		return WAITS_NONTX;
	/* MariaDB's FTWRL does not wait for plain reads (measured on
	 * 10.11); MySQL's waits for every statement with a table open. */
	if (f == FL_MARIADB && v >= 100401)
		return WAITS_WRITES;
	return WAITS_ALL;
}

const char *
lock_stall_warning(enum lock_waits w, enum kill_choice kill)
{
	if (w != WAITS_ALL || kill != KILL_NO)
		return NULL;
	return "this server's FLUSH waits for every running statement and "
	       "each new statement waits behind it, so with "
	       "kill_long_queries = no the lock is sent only into a moment "
	       "when no read with tables open runs: a long read delays "
	       "the freeze (up to snapshot_timeout) rather than stalling "
	       "writers; kill_long_queries = select lets the lock be sent "
	       "and kills the reads its flush waits for once a writer has "
	       "waited max_writer_wait";
}

const char *
lock_waits_name(enum lock_waits w)
{
	switch (w) {
	case WAITS_ALL:
		return "every running statement";
	case WAITS_WRITES:
		return "writes and DDL";
	default:
		return "DDL and non-transactional writes";
	}
}

/* Is command one of ignore_commands (any case, as the server's
 * collation compares)? */
static int
ignored(const struct server_config *c, const char *command)
{
	const char *p = c->lock_ignore_commands;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		const char *b = p, *e = p + len;

		while (b < e && isspace((unsigned char)*b))
			b++;
		while (e > b && isspace((unsigned char)e[-1]))
			e--;
		if (e > b && strlen(command) == (size_t)(e - b) &&
		    strncasecmp(command, b, (size_t)(e - b)) == 0)
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/*
 * Is db.table transactional? 1 yes, 0 no or unknown (a view, a
 * temporary table, a table that is gone: assume the worst), -1 error.
 */
static int
transactional(struct db *d, const char *db, const char *table,
	      struct failure *f)
{
	char qdb[2 * 64 * 4 + 3], qt[2 * 64 * 4 + 3], sql[1400];
	MYSQL_RES *r;
	MYSQL_ROW row;
	int yes;

	if (db_quote(d, qdb, sizeof(qdb), db) == -1 ||
	    db_quote(d, qt, sizeof(qt), table) == -1)
		return 0;
	fmt(sql, sizeof(sql),
	    "SELECT e.TRANSACTIONS FROM information_schema.TABLES t "
	    "JOIN information_schema.ENGINES e ON e.ENGINE = t.ENGINE "
	    "WHERE t.TABLE_SCHEMA = %s AND t.TABLE_NAME = %s", qdb, qt);
	r = db_query(d, sql, f);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	yes = row != NULL && row[0] != NULL && strcmp(row[0], "YES") == 0;
	mysql_free_result(r);
	return yes;
}

/* Does the pending lock wait for this statement, by its kind alone?
 * 1 yes, 0 no, LOOK_UP: only if its table is non-transactional. */
enum { LOOK_UP = 2 };
static int
waits(enum lock_waits w, const struct blocker *b)
{
	if (b->tableless)
		return 0;
	if (w == WAITS_ALL)
		return 1;
	if (b->kind == STMT_READ)
		return 0;
	if (w == WAITS_WRITES || b->kind != STMT_WRITE || b->db[0] == '\0')
		return 1;
	return LOOK_UP;
}

/* Does the pending lock wait for this statement? 1, 0 or -1. */
static int
blocks(struct db *d, enum lock_waits w, const struct blocker *b,
       struct failure *f)
{
	int v = waits(w, b);

	if (v != LOOK_UP)
		return v;
	switch (transactional(d, b->db, b->table, f)) {
	case 1:
		return 0;
	case 0:
		return 1;
	default:
		return -1;
	}
}

/*
 * Could this process-list row block a lock at all? Not replication
 * threads, the event scheduler or the server's own threads, not an
 * idle or ignored command, not us or skip, not one younger than
 * min_time.
 */
static int
candidate(const struct server_config *c, MYSQL_ROW row, unsigned long self,
	  unsigned long skip, long long min_time)
{
	unsigned long id = strtoul(row[0] ? row[0] : "0", NULL, 10);
	const char *user = row[1] ? row[1] : "", *cmd = row[4] ? row[4] : "";

	return row[7] != NULL && id != self && (skip == 0 || id != skip) &&
	       strtoll(row[5] ? row[5] : "0", NULL, 10) >= min_time &&
	       strcasecmp(user, "system user") != 0 &&
	       strcasecmp(user, "event_scheduler") != 0 &&
	       strncasecmp(cmd, "Slave", 5) != 0 &&
	       strncasecmp(cmd, "Binlog Dump", 11) != 0 && !ignored(c, cmd);
}

/* Row as a blocker: its statement classified as sent (a newline ends a
 * -- comment), its first 1,024 bytes; kept for the log on one line. */
static void
describe(struct blocker *x, MYSQL_ROW row)
{
	char text[sizeof(x->info)];

	memset(x, 0, sizeof(*x));
	x->id = strtoul(row[0] ? row[0] : "0", NULL, 10);
	x->time = strtoll(row[5] ? row[5] : "0", NULL, 10);
	sanitize(x->user, sizeof(x->user), row[1] ? row[1] : "");
	sanitize(x->host, sizeof(x->host), row[2] ? row[2] : "");
	sanitize(x->command, sizeof(x->command), row[4] ? row[4] : "");
	fmt(text, sizeof(text), "%.*s", (int)(sizeof(text) - 1), row[7]);
	x->kind = stmt_classify(text, x->db, sizeof(x->db), x->table,
				sizeof(x->table));
	x->tableless = x->kind == STMT_READ &&
		       stmt_tableless(text, sizeof(text) - 1);
	if (x->kind == STMT_WRITE && x->db[0] == '\0')
		fmt(x->db, sizeof(x->db), "%s", row[3] ? row[3] : "");
	sanitize(x->info, sizeof(x->info), text);
}

/* Keep x among b[0..*n), the max longest-running, longest first. */
static void
keep(struct blocker *b, int *n, int max, const struct blocker *x)
{
	int i;

	if (*n < max)
		i = (*n)++;
	else if (b[max - 1].time >= x->time)
		return;
	else
		i = max - 1;
	for (; i > 0 && b[i - 1].time < x->time; i--)
		b[i] = b[i - 1];
	b[i] = *x;
}

/* lock_blockers' read: what it keeps, and from which rows. */
struct gather {
	const struct server_config *c;
	enum lock_waits w;
	long long min_time;
	unsigned long self, skip;
	struct blocker *b;
	int max, n;
};

static int
gather_row(void *arg, MYSQL_ROW row)
{
	static struct blocker x;
	struct gather *g = arg;

	if (row == NULL) { /* a new read: forget the last */
		g->n = 0;
		return 0;
	}
	/* What the lock does not wait for, by kind alone (a read), is
	 * dropped here, before it competes for a place: long reads must
	 * not crowd out a write. A statement waiting behind a global
	 * lock or a flush runs nothing yet: whoever it waits for is. */
	if (!candidate(g->c, row, g->self, g->skip, g->min_time) ||
	    stall_state(row[6]))
		return 0;
	describe(&x, row);
	if (waits(g->w, &x) != 0)
		keep(g->b, &g->n, g->max, &x);
	return 0;
}

int
lock_blockers(struct db *d, const struct server_config *c, enum lock_waits w,
	      long long min_time, unsigned long skip, struct blocker *b,
	      int max, struct failure *f)
{
	struct gather g = { c, w, min_time, d->id, skip, b, max, 0 };
	int i, kept = 0, rc = 0;

	if (plist_read(d, min_time, gather_row, &g, f) == -1)
		return -1;
	/* the longest-running first; the lock would not wait for some */
	for (i = 0; i < g.n && rc != -1; i++) {
		rc = blocks(d, w, &b[i], f);
		if (rc == 1 && kept++ != i)
			b[kept - 1] = b[i];
	}
	return rc == -1 ? -1 : kept;
}

int
lock_killable(const struct server_config *c, const struct blocker *b)
{
	return c->lock_kill_long_queries == KILL_ALL ||
	       (c->lock_kill_long_queries == KILL_SELECT &&
		b->kind == STMT_READ);
}

void
lock_blocker_describe(const struct blocker *b, char *buf, size_t n)
{
	fmt(buf, n, "connection %lu (%s@%s, %s) running %lld s: %.200s%s",
	    b->id, b->user, b->host, b->command, b->time, b->info,
	    strlen(b->info) > 200 ? "..." : "");
}
