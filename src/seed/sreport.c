/* sreport.c - seed's report: one line per check and step for people,
 * or one JSON object; the password never in either (the statements
 * shown are the masked copies). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>

#include "exits.h"
#include "seed.h"
#include "sreport.h"
#include "util.h"
#include "vcheck.h"
#include "verify.h"

/* One line of the text report, every control character in it escaped
 * as in JSON: a connection name, host or statement from the snapshot
 * or a server cannot drive the terminal. */
static void __attribute__((format(printf, 1, 2)))
say(const char *f, ...)
{
	char line[8192], e[sizeof(line) * 6];
	va_list ap;

	va_start(ap, f);
	vsnprintf(line, sizeof(line), f, ap);
	va_end(ap);
	verify_escape(e, sizeof(e), line);
	printf("%s\n", e);
}

void
seed_report_text(const struct seed *s, const struct verify *v, int code)
{
	char e[1600];
	int i;

	if (s->rs.datadir[0] != '\0')
		say("new server: server_id %lu, %s%s%.0u, datadir %s",
		    s->rs.server_id, s->rs.hostname, s->rs.port ? ":" :
		    " (no TCP)", s->rs.port, s->rs.datadir);
	if (s->ss.hostname[0] != '\0')
		say("source: %s:%u, server_id %lu", s->shost, s->sport,
		    s->ss.server_id);
	for (i = 0; i < v->n; i++)
		say("%-9s %s: %s", v->c[i].ok == VCHECK_NOTE ? "note" :
		    v->c[i].ok ? "ok" : "NOT OK", v->c[i].name,
		    v->c[i].detail);
	for (i = 0; i < s->nold; i++)
		say("old channel %s: %s", s->old[i], s->dry ? "would be "
		    "stopped and reset" : code == MQ_OK ? "stopped and reset" :
		    "to be reset");
	if (s->nsql > 0) {
		say("%s by %s:", s->dry ? "would run" : "statements",
		    s->plan.by_gtid ? "GTID" : "file and position");
		for (i = 0; i < s->nsql; i++)
			say("  %s;", s->shown[i]);
	}
	if (code == MQ_OK && !s->dry)
		say("replicating from %s:%u: IO %s, SQL %s, lag %s s, executed "
		    "%s:%llu (%lld ms)", s->shost, s->sport, s->row.io,
		    s->row.sql, s->row.lag[0] ? s->row.lag : "?",
		    s->row.exec_file, s->row.exec_pos, (long long)s->took_ms);
	if (code != MQ_OK) {
		fflush(stdout); /* the reason last, after what was checked */
		verify_escape(e, sizeof(e), s->why);
		fprintf(stderr, "mysql-quiesce seed: %s: %s\n", s->result, e);
	}
}

void
seed_report_json(const struct seed *s, const struct verify *v, int code)
{
	char num[64];
	int i;

	printf("{");
	json_field("result", s->result, ",");
	printf("\"exit\":%d,", code);
	json_field("source", s->source ? s->source : "", ",");
	printf("\"server_id\":%lu,\"source_server_id\":%lu,", s->rs.server_id,
	       s->ss.server_id);
	json_field("datadir", s->rs.datadir, ",");
	printf("\"checks\":[");
	for (i = 0; i < v->n; i++) {
		printf("%s{", i ? "," : "");
		json_field("name", v->c[i].name, ",");
		printf("\"ok\":%s,", v->c[i].ok ? "true" : "false");
		json_field("detail", v->c[i].detail, "}");
	}
	printf("],\"old_channels\":[");
	for (i = 0; i < s->nold; i++) {
		printf("%s", i ? "," : "");
		json_str(s->old[i], "");
	}
	printf("],");
	json_field("by", s->nsql == 0 ? "" : s->plan.by_gtid ? "gtid" :
		   "position", ",");
	json_field("gtid", s->plan.by_gtid ? s->state : "", ",");
	json_field("file", !s->plan.by_gtid && s->plan.file ? s->plan.file : "",
		   ",");
	printf("\"pos\":%llu,\"statements\":[", s->plan.by_gtid ? 0ULL :
	       s->plan.pos);
	for (i = 0; i < s->nsql; i++) {
		printf("%s", i ? "," : "");
		json_str(s->shown[i], "");
	}
	printf("],");
	json_field("io", s->row.io, ",");
	json_field("sql", s->row.sql, ",");
	fmt(num, sizeof(num), "%s", s->row.lag);
	json_field("lag", num, ",");
	json_field("error", code == MQ_OK ? "" : s->why, "}\n");
}
