/* failure.h - the one way to fail (src/base/failure.c): an exit code
 * (exits.h) and one line saying why. */
#ifndef MQ_FAILURE_H
#define MQ_FAILURE_H

#include "exits.h"

/*
 * Whatever can fail takes a struct failure and fills it where the
 * failure happens, with the code it knows (a helper that cannot know
 * what its failure means to the caller says MQ_FAIL); a caller that
 * knows better names its context and gives the code (fail_wrap). It
 * is the only channel: a function that can fail returns -1 (or its
 * documented code) with its caller's struct failure filled, the last
 * argument. A role logs it once, where it ends (the holder after
 * releasing what it held).
 */
struct failure {
	int code;
	char why[768];
};

/* Set f to code and the formatted line (sanitized: one line of valid
 * UTF-8), which may quote f->why itself; returns code. */
int failf(struct failure *f, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Put the formatted context and ": " before f's line and give it code;
 * returns code. */
int fail_wrap(struct failure *f, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
