/* coords.c - reading and recording binlog and GTID coordinates. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
		? "SELECT @@GLOBAL.gtid_binlog_pos, @@GLOBAL.gtid_current_pos"
		: "SELECT @@GLOBAL.gtid_executed, ''";
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
		       row[1] ? row[1] : ""))) {
		fmt(d->err, sizeof(d->err), "GTID set too long to record");
		rc = -1;
	}
	mysql_free_result(r);
	return rc;
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
	return read_gtid(d, co);
}

void
coords_summary(const struct coords *co, char *buf, size_t n)
{
	if (!co->binlog_on)
		fmt(buf, n, "binary logging is off; no binlog position%s%s",
		    co->gtid[0] ? ", gtid " : "", co->gtid);
	else
		fmt(buf, n, "binlog %s:%llu gtid %s", co->file, co->pos,
		    co->gtid[0] ? co->gtid : "(none)");
}

/* The statements that point a new replica of this server at the
 * snapshot's position. */
static int
seed_lines(char *buf, size_t n, const struct db *d, const struct coords *co)
{
	int src = d->flavor != FL_MARIADB && d->version >= 80023;
	const char *change = src ? "CHANGE REPLICATION SOURCE TO" :
				   "CHANGE MASTER TO";
	const char *file = src ? "SOURCE_LOG_FILE" : "MASTER_LOG_FILE";
	const char *pos = src ? "SOURCE_LOG_POS" : "MASTER_LOG_POS";

	if (!co->binlog_on)
		return append(buf, n, "# Binary logging was off: this "
			      "snapshot cannot seed a replica by position.\n");
	if (append(buf, n, "\n# To make a replica of this server from this "
		   "snapshot (add host, user, password):\n"
		   "%s %s='%s', %s=%llu;\n", change, file, co->file, pos,
		   co->pos) == -1)
		return -1;
	if (co->gtid[0] == '\0')
		return 0;
	if (d->flavor == FL_MARIADB)
		return append(buf, n, "# or, by GTID:\n"
			      "SET GLOBAL gtid_slave_pos = '%s';\n"
			      "CHANGE MASTER TO MASTER_USE_GTID = slave_pos;\n",
			      co->gtid);
	return append(buf, n, "# or, by GTID (on a fresh replica):\n"
		      "RESET %s; SET GLOBAL gtid_purged = '%s';\n"
		      "%s %s = 1;\n", d->version >= 80400 ?
		      "BINARY LOGS AND GTIDS" : "MASTER", co->gtid, change,
		      src ? "SOURCE_AUTO_POSITION" : "MASTER_AUTO_POSITION");
}

int
coords_write_info(const char *path, const struct db *d, const char *method,
		  const struct coords *co, int64_t when_ms, char *err,
		  size_t n)
{
	static char buf[16384];
	char dir[PATH_MAX], when[48];
	const char *base;
	int dfd, r;

	base = strrchr(path, '/');
	if (base == NULL || base[1] == '\0' ||
	    fmt(dir, sizeof(dir), "%.*s", (int)(base - path + 1), path)) {
		fmt(err, n, "binlog_info_file %s: not an absolute file path",
		    path);
		return -1;
	}
	base++;
	iso_time(when, sizeof(when), when_ms);
	buf[0] = '\0';
	r = append(buf, sizeof(buf),
		   "# mysql-quiesce binlog info: the position of this snapshot,\n"
		   "# written and fsynced while the lock was held.\n"
		   "time = %s\nserver = %s %s\nlock_method = %s\n"
		   "binlog_file = %s\nbinlog_pos = %llu\n",
		   when, db_flavor_name(d->flavor), d->version_str, method,
		   co->binlog_on ? co->file : "", co->binlog_on ? co->pos : 0);
	if (r == 0 && d->flavor == FL_MARIADB)
		r = append(buf, sizeof(buf), "gtid_binlog_pos = %s\n"
			   "gtid_current_pos = %s\n", co->gtid,
			   co->gtid_current);
	else if (r == 0)
		r = append(buf, sizeof(buf), "gtid_executed = %s\n", co->gtid);
	if (r == 0)
		r = seed_lines(buf, sizeof(buf), d, co);
	if (r == -1) {
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
