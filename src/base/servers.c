/* servers.c - a config's servers: the [mysql NAME] sections read,
 * one server's config made from them, and no two servers sharing a
 * file. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "configint.h"
#include "log.h"
#include "rundir.h"
#include "state.h"
#include "util.h"

/* A server's name: 1 to 16 of [A-Za-z0-9_-]. */
static int
good_name(const char *n)
{
	size_t k = strlen(n);

	return k > 0 && k < CONFIG_NAME_MAX &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-") == k;
}

/* The files of run_dir itself, beside its servers' directories: a
 * server of one of these names would have its directory where one of
 * them is (run_dir/lock is every freeze's run lock). */
static const char *const own_files[] = {
	RUN_LOCK, HOLDER_LOCK, STATE_FILE, UNRECORDED, SYSLOG_HELD,
};

/* The name of one of run_dir's own files, or NULL. */
static const char *
taken_name(const char *n)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(own_files); i++)
		if (strcmp(n, own_files[i]) == 0)
			return own_files[i];
	return NULL;
}

/* key = value in [mysql NAME]: checked and stored in its server. */
int
config_server_key(struct config *c, struct servers *sv, const char *name,
		  const char *key, const char *value, struct failure *f)
{
	int i, it;

	if (!good_name(name)) {
		failf(f, MQ_CONFIG, "[mysql %s]: a server's name is 1 to %d "
		      "letters, digits, _ or -", name, CONFIG_NAME_MAX - 1);
		return -1;
	}
	if (taken_name(name) != NULL) {
		failf(f, MQ_CONFIG, "[mysql %s]: the name of a file of "
		      "run_dir's own (run_dir/%s); name the server otherwise",
		      name, name);
		return -1;
	}
	if ((it = config_server_item(key)) < 0) {
		failf(f, MQ_CONFIG, it == -2 ? "[mysql %s] %s: it is the "
		      "whole freeze's; set it in [lock]" : "unknown key \"%s\" "
		      "in [mysql %s]", it == -2 ? name : key, it == -2 ? key :
		      name);
		return -1;
	}
	for (i = 0; i < sv->n && strcmp(sv->one[i].name, name) != 0; i++)
		;
	if (i == sv->n) {
		if (sv->n == CONFIG_MAX_SERVERS) {
			failf(f, MQ_CONFIG, "[mysql %s]: more than %d servers",
			      name, CONFIG_MAX_SERVERS);
			return -1;
		}
		config_server_defaults(&sv->one[i]);
		fmt(sv->one[sv->n++].name, CONFIG_NAME_MAX, "%s", name);
	}
	if (sv->set[i][it]) {
		failf(f, MQ_CONFIG, "[mysql %s] %s is set twice", name, key);
		return -1;
	}
	sv->set[i][it] = 1;
	if (config_set(c, &sv->one[i], it, value, f) == -1) {
		fail_wrap(f, MQ_CONFIG, "[mysql %s]", name);
		return -1;
	}
	return 0;
}

/* base/name/ELSE: a metrics file of its own per server, beside the
 * file's own: "/x/mq.prom" is "/x/mq-NAME.prom" for server NAME. */
static int
server_metrics(char *path, const char *name)
{
	char buf[CONFIG_STR_MAX];
	char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	if (dot == NULL || dot < slash)
		return fmt(buf, sizeof(buf), "%s-%s", path, name) == -1 ? -1 :
		       fmt(path, CONFIG_STR_MAX, "%s", buf);
	if (fmt(buf, sizeof(buf), "%.*s-%s%s", (int)(dot - path), path, name,
		dot) == -1)
		return -1;
	return fmt(path, CONFIG_STR_MAX, "%s", buf);
}

/* Server i made whole: the keys its section did not set are the
 * file's, its run_dir and metrics file its own; 0, or -1 with f
 * saying why. */
static int
make_one(const struct config *c, struct servers *sv, int i,
	 struct failure *f)
{
	struct server_config *s = &sv->one[i];
	int it;

	for (it = 0; it < CONFIG_NITEMS; it++)
		if (config_item_server(it) && !sv->set[i][it])
			config_item_copy(s, &sv->dflt, it);
	it = config_item_find("files", "run_dir");
	if ((!sv->set[i][it] && fmt(s->files_run_dir, CONFIG_STR_MAX, "%s/%s",
				    c->run_dir, s->name) == -1) ||
	    (!sv->set[i][config_item_find("files", "metrics_file")] &&
	     s->files_metrics_file[0] != '\0' &&
	     server_metrics(s->files_metrics_file, s->name) == -1)) {
		failf(f, MQ_CONFIG, "[mysql %s]: its run_dir or metrics_file "
		      "is longer than %d bytes", s->name, CONFIG_STR_MAX - 1);
		return -1;
	}
	if (config_relations(c, s, f) == -1) {
		fail_wrap(f, MQ_CONFIG, "[mysql %s]", s->name);
		return -1;
	}
	return 0;
}

/* The first pair of servers that share a file, said in f. 0, or -1. */
static int
shared_file(const struct servers *sv, struct failure *f)
{
	const struct server_config *a, *b;
	const char *what;
	int i, j;

	for (i = 0; i < sv->n; i++) {
		for (j = 0; j < i; j++) {
			a = &sv->one[i];
			b = &sv->one[j];
			what = same_path(a->files_run_dir, b->files_run_dir) ?
			       "run_dir" :
			       a->files_binlog_info_file[0] != '\0' &&
			       same_path(a->files_binlog_info_file,
					 b->files_binlog_info_file) ?
			       "binlog_info_file" :
			       a->files_metrics_file[0] != '\0' &&
			       same_path(a->files_metrics_file,
					 b->files_metrics_file) ?
			       "metrics_file" : NULL;
			if (what != NULL) {
				failf(f, MQ_CONFIG, "[mysql %s] and [mysql %s] "
				      "share %s %s: each server needs its own",
				      b->name, a->name, what,
				      strcmp(what, "run_dir") == 0 ?
				      a->files_run_dir :
				      strcmp(what, "metrics_file") == 0 ?
				      a->files_metrics_file :
				      a->files_binlog_info_file);
				return -1;
			}
		}
	}
	return 0;
}

int
config_servers_make(struct config *c, struct servers *sv, struct failure *f)
{
	int i, r = -1;

	if (sv->n == 0) { /* a fleet of one: the file's own keys */
		sv->one[0] = sv->dflt;
		sv->n = 1;
	} else {
		for (i = 0; i < sv->n; i++)
			if (make_one(c, sv, i, f) == -1)
				goto out;
		if (shared_file(sv, f) == -1)
			goto out;
	}
	if ((c->sv = calloc((size_t)sv->n, sizeof(*c->sv))) == NULL) {
		failf(f, MQ_CONFIG, "out of memory");
		goto out;
	}
	memcpy(c->sv, sv->one, (size_t)sv->n * sizeof(*c->sv));
	c->n = sv->n;
	r = 0;
out:
	/* no copy of a password left behind */
	explicit_bzero(sv, sizeof(*sv));
	return r;
}

int
config_named(const struct config *c)
{
	return c->n > 0 && c->sv[0].name[0] != '\0';
}

const struct server_config *
config_find(const struct config *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->sv[i].name, name) == 0)
			return &c->sv[i];
	return NULL;
}
