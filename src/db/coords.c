/* coords.c - reading binlog, GTID and replica coordinates under the
 * lock (src/db/info.c writes the info file that carries them). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
read_gtid(struct db *d, struct coords *co, struct failure *f)
{
	const char *sql = d->flavor == FL_MARIADB
		? "SELECT @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_current_pos, "
		  "@@GLOBAL.gtid_slave_pos"
		: "SELECT @@GLOBAL.gtid_executed, '', ''";
	MYSQL_RES *r;
	MYSQL_ROW row;
	int rc = 0;

	r = db_query(d, sql, f);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row != NULL &&
	    (copy_gtid(co->gtid, sizeof(co->gtid), row[0] ? row[0] : "") ||
	     copy_gtid(co->gtid_current, sizeof(co->gtid_current),
		       row[1] ? row[1] : "") ||
	     copy_gtid(co->gtid_slave, sizeof(co->gtid_slave),
		       row[2] ? row[2] : ""))) {
		failf(f, MQ_SERVER, "GTID set too long to "
		    "record");
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
read_replicas(struct db *d, struct coords *co, struct failure *f)
{
	const char *names[128], *values[128];
	MYSQL_FIELD *fields;
	MYSQL_RES *r;
	MYSQL_ROW row;
	unsigned i, n;

	r = db_query(d, coords_replica_sql(d->flavor, d->version), f);
	if (r == NULL) {
		if (db_errclass(d) != MQ_PRIV)
			return -1;
		co->replica_err = 1;
		sanitize(co->replica_why, sizeof(co->replica_why), f->why);
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
	/* and whether it writes what it applies to its own binary log,
	 * and its relay logs' base, in the same round trip (read under
	 * the lock) */
	if (f == FL_MARIADB)
		return "SELECT @@GLOBAL.slave_parallel_threads, "
		       "@@GLOBAL.log_slave_updates, @@GLOBAL.relay_log_basename";
	return version >= 80026 ? "SELECT @@GLOBAL.replica_parallel_workers, "
				  "@@GLOBAL.log_replica_updates, "
				  "@@GLOBAL.relay_log_basename"
				: "SELECT @@GLOBAL.slave_parallel_workers, "
				  "@@GLOBAL.log_slave_updates, "
				  "@@GLOBAL.relay_log_basename";
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
	struct failure lf; /* unknown: -1 */
	MYSQL_RES *r;
	MYSQL_ROW row;

	co->mt_workers = -1;
	co->logs_applied = -1;
	if ((r = db_query(d, coords_workers_sql(d->flavor, d->version),
			  &lf)) == NULL)
		return;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
		co->mt_workers = strtol(row[0], NULL, 10);
	if (row != NULL && mysql_num_fields(r) > 1 && row[1] != NULL)
		co->logs_applied = strcmp(row[1], "1") == 0;
	/* the relay logs' base name: a restored copy's server must be
	 * told it to find them (named connections add -NAME to it) */
	if (row != NULL && mysql_num_fields(r) > 2 && row[2] != NULL)
		sanitize(co->relay_base, sizeof(co->relay_base),
			 strrchr(row[2], '/') ? strrchr(row[2], '/') + 1 :
			 row[2]);
	mysql_free_result(r);
}

int
coords_read(struct db *d, struct coords *co, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	memset(co, 0, sizeof(*co));
	r = db_query(d, coords_binlog_sql(d->flavor, d->version), f);
	if (r == NULL)
		return -1;
	row = mysql_fetch_row(r);
	if (row != NULL && row[0] != NULL && row[1] != NULL) {
		co->binlog_on = 1;
		sanitize(co->file, sizeof(co->file), row[0]);
		co->pos = strtoull(row[1], NULL, 10);
	}
	mysql_free_result(r);
	if (read_gtid(d, co, f) == -1 || read_replicas(d, co, f) == -1)
		return -1;
	if (co->nchan > 0)
		read_workers(d, co);
	return 0;
}

const char coords_log_status_sql[] =
	"SELECT LOCAL->>'$.binary_log_file', "
	"LOCAL->>'$.binary_log_position', LOCAL->>'$.gtid_executed' "
	"FROM performance_schema.log_status";

int
coords_from_log_status(struct coords *co, const char *file, const char *pos,
		       const char *gtid)
{
	long long p;

	co->binlog_on = file != NULL && file[0] != '\0';
	if (co->binlog_on) {
		if (pos == NULL || parse_num(pos, 0, (long long)1 << 62, &p))
			return -1;
		sanitize(co->file, sizeof(co->file), file);
		co->pos = (unsigned long long)p;
	}
	return copy_gtid(co->gtid, sizeof(co->gtid), gtid ? gtid : "");
}

int
coords_read_lower(struct db *d, struct coords *co, struct failure *f)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	int bad;

	if (d->flavor == FL_MARIADB) {
		if (coords_read(d, co, f) == -1)
			return -1;
		co->lower_bound = 1;
		return 0;
	}
	/* MySQL: file, position and set in one read, consistent with
	 * one another */
	memset(co, 0, sizeof(*co));
	if ((r = db_query(d, coords_log_status_sql, f)) == NULL)
		return -1;
	row = mysql_fetch_row(r);
	bad = row == NULL || coords_from_log_status(co, row[0], row[1],
						     row[2]) == -1;
	mysql_free_result(r);
	if (bad) {
		failf(f, MQ_SERVER, "performance_schema.log_status: "
		      "no usable row");
		return -1;
	}
	co->lower_bound = 1;
	if (read_replicas(d, co, f) == -1)
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
