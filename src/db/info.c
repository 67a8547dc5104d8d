/* info.c - the binlog info file: the coordinates read under the lock,
 * the server, the method, and the ready statements to seed a replica,
 * written atomically while the lock is held. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "coords.h"
#include "info.h"
#include "util.h"

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

static int this_lines(char *buf, size_t n, const struct server_id *s,
		      const struct words *w, const struct coords *co);

/*
 * From buf + from on, each line that is not a comment made one, after
 * a line saying why: a replica that does not log what it applies has a
 * binary log and GTID position of its own writes only, and a new
 * replica of it started there would miss everything it replicated.
 */
static int
comment_out(char *buf, size_t n, size_t from)
{
	static char tail[COORDS_MAX_CHANNELS * 4096 + 32768];
	char *line, *next;

	if (fmt(tail, sizeof(tail), "%s", buf + from) == -1)
		return -1;
	buf[from] = '\0';
	if (append(buf, n, "\n# NOT USABLE: this replica does not write what "
		   "it applies to its own binary\n# log (log_slave_updates / "
		   "log_replica_updates off): its binary log and\n# GTID "
		   "position hold its own writes only, so a new replica of "
		   "THIS server\n# started there would miss every replicated "
		   "transaction. The SIBLING lines\n# above stand.") == -1)
		return -1;
	for (line = tail; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			*next++ = '\0';
		if (line[0] == '\0')
			continue;
		if (append(buf, n, "\n%s%s", line[0] == '#' ? "" : "# ",
			   line) == -1)
			return -1;
	}
	return append(buf, n, "\n");
}

/* The statements that point a new replica of this server at the
 * snapshot's position; commented out, saying why, on a replica that
 * does not log what it applies. */
static int
seed_lines(char *buf, size_t n, const struct server_id *s,
	   const struct words *w, const struct coords *co)
{
	size_t from = strlen(buf);

	if (this_lines(buf, n, s, w, co) == -1)
		return -1;
	if (co->nchan > 0 && co->logs_applied == 0)
		return comment_out(buf, n, from);
	return 0;
}

/* The lines of seed_lines, as they stand on any server. */
static int
this_lines(char *buf, size_t n, const struct server_id *s,
	   const struct words *w, const struct coords *co)
{
	char file[2 * sizeof(co->file)];

	if (!co->binlog_on)
		return append(buf, n, "\n# Binary logging was off: this "
			      "snapshot cannot seed a replica of this server "
			      "by position.\n");
	if (co->lower_bound) {
		/* only the restored server knows where it stands */
		if (append(buf, n, "\n# To make a new replica of THIS server "
			   "from this snapshot (add host, port,\n# user and "
			   "password): by position, take file and position "
			   "from\n# mysql-quiesce verify (these are a lower "
			   "bound); by GTID, on the\n# restored server:\n")
		    == -1)
			return -1;
		if (s->flavor == FL_MARIADB)
			return append(buf, n, "SET GLOBAL gtid_slave_pos = "
				      "@@GLOBAL.gtid_binlog_pos;\n"
				      "CHANGE MASTER TO MASTER_USE_GTID = "
				      "slave_pos;\n");
		return append(buf, n, "%s %s = 1;\n", w->change, w->src ?
			      "SOURCE_AUTO_POSITION" : "MASTER_AUTO_POSITION");
	}
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
	if (co->nchan > 0)
		r |= append(buf, n, "replica_logs_applied = %s\n"
			    "replica_relay_log_base = %s\n",
			    co->logs_applied < 0 ? "unknown" :
			    co->logs_applied ? "yes" : "no", co->relay_base);
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
			fmt(why, sizeof(why), "a parallel applier (%s%ld "
			    "threads)", co->mt_workers < 0 ? "unknown: " : "",
			    co->mt_workers);
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
info_format(char *buf, size_t n, const struct server_id *s,
	    const char *method, const char *origin, const struct coords *co,
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
		   "# %s.\n"
		   "time = %s\nserver = %s %s\nlock_method = %s\n"
		   "binlog_file = %s\nbinlog_pos = %llu\n",
		   origin != NULL ? origin : "written and fsynced while the "
		   "lock was held", when, db_flavor_name(s->flavor),
		   s->version_str, method,
		   co->binlog_on ? co->file : "", co->binlog_on ? co->pos : 0);
	if (r == 0 && co->binlog_base[0] != '\0')
		r = append(buf, n, "binlog_basename = %s\n", co->binlog_base);
	if (r == 0 && co->datadir[0] != '\0')
		r = append(buf, n, "datadir = %s\n", co->datadir);
	if (r == 0 && co->lower_bound)
		r = append(buf, n, "coordinates = lower-bound\n"
			   "# Read under a lock that blocks no commit: the "
			   "snapshot holds these and\n# maybe more. The exact "
			   "ones are the restored server's own: its GTID\n# "
			   "state as it recovers, and for file and position, "
			   "mysql-quiesce verify\n# (its exact line, or "
			   "--write-info FILE).\n");
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
info_write(const char *what, const char *path, const struct db *d,
	   const char *method, const char *origin, const struct coords *co,
	   int64_t when_ms, struct failure *f)
{
	static char buf[COORDS_MAX_CHANNELS * 4096 + 32768];
	struct server_id s = { d->flavor, d->version, d->version_str };
	char dir[PATH_MAX];
	const char *base;
	int dfd;

	base = strrchr(path, '/');
	if (base == NULL || base[1] == '\0' ||
	    fmt(dir, sizeof(dir), "%.*s", (int)(base - path + 1), path)) {
		failf(f, MQ_FAIL, "%s %s: not a file path", what, path);
		return -1;
	}
	base++;
	if (info_format(buf, sizeof(buf), &s, method, origin, co, when_ms)) {
		failf(f, MQ_FAIL, "%s %s: coordinates too long", what, path);
		return -1;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 || write_atomic(dfd, base, buf, strlen(buf), 0640)) {
		failf(f, MQ_FAIL, "%s %s: %s", what, path, strerror(errno));
		if (dfd != -1)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}
