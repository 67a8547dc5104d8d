/* vderive.c - the end of the last whole transaction in a recovered
 * server's binary logs, from its SHOW BINLOG EVENTS rows. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "coords.h"
#include "db.h"
#include "dbapi.h"
#include "info.h"
#include "binlog.h"
#include "util.h"
#include "vcheck.h"
#include "vderive.h"
#include "vinfo.h"

void
derive_start(struct derive *d, const char *file, unsigned long long pos)
{
	memset(d, 0, sizeof(*d));
	fmt(d->file, sizeof(d->file), "%s", file);
	d->pos = pos;
	d->state = DV_OUT;
}

static int
starts(const char *s, const char *word)
{
	return strncasecmp(s, word, strlen(word)) == 0;
}

static void
ends(struct derive *d, const char *file, unsigned long long end)
{
	fmt(d->file, sizeof(d->file), "%s", file);
	d->pos = end;
	d->groups++;
	d->state = DV_OUT;
}

void
derive_event(struct derive *d, const char *file, const char *type,
	     unsigned long long end, const char *info)
{
	if (strcmp(type, "Gtid") == 0 || strcmp(type, "Anonymous_Gtid") == 0) {
		/* MariaDB says what opens; MySQL's next Query does */
		if (starts(info, "BEGIN GTID") || starts(info, "XA START"))
			d->state = DV_TX;
		else if (starts(info, "GTID "))
			d->state = DV_ONE;
		else
			d->state = DV_NEXT;
		return;
	}
	switch (d->state) {
	case DV_NEXT:
		if (strcmp(type, "Query") != 0)
			return;
		if (starts(info, "BEGIN") || starts(info, "XA START"))
			d->state = DV_TX;
		else
			ends(d, file, end);
		return;
	case DV_ONE:
		if (strcmp(type, "Query") == 0)
			ends(d, file, end);
		return;
	case DV_TX:
		if (strcmp(type, "Xid") == 0 || strcmp(type, "XA_prepare") == 0 ||
		    (strcmp(type, "Query") == 0 && (starts(info, "COMMIT") ||
						   starts(info, "ROLLBACK"))))
			ends(d, file, end);
		return;
	default:
		return;
	}
}

/* Feed d with binlog name's events from pos (0: all). 0; -1 when the
 * server cannot read on (tail: its reason: a partial event the image
 * cut, most often; the whole transactions before it stand), -2 when
 * nothing can be asked (v has said why). */
static int
scan(struct verify *v, struct derive *d, const char *name,
     unsigned long long pos, char *tail, size_t tn)
{
	char sql[400];
	struct failure lf;
	MYSQL_RES *r;
	MYSQL_ROW row;

	/* a plain BASE.NNNNNN: nothing in it to quote */
	if (!binlog_plain_name(name)) {
		verify_cannot(v, "exact", "a binary log's name is not plain");
		return -2;
	}
	if (pos > 0)
		fmt(sql, sizeof(sql), "SHOW BINLOG EVENTS IN '%s' FROM %llu",
		    name, pos);
	else
		fmt(sql, sizeof(sql), "SHOW BINLOG EVENTS IN '%s'", name);
	if ((r = db_stream(&v->d, sql, &lf)) == NULL) {
		fmt(tail, tn, "%s: %s", name, lf.why);
		return -1;
	}
	/* Log_name, Pos, Event_type, Server_id, End_log_pos, Info */
	while ((row = mysql_fetch_row(r)) != NULL)
		if (row[0] != NULL && row[2] != NULL && row[4] != NULL)
			derive_event(d, row[0], row[2],
				     strtoull(row[4], NULL, 10),
				     row[5] != NULL ? row[5] : "");
	if (db_stream_end(&v->d, r, &lf) == -1) {
		fmt(tail, tn, "%s: %s", name, lf.why);
		return -1;
	}
	return 0;
}

void
verify_derive(struct verify *v)
{
	struct derive d;
	char tail[700] = "";
	struct failure lf;
	int i, at = -1, r = 0;

	if (!v->has_info || v->file[0] == '\0')
		return;
	for (i = 0; i < v->nbins; i++)
		if (strcmp(v->bins[i], v->file) == 0)
			at = i;
	/* a recorded file not in the snapshot, or shorter than the
	 * position: the binlog check has said so */
	if (at == -1 || v->file_size < (long long)v->pos)
		return;
	derive_start(&d, v->file, v->pos);
	for (i = at; i < v->nbins && r == 0; i++)
		r = scan(v, &d, v->bins[i], i == at ? v->pos : 0, tail,
			 sizeof(tail));
	if (r == -2)
		return;
	if (db_value(&v->d, v->d.flavor == FL_MARIADB ?
		     "SELECT @@GLOBAL.gtid_binlog_pos" :
		     "SELECT @@GLOBAL.gtid_executed", v->ex_gtid,
		     sizeof(v->ex_gtid), &lf) == -1) {
		verify_cannot(v, "exact", lf.why);
		return;
	}
	fmt(v->ex_file, sizeof(v->ex_file), "%s", d.file);
	v->ex_pos = d.pos;
	v->ex_after = d.groups;
	v->has_exact = 1;
	if (tail[0] != '\0') {
		/* what was read is said, and that it is not the whole: a
		 * later binary log could not be read */
		verify_add(v, VCHECK_NOTE, "exact", "read as far as %s:%llu, "
		    "gtid \"%s\" (%ld whole transaction%s after the recorded "
		    "position), where reading stopped: %s", d.file, d.pos,
		    v->ex_gtid, d.groups, d.groups == 1 ? "" : "s", tail);
		v->has_exact = 0; /* not the end: never written as exact */
	} else if (d.groups == 0)
		verify_add(v, 1, "exact", "recovered to %s:%llu, gtid \"%s\": "
		    "the recorded position, no whole transaction after it",
		    d.file, d.pos, v->ex_gtid);
	else
		verify_add(v, 1, "exact", "recovered to %s:%llu, gtid \"%s\": "
		    "%ld whole transaction%s after the recorded position",
		    d.file, d.pos, v->ex_gtid, d.groups,
		    d.groups == 1 ? "" : "s");
}

void
verify_write_exact(struct verify *v)
{
	static struct coords co;
	char path[PATH_MAX];
	struct failure lf;
	int i;

	for (i = 0; i < v->n; i++)
		if (!v->c[i].ok) {
			verify_add(v, VCHECK_NOTE, "write-info", "%s not "
			    "written: the snapshot is not consistent",
			    v->write_info);
			return;
		}
	if (!v->has_exact) {
		verify_cannot(v, "write-info", "no exact coordinates to write "
			      "(binary logging was off?)");
		return;
	}
	memset(&co, 0, sizeof(co));
	co.binlog_on = 1;
	fmt(co.file, sizeof(co.file), "%s", v->ex_file);
	co.pos = v->ex_pos;
	fmt(co.gtid, sizeof(co.gtid), "%s", v->ex_gtid);
	fmt(co.gtid_current, sizeof(co.gtid_current), "%s", v->ex_gtid);
	if (fmt(path, sizeof(path), "%s%s", strchr(v->write_info, '/') ? "" :
		"./", v->write_info) == -1) {
		verify_cannot(v, "write-info", "--write-info: path too long");
		return;
	}
	if (info_write("--write-info", path, &v->d, v->method[0] ? v->method :
		       "unknown", "read back by mysql-quiesce verify from the "
		       "recovered snapshot", &co, real_ms(), &lf) == -1) {
		verify_cannot(v, "write-info", lf.why);
		return;
	}
	verify_add(v, 1, "write-info", "%s: %s:%llu, gtid \"%s\"",
	    v->write_info, co.file, co.pos, co.gtid);
}
