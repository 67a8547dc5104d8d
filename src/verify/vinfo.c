/* vinfo.c - verify's reading of the snapshot: its info file, checked
 * value by value, and its binary logs, found wherever the server kept
 * them and mapped to files inside the snapshot only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "openpath.h"
#include "binlog.h"
#include "util.h"
#include "verify.h"
#include "vinfo.h"
#include "vcheck.h"

/* GTID text: digits, hex, ':', ',', '-', blanks. */
static int
plain_gtid(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isxdigit((unsigned char)*s) && !isalpha((unsigned char)*s) &&
		    strchr(":,-_ \t", *s) == NULL)
			return 0;
	return 1;
}

/* Refuse a value, naming it. */
static void
bad_value(struct verify *v, const char *key, const char *val, const char *why)
{
	/* as it is: the report escapes what it prints */
	verify_add(v, 0, "info", "%s: %s \"%.200s\" is %s: refused", v->infopath,
		   key, val, why);
	v->has_info = 0;
}

void
verify_read_info(struct verify *v)
{
	char *text = NULL, *line, *next, dir[PATH_MAX];
	struct failure lf;
	const char *name, *slash;
	size_t len;
	int dfd, bad = 0;
	long long num;

	if (fmt(v->infopath, sizeof(v->infopath), "%s", v->info ? v->info :
		"") == -1 || (v->info == NULL &&
		fmt(v->infopath, sizeof(v->infopath), "%s/binlog_info.txt",
		    v->path) == -1)) {
		verify_add(v, 0, "info", "info file path too long");
		return;
	}
	slash = strrchr(v->infopath, '/');
	name = slash ? slash + 1 : v->infopath;
	fmt(dir, sizeof(dir), "%.*s", slash ? (int)(slash - v->infopath) +
	    (slash == v->infopath) : 1, slash ? v->infopath : ".");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    read_data_file(dfd, name, INFO_MAX, &text, &len, &lf) == -1) {
		if (dfd == -1)
			failf(&lf, MQ_FAIL, "%s", strerror(errno));
		verify_add(v, 0, "info", "%s: %s: the snapshot does not carry its "
		    "coordinates", v->infopath, lf.why);
		if (dfd != -1)
			close(dfd);
		return;
	}
	close(dfd);
	for (line = text; line != NULL && !bad; line = next) {
		char *eq;
		const char *k, *val;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (line[0] == '#' || (eq = strstr(line, " = ")) == NULL)
			continue;
		*eq = '\0';
		k = line;
		val = eq + 3;
		if (strcmp(k, "binlog_file") == 0) {
			if (val[0] != '\0' && !binlog_plain_name(val))
				bad_value(v, k, val, "not a plain binary log name"),
					bad = 1;
			fmt(v->file, sizeof(v->file), "%s", val);
		} else if (strcmp(k, "binlog_pos") == 0) {
			if (parse_num(val, 0, (long long)1 << 62, &num) == -1)
				bad_value(v, k, val, "not a number"), bad = 1;
			v->pos = (unsigned long long)num;
			v->has_info |= 1;
		} else if (strcmp(k, "gtid_binlog_pos") == 0 ||
			   strcmp(k, "gtid_executed") == 0) {
			if (!plain_gtid(val) ||
			    fmt(v->gtid, sizeof(v->gtid), "%s", val) == -1)
				bad_value(v, k, val, "not a GTID set"), bad = 1;
			fmt(v->gtid_kind, sizeof(v->gtid_kind), "%s", k);
			v->has_info |= 2;
		} else if (strcmp(k, "replica_channels") == 0) {
			if (parse_num(val, 0, 1000, &num) == -1)
				bad_value(v, k, val, "not a number"), bad = 1;
			v->nchan = (int)num;
		} else if (strcmp(k, "replica_1_source_log_file") == 0 ||
			   strcmp(k, "replica_1_relay_log_file") == 0) {
			if (val[0] != '\0' && !binlog_plain_name(val))
				bad_value(v, k, val, "not a plain binary log name"),
					bad = 1;
			if (strcmp(k, "replica_1_source_log_file") == 0)
				fmt(v->src_file, sizeof(v->src_file), "%s", val);
			else
				fmt(v->relay, sizeof(v->relay), "%s", val);
		} else if (strcmp(k, "binlog_basename") == 0 ||
			   strcmp(k, "datadir") == 0) {
			/* where the server kept them; only ever mapped into
			 * the snapshot, never opened as they are */
			if (val[0] != '/' || strstr(val, "/../") != NULL)
				bad_value(v, k, val, "not an absolute path"), bad = 1;
			else
				fmt(k[0] == 'b' ? v->rec_binbase : v->rec_datadir,
				    PATH_MAX, "%s", val);
		} else if (strcmp(k, "replica_relay_log_base") == 0) {
			if (val[0] != '\0' &&
			    !binlog_plain_base(val, strlen(val)))
				bad_value(v, k, val, "not a plain relay log name"),
					bad = 1;
			else
				fmt(v->relay_base, sizeof(v->relay_base), "%s",
				    val);
		} else if (strcmp(k, "replica_1_source_log_pos") == 0) {
			if (parse_num(val, 0, (long long)1 << 62, &num) == -1)
				bad_value(v, k, val, "not a number"), bad = 1;
			v->src_pos = (unsigned long long)num;
		} else if (strcmp(k, "replica_source_pos_exact") == 0) {
			v->src_inexact = strcmp(val, "no") == 0;
		} else if (strcmp(k, "replica_gtid_slave_pos") == 0) {
			if (!plain_gtid(val))
				bad_value(v, k, val, "not a GTID set"), bad = 1;
			fmt(v->slave_pos, sizeof(v->slave_pos), "%s", val);
		} else if (strcmp(k, "coordinates") == 0) {
			if (strcmp(val, "lower-bound") == 0)
				v->lower_bound = 1;
			else if (strcmp(val, "exact") != 0)
				bad_value(v, k, val, "neither exact nor "
					  "lower-bound"), bad = 1;
		} else if (strcmp(k, "lock_method") == 0) {
			if (val[strspn(val, "abcdefghijklmnopqrstuvwxyz-")] !=
			    '\0' || fmt(v->method, sizeof(v->method), "%s",
					val) == -1)
				bad_value(v, k, val, "not a lock method's name"),
					bad = 1;
		} else if (strcmp(k, "server") == 0) {
			fmt(v->flavor, sizeof(v->flavor), "%.*s",
			    (int)strcspn(val, " "), val);
		}
	}
	free(text);
	if (bad)
		return;
	if (v->has_info != 3) {
		verify_add(v, 0, "info", "%s: no binlog_pos or GTID line: not an info "
		    "file of mysql-quiesce", v->infopath);
		v->has_info = 0;
		return;
	}
	verify_add(v, 1, "info", "%s: %s:%llu, %s %s%s", v->infopath,
	    v->file[0] ? v->file : "(binlog off)", v->pos, v->gtid_kind,
	    v->gtid[0] ? v->gtid : "(empty)", v->lower_bound ? " (a lower "
	    "bound: taken with method recovery)" : "");
}
