/* coords.c - reading and recording binlog, GTID and replica
 * coordinates, and the info file that carries them. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "coords.h"
#include "util.h"

const char *
coords_binlog_sql(enum flavor f, unsigned long v)
{
	if (f == FL_MARIADB)
		return v >= 100502 ? "SHOW BINLOG STATUS" : "SHOW MASTER STATUS";
	/* SHOW MASTER STATUS was removed in MySQL 8.4. */
	return v >= 80200 ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
}

const char *
coords_replica_sql(enum flavor f, unsigned long v)
{
	if (f == FL_MARIADB)
		return v >= 100501 ? "SHOW ALL REPLICAS STATUS"
				   : "SHOW ALL SLAVES STATUS";
	return v >= 80022 ? "SHOW REPLICA STATUS" : "SHOW SLAVE STATUS";
}

/* Copy a GTID set, dropping the newlines MySQL puts between UUIDs. */
static int
copy_gtid(char *dst, size_t n, const char *src)
{
	size_t j = 0;

	for (; *src != '\0'; src++) {
		if (*src == '\n' || *src == '\r')
			continue;
		if (j + 1 >= n)
			return -1;
		dst[j++] = *src;
	}
	dst[j] = '\0';
	return 0;
}

static int
read_gtid(struct db *d, struct coords *co)
{
	const char *sql = d->flavor == FL_MARIADB
		? "SELECT @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_current_pos, "
		  "@@GLOBAL.gtid_slave_pos"
		: "SELECT @@GLOBAL.gtid_executed, '', ''";
	MYSQL_RES *r;
	MYSQL_ROW row;
	int rc = 0;

	r = db_query(d, sql);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row != NULL &&
	    (copy_gtid(co->gtid, sizeof(co->gtid), row[0] ? row[0] : "") ||
	     copy_gtid(co->gtid_current, sizeof(co->gtid_current),
		       row[1] ? row[1] : "") ||
	     copy_gtid(co->gtid_slave, sizeof(co->gtid_slave),
		       row[2] ? row[2] : ""))) {
		fmt(d->err, sizeof(d->err), "GTID set too long to record");
		rc = -1;
	}
	mysql_free_result(r);
	return rc;
}

/* The value of the first of the named columns present, or NULL. */
static const char *
column(const char *const *names, const char *const *values, unsigned n,
       const char *a, const char *b)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (names[i] != NULL && (strcasecmp(names[i], a) == 0 ||
					 (b && strcasecmp(names[i], b) == 0)))
			return values[i] ? values[i] : "";
	return NULL;
}

int
coords_add_channel(struct coords *co, const char *const *names,
		   const char *const *values, unsigned n)
{
	struct channel *ch;
	const char *v;

	if (co->nchan >= COORDS_MAX_CHANNELS)
		return -1;
	ch = &co->chan[co->nchan++];
	memset(ch, 0, sizeof(*ch));
	if ((v = column(names, values, n, "Connection_name", "Channel_Name")))
		sanitize(ch->name, sizeof(ch->name), v);
	if ((v = column(names, values, n, "Source_Host", "Master_Host")))
		sanitize(ch->host, sizeof(ch->host), v);
	if ((v = column(names, values, n, "Source_Port", "Master_Port")))
		ch->port = (unsigned)strtoul(v, NULL, 10);
	if ((v = column(names, values, n, "Relay_Source_Log_File",
			"Relay_Master_Log_File")))
		sanitize(ch->file, sizeof(ch->file), v);
	if ((v = column(names, values, n, "Relay_Log_File", NULL)))
		sanitize(ch->relay, sizeof(ch->relay), strrchr(v, '/') ?
			 strrchr(v, '/') + 1 : v);
	if ((v = column(names, values, n, "Exec_Source_Log_Pos",
			"Exec_Master_Log_Pos")))
		ch->pos = strtoull(v, NULL, 10);
	if ((v = column(names, values, n, "Using_Gtid", "Auto_Position")))
		sanitize(ch->using_gtid, sizeof(ch->using_gtid), v);
	if ((v = column(names, values, n, "Replica_SQL_Running",
			"Slave_SQL_Running")))
		ch->running = strcasecmp(v, "Yes") == 0;
	return 0;
}

static int
read_replicas(struct db *d, struct coords *co)
{
	const char *names[128], *values[128];
	MYSQL_FIELD *fields;
	MYSQL_RES *r;
	MYSQL_ROW row;
	unsigned i, n;

	r = db_query(d, coords_replica_sql(d->flavor, d->version));
	if (r == NULL) {
		if (db_errclass(d) != MQ_PRIV)
			return -1;
		co->replica_err = 1;
		sanitize(co->replica_why, sizeof(co->replica_why), d->err);
		return 0;
	}
	n = mysql_num_fields(r);
	fields = mysql_fetch_fields(r);
	if (n > ARRAY_LEN(names))
		n = ARRAY_LEN(names);
	for (i = 0; i < n; i++)
		names[i] = fields[i].name;
	while ((row = mysql_fetch_row(r)) != NULL) {
		for (i = 0; i < n; i++)
			values[i] = row[i];
		if (coords_add_channel(co, names, values, n) == -1) {
			co->replica_err = 1;
			fmt(co->replica_why, sizeof(co->replica_why),
			    "more than %d channels; only the first recorded",
			    COORDS_MAX_CHANNELS);
			break;
		}
	}
	mysql_free_result(r);
	return 0;
}

const char *
coords_workers_sql(enum flavor f, unsigned long version)
{
	if (f == FL_MARIADB)
		return "SELECT @@GLOBAL.slave_parallel_threads";
	return version >= 80026 ? "SELECT @@GLOBAL.replica_parallel_workers"
				: "SELECT @@GLOBAL.slave_parallel_workers";
}

int
coords_pos_checkpoint(enum flavor f, const struct coords *co)
{
	return co->nchan > 0 && (co->mt_workers != 0 ||
				 (f == FL_MARIADB && co->unsettled[0] != '\0'));
}

/* How many workers apply in parallel (-1: unknown). A worker's
 * checkpoint can lag the commits under our lock (the MySQL
 * 8.0.39 replica: 2-111 transactions behind gtid_executed; MariaDB's
 * slave_parallel_threads in t0610: the report 2 behind its tables). */
static void
read_workers(struct db *d, struct coords *co)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	co->mt_workers = -1;
	if ((r = db_query(d, coords_workers_sql(d->flavor, d->version))) == NULL)
		return;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
		co->mt_workers = strtol(row[0], NULL, 10);
	mysql_free_result(r);
}

int
coords_read(struct db *d, struct coords *co)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	memset(co, 0, sizeof(*co));
	r = db_query(d, coords_binlog_sql(d->flavor, d->version));
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row != NULL && row[0] != NULL && row[1] != NULL) {
		co->binlog_on = 1;
		sanitize(co->file, sizeof(co->file), row[0]);
		co->pos = strtoull(row[1], NULL, 10);
	}
	mysql_free_result(r);
	if (read_gtid(d, co) == -1 || read_replicas(d, co) == -1)
		return -1;
	if (co->nchan > 0)
		read_workers(d, co);
	return 0;
}

void
coords_summary(const struct coords *co, char *buf, size_t n)
{
	int i;

	if (!co->binlog_on)
		fmt(buf, n, "binary logging is off; no binlog position%s%s",
		    co->gtid[0] ? ", gtid " : "", co->gtid);
	else
		fmt(buf, n, "binlog %s:%llu gtid %s", co->file, co->pos,
		    co->gtid[0] ? co->gtid : "(none)");
	for (i = 0; i < co->nchan; i++)
		append(buf, n, "; replica%s%s%s of %s:%u executed %s:%llu",
		       co->chan[i].name[0] ? " '" : "", co->chan[i].name,
		       co->chan[i].name[0] ? "'" : "", co->chan[i].host,
		       co->chan[i].port, co->chan[i].file, co->chan[i].pos);
	if (co->gtid_slave[0] != '\0')
		append(buf, n, "; gtid_slave_pos %s", co->gtid_slave);
	if (co->nchan > 0 && co->mt_workers != 0)
		append(buf, n, "; the executed positions are a multi-threaded "
		       "applier's checkpoint (workers %ld), not exact%s",
		       co->mt_workers, co->gtid[0] ? ": the GTID set is" :
		       ", and there are no GTIDs");
	if (co->unsettled[0] != '\0')
		append(buf, n, "; the executed positions are not exact: %s",
		       co->unsettled);
	if (co->replica_err)
		append(buf, n, "; replica status: %s", co->replica_why);
}

/*
 * s as the body of a single-quoted SQL string: quote and backslash
 * doubled, so a channel, host or file name that holds one can neither
 * break nor extend the statement. (A doubled backslash is one backslash
 * unless sql_mode has NO_BACKSLASH_ESCAPES.) dst needs 2 * strlen(s) + 1.
 */
static const char *
sql_str(char *dst, size_t n, const char *s)
{
	size_t j = 0;

	for (; *s != '\0' && j + 2 < n; s++) {
		if (*s == '\'' || *s == '\\')
			dst[j++] = *s;
		dst[j++] = *s;
	}
	dst[j] = '\0';
	return dst;
}

/* The spellings of one flavor and version. */
struct words {
	int src;                /* MySQL >= 8.0.23: SOURCE, REPLICATION */
	const char *change, *file, *pos, *host, *port;
	/* MySQL's file/position lines turn auto-position off: a channel
	 * restored with it on refuses a file and position (ERROR 1776) */
	const char *autopos_off;
	const char *skip_start; /* the option that keeps replication off */
};

static void
words_for(struct words *w, const struct server_id *s)
{
	w->src = s->flavor != FL_MARIADB && s->version >= 80023;
	w->change = w->src ? "CHANGE REPLICATION SOURCE TO" : "CHANGE MASTER TO";
	w->file = w->src ? "SOURCE_LOG_FILE" : "MASTER_LOG_FILE";
	w->pos = w->src ? "SOURCE_LOG_POS" : "MASTER_LOG_POS";
	w->host = w->src ? "SOURCE_HOST" : "MASTER_HOST";
	w->port = w->src ? "SOURCE_PORT" : "MASTER_PORT";
	w->autopos_off = s->flavor == FL_MARIADB || s->version < 50605 ? "" :
			 w->src ? ", SOURCE_AUTO_POSITION = 0" :
			 ", MASTER_AUTO_POSITION = 0";
	/* --skip-slave-start is deprecated from MySQL 8.0.26 */
	w->skip_start = s->flavor != FL_MARIADB && s->version >= 80026 ?
			"--skip-replica-start" : "--skip-slave-start";
}

/* The statements that point a new replica of this server at the
 * snapshot's position. */
static int
seed_lines(char *buf, size_t n, const struct server_id *s,
	   const struct words *w, const struct coords *co)
{
	char file[2 * sizeof(co->file)];

	if (!co->binlog_on)
		return append(buf, n, "\n# Binary logging was off: this "
			      "snapshot cannot seed a replica of this server "
			      "by position.\n");
	if (append(buf, n, "\n# To make a new replica of THIS server from "
		   "this snapshot (add host, port,\n# user and password):\n"
		   "%s %s='%s', %s=%llu%s;\n", w->change, w->file,
		   sql_str(file, sizeof(file), co->file), w->pos, co->pos,
		   w->autopos_off) == -1)
		return -1;
	if (co->gtid[0] == '\0')
		return 0;
	if (s->flavor == FL_MARIADB)
		return append(buf, n, "# or, by GTID:\n"
			      "SET GLOBAL gtid_slave_pos = '%s';\n"
			      "CHANGE MASTER TO MASTER_USE_GTID = slave_pos;\n",
			      co->gtid);
	return append(buf, n, "# or, by GTID (on a fresh replica):\n"
		      "RESET %s; SET GLOBAL gtid_purged = '%s';\n"
		      "%s %s = 1;\n", s->version >= 80400 ?
		      "BINARY LOGS AND GTIDS" : "MASTER", co->gtid, w->change,
		      w->src ? "SOURCE_AUTO_POSITION" : "MASTER_AUTO_POSITION");
}

/* For a channel: "" or " 'name'" (MariaDB) / " FOR CHANNEL 'name'". */
static void
channel_clause(char *buf, size_t n, const struct server_id *s,
	       const struct channel *ch, int mariadb_pos)
{
	char q[2 * sizeof(ch->name)];

	buf[0] = '\0';
	if (ch->name[0] == '\0')
		return;
	sql_str(q, sizeof(q), ch->name);
	if (s->flavor == FL_MARIADB) {
		if (mariadb_pos)
			fmt(buf, n, " '%s'", q);
	} else
		fmt(buf, n, " FOR CHANNEL '%s'", q);
}

/* On a replica: each channel's executed source position, and the lines
 * that make a server restored from this snapshot a sibling replica. */
static int
replica_lines(char *buf, size_t n, const struct server_id *s,
	      const struct words *w, const struct coords *co)
{
	char name[2 * sizeof(co->chan[0].name) + 16];
	char tail[2 * sizeof(co->chan[0].name) + 16];
	char host[2 * sizeof(co->chan[0].host)];
	char file[2 * sizeof(co->chan[0].file)];
	int i, r = 0;

	if (co->replica_err)
		r |= append(buf, n, "replica_status_error = %s\n",
			    co->replica_why);
	r |= append(buf, n, "replica_channels = %d\n", co->nchan);
	for (i = 0; i < co->nchan; i++) {
		const struct channel *ch = &co->chan[i];
		r |= append(buf, n, "replica_%d_channel = %s\n"
			    "replica_%d_source_host = %s\n"
			    "replica_%d_source_port = %u\n"
			    "replica_%d_source_log_file = %s\n"
			    "replica_%d_source_log_pos = %llu\n"
			    "replica_%d_using_gtid = %s\n"
			    "replica_%d_relay_log_file = %s\n",
			    i + 1, ch->name, i + 1, ch->host, i + 1, ch->port,
			    i + 1, ch->file, i + 1, ch->pos, i + 1,
			    ch->using_gtid, i + 1, ch->relay);
	}
	if (s->flavor == FL_MARIADB && co->nchan > 0)
		r |= append(buf, n, "replica_gtid_slave_pos = %s\n",
			    co->gtid_slave);
	if (coords_pos_checkpoint(s->flavor, co) && s->flavor == FL_MARIADB) {
		char why[sizeof(co->unsettled)];

		if (co->unsettled[0] == '\0')
			fmt(why, sizeof(why), "a parallel applier (%s%ld threads)",
			    co->mt_workers < 0 ? "unknown: " : "", co->mt_workers);
		r |= append(buf, n, "replica_source_pos_exact = no\n# %s:\n# "
			    "the executed source position can lag the "
			    "transactions the tables hold;\n# the by-GTID lines "
			    "are exact, and mysql-quiesce verify finds the exact\n"
			    "# position in the snapshot's relay logs.\n",
			    co->unsettled[0] ? co->unsettled : why);
	}
	else if (coords_pos_checkpoint(s->flavor, co))
		r |= append(buf, n, "replica_source_pos_exact = no\n"
			    "# A multi-threaded applier (%ld workers%s): each "
			    "executed source position\n# is a checkpoint that "
			    "can lag gtid_executed; %s\n", co->mt_workers < 0 ?
			    0 : co->mt_workers, co->mt_workers < 0 ? " known: "
			    "the count was not readable" : "",
			    co->gtid[0] ? "the by-GTID lines are exact." :
			    "with no GTIDs, nothing here\n# is exact: set "
			    "replica_parallel_workers = 0, or turn GTIDs on.");
	if (r != 0 || co->nchan == 0)
		return r;
	r |= append(buf, n, "\n# To make a server restored from this snapshot "
		    "a SIBLING of this replica\n# (start it with %s; add "
		    "user and password):\n", w->skip_start);
	for (i = 0; i < co->nchan; i++) {
		const struct channel *ch = &co->chan[i];
		channel_clause(name, sizeof(name), s, ch, 1);
		channel_clause(tail, sizeof(tail), s, ch, 0);
		sql_str(host, sizeof(host), ch->host);
		sql_str(file, sizeof(file), ch->file);
		if (s->flavor == FL_MARIADB)
			r |= append(buf, n, "%sCHANGE MASTER%s TO %s='%s', "
				    "%s=%u, %s='%s', %s=%llu, "
				    "MASTER_USE_GTID = no;\n",
				    coords_pos_checkpoint(s->flavor, co) ?
				    "# not exact: " : "", name,
				    w->host, host, w->port, ch->port,
				    w->file, file, w->pos, ch->pos);
		else
			r |= append(buf, n, "%s%s %s='%s', %s=%u, %s='%s', "
				    "%s=%llu%s%s;\n",
				    coords_pos_checkpoint(s->flavor, co) ?
				    "# not exact (a checkpoint): " : "",
				    w->change, w->host,
				    host, w->port, ch->port, w->file,
				    file, w->pos, ch->pos, w->autopos_off,
				    tail);
	}
	if (s->flavor == FL_MARIADB && co->gtid_slave[0] != '\0') {
		r |= append(buf, n, "# or, by GTID:\nSET GLOBAL gtid_slave_pos "
			    "= '%s';\n", co->gtid_slave);
		for (i = 0; i < co->nchan; i++) {
			const struct channel *ch = &co->chan[i];
			channel_clause(name, sizeof(name), s, ch, 1);
			r |= append(buf, n, "CHANGE MASTER%s TO %s='%s', "
				    "%s=%u, MASTER_USE_GTID = slave_pos;\n",
				    name, w->host,
				    sql_str(host, sizeof(host), ch->host),
				    w->port, ch->port);
		}
	} else if (s->flavor != FL_MARIADB && co->gtid[0] != '\0') {
		r |= append(buf, n, "# or, by GTID (the restored server "
			    "already has this gtid_executed):\n");
		for (i = 0; i < co->nchan; i++) {
			const struct channel *ch = &co->chan[i];
			channel_clause(tail, sizeof(tail), s, ch, 0);
			r |= append(buf, n, "%s %s='%s', %s=%u, %s = 1%s;\n",
				    w->change, w->host,
				    sql_str(host, sizeof(host), ch->host), w->port,
				    ch->port, w->src ? "SOURCE_AUTO_POSITION"
						     : "MASTER_AUTO_POSITION",
				    tail);
		}
	}
	return r;
}

int
coords_format_info(char *buf, size_t n, const struct server_id *s,
		   const char *method, const struct coords *co,
		   int64_t when_ms)
{
	struct words w;
	char when[48];
	int r;

	words_for(&w, s);
	iso_time(when, sizeof(when), when_ms);
	buf[0] = '\0';
	r = append(buf, n,
		   "# mysql-quiesce binlog info: the position of this snapshot,\n"
		   "# written and fsynced while the lock was held.\n"
		   "time = %s\nserver = %s %s\nlock_method = %s\n"
		   "binlog_file = %s\nbinlog_pos = %llu\n",
		   when, db_flavor_name(s->flavor), s->version_str, method,
		   co->binlog_on ? co->file : "", co->binlog_on ? co->pos : 0);
	if (r == 0 && s->flavor == FL_MARIADB)
		r = append(buf, n, "gtid_binlog_pos = %s\n"
			   "gtid_current_pos = %s\n", co->gtid,
			   co->gtid_current);
	else if (r == 0)
		r = append(buf, n, "gtid_executed = %s\n", co->gtid);
	if (r == 0)
		r = replica_lines(buf, n, s, &w, co);
	if (r == 0)
		r = seed_lines(buf, n, s, &w, co);
	return r == 0 ? 0 : -1;
}

int
coords_write_info(const char *path, const struct db *d, const char *method,
		  const struct coords *co, int64_t when_ms, char *err,
		  size_t n)
{
	static char buf[65536];
	struct server_id s = { d->flavor, d->version, d->version_str };
	char dir[PATH_MAX];
	const char *base;
	int dfd;

	base = strrchr(path, '/');
	if (base == NULL || base[1] == '\0' ||
	    fmt(dir, sizeof(dir), "%.*s", (int)(base - path + 1), path)) {
		fmt(err, n, "binlog_info_file %s: not an absolute file path",
		    path);
		return -1;
	}
	base++;
	if (coords_format_info(buf, sizeof(buf), &s, method, co, when_ms)) {
		fmt(err, n, "binlog_info_file %s: coordinates too long", path);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || write_atomic(dfd, base, buf, strlen(buf), 0640)) {
		fmt(err, n, "binlog_info_file %s: %s", path, strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}
