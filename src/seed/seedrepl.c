/* seedrepl.c - seed's replication side: its refusals (the password
 * masked), the statements it runs, the channels restored with the
 * snapshot stopped and reset, and the wait for the new one to run. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coords.h"
#include "db.h"
#include "dbapi.h"
#include "exits.h"
#include "gtid.h"
#include "log.h"
#include "seed.h"
#include "seedsql.h"
#include "util.h"
#include "verify.h"

/* The message of a failed statement, the password masked wherever the
 * server's error may have quoted the statement. */
enum { MASK_RUN = 4 }; /* the shortest piece of a password masked */

/*
 * The message of a failed statement, every piece of the password masked
 * wherever the server's error may have quoted it: whole, or cut short
 * ("String 'abc...' is too long"): each run of text that is a piece of
 * the secret at least MASK_RUN long (or the whole of a shorter one)
 * becomes stars.
 */
static void
mask(char *text, const char *secret)
{
	size_t k = strlen(secret), i, j, at, run, min = k < MASK_RUN ? k : MASK_RUN;

	if (k == 0)
		return;
	for (i = 0; text[i] != '\0'; i++) {
		run = 0;
		for (at = 0; at < k; at++) {
			for (j = 0; text[i + j] != '\0' && at + j < k &&
			     text[i + j] == secret[at + j]; j++)
				;
			if (j > run)
				run = j;
		}
		if (run >= min) {
			memset(text + i, '*', run);
			i += run - 1;
		}
	}
}

int
seed_refuse(struct seed *s, int code, const char *result, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(s->why, sizeof(s->why), f, ap);
	va_end(ap);
	mask(s->why, s->pass);
	fmt(s->result, sizeof(s->result), "%s", result);
	return code;
}

int
seed_add_sql(struct seed *s, const char *sql, const char *shown)
{
	if (s->nsql == MAX_STMTS)
		return -1;
	fmt(s->sql[s->nsql], STMT_MAX, "%s", sql);
	fmt(s->shown[s->nsql++], STMT_MAX, "%s", shown ? shown : sql);
	return 0;
}

/* Every channel's status row of d, read by column name into rows; how
 * many, or -1 with f set: more than COORDS_MAX_CHANNELS is refused,
 * never cut short. */
static int
replica_rows(struct db *d, struct repl_row *rows, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	MYSQL_FIELD *fl;
	const char *names[128];
	int nc, i, n = 0;

	if ((r = db_query(d, coords_replica_sql(d->flavor, d->version), f))
	    == NULL)
		return -1;
	nc = (int)mysql_num_fields(r);
	if (nc > 128)
		nc = 128;
	fl = mysql_fetch_fields(r);
	for (i = 0; i < nc; i++)
		names[i] = fl[i].name;
	while ((row = mysql_fetch_row(r)) != NULL) {
		if (n == COORDS_MAX_CHANNELS) {
			mysql_free_result(r);
			failf(f, MQ_SERVER, "more than %d replication "
			      "channels: seed handles every one or none",
			      COORDS_MAX_CHANNELS);
			return -1;
		}
		seed_row(&rows[n++], nc, names, (const char *const *)row);
	}
	mysql_free_result(r);
	return n;
}

/* The channels restored with the snapshot: said, then stopped and
 * reset. 1 when one of them replicated from the source (its executed
 * position is the snapshot's in the source's binary log). */
int
seed_old_channels(struct seed *s, struct verify *v, struct failure *f)
{
	static struct repl_row rows[COORDS_MAX_CHANNELS];
	char stop[400], reset[400];
	int n, i, from_source = 0;

	if ((n = replica_rows(&v->d, rows, f)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		const struct repl_row *o = &rows[i];

		if (strcmp(o->host, s->shost) == 0 && o->port == s->sport)
			from_source = 1;
		fmt(s->old[s->nold++], sizeof(s->old[0]), "%s%s%s (source "
		    "%s:%u, IO %s, SQL %s)", o->channel[0] ? "'" : "",
		    o->channel[0] ? o->channel : "the default channel",
		    o->channel[0] ? "'" : "", o->host, o->port, o->io, o->sql);
		if (seed_reset_sql(stop, reset, sizeof(stop), v->d.flavor,
				   v->d.version, o->channel) == -1 ||
		    seed_add_sql(s, stop, NULL) == -1 ||
		    seed_add_sql(s, reset, NULL) == -1) {
			errno = ENAMETOOLONG;
			return -2;
		}
	}
	return from_source;
}

static void
nap_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&t, &t) == -1 && errno == EINTR)
		;
}

/* The default channel's status row into s->row (zeroed if there is
 * none); 0, or -1 with f set. */
static int
status_row(struct seed *s, struct db *d, struct failure *f)
{
	static struct repl_row rows[COORDS_MAX_CHANNELS];
	int n, i;

	if ((n = replica_rows(d, rows, f)) == -1)
		return -1;
	memset(&s->row, 0, sizeof(s->row));
	for (i = 0; i < n; i++)
		if (rows[i].channel[0] == '\0') {
			s->row = rows[i];
			break;
		}
	return 0;
}

/*
 * After START: until both threads run and a transaction from the
 * source is applied (or all read is executed), --timeout at most. On a
 * thread's error replication is stopped again and the error said.
 */
/* The source's position now: its GTID state (by GTID) or binary log
 * file and position. 0, or -1 with f set. */
static int
source_now(struct seed *s, char *gtid, size_t gn, char *file, size_t fn,
	   unsigned long long *pos, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	gtid[0] = '\0';
	if (s->plan.by_gtid)
		return db_value(&s->src, s->src.flavor == FL_MARIADB ?
				"SELECT @@GLOBAL.gtid_binlog_pos" :
				"SELECT @@GLOBAL.gtid_executed", gtid, gn, f);
	if ((r = db_query(&s->src, coords_binlog_sql(s->src.flavor,
						     s->src.version), f)) == NULL)
		return -1;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL &&
	    row[1] != NULL) {
		fmt(file, fn, "%s", row[0]);
		*pos = strtoull(row[1], NULL, 10);
	}
	mysql_free_result(r);
	return 0;
}

int
seed_await(struct seed *s, struct verify *v)
{
	int64_t start = mono_ms(), end = start + s->timeout * 1000;
	const char *var = v->d.flavor == FL_MARIADB ? "SELECT @@GLOBAL.gtid_slave_pos"
						     : "SELECT @@GLOBAL.gtid_executed";
	char now[4096], why[200], target[4096], tfile[256] = "";
	unsigned long long tpos = 0;
	struct failure lf;
	int st, applied;

	/* what the source holds now: caught up to it, there was nothing
	 * to apply; short of it, only a transaction applied says that
	 * replication works (never "all it read is executed", which holds
	 * before the IO thread has read anything) */
	if (source_now(s, target, sizeof(target), tfile, sizeof(tfile),
		       &tpos, &lf) == -1)
		return seed_refuse(s, db_errclass(&s->src), "failed", "the "
				   "source's position: %s", lf.why);
	for (;;) {
		if (status_row(s, &v->d, &lf) == -1)
			return seed_refuse(s, db_errclass(&v->d), "failed", "replica "
					   "status: %s", lf.why);
		if (s->plan.by_gtid) {
			if (db_value(&v->d, var, now, sizeof(now), &lf) == -1)
				return seed_refuse(s, db_errclass(&v->d), "failed",
						   "%s", lf.why);
			applied = (v->d.flavor == FL_MARIADB ?
				   gtid_equal(1, now, s->state, why, sizeof(why)) == 0 :
				   strcmp(now, s->state) != 0) ||
				  gtid_within(v->d.flavor == FL_MARIADB, target, now,
					      why, sizeof(why)) == 1;
		} else {
			applied = s->row.exec_file[0] != '\0' &&
				  (strcmp(s->row.exec_file, s->plan.file) != 0 ||
				   s->row.exec_pos > s->plan.pos ||
				   (strcmp(s->row.exec_file, tfile) == 0 &&
				    s->row.exec_pos >= tpos));
		}
		st = seed_progress(&s->row, applied);
		if (st == SEED_DONE) {
			s->took_ms = mono_ms() - start;
			fmt(s->result, sizeof(s->result), "replicating");
			return MQ_OK;
		}
		if (st == SEED_ERROR) {
			/* never left half running */
			(void)db_exec(&v->d, seed_stop_sql(v->d.flavor,
							   v->d.version), &lf);
			if (s->row.io_errno != 0)
				return seed_refuse(s, MQ_REPLICATION, "failed",
						   "replication stopped: the IO thread's "
						   "error %u: %s", s->row.io_errno,
						   s->row.io_error);
			if (s->row.sql_errno != 0)
				return seed_refuse(s, MQ_REPLICATION, "failed",
						   "replication stopped: the SQL "
						   "thread's error %u: %s",
						   s->row.sql_errno, s->row.sql_error);
			return seed_refuse(s, MQ_REPLICATION, "failed", "replication "
					   "stopped: IO %s, SQL %s, no error said",
					   s->row.io, s->row.sql);
		}
		if (mono_ms() >= end)
			return seed_refuse(s, MQ_TIMEOUT, "timeout", "not caught up "
					   "within %lld s (IO %s, SQL %s, lag %s): "
					   "replication is left running; watch it with "
					   "SHOW REPLICA STATUS", s->timeout,
					   s->row.io, s->row.sql,
					   s->row.lag[0] ? s->row.lag : "unknown");
		if (log_progress_on())
			log_progress("seed: waiting: IO %s, SQL %s, lag %s s",
				     s->row.io, s->row.sql,
				     s->row.lag[0] ? s->row.lag : "-");
		nap_ms(200);
	}
}

/* The statements, in order; each failure named (its text masked). */
int
seed_run_sql(struct seed *s, struct verify *v)
{
	int i;

	char stop[400], reset[400], done[2048] = "";
	struct failure lf, rf; /* rf: the reset's, unsaid */
	int k;

	for (i = 0; i < s->nsql; i++)
		if (db_exec(&v->d, s->sql[i], &lf) == -1) {
			int code = db_errclass(&v->d);

			/* nothing half done: the new channel, configured or
			 * started, stopped and reset again */
			if (i > 0 && seed_reset_sql(stop, reset, sizeof(stop),
						    v->d.flavor, v->d.version,
						    "") == 0) {
				(void)db_exec(&v->d, stop, &rf);
				(void)db_exec(&v->d, reset, &rf);
			}
			for (k = 0; k < i; k++)
				append(done, sizeof(done), "%s%s", k ? "; " : "",
				       s->shown[k]);
			return seed_refuse(s, code, "failed", "%s: %s%s%s%s",
					   s->shown[i], lf.why, i > 0 ? " (ran "
					   "before it: " : "", done, i > 0 ?
					   "; the new channel then reset "
					   "again)" : "");
		}
	return MQ_OK;
}
