/* configint.h - between the config's own files: keys.c (the key
 * table, below both), servers.c (the [mysql NAME] sections) and
 * config.c (the parse, the file): not for other files. */
#ifndef MQ_CONFIGINT_H
#define MQ_CONFIGINT_H

#include "config.h"
#include "failure.h"

/* Store v for the item numbered item; 0, or -1 with f saying why. */
int config_set(struct config *c, int item, const char *v, struct failure *f);

#define CONFIG_ITEM_ONE(...) +1
enum { CONFIG_NITEMS = 0 CONFIG_ITEMS(CONFIG_ITEM_ONE) };

/* The item [section] key names: its number; -1 for an unknown key of
 * a known section, -2 for an unknown section. */
int config_item_find(const char *section, const char *key);

/* The key of the item numbered item. */
const char *config_item_key(int item);

/* The item a [mysql NAME] section's key names: a [mysql] or [lock]
 * key, or [files] run_dir, binlog_info_file or metrics_file; -1 if
 * none; -2 for a key that is the whole freeze's. */
int config_server_item(const char *key);

/* Rules between keys; 0, or -1 with f saying why. */
int config_relations(const struct config *c, struct failure *f);

/* key = value in [mysql NAME]: checked now, kept for config_select;
 * 0, or -1 with f saying why. */
int config_server_key(struct config *c, const char *name, const char *key,
		      const char *value, struct failure *f);

/* Every server's config made once, and no two sharing a run_dir, an
 * info file or a metrics file; 0, or -1 with f saying why. */
int config_servers_apart(const struct config *c, struct failure *f);

#endif
