/* sreport.c - seed's report: one line per check and step for people,
 * or one JSON object; the password never in either (the statements
 * shown are the masked copies). */
#define _GNU_SOURCE
#include <stdio.h>

#include "exits.h"
#include "seed.h"
#include "sreport.h"
#include "util.h"
#include "vcheck.h"
#include "verify.h"

void
seed_report_text(const struct seed *s, const struct verify *v, int code)
{
	char e[1600];
	int i;

	if (s->rs.datadir[0] != '\0')
		printf("new server: server_id %lu, %s%s%.0u, datadir %s\n",
		       s->rs.server_id, s->rs.hostname, s->rs.port ? ":" :
		       " (no TCP)", s->rs.port, s->rs.datadir);
	if (s->ss.hostname[0] != '\0')
		printf("source: %s:%u, server_id %lu\n", s->shost, s->sport,
		       s->ss.server_id);
	for (i = 0; i < v->n; i++) {
		verify_escape(e, sizeof(e), v->c[i].detail);
		printf("%-9s %s: %s\n", v->c[i].ok ? "ok" : "NOT OK",
		       v->c[i].name, e);
	}
	for (i = 0; i < s->nold; i++)
		printf("old channel %s: %s\n", s->old[i], s->dry ? "would be "
		       "stopped and reset" : code == MQ_OK ? "stopped and reset" :
		       "to be reset");
	if (s->nsql > 0) {
		printf("%s by %s:\n", s->dry ? "would run" : "statements",
		       s->plan.by_gtid ? "GTID" : "file and position");
		for (i = 0; i < s->nsql; i++)
			printf("  %s;\n", s->shown[i]);
	}
	if (code == MQ_OK && !s->dry)
		printf("replicating from %s:%u: IO %s, SQL %s, lag %s s, "
		       "executed %s:%llu (%lld ms)\n", s->shost, s->sport,
		       s->row.io, s->row.sql, s->row.lag[0] ? s->row.lag : "?",
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
