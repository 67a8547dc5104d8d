/* metrics.h - the last cycle as a Prometheus textfile. */
#ifndef MQ_METRICS_H
#define MQ_METRICS_H

#include "config.h"
#include "state.h"

/*
 * Write [files] metrics_file (if set) for the cycle s ended, atomically
 * (a temporary file in the same directory, renamed over). Call only
 * once nothing is locked or frozen: never while the lock is held. A
 * failure is logged as a warning; it changes no exit code.
 */
void metrics_write(const struct server_config *c, const struct state *s);

/* The text itself, for the tests; 0, or -1 if it did not fit. last_ok
 * is when a cycle last succeeded (real ms, 0 = never); server, one of
 * several servers' name (every series labelled server="NAME"), or "". */
int metrics_format(char *buf, size_t n, const struct state *s,
		   int64_t now, int64_t last_ok, const char *server);

#endif
