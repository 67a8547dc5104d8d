/* vcheck.c - verify's record of its checks: one line each, a finding
 * about the snapshot or a reason it could not be verified, and the
 * escaping every line from the snapshot gets before it is shown. The
 * bottom of verify: its other files record here, nothing here calls
 * them. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>

#include "util.h"
#include "verify.h"
#include "vcheck.h"

void
verify_add(struct verify *v, int ok, const char *name, const char *f, ...)
{
	struct vcheck *c;
	va_list ap;

	if (v->n == MAX_CHECKS)
		return;
	c = &v->c[v->n++];
	c->ok = ok;
	fmt(c->name, sizeof(c->name), "%s", name);
	va_start(ap, f);
	vsnprintf(c->detail, sizeof(c->detail), f, ap);
	va_end(ap);
}

int
verify_cannot(struct verify *v, const char *name, const char *why)
{
	verify_add(v, 0, name, "%s", why);
	v->unverified = 1;
	return -1;
}

void
verify_escape(char *out, size_t n, const char *in)
{
	size_t k = 0;

	for (; *in != '\0' && k + 7 < n; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c == 0x7f) {
			snprintf(out + k, n - k, "\\u%04x", c);
			k += 6;
		} else if (c == 0xc2 && (unsigned char)in[1] >= 0x80 &&
			   (unsigned char)in[1] < 0xa0) { /* C1 controls */
			snprintf(out + k, n - k, "\\u%04x",
				 (unsigned char)in[1]);
			k += 6;
			in++;
		} else {
			out[k++] = (char)c;
		}
	}
	out[k] = '\0';
}
