/* multi.h - several servers under one freeze (src/verb/multi.c): the
 * config's [mysql NAME] servers, each through its own freeze or thaw,
 * run at once. */
#ifndef MQ_MULTI_H
#define MQ_MULTI_H

#include "config.h"
#include "main.h"

/*
 * Freeze every server at once, each by one_fn (freeze_main) on its own
 * config in a child, as "mysql-quiesce -s NAME freeze" would;
 * MQ_OK only when every server holds its lock once the last one has
 * it. If one cannot be locked (or a lock taken ended before the last
 * was), every lock taken is released and its exit code returned, the
 * server named in the log; on_failure = proceed keeps the locks held
 * and logs which servers hold none. A stop signal: passed on, every
 * lock taken released, MQ_ABORTED.
 */
int multi_freeze(const struct config *c, const struct call *o,
		 verb_fn *one_fn);

/* Thaw (verb "thaw" or "freezeFail", one_fn its verb's function)
 * every server at once; each server's blocked time logged. MQ_OK, or
 * MQ_LOST if any had lost its lock (named), else the first other
 * failure's code. */
int multi_thaw(const struct config *c, const struct call *o,
	       const char *verb, verb_fn *one_fn);

#endif
