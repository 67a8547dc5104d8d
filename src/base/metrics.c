/* metrics.c - the last cycle as a Prometheus textfile, for
 * node_exporter's textfile collector. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "openpath.h"
#include "util.h"

#define PFX "mysql_quiesce_"

/* A label value: backslash, quote and newline escaped. */
static void
label(char *out, size_t n, const char *v)
{
	size_t k = 0;

	for (; *v != '\0' && k + 3 < n; v++) {
		if (*v == '\\' || *v == '"')
			out[k++] = '\\', out[k++] = *v;
		else if (*v == '\n')
			out[k++] = '\\', out[k++] = 'n';
		else
			out[k++] = *v;
	}
	out[k] = '\0';
}

#define GAUGE(name, help)                                                   \
	r |= append(buf, n, "# HELP " PFX name " " help "\n# TYPE " PFX name \
		    " gauge\n")

int
metrics_format(char *buf, size_t n, const struct state *s, int64_t now,
	       int64_t last_ok, const char *server)
{
	static const char *const outcomes[] = { "released", "expired", "lost",
						"failed" };
	const char *outcome = s->phase == PH_EXPIRED ? "expired" :
			      s->phase == PH_LOST ? "lost" :
			      s->phase == PH_FAILED ? "failed" : "released";
	char file[512], method[80], flavor[80], sv[64], only[72], with[72];
	size_t i;
	int r = 0;

	buf[0] = '\0';
	label(file, sizeof(file), s->binlog_file);
	label(method, sizeof(method), s->method[0] ? s->method : "none");
	label(flavor, sizeof(flavor), s->flavor[0] ? s->flavor : "unknown");
	/* one of several servers: every series carries its name */
	label(sv, sizeof(sv), server);
	fmt(only, sizeof(only), server[0] ? "{server=\"%s\"}" : "%s",
	    server[0] ? sv : "");
	fmt(with, sizeof(with), server[0] ? "server=\"%s\"," : "%s",
	    server[0] ? sv : "");
	GAUGE("last_outcome", "How the last freeze-thaw cycle ended: 1 for "
	      "its outcome, 0 for the others.");
	for (i = 0; i < ARRAY_LEN(outcomes); i++)
		r |= append(buf, n, PFX "last_outcome{%soutcome=\"%s\"} %d\n",
			    with, outcomes[i], strcmp(outcomes[i], outcome) == 0);
	GAUGE("last_run_timestamp_seconds", "When the last cycle ended.");
	r |= append(buf, n, PFX "last_run_timestamp_seconds%s %.3f\n", only,
		    (double)now / 1000);
	GAUGE("last_success_timestamp_seconds", "When a cycle last ended "
	      "with its lock held until released on request.");
	r |= append(buf, n, PFX "last_success_timestamp_seconds%s %.3f\n",
		    only, (double)last_ok / 1000);
	GAUGE("lock_hold_seconds", "How long the last lock was held.");
	r |= append(buf, n, PFX "lock_hold_seconds%s %.3f\n", only,
		    s->blocked_ms > 0 ? (double)s->blocked_ms / 1000 : 0.0);
	GAUGE("writes_blocked_seconds", "How long the last lock blocked "
	      "commits and non-transactional writes.");
	r |= append(buf, n, PFX "writes_blocked_seconds%s %.3f\n", only,
		    s->blocked_ms > 0 ? (double)s->blocked_ms / 1000 : 0.0);
	GAUGE("freeze_seconds", "From the last freeze's start to its lock "
	      "held (0: never held).");
	r |= append(buf, n, PFX "freeze_seconds%s %.3f\n", only,
		    (double)s->freeze_ms / 1000);
	GAUGE("lock_attempts", "Lock attempts of the last freeze.");
	r |= append(buf, n, PFX "lock_attempts%s %d\n", only, s->attempts);
	GAUGE("binlog_position", "The binary log position the last lock "
	      "recorded.");
	r |= append(buf, n, PFX "binlog_position{%sfile=\"%s\"} %llu\n", with,
		    file, s->binlog_pos);
	GAUGE("info", "The last cycle's lock method and server flavor.");
	r |= append(buf, n, PFX "info{%smethod=\"%s\",flavor=\"%s\"} 1\n",
		    with, method, flavor);
	return r ? -1 : 0;
}

/* last_success from the file as it is, so that a failure keeps it. */
static int64_t
previous_success(const char *path)
{
	char line[256];
	struct failure ef;
	int64_t v = 0;
	int fd = open_path("metrics_file", path, O_RDONLY, 0, &ef);
	FILE *f;

	if (fd == -1) {
		if (errno != ENOENT)
			log_warn("%s; its last success is not kept", ef.why);
		return 0;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return 0;
	}
	/* ours is a few hundred bytes: read no further than 64 KiB */
	while (ftell(f) < 65536 && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, PFX "last_success_timestamp_seconds",
			    sizeof(PFX "last_success_timestamp_seconds") - 1) == 0 &&
		    strchr(" {", line[sizeof(PFX "last_success_timestamp_"
						"seconds") - 1]) != NULL)
			v = (int64_t)(strtod(strrchr(line, ' ') + 1, NULL) * 1000);
	fclose(f);
	return v;
}

void
metrics_write(const struct server_config *c, const struct state *s)
{
	static char buf[8192];
	const char *path = c->files_metrics_file, *slash;
	char dir[CONFIG_STR_MAX];
	int64_t now = real_ms(), last_ok;
	int dfd;

	if (path[0] == '\0')
		return;
	last_ok = s->phase == PH_RELEASED ? now : previous_success(path);
	slash = strrchr(path, '/');
	fmt(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path),
	    path);
	if (metrics_format(buf, sizeof(buf), s, now, last_ok, c->name) == -1) {
		log_warn("metrics_file %s: the metrics do not fit", path);
		return;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd == -1 ||
	    write_atomic(dfd, slash + 1, buf, strlen(buf), 0644) == -1)
		log_warn("metrics_file %s: %s", path, strerror(errno));
	if (dfd != -1)
		close(dfd);
}
