/* opts.c - read a verb's options from its table. */
#define _GNU_SOURCE
#include <string.h>

#include "opts.h"
#include "util.h"

/* Does a spell name, wholly or (with a value) as "name=..."? */
static const char *
spelled(const char *a, const char *name, int has_value)
{
	size_t len;

	if (name == NULL)
		return NULL;
	len = strlen(name);
	if (strncmp(a, name, len) != 0)
		return NULL;
	if (a[len] == '\0')
		return a + len;
	if (has_value && a[len] == '=' && name[1] == '-')
		return a + len + 1;
	return NULL;
}

int
opt_next(const struct opt *t, int argc, char **argv, int *i,
	 const char **val, struct failure *f)
{
	const char *a = argv[(*i)++], *rest;

	*val = NULL;
	if (strcmp(a, "--") == 0)
		return OPT_REST;
	if (a[0] != '-' || a[1] == '\0') {
		*val = a;
		return OPT_WORD;
	}
	for (; t->name != NULL; t++) {
		if ((rest = spelled(a, t->name, t->has_value)) == NULL &&
		    (rest = spelled(a, t->alias, t->has_value)) == NULL)
			continue;
		if (!t->has_value)
			return t->id;
		if (*rest != '\0') {
			*val = rest;
			return t->id;
		}
		if (*i >= argc) {
			failf(f, MQ_USAGE, "option %s needs a value", a);
			return OPT_BAD;
		}
		*val = argv[(*i)++];
		return t->id;
	}
	failf(f, MQ_USAGE, "unknown option %.60s", a);
	return OPT_BAD;
}
