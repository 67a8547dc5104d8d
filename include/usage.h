/* usage.h - each verb's usage, written once (src/base/usage.c): the
 * full --help, one verb's for "help VERB", and the one line a usage
 * error prints. */
#ifndef MQ_USAGE_H
#define MQ_USAGE_H

#include <stdio.h>

/* Every verb's synopsis and what it does, then the common options:
 * what --help prints (without the exit codes). */
void usage_all(FILE *out);

/* VERB's synopsis and options ("thaw" and "freezeFail" are freeze's).
 * 0, or -1 when no verb of that name is known (nothing printed). */
int usage_verb(FILE *out, const char *verb);

/*
 * A usage error, one line on stderr: "mysql-quiesce[ VERB]: WHY (see:
 * mysql-quiesce help VERB)", or "(see: mysql-quiesce --help)" when no
 * verb is known. Returns the usage exit code.
 */
int usage_fail(const char *verb, const char *f, ...)
	__attribute__((format(printf, 2, 3)));

#endif
