/* opts.h - a verb's options, read from one table. */
#ifndef MQ_OPTS_H
#define MQ_OPTS_H

#include "failure.h"

#include <stddef.h>

/* One option a verb takes: its id (>= 0, the verb's own), its names,
 * and whether a value follows ("--name VALUE" or "--name=VALUE"). The
 * table ends with a row whose name is NULL. */
struct opt {
	int id;
	const char *name, *alias; /* alias: another spelling, or NULL */
	int has_value;
};

enum {
	OPT_BAD = -1,  /* unknown, or its value missing: f says which */
	OPT_WORD = -2, /* not an option: *val is the word ("-" is one) */
	OPT_REST = -3, /* "--": what follows is not options */
};

/*
 * Read argv[*i] against table t and advance *i past what was read
 * (the option and its value). Returns the option's id with *val its
 * value (NULL for one without), or OPT_WORD, OPT_REST, OPT_BAD.
 * "--name=VALUE" is accepted only for an option with a value.
 */
int opt_next(const struct opt *t, int argc, char **argv, int *i,
	     const char **val, struct failure *f);

#endif
