/* vcheck.h - verify's findings, recorded one check at a time
 * (src/verify/vcheck.c). */
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

#endif
