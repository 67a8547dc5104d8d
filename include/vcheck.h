/* vcheck.h - verify's findings, recorded one check at a time
 * (src/verb/vcheck.c). */
#ifndef MQ_VCHECK_H
#define MQ_VCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "verify.h"

/* One check's result; ok 0 is a finding about the snapshot. */
void verify_add(struct verify *v, int ok, const char *name, const char *f,
		...) __attribute__((format(printf, 4, 5)));
/* Could not verify (not a finding about the snapshot); -1. */
int verify_cannot(struct verify *v, const char *name, const char *why);

/* Text with control characters escaped as JSON does (\u00XX). */
void verify_escape(char *out, size_t n, const char *in);

/* Check NAME: the recovered @@VAR (on v->d) is the recorded GTID set,
 * compared as sets: per domain and server (MariaDB), per UUID's merged
 * intervals (MySQL); never as a prefix of text. With lower, the
 * recorded set is a lower bound: the recovered one must hold it; one
 * before it is not this snapshot's state. (src/verb/verify.c; seed
 * runs it on the restored server.) */
void verify_same_gtid(struct verify *v, const char *name, const char *var,
		      const char *recorded, int lower);

#endif
