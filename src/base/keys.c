/* keys.c - the config's keys: each one's section, type, range and
 * default, whether it is the file's or a server's, a value stored in
 * struct config or struct server_config, and the rules between keys. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "configint.h"
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
	size_t off, size; /* in struct server_config, or struct config */
	int server;       /* a server's key */
};

#define CFG_ITEM(scope, server, sec, k, t, d, l, h, e)                        \
	{ #sec, #k, d, e##_names, e##_count, t, l, h,                        \
	  offsetof(struct scope, sec##_##k),                                 \
	  sizeof(((struct scope *)0)->sec##_##k), server },
#define CFG_SERVER_ITEM(...) CFG_ITEM(server_config, 1, __VA_ARGS__)
#define CFG_FILE_ITEM(...) CFG_ITEM(config, 0, __VA_ARGS__)

/* in CONFIG_ITEMS' order: a server's keys, then the file's */
static const struct item items[] = {
	CONFIG_SERVER_ITEMS(CFG_SERVER_ITEM) CONFIG_FILE_ITEMS(CFG_FILE_ITEM)
};
_Static_assert(ARRAY_LEN(items) == CONFIG_NITEMS, "CONFIG_NITEMS");

int
config_choice(const char *const *names, int count, const char *v)
{
	int i;

	for (i = 0; i < count; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

/* Store value v for item it in base (the struct its scope names); 0,
 * or -1 with f saying why. */
static int
set_item(void *base, const struct item *it, const char *v, struct failure *f)
{
	char *field = (char *)base + it->off;
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

int
config_set(struct config *c, struct server_config *s, int item,
	   const char *v, struct failure *f)
{
	return set_item(items[item].server ? (void *)s : (void *)c,
			&items[item], v, f);
}

int
config_item_server(int item)
{
	return items[item].server;
}

void
config_item_copy(struct server_config *to, const struct server_config *from,
		 int item)
{
	memcpy((char *)to + items[item].off, (const char *)from +
	       items[item].off, items[item].size);
}

const char *
config_item_key(int item)
{
	return items[item].key;
}

/* base (a struct config, or a struct server_config: server says which)
 * zeroed, then every key of its scope at its default. */
static void
defaults(void *base, size_t size, int server)
{
	struct failure f;
	size_t i;

	memset(base, 0, size);
	for (i = 0; i < ARRAY_LEN(items); i++)
		if (items[i].server == server &&
		    set_item(base, &items[i], items[i].def, &f) == -1)
			abort(); /* a default outside its own range */
}

void
config_file_defaults(struct config *c)
{
	defaults(c, sizeof(*c), 0);
}

void
config_server_defaults(struct server_config *s)
{
	defaults(s, sizeof(*s), 1);
}

int
config_server_item(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(items); i++)
		if (strcmp(items[i].key, key) == 0 &&
		    strcmp(items[i].section, "snapshot") != 0 &&
		    strcmp(items[i].section, "ebs") != 0)
			return items[i].server ? (int)i :
			       strcmp(items[i].section, "lock") == 0 ? -2 : -1;
	return -1;
}

/* The item [section] key names: its number; -1 for an unknown key of
 * a known section, -2 for an unknown section. */
int
config_item_find(const char *section, const char *key)
{
	size_t i;
	int known = 0;

	for (i = 0; i < ARRAY_LEN(items); i++) {
		if (strcmp(items[i].section, section) != 0)
			continue;
		known = 1;
		if (strcmp(items[i].key, key) == 0)
			return (int)i;
	}
	return known ? -1 : -2;
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

int
config_relations(const struct config *c, const struct server_config *s,
		 struct failure *f)
{
	if (check_tags(c->ebs_tags, f) == -1)
		return -1;
	if (s->lock_kill_long_queries != KILL_NO &&
	    s->lock_long_query_threshold >= s->lock_wait_timeout) {
		failf(f, MQ_CONFIG, "kill_long_queries = %s needs "
		    "long_query_threshold (%lld) below wait_timeout (%lld): "
		    "the lock attempt would end before anything is killed",
		    kill_choice_names[s->lock_kill_long_queries],
		    s->lock_long_query_threshold, s->lock_wait_timeout);
		return -1;
	}
	if (s->files_run_dir[0] != '/' || c->files_log_file[0] == '\0' ||
	    (c->files_log_file[0] != '/') ||
	    (s->files_binlog_info_file[0] != '\0' &&
	     s->files_binlog_info_file[0] != '/') ||
	    (s->files_metrics_file[0] != '\0' &&
	     s->files_metrics_file[0] != '/')) {
		failf(f, MQ_CONFIG, "run_dir, log_file, binlog_info_file and "
		    "metrics_file must be absolute paths");
		return -1;
	}
	if (c->snapshot_timeout != 0 &&
	    c->snapshot_timeout >= s->lock_max_lock_time) {
		failf(f, MQ_CONFIG, "[snapshot] timeout (%lld) must be below "
		    "max_lock_time (%lld): the lock must outlast the frozen "
		    "window", c->snapshot_timeout, s->lock_max_lock_time);
		return -1;
	}
	return 0;
}
