/* failure.c - the one way to fail: an exit code and one line. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>

#include "failure.h"
#include "util.h"

int
failf(struct failure *f, int code, const char *fm, ...)
{
	char line[sizeof(f->why)];
	va_list ap;

	va_start(ap, fm);
	vsnprintf(line, sizeof(line), fm, ap);
	va_end(ap);
	sanitize(f->why, sizeof(f->why), line);
	f->code = code;
	return code;
}

int
fail_wrap(struct failure *f, int code, const char *fm, ...)
{
	char line[2 * sizeof(f->why)]; /* sanitize cuts it to fit */
	int k;
	va_list ap;

	va_start(ap, fm);
	k = vsnprintf(line, sizeof(line), fm, ap);
	va_end(ap);
	if (k >= 0 && (size_t)k < sizeof(line))
		snprintf(line + k, sizeof(line) - (size_t)k, ": %s", f->why);
	sanitize(f->why, sizeof(f->why), line);
	f->code = code;
	return code;
}
