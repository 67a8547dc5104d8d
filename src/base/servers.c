/* servers.c - a config's servers: the [mysql NAME] sections read,
 * one server's config made from them, and no two servers sharing a
 * file. */
#define _GNU_SOURCE
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

/* key = value in [mysql NAME]: checked now, kept for config_select. */
int
config_server_key(struct config *c, const char *name, const char *key,
		  const char *value, struct failure *f)
{
	static struct config probe;
	int i, k, it;

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
	for (i = 0; i < c->nservers && strcmp(c->servers[i], name) != 0; i++)
		;
	if (i == c->nservers) {
		if (c->nservers == CONFIG_MAX_SERVERS) {
			failf(f, MQ_CONFIG, "[mysql %s]: more than %d servers",
			      name, CONFIG_MAX_SERVERS);
			return -1;
		}
		fmt(c->servers[c->nservers++], CONFIG_NAME_MAX, "%s", name);
	}
	for (k = 0; k < c->nsets; k++)
		if (c->sets[k].server == i && c->sets[k].item == it) {
			failf(f, MQ_CONFIG, "[mysql %s] %s is set twice",
			      name, key);
			return -1;
		}
	if (c->nsets == CONFIG_MAX_SETS) {
		failf(f, MQ_CONFIG, "[mysql %s]: more than %d keys in the "
		      "servers' sections", name, CONFIG_MAX_SETS);
		return -1;
	}
	/* the value checked as the key's own section would */
	k = config_set(&probe, it, value, f);
	explicit_bzero(&probe, sizeof(probe)); /* it may be a password */
	if (k == -1) {
		fail_wrap(f, MQ_CONFIG, "[mysql %s]", name);
		return -1;
	}
	c->sets[c->nsets].server = (unsigned char)i;
	c->sets[c->nsets].item = (unsigned char)it;
	fmt(c->sets[c->nsets++].value, CONFIG_STR_MAX, "%s", value);
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

int
config_select(struct config *c, const char *name, struct failure *f)
{
	int i, k, own_dir = 0, own_metrics = 0;

	for (i = 0; i < c->nservers && strcmp(c->servers[i], name) != 0; i++)
		;
	if (i == c->nservers) {
		failf(f, MQ_CONFIG, c->nservers == 0 ? "no server \"%s\": the "
		      "config has no [mysql NAME] section" : "no server \"%s\" "
		      "in the config ([mysql NAME] sections)", name);
		return -1;
	}
	for (k = 0; k < c->nsets; k++) {
		const char *key = config_item_key(c->sets[k].item);

		if (c->sets[k].server != i)
			continue;
		if (config_set(c, c->sets[k].item, c->sets[k].value, f) == -1) {
			fail_wrap(f, MQ_CONFIG, "[mysql %s]", name);
			return -1;
		}
		own_dir |= strcmp(key, "run_dir") == 0;
		own_metrics |= strcmp(key, "metrics_file") == 0;
	}
	if ((!own_dir && fmt(c->files_run_dir, CONFIG_STR_MAX, "%s/%s",
			     c->base_run_dir, name) == -1) ||
	    (!own_metrics && c->files_metrics_file[0] != '\0' &&
	     server_metrics(c->files_metrics_file, name) == -1)) {
		failf(f, MQ_CONFIG, "[mysql %s]: its run_dir or metrics_file "
		      "is longer than %d bytes", name, CONFIG_STR_MAX - 1);
		return -1;
	}
	fmt(c->server, sizeof(c->server), "%s", name);
	if (config_relations(c, f) == -1) {
		fail_wrap(f, MQ_CONFIG, "[mysql %s]", name);
		return -1;
	}
	return 0;
}

int
config_server(const struct config *c, int i, struct config *out,
	      struct failure *f)
{
	memcpy(out, c, sizeof(*out));
	return config_select(out, c->servers[i], f);
}

/* The first pair of servers that share a file, said in f. 0, or -1. */
static int
shared_file(const struct config *c, struct config *one, struct failure *f)
{
	const char *what;
	int i, j;

	for (i = 0; i < c->nservers; i++) {
		if (config_server(c, i, &one[i], f) == -1)
			return -1;
		for (j = 0; j < i; j++) {
			what = same_path(one[i].files_run_dir,
					 one[j].files_run_dir) ? "run_dir" :
			       one[i].files_binlog_info_file[0] != '\0' &&
			       same_path(one[i].files_binlog_info_file,
					 one[j].files_binlog_info_file) ?
			       "binlog_info_file" :
			       one[i].files_metrics_file[0] != '\0' &&
			       same_path(one[i].files_metrics_file,
					 one[j].files_metrics_file) ?
			       "metrics_file" : NULL;
			if (what != NULL) {
				failf(f, MQ_CONFIG, "[mysql %s] and [mysql %s] "
				      "share %s %s: each server needs its own",
				      c->servers[j], c->servers[i], what,
				      strcmp(what, "run_dir") == 0 ?
				      one[i].files_run_dir :
				      strcmp(what, "metrics_file") == 0 ?
				      one[i].files_metrics_file :
				      one[i].files_binlog_info_file);
				return -1;
			}
		}
	}
	return 0;
}

int
config_servers_apart(const struct config *c, struct failure *f)
{
	static struct config one[CONFIG_MAX_SERVERS];
	int r = shared_file(c, one, f);

	/* no copy of a password left behind */
	explicit_bzero(one, sizeof(one));
	return r;
}
