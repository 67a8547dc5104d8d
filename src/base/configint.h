/* configint.h - between the config's own files: keys.c (the key
 * table, below both), servers.c (the [mysql NAME] sections) and
 * config.c (the parse, the file): not for other files. */
#ifndef MQ_CONFIGINT_H
#define MQ_CONFIGINT_H

#include "config.h"
#include "failure.h"

#define CONFIG_ITEM_ONE(...) +1
enum { CONFIG_NITEMS = 0 CONFIG_ITEMS(CONFIG_ITEM_ONE) };

/* Store v for the item numbered item: in s for a server's key, else
 * in c; 0, or -1 with f saying why. */
int config_set(struct config *c, struct server_config *s, int item,
	       const char *v, struct failure *f);

/* The item numbered item is a server's key. */
int config_item_server(int item);

/* A server's key numbered item copied from one server to another. */
void config_item_copy(struct server_config *to,
		      const struct server_config *from, int item);

/* Every key of the file's at its default (no server). */
void config_file_defaults(struct config *c);

/* The item [section] key names: its number; -1 for an unknown key of
 * a known section, -2 for an unknown section. */
int config_item_find(const char *section, const char *key);

/* The key of the item numbered item. */
const char *config_item_key(int item);

/* The item a [mysql NAME] section's key names: a server's key ([mysql],
 * [lock] and [files] but the file's own); -1 if none; -2 for a [lock]
 * key that is the whole freeze's. */
int config_server_item(const char *key);

/* Rules between keys, the file's and server s's; 0, or -1 with f
 * saying why. */
int config_relations(const struct config *c, const struct server_config *s,
		     struct failure *f);

/*
 * The [mysql NAME] sections, read into servers of their own over the
 * file's keys: struct servers holds them while the file is parsed.
 * dflt: the file's [mysql], [lock] and [files] keys; one[i] and set[i]:
 * server i's name and the keys its section sets.
 */
struct servers {
	struct server_config dflt;
	int n;
	struct server_config one[CONFIG_MAX_SERVERS];
	unsigned char set[CONFIG_MAX_SERVERS][CONFIG_NITEMS];
};

/* key = value in [mysql NAME]: checked and stored in its server; 0, or
 * -1 with f saying why. */
int config_server_key(struct config *c, struct servers *sv,
		      const char *name, const char *key, const char *value,
		      struct failure *f);

/* The servers made: each one's unset keys from dflt (run_dir
 * run_dir/NAME, metrics_file its own), the rules between keys checked
 * for each, and no two sharing a run_dir, an info file or a metrics
 * file; then c->sv allocated and filled (n = 1 from dflt for a file
 * without such sections) and sv zeroed. 0, or -1 with f saying why. */
int config_servers_make(struct config *c, struct servers *sv,
			struct failure *f);

#endif
