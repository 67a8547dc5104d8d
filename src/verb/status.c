/* status.c - what the holder is doing, or how the last cycle ended,
 * for people and for scripts. Exit 0 idle, waiting, locked or released
 * as asked; 8 when the last lock expired or was lost; 14 when the last
 * freeze never held the lock. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "holderctl.h"
#include "lock.h"
#include "rundir.h"
#include "state.h"
#include "util.h"

static void
when(char *buf, size_t n, int64_t ms)
{
	if (ms == 0)
		fmt(buf, n, "-");
	else
		iso_time(buf, n, ms);
}

/* Every JSON object's first fields: the server's name (of several),
 * and where its metrics are written ("" for none), for whoever must
 * find that file again (the package's removal). */
static void
json_head(const struct server_config *c)
{
	printf("{");
	if (c->name[0] != '\0')
		json_field("server", c->name, ",");
	json_field("metrics_file", c->files_metrics_file, ",");
}

static void
print_json(const struct state *s, int alive)
{
	char locked[48], expires[48], released[48], began[48];

	when(began, sizeof(began), s->began_at);
	when(locked, sizeof(locked), s->locked_at);
	when(expires, sizeof(expires), s->expires_at);
	when(released, sizeof(released), s->released_at);
	json_field("phase", phase_name(s->phase), ",");
	printf("\"holder_alive\":%s,\"pid\":%d,\"thawed\":%s,\"conn_id\":%lu,",
	       alive ? "true" : "false", (int)s->pid,
	       s->thawed ? "true" : "false", s->conn_id);
	json_field("method", s->method, ",");
	json_field("flavor", s->flavor, ",");
	json_field("began_at", s->began_at ? began : "", ",");
	printf("\"attempts\":%d,\"freeze_ms\":%lld,", s->attempts,
	       (long long)s->freeze_ms);
	json_field("locked_at", s->locked_at ? locked : "", ",");
	json_field("expires_at", s->expires_at ? expires : "", ",");
	json_field("released_at", s->released_at ? released : "", ",");
	printf("\"blocked_ms\":%lld,\"abandoned_ms\":%lld,",
	       (long long)s->blocked_ms, (long long)s->abandoned_ms);
	json_field("binlog_file", s->binlog_file, ",");
	printf("\"binlog_pos\":%llu,", s->binlog_pos);
	json_field("gtid", s->gtid, ",");
	json_field("coordinates", s->method[0] == '\0' ? "" :
		   lock_lower_bound(s->method) ? "lower-bound" : "exact", ",");
	json_field("exit_verb", s->exit_verb, ",");
	if (s->exit_code >= 0)
		printf("\"exit_code\":%d,\"exit_name\":\"%s\",",
		       s->exit_code, exit_name(s->exit_code));
	else
		printf("\"exit_code\":null,\"exit_name\":null,");
	json_field("reason", s->reason, "}");
}

static void
print_text(const struct state *s, int alive)
{
	char t[48];

	printf("phase:        %s%s\n", phase_name(s->phase),
	       s->thawed ? " (thawed)" : "");
	printf("holder:       pid %d, %s\n", (int)s->pid,
	       alive ? "running" : "not running");
	printf("method:       %s%s%s\n", s->method[0] ? s->method : "-",
	       s->flavor[0] ? " on " : "", s->flavor);
	printf("connection:   %lu\n", s->conn_id);
	when(t, sizeof(t), s->began_at);
	printf("began at:     %s\n", t);
	if (s->attempts > 0)
		printf("to the lock:  %lld ms, %d attempt%s\n",
		       (long long)s->freeze_ms, s->attempts,
		       s->attempts == 1 ? "" : "s");
	when(t, sizeof(t), s->locked_at);
	printf("locked at:    %s\n", t);
	when(t, sizeof(t), s->expires_at);
	printf("expires at:   %s\n", t);
	when(t, sizeof(t), s->released_at);
	printf("released at:  %s\n", t);
	if (s->blocked_ms >= 0)
		printf("held for:     %lld ms\n", (long long)s->blocked_ms);
	if (s->abandoned_ms > 0)
		printf("of it behind abandoned attempts: %lld ms\n",
		       (long long)s->abandoned_ms);
	printf("binlog:       %s:%llu\n", s->binlog_file[0] ? s->binlog_file
							 : "-", s->binlog_pos);
	printf("gtid:         %s\n", s->gtid[0] ? s->gtid : "-");
	if (lock_lower_bound(s->method))
		printf("coordinates:  a lower bound (method %s let commits "
		       "on); verify reads the exact ones back from the "
		       "snapshot\n", s->method);
	if (s->reason[0] != '\0')
		printf("reason:       %s\n", s->reason);
	if (s->exit_code >= 0)
		printf("last exit:    %d (%s): %s\n", s->exit_code,
		       s->exit_verb[0] ? s->exit_verb : "-",
		       exit_name(s->exit_code));
}

/* One server's status (c's); its exit code. */
static int
status_one(const struct server_config *c, int json)
{
	struct state s;
	struct failure ef;
	int dirfd, r, alive = 0;

	dirfd = rundir_open(c->files_run_dir, 0, &ef);
	if (dirfd == -1) {
		fprintf(stderr, "mysql-quiesce: %s\n", ef.why);
		return MQ_STATE;
	}
	r = dirfd == -2 ? 1 : state_read(dirfd, &s, &ef);
	if (r < 0) {
		fprintf(stderr, "mysql-quiesce: %s\n", ef.why);
		close(dirfd);
		return r == -2 ? MQ_FAIL : MQ_STATE;
	}
	if (r == 1 && dirfd >= 0 && state_is_unrecorded(dirfd)) {
		if (json) {
			json_head(c);
			printf("\"phase\":\"unknown\",\"holder_alive\":"
			       "false,\"reason\":\"the last freeze failed and "
			       "could not record its state (see the log)\"}");
		} else
			printf("phase:        unknown: the last freeze failed and "
			       "could not record its state (see the log)\n");
		close(dirfd);
		return MQ_LASTFAILED;
	}
	if (r == 1) {
		if (json) {
			json_head(c);
			printf("\"phase\":\"idle\",\"holder_alive\":false}");
		} else
			printf("phase:        idle (no freeze recorded)\n");
	} else {
		alive = holder_alive(dirfd, &s);
		if (json) {
			json_head(c);
			print_json(&s, alive);
		} else
			print_text(&s, alive);
	}
	if (dirfd >= 0)
		close(dirfd);
	/* The last cycle's outcome, kept until the next freeze: whoever
	 * looks (monitoring, a person) sees a failure a caller hid. */
	if (r == 0 && (s.phase == PH_EXPIRED || s.phase == PH_LOST))
		return MQ_LOST;
	/* recorded locked, its holder gone (killed before it could say):
	 * the lock went with its connection */
	if (r == 0 && s.phase == PH_LOCKED && !alive)
		return MQ_LOST;
	if (r == 0 && s.phase == PH_FAILED)
		return MQ_LASTFAILED;
	return MQ_OK;
}

int
status_main(const struct config *c, const struct call *o)
{
	const struct server_config *sv = o->each;
	int i, r, n = o->n, several = o->sv == NULL;
	int code = MQ_OK;

	(void)c;
	/* several: text blocks under their names, or one JSON object with
	 * a list; the exit code the worst (a lost lock first) */
	if (o->json && several)
		printf("{\"servers\":[");
	for (i = 0; i < n; i++) {
		if (o->json && several)
			printf("%s", i ? "," : "");
		else if (several)
			printf("%sserver:       %s\n", i ? "\n" : "",
			       sv[i].name);
		fflush(stdout);
		r = status_one(&sv[i], o->json);
		if (r == MQ_LOST || code == MQ_OK)
			code = r;
	}
	if (o->json)
		printf("%s\n", several ? "]}" : "");
	return code;
}
