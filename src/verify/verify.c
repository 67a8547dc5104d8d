/* verify.c - prove a restored snapshot: recovery in a throwaway server
 * over a writable layer (the snapshot untouched), then the recorded
 * coordinates checked against what recovered. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"
#include "event.h"
#include "gtid.h"
#include "log.h"
#include "opts.h"
#include "util.h"
#include "main.h"
#include "verify.h"
#include "vderive.h"
#include "vrelay.h"
#include "scratch.h"
#include "vbinlog.h"
#include "vinfo.h"
#include "vcheck.h"
#include "usage.h"

static int
parse(struct verify *v, int argc, char **argv)
{
	enum { O_JSON, O_KEEP, O_FULL, O_INFO, O_COPY, O_SCRATCH, O_SERVER,
	       O_BINLOG_DIR, O_ROOT, O_USER, O_TIMEOUT, O_WRITE_INFO };
	static const struct opt opts[] = {
		{ O_JSON, "--json", NULL, 0 },
		{ O_KEEP, "--keep", NULL, 0 },
		{ O_FULL, "--full", NULL, 0 },
		{ O_INFO, "--info", NULL, 1 },
		{ O_COPY, "--copy", NULL, 1 },
		{ O_SCRATCH, "--scratch", NULL, 1 },
		{ O_SERVER, "--server-binary", NULL, 1 },
		{ O_BINLOG_DIR, "--binlog-dir", NULL, 1 },
		{ O_ROOT, "--root", NULL, 1 },
		{ O_USER, "--user", NULL, 1 },
		{ O_TIMEOUT, "--timeout", NULL, 1 },
		{ O_WRITE_INFO, "--write-info", NULL, 1 },
		{ 0, NULL, NULL, 0 },
	};
	const char *a;
	struct failure ef;
	int i = 0;

	v->timeout = 600;
	v->file_size = -1;
	v->scratch = "/var/tmp";
	v->user = "mysql-quiesce";
	while (i < argc) {
		switch (opt_next(opts, argc, argv, &i, &a, &ef)) {
		case O_JSON:
			v->json = 1;
			break;
		case O_KEEP:
			v->keep = 1;
			break;
		case O_FULL:
			v->full = 1;
			break;
		case O_INFO:
			v->info = a;
			break;
		case O_COPY:
			v->copy = a;
			break;
		case O_SCRATCH:
			v->scratch = a;
			break;
		case O_SERVER:
			v->server = a;
			break;
		case O_BINLOG_DIR:
			v->binlog_dir = a;
			break;
		case O_ROOT:
			v->root = a;
			break;
		case O_USER:
			v->user = a;
			break;
		case O_WRITE_INFO:
			v->write_info = a;
			break;
		case O_TIMEOUT:
			if (parse_num(a, 1, 86400, &v->timeout) == -1) {
				usage_fail("verify", "--timeout \"%.40s\": not a "
					   "whole number of seconds from 1 to "
					   "86400", a);
				return -1;
			}
			break;
		case OPT_WORD:
			if (v->path == NULL) {
				v->path = a;
				break;
			}
			usage_fail("verify", "extra argument %.60s", a);
			return -1;
		case OPT_REST:
			usage_fail("verify", "unknown option --");
			return -1;
		default:
			usage_fail("verify", "%s", ef.why);
			return -1;
		}
	}
	if (v->path == NULL) {
		usage_fail("verify", "no PATH given");
		return -1;
	}
	if (v->binlog_dir != NULL && v->root != NULL) {
		usage_fail("verify", "--binlog-dir and --root together: give "
			   "one");
		return -1;
	}
	return 0;
}

void
verify_same_gtid(struct verify *v, const char *name, const char *var,
		 const char *recorded, int lower)
{
	int mariadb = v->d.flavor == FL_MARIADB;
	char got[8192], sql[64], why[300];
	struct failure lf;
	int r;

	fmt(sql, sizeof(sql), "SELECT @@GLOBAL.%s", var);
	if (db_value(&v->d, sql, got, sizeof(got), &lf) == -1) {
		verify_cannot(v, name, lf.why);
		return;
	}
	if (lower) {
		r = gtid_within(mariadb, recorded, got, why, sizeof(why));
		verify_add(v, r == 1, name, "recovered @@%s \"%s\", recorded "
		    "lower bound \"%s\": %s", var, got, recorded,
		    r == 1 ? "reached" : why);
		return;
	}
	r = gtid_equal(mariadb, got, recorded, why, sizeof(why));
	verify_add(v, r == 1, name, "recovered @@%s \"%s\", recorded \"%s\"%s%s",
	    var, got, recorded, r == 1 ? "" : ": ", r == 1 ? "" : why);
}

static void
check_gtid(struct verify *v)
{
	const char *var = v->d.flavor == FL_MARIADB ? "gtid_binlog_pos" :
			  "gtid_executed";

	if (v->has_info)
		verify_same_gtid(v, "gtid", var, v->gtid, v->lower_bound);
}

static void
check_replica(struct verify *v)
{
	if (v->nchan <= 0)
		return;
	if (v->d.flavor != FL_MARIADB || v->slave_pos[0] == '\0')
		verify_add(v, 1, "replica", "%d channel%s recorded with the executed "
		    "source position", v->nchan, v->nchan == 1 ? "" : "s");
	else
		verify_same_gtid(v, "replica", "gtid_slave_pos", v->slave_pos, 0);
}

/* CHECK TABLE on every non-transactional table (--full: every table). */
static void
check_tables(struct verify *v)
{
	char list[4096] = "", sql[1024];
	struct failure lf;
	MYSQL_RES *r, *cr;
	MYSQL_ROW row, crow;
	int n = 0, bad = 0;

	fmt(sql, sizeof(sql), "SELECT CONCAT('`', REPLACE(t.TABLE_SCHEMA, '`', "
	    "'``'), '`.`', REPLACE(t.TABLE_NAME, '`', '``'), '`') FROM "
	    "information_schema.TABLES t JOIN information_schema.ENGINES e "
	    "ON e.ENGINE = t.ENGINE WHERE t.TABLE_TYPE = 'BASE TABLE' AND "
	    "t.TABLE_SCHEMA NOT IN ('information_schema', "
	    "'performance_schema', 'sys')%s",
	    v->full ? "" : " AND e.TRANSACTIONS = 'NO'");
	if ((r = db_query(&v->d, sql, &lf)) == NULL) {
		verify_cannot(v, "tables", lf.why);
		return;
	}
	while ((row = mysql_fetch_row(r)) != NULL) {
		const char *verdict = "";

		fmt(sql, sizeof(sql), "CHECK TABLE %s", row[0]);
		if ((cr = db_query(&v->d, sql, &lf)) == NULL) {
			append(list, sizeof(list), "%s%s (%s)", bad ? ", " : "",
			       row[0], lf.why);
			bad++;
			continue;
		}
		n++;
		while ((crow = mysql_fetch_row(cr)) != NULL)
			if (crow[2] != NULL && crow[3] != NULL &&
			    (strcmp(crow[2], "error") == 0 ||
			     (strcmp(crow[2], "status") == 0 &&
			      strcmp(crow[3], "OK") != 0 &&
			      strcmp(crow[3], "Table is already up to date") != 0)))
				verdict = crow[3];
		if (verdict[0] != '\0') {
			append(list, sizeof(list), "%s%s: %s", bad ? ", " : "",
			       row[0], verdict);
			bad++;
		}
		mysql_free_result(cr);
	}
	mysql_free_result(r);
	if (bad)
		verify_add(v, 0, "tables", "CHECK TABLE failed on %d of %d %stables: %s",
		    bad, n, v->full ? "" : "non-transactional ", list);
	else
		verify_add(v, 1, "tables", "CHECK TABLE clean on %d %stables", n,
		    v->full ? "" : "non-transactional ");
}

static int
report(const struct verify *v)
{
	int i, bad = 0;

	for (i = 0; i < v->n; i++)
		bad += !v->c[i].ok;
	if (v->json) {
		printf("{");
		json_field("path", v->path, ",");
		printf("\"consistent\":%s,\"verified\":%s,\"checks\":[",
		       bad ? "false" : "true", v->unverified ? "false" : "true");
		for (i = 0; i < v->n; i++) {
			printf("{");
			json_field("check", v->c[i].name, ",");
			printf("\"ok\":%s,\"level\":\"%s\",", v->c[i].ok ?
			       "true" : "false", v->c[i].ok == VCHECK_NOTE ?
			       "note" : v->c[i].ok ? "ok" : "FAIL");
			json_field("detail", v->c[i].detail, i + 1 < v->n ?
				   "}," : "}");
		}
		printf("]");
		if (v->has_exact) {
			printf(",\"exact\":{");
			json_field("binlog_file", v->ex_file, ",");
			printf("\"binlog_pos\":%llu,", v->ex_pos);
			json_field("gtid", v->ex_gtid, ",");
			printf("\"after_recorded\":%ld}", v->ex_after);
		}
		if (v->keep) {
			printf(",");
			json_field("kept", v->tmp, "");
		}
		printf("}\n");
	} else {
		for (i = 0; i < v->n; i++) {
			char e[sizeof(v->c[0].detail) * 6];

			/* what came from the snapshot cannot drive the
			 * terminal: control characters escaped as in JSON */
			verify_escape(e, sizeof(e), v->c[i].detail);
			printf("%-6s%-9s %s\n", v->c[i].ok == VCHECK_NOTE ?
			       "note" : v->c[i].ok ? "ok" : "FAIL",
			       v->c[i].name, e);
		}
		if (v->keep)
			printf("kept: %s (the writable layer and the server's "
			       "error log)\n", v->tmp);
		printf("%s\n", v->aborted ? "STOPPED" : v->unverified ?
		       "COULD NOT VERIFY" : bad ? "NOT CONSISTENT" :
		       "consistent");
	}
	return v->aborted ? MQ_ABORTED : v->unverified ? MQ_UNVERIFIED :
	       bad ? MQ_INCONSISTENT : MQ_OK;
}

/* A stop signal came (read, so consumed): recorded; 1. */
static int
stopped(struct verify *v)
{
	if (!v->aborted && sig_take(v->sigfd, NULL) != 0) {
		v->aborted = 1;
		verify_cannot(v, "stopped", "by a signal: the server stopped, the "
			      "layer removed");
	}
	return v->aborted;
}

int
verify_main(const struct config *c, const struct call *o)
{
	static struct verify v;
	struct stat st;
	int64_t deadline;

	(void)c; /* verify reads only the snapshot */
	if (o->verbose)
		log_verbose();
	if (parse(&v, o->argc - 1, o->argv + 1) == -1)
		return MQ_USAGE;
	/* a stop signal is read at each wait, and every way out cleans up */
	if ((v.sigfd = sig_fd()) == -1) {
		verify_cannot(&v, "signals", strerror(errno));
		return report(&v);
	}
	deadline = mono_ms() + v.timeout * 1000;
	v.deadline = deadline;
	if (stat(v.path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		verify_cannot(&v, "path", "PATH is not a directory");
		return report(&v);
	}
	verify_read_info(&v);
	verify_check_binlog(&v);
	verify_check_relay(&v);
	if (!stopped(&v) && !v.unverified && verify_layer(&v) == 0 &&
	    !stopped(&v) && verify_start_server(&v, deadline) == 0) {
		check_gtid(&v);
		if (!stopped(&v))
			verify_derive(&v);
		if (!stopped(&v))
			check_replica(&v);
		if (!stopped(&v))
			check_tables(&v);
		if (!stopped(&v) && v.write_info != NULL)
			verify_write_exact(&v);
	}
	(void)stopped(&v); /* a step a stop signal cut short says so */
	verify_cleanup(&v);
	return report(&v);
}
