/* config.c - INI parsing with libinih into struct config. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "config.h"
#include "openpath.h"
#include "optfile.h"
#include "util.h"

enum ctype { STR, NUM, ENUM };

#define CFG_ENUM_NAME(id, name) name,
#define CFG_NAMES_DEF(e) const char *const e##_names[] = { e##_CHOICES(CFG_ENUM_NAME) };
CONFIG_ENUMS(CFG_NAMES_DEF)
#define CFG_ENUM_SIZE(e)                                                      \
	_Static_assert(sizeof(enum e) == sizeof(int), #e " is not int-sized");
CONFIG_ENUMS(CFG_ENUM_SIZE)
static const char *const none_names[] = { NULL };
enum { none_count = 0 };

struct item {
	const char *section, *key, *def;
	const char *const *names; /* an ENUM's values, in enum order */
	int count;
	enum ctype type;
	long long lo, hi;
	size_t off;
};

#define CFG_ITEM(sec, k, t, d, l, h, e)                                       \
	{ #sec, #k, d, e##_names, e##_count, t, l, h,                        \
	  offsetof(struct config, sec##_##k) },

static const struct item items[] = { CONFIG_ITEMS(CFG_ITEM) };

struct parse {
	struct config *c;
	struct failure *f;
	int failed;
	unsigned char seen[ARRAY_LEN(items)];
};

int
config_choice(const char *const *names, int count, const char *v)
{
	int i;

	for (i = 0; i < count; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

/* Store value v for item it; 0, or -1 with f saying why. */
static int
set_item(struct config *c, const struct item *it, const char *v, struct failure *f)
{
	char *field = (char *)c + it->off;
	long long num;
	int i, e;

	switch (it->type) {
	case NUM:
		if (parse_num(v, it->lo, it->hi, &num) == -1) {
			failf(f, MQ_CONFIG, "%s must be a whole number from "
			    "%lld to %lld, not \"%s\"", it->key, it->lo, it->hi,
			    v);
			return -1;
		}
		*(long long *)(void *)field = num;
		return 0;
	case ENUM:
		if ((e = config_choice(it->names, it->count, v)) == -1) {
			failf(f, MQ_CONFIG, "%s must be one of ", it->key);
			for (i = 0; i < it->count; i++)
				append(f->why, sizeof(f->why), "%s%s", i ? "|" : "",
				       it->names[i]);
			append(f->why, sizeof(f->why), ", not \"%s\"", v);
			return -1;
		}
		*(int *)(void *)field = e; /* each enum is int-sized: below */
		return 0;
	case STR:
		if (fmt(field, CONFIG_STR_MAX, "%s", v) == -1) {
			failf(f, MQ_CONFIG, "%s is longer than %d bytes",
			    it->key, CONFIG_STR_MAX - 1);
			return -1;
		}
		return 0;
	}
	return -1;
}

void
config_defaults(struct config *c)
{
	struct failure f;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_LEN(items); i++)
		if (set_item(c, &items[i], items[i].def, &f) == -1)
			abort(); /* a default outside its own range */
}

/* The item a [mysql NAME] section's key names: a [mysql] or [lock]
 * key, or [files] run_dir, binlog_info_file or metrics_file; -1 if
 * none; -2 for a key that is the whole freeze's. */
static int
server_item(const char *key)
{
	size_t i;

	if (strcmp(key, "snapshot_timeout") == 0 ||
	    strcmp(key, "on_failure") == 0)
		return -2;
	for (i = 0; i < ARRAY_LEN(items); i++)
		if (strcmp(items[i].key, key) == 0 &&
		    (strcmp(items[i].section, "mysql") == 0 ||
		     strcmp(items[i].section, "lock") == 0 ||
		     (strcmp(items[i].section, "files") == 0 &&
		      strcmp(key, "log_file") != 0)))
			return (int)i;
	return -1;
}

/* A server's name: 1 to 16 of [A-Za-z0-9_-]. */
static int
good_name(const char *n)
{
	size_t k = strlen(n);

	return k > 0 && k < CONFIG_NAME_MAX &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_-") == k;
}

/* key = value in [mysql NAME]: checked now, kept for config_select. */
static int
server_key(struct parse *p, const char *name, const char *key,
	   const char *value)
{
	static struct config probe;
	struct config *c = p->c;
	int i, k, it;

	if (!good_name(name)) {
		failf(p->f, MQ_CONFIG, "[mysql %s]: a server's name is 1 to %d "
		      "letters, digits, _ or -", name, CONFIG_NAME_MAX - 1);
		return -1;
	}
	if ((it = server_item(key)) < 0) {
		failf(p->f, MQ_CONFIG, it == -2 ? "[mysql %s] %s: it is the "
		      "whole freeze's; set it in [lock]" : "unknown key \"%s\" "
		      "in [mysql %s]", it == -2 ? name : key, it == -2 ? key :
		      name);
		return -1;
	}
	for (i = 0; i < c->nservers && strcmp(c->servers[i], name) != 0; i++)
		;
	if (i == c->nservers) {
		if (c->nservers == CONFIG_MAX_SERVERS) {
			failf(p->f, MQ_CONFIG, "[mysql %s]: more than %d servers",
			      name, CONFIG_MAX_SERVERS);
			return -1;
		}
		fmt(c->servers[c->nservers++], CONFIG_NAME_MAX, "%s", name);
	}
	for (k = 0; k < c->nsets; k++)
		if (c->sets[k].server == i && c->sets[k].item == it) {
			failf(p->f, MQ_CONFIG, "[mysql %s] %s is set twice",
			      name, key);
			return -1;
		}
	if (c->nsets == CONFIG_MAX_SETS) {
		failf(p->f, MQ_CONFIG, "[mysql %s]: more than %d keys in the "
		      "servers' sections", name, CONFIG_MAX_SETS);
		return -1;
	}
	/* the value checked as the key's own section would */
	if (set_item(&probe, &items[it], value, p->f) == -1) {
		fail_wrap(p->f, MQ_CONFIG, "[mysql %s]", name);
		return -1;
	}
	c->sets[c->nsets].server = (unsigned char)i;
	c->sets[c->nsets].item = (unsigned char)it;
	fmt(c->sets[c->nsets++].value, CONFIG_STR_MAX, "%s", value);
	return 0;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	size_t i;

	if (p->failed)
		return 1; /* report only the first error */
	if (strncmp(section, "mysql ", 6) == 0 && *key != '\0') {
		if (server_key(p, section + 6 + strspn(section + 6, " "), key,
			       value) == -1) {
			p->failed = 1;
			return 0;
		}
		return 1;
	}
	if (strcmp(section, "ebs") == 0)
		p->c->has_ebs = 1;
	if (*key == '\0') {
		failf(p->f, MQ_CONFIG, "no key name before '='");
		p->failed = 1;
		return 0;
	}
	for (i = 0; i < ARRAY_LEN(items); i++) {
		if (strcmp(items[i].section, section) != 0 ||
		    strcmp(items[i].key, key) != 0)
			continue;
		if (p->seen[i]) {
			failf(p->f, MQ_CONFIG, "[%s] %s is set twice", section,
			    key);
			p->failed = 1;
			return 0;
		}
		p->seen[i] = 1;
		if (set_item(p->c, &items[i], value, p->f) == -1) {
			p->failed = 1;
			return 0;
		}
		return 1;
	}
	for (i = 0; i < ARRAY_LEN(items); i++)
		if (strcmp(items[i].section, section) == 0)
			break;
	if (i == ARRAY_LEN(items))
		failf(p->f, MQ_CONFIG, "unknown section [%s]", section);
	else
		failf(p->f, MQ_CONFIG, "unknown key \"%s\" in [%s]", key,
		    section);
	p->failed = 1;
	return 0;
}

static int
finish(struct parse *p, int r)
{
	if (r == -1) {
		failf(p->f, MQ_CONFIG, "cannot read it");
		return -1;
	}
	if (r == -2) {
		failf(p->f, MQ_CONFIG, "out of memory");
		return -1;
	}
	if (r == 0)
		return 0;
	/* inih gives the first bad line's number; the handler said why. */
	if (p->failed) {
		fail_wrap(p->f, MQ_CONFIG, "line %d", r);
	} else {
		failf(p->f, MQ_CONFIG, "line %d: not a [section], key = value "
		    "or comment line", r);
	}
	return -1;
}

/* [ebs] tags: "Key=Value, ..." with a key before each '='. */
static int
check_tags(const char *t, struct failure *f)
{
	while (*t != '\0') {
		size_t len = strcspn(t, ",");
		const char *eq = memchr(t, '=', len), *k = t;

		while (k < t + len && (*k == ' ' || *k == '\t'))
			k++;
		if (k < t + len && (eq == NULL || eq == k ||
				    strncmp(k, "aws:", 4) == 0)) {
			failf(f, MQ_CONFIG, "[ebs] tags: \"%.*s\" is not "
			    "Key=Value (keys may not start with aws:)",
			    (int)len, t);
			return -1;
		}
		t += len + (t[len] == ',');
	}
	return 0;
}

/* Rules between keys; 0, or -1 with f saying why. */
static int
relations(const struct config *c, struct failure *f)
{
	if (check_tags(c->ebs_tags, f) == -1)
		return -1;
	if (c->lock_kill_long_queries != KILL_NO &&
	    c->lock_long_query_threshold >= c->lock_wait_timeout) {
		failf(f, MQ_CONFIG, "kill_long_queries = %s needs "
		    "long_query_threshold (%lld) below wait_timeout (%lld): "
		    "the lock attempt would end before anything is killed",
		    kill_choice_names[c->lock_kill_long_queries],
		    c->lock_long_query_threshold, c->lock_wait_timeout);
		return -1;
	}
	if (c->files_run_dir[0] != '/' || c->files_log_file[0] == '\0' ||
	    (c->files_log_file[0] != '/') ||
	    (c->files_binlog_info_file[0] != '\0' &&
	     c->files_binlog_info_file[0] != '/') ||
	    (c->files_metrics_file[0] != '\0' &&
	     c->files_metrics_file[0] != '/')) {
		failf(f, MQ_CONFIG, "run_dir, log_file, binlog_info_file and "
		    "metrics_file must be absolute paths");
		return -1;
	}
	if (c->snapshot_timeout != 0 &&
	    c->snapshot_timeout >= c->lock_max_lock_time) {
		failf(f, MQ_CONFIG, "[snapshot] timeout (%lld) must be below "
		    "max_lock_time (%lld): the lock must outlast the frozen "
		    "window", c->snapshot_timeout, c->lock_max_lock_time);
		return -1;
	}
	return 0;
}

/*
 * Debian's libinih reads a line into a buffer of INI_MAX_LINE (200)
 * bytes and parses what does not fit as a line of its own: refuse an
 * over-long line, with its true number, before it can be misread; and
 * a NUL byte, which would cut a value silently.
 */
enum { LINE_MAX_BYTES = 198 };

static int
scan_lines(const char *text, size_t len, struct failure *f)
{
	size_t i, start = 0;
	int line = 1;

	for (i = 0; i <= len; i++) {
		if (i < len && text[i] == '\0') {
			failf(f, MQ_CONFIG, "line %d: holds a NUL byte", line);
			return -1;
		}
		if (i == len || text[i] == '\n') {
			size_t l = i - start;

			if (l > 0 && text[i - 1] == '\r')
				l--;
			if (l > LINE_MAX_BYTES) {
				failf(f, MQ_CONFIG, "line %d: longer than %d "
				    "bytes (%zu)", line, LINE_MAX_BYTES, l);
				return -1;
			}
			start = i + 1;
			line++;
		}
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
		const struct item *it = &items[c->sets[k].item];

		if (c->sets[k].server != i)
			continue;
		if (set_item(c, it, c->sets[k].value, f) == -1) {
			fail_wrap(f, MQ_CONFIG, "[mysql %s]", name);
			return -1;
		}
		own_dir |= strcmp(it->key, "run_dir") == 0;
		own_metrics |= strcmp(it->key, "metrics_file") == 0;
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
	if (relations(c, f) == -1) {
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

/* Every server's config made once, and no two sharing a run_dir, an
 * info file or a metrics file. */
static int
servers_apart(const struct config *c, struct failure *f)
{
	static struct config one[CONFIG_MAX_SERVERS];
	const char *what;
	int i, j;

	for (i = 0; i < c->nservers; i++) {
		if (config_server(c, i, &one[i], f) == -1)
			return -1;
		for (j = 0; j < i; j++) {
			what = strcmp(one[i].files_run_dir,
				      one[j].files_run_dir) == 0 ? "run_dir" :
			       one[i].files_binlog_info_file[0] != '\0' &&
			       strcmp(one[i].files_binlog_info_file,
				      one[j].files_binlog_info_file) == 0 ?
			       "binlog_info_file" :
			       one[i].files_metrics_file[0] != '\0' &&
			       strcmp(one[i].files_metrics_file,
				      one[j].files_metrics_file) == 0 ?
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

static int
parse_text(struct config *c, const char *text, size_t len, struct failure *f)
{
	struct parse p = { .c = c, .f = f };

	config_defaults(c);
	if (scan_lines(text, len, f) == -1 ||
	    finish(&p, ini_parse_string(text, handler, &p)) == -1 ||
	    relations(c, f) == -1)
		return -1;
	fmt(c->base_run_dir, sizeof(c->base_run_dir), "%s", c->files_run_dir);
	return c->nservers > 0 ? servers_apart(c, f) : 0;
}

int
config_parse_string(struct config *c, const char *text, struct failure *f)
{
	return parse_text(c, text, strlen(text), f);
}

enum { CONFIG_FILE_MAX = 1 << 20 };

/* A password anywhere in the file: [mysql] or a server's section. */
static int
has_password(const struct config *c)
{
	int k;

	for (k = 0; k < c->nsets; k++)
		if (strcmp(items[c->sets[k].item].key, "password") == 0 &&
		    c->sets[k].value[0] != '\0')
			return 1;
	return c->mysql_password[0] != '\0';
}

/* Every defaults_file the file names held to the option-file rules. */
static int
defaults_files(const struct config *c, struct failure *f)
{
	char why[sizeof(f->why)];
	int k;

	if (c->mysql_defaults_file[0] != '\0' &&
	    optfile_check(c->mysql_defaults_file, f) == -1) {
		memcpy(why, f->why, sizeof(why));
		failf(f, MQ_CONFIG, "defaults_file %s", why);
		return -1;
	}
	for (k = 0; k < c->nsets; k++)
		if (strcmp(items[c->sets[k].item].key, "defaults_file") == 0 &&
		    c->sets[k].value[0] != '\0' &&
		    optfile_check(c->sets[k].value, f) == -1) {
			memcpy(why, f->why, sizeof(why));
			failf(f, MQ_CONFIG, "[mysql %s] defaults_file %s",
			      c->servers[c->sets[k].server], why);
			return -1;
		}
	return 0;
}

int
config_load(struct config *c, const char *path, struct failure *f)
{
	char why[CONFIG_STR_MAX + 256], abs[PATH_MAX], *text = NULL;
	struct stat st;
	size_t len;
	int fd, r;

	config_defaults(c);
	/* O_NONBLOCK: a FIFO must not hang us; it is refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		failf(f, MQ_CONFIG, "config file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	/* Every check is made on the descriptor we then read. */
	fmt(why, sizeof(why), "config file %s", path);
	if (fd_check_safe(fd, why, &st, f) == -1) {
		close(fd);
		f->code = MQ_CONFIG;
		return -1;
	}
	r = read_text(fd, CONFIG_FILE_MAX, &text, &len);
	close(fd);
	if (r == -1) {
		failf(f, MQ_CONFIG, "config file %s: %s", path,
		    len > CONFIG_FILE_MAX ? "larger than 1 MiB"
		    : strerror(errno));
		return -1;
	}
	r = parse_text(c, text, len, f);
	explicit_bzero(text, len);
	free(text);
	if (r == -1) {
		fail_wrap(f, MQ_CONFIG, "config file %s", path);
		return -1;
	}
	if (has_password(c) && (st.st_mode & (S_IRGRP | S_IROTH))) {
		failf(f, MQ_CONFIG, "config file %s: holds a password but "
		    "group or others may read it; refusing it (chmod 600 %s)",
		    path, path);
		return -1;
	}
	if (defaults_files(c, f) == -1) {
		fail_wrap(f, MQ_CONFIG, "config file %s", path);
		return -1;
	}
	if (realpath(path, abs) == NULL ||
	    fmt(c->path, sizeof(c->path), "%s", abs) == -1) {
		failf(f, MQ_CONFIG, "config file %s: cannot resolve its path",
		    path);
		return -1;
	}
	return 0;
}

const char *
config_path(const char *opt)
{
	const char *env;

	if (opt != NULL)
		return opt;
	env = getenv(CONFIG_ENV);
	if (env != NULL && *env != '\0')
		return env;
	return DEFAULT_CONFIG;
}
