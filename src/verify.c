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
#include "util.h"
#include "verbs.h"
#include "verify.h"

static const char usage_line[] =
	"usage: mysql-quiesce verify PATH [--info FILE] [--json] [--full] "
	"[--timeout SECONDS]\n"
	"                            [--keep] [--copy DIR] [--scratch DIR] "
	"[--server-binary FILE]";

void
verify_add(struct verify *v, int ok, const char *name, const char *f, ...)
{
	struct vcheck *c;
	va_list ap;

	if (v->n == MAX_CHECKS)
		return;
	c = &v->c[v->n++];
	c->ok = ok;
	fmt(c->name, sizeof(c->name), "%s", name);
	va_start(ap, f);
	vsnprintf(c->detail, sizeof(c->detail), f, ap);
	va_end(ap);
}

int
verify_cannot(struct verify *v, const char *name, const char *why)
{
	verify_add(v, 0, name, "%s", why);
	v->unverified = 1;
	return -1;
}

static int
parse(struct verify *v, int argc, char **argv)
{
	int i;

	v->timeout = 600;
	v->scratch = "/var/tmp";
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];
		int more = i + 1 < argc;

		if (strcmp(a, "--json") == 0)
			v->json = 1;
		else if (strcmp(a, "--keep") == 0)
			v->keep = 1;
		else if (strcmp(a, "--full") == 0)
			v->full = 1;
		else if (strcmp(a, "--info") == 0 && more)
			v->info = argv[++i];
		else if (strcmp(a, "--copy") == 0 && more)
			v->copy = argv[++i];
		else if (strcmp(a, "--scratch") == 0 && more)
			v->scratch = argv[++i];
		else if (strcmp(a, "--server-binary") == 0 && more)
			v->server = argv[++i];
		else if (strcmp(a, "--timeout") == 0 && more) {
			if (parse_num(argv[++i], 1, 86400, &v->timeout) == -1) {
				fprintf(stderr, "mysql-quiesce verify: --timeout "
					"\"%.40s\": not a whole number of seconds "
					"from 1 to 86400\n%s\n", argv[i], usage_line);
				return -1;
			}
		} else if (a[0] != '-' && v->path == NULL)
			v->path = a;
		else {
			fprintf(stderr, "mysql-quiesce verify: unknown option or "
				"extra argument %s\n%s\n", a, usage_line);
			return -1;
		}
	}
	if (v->path == NULL) {
		fprintf(stderr, "mysql-quiesce verify: no PATH given\n%s\n",
			usage_line);
		return -1;
	}
	return 0;
}

/* The info file's "key = value" lines. */
static void
read_info(struct verify *v)
{
	char line[8192];
	FILE *f;

	if (fmt(v->infopath, sizeof(v->infopath), "%s", v->info ? v->info :
		"") == -1 || (v->info == NULL &&
		fmt(v->infopath, sizeof(v->infopath), "%s/binlog_info.txt",
		    v->path) == -1)) {
		verify_add(v, 0, "info", "info file path too long");
		return;
	}
	if ((f = fopen(v->infopath, "re")) == NULL) {
		verify_add(v, 0, "info", "%s: %s: the snapshot does not carry its "
		    "coordinates", v->infopath, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *eq = strstr(line, " = ");
		const char *k = line, *val;

		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		val = eq + 3;
		line[strcspn(line, "\n")] = '\0';
		eq[3 + strcspn(eq + 3, "\n")] = '\0';
		if (strcmp(k, "binlog_file") == 0)
			fmt(v->file, sizeof(v->file), "%s", val);
		else if (strcmp(k, "binlog_pos") == 0)
			v->pos = strtoull(val, NULL, 10), v->has_info |= 1;
		else if (strcmp(k, "gtid_binlog_pos") == 0 ||
			 strcmp(k, "gtid_executed") == 0) {
			fmt(v->gtid, sizeof(v->gtid), "%s", val);
			fmt(v->gtid_kind, sizeof(v->gtid_kind), "%s", k);
			v->has_info |= 2;
		} else if (strcmp(k, "replica_channels") == 0)
			v->nchan = atoi(val);
		else if (strcmp(k, "replica_gtid_slave_pos") == 0)
			fmt(v->slave_pos, sizeof(v->slave_pos), "%s", val);
		else if (strcmp(k, "server") == 0)
			fmt(v->flavor, sizeof(v->flavor), "%.*s",
			    (int)strcspn(val, " "), val);
	}
	fclose(f);
	if (v->has_info != 3) {
		verify_add(v, 0, "info", "%s: no binlog_pos or GTID line: not an info "
		    "file of mysql-quiesce", v->infopath);
		v->has_info = 0;
		return;
	}
	verify_add(v, 1, "info", "%s: %s:%llu, %s %s", v->infopath,
	    v->file[0] ? v->file : "(binlog off)", v->pos, v->gtid_kind,
	    v->gtid[0] ? v->gtid : "(empty)");
}

/* The binary log in the snapshot is exactly the recorded size. */
static void
check_binlog(struct verify *v)
{
	char p[PATH_MAX];
	struct stat st;

	if (!v->has_info)
		return;
	if (v->file[0] == '\0') {
		verify_add(v, 1, "binlog", "binary logging was off: no position to "
		    "check");
		return;
	}
	if (strchr(v->file, '/') != NULL ||
	    fmt(p, sizeof(p), "%s/%s", v->path, v->file) == -1 ||
	    stat(p, &st) == -1) {
		verify_add(v, 0, "binlog", "%s is not in the snapshot: the position "
		    "cannot hold", v->file);
		return;
	}
	if ((unsigned long long)st.st_size == v->pos)
		verify_add(v, 1, "binlog", "%s is %lld bytes, the recorded position: "
		    "nothing after the lock, nothing missing", v->file,
		    (long long)st.st_size);
	else
		verify_add(v, 0, "binlog", "%s is %lld bytes, recorded position %llu "
		    "(%s %lld bytes)", v->file, (long long)st.st_size, v->pos,
		    (unsigned long long)st.st_size > v->pos ? "written after the "
		    "lock:" : "missing:", (long long)st.st_size > (long long)v->pos
		    ? (long long)st.st_size - (long long)v->pos
		    : (long long)v->pos - (long long)st.st_size);
}

static const char *
one(struct db *d, const char *sql, char *buf, size_t n)
{
	MYSQL_RES *r = db_query(d, sql);
	MYSQL_ROW row;

	buf[0] = '\0';
	if (r == NULL)
		return NULL;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
		fmt(buf, n, "%s", row[0]);
	mysql_free_result(r);
	return buf;
}

/* GTID sets as the same text: no blanks, no newlines. */
static void
squeeze(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			*w++ = *s;
	*w = '\0';
}

/* Check NAME: the recovered @@VAR equals the recorded GTID set. */
static void
same_gtid(struct verify *v, const char *name, const char *var,
	  const char *recorded)
{
	char got[8192], want[4096], sql[64];

	fmt(sql, sizeof(sql), "SELECT @@GLOBAL.%s", var);
	if (one(&v->d, sql, got, sizeof(got)) == NULL) {
		verify_cannot(v, name, v->d.err);
		return;
	}
	fmt(want, sizeof(want), "%s", recorded);
	squeeze(got);
	squeeze(want);
	verify_add(v, strcmp(got, want) == 0, name, "recovered @@%s \"%s\", recorded "
	    "\"%s\"", var, got, want);
}

static void
check_gtid(struct verify *v)
{
	if (v->has_info)
		same_gtid(v, "gtid", v->d.flavor == FL_MARIADB ?
			  "gtid_binlog_pos" : "gtid_executed", v->gtid);
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
		same_gtid(v, "replica", "gtid_slave_pos", v->slave_pos);
}

/* CHECK TABLE on every non-transactional table (--full: every table). */
static void
check_tables(struct verify *v)
{
	char list[4096] = "", sql[1024];
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
	if ((r = db_query(&v->d, sql)) == NULL) {
		verify_cannot(v, "tables", v->d.err);
		return;
	}
	while ((row = mysql_fetch_row(r)) != NULL) {
		const char *verdict = "";

		fmt(sql, sizeof(sql), "CHECK TABLE %s", row[0]);
		if ((cr = db_query(&v->d, sql)) == NULL) {
			append(list, sizeof(list), "%s%s (%s)", bad ? ", " : "",
			       row[0], v->d.err);
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
			printf("\"ok\":%s,", v->c[i].ok ? "true" : "false");
			json_field("detail", v->c[i].detail, i + 1 < v->n ?
				   "}," : "}");
		}
		printf("]");
		if (v->keep) {
			printf(",");
			json_field("kept", v->tmp, "");
		}
		printf("}\n");
	} else {
		for (i = 0; i < v->n; i++)
			printf("%-6s%-9s %s\n", v->c[i].ok ? "ok" : "FAIL",
			       v->c[i].name, v->c[i].detail);
		if (v->keep)
			printf("kept: %s (the writable layer and the server's "
			       "error log)\n", v->tmp);
		printf("%s\n", v->unverified ? "COULD NOT VERIFY" : bad ?
		       "NOT CONSISTENT" : "consistent");
	}
	return v->unverified ? MQ_UNVERIFIED : bad ? MQ_INCONSISTENT : MQ_OK;
}

int
verify_main(int argc, char **argv)
{
	static struct verify v;
	struct stat st;
	int64_t deadline;

	if (parse(&v, argc, argv) == -1)
		return MQ_USAGE;
	deadline = mono_ms() + v.timeout * 1000;
	if (stat(v.path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		verify_cannot(&v, "path", "PATH is not a directory");
		return report(&v);
	}
	read_info(&v);
	check_binlog(&v);
	if (verify_layer(&v) == 0 && verify_start_server(&v, deadline) == 0) {
		check_gtid(&v);
		check_replica(&v);
		check_tables(&v);
	}
	verify_cleanup(&v);
	return report(&v);
}
