/* verbs.h - the verbs main dispatches to; a verb never calls another. */
#ifndef MQ_VERBS_H
#define MQ_VERBS_H

#include "config.h"

/* freeze: returns MQ_OK once the lock is held (or on_failure = proceed),
 * another exit code with the reason logged otherwise. arg: the
 * caller's argument after the verb (VMware's scriptArg), or NULL; it is
 * logged and otherwise ignored. */
int freeze_main(const struct config *c, const char *arg);

/* thaw / freezeFail: release; MQ_OK, or MQ_LOST when the lock had been
 * lost before (the snapshot may not match the coordinates). */
int thaw_main(const struct config *c, int freeze_failed, const char *arg);

/* status: print the holder's state, as text or one JSON object. */
int status_main(const struct config *c, int json);

/* check: config, connection, privileges, lock method; MQ_OK if ready. */
int check_main(const struct config *c);

/* snapshot: the whole job alone (argv: its options, "--", COMMAND...). */
int snapshot_main(const struct config *c, int argc, char **argv);

/* The watchdog snapshot mode execs (an internal role): thaws and
 * releases if snapshot mode dies or overruns (include/fsfreeze.h). */
int snapshot_watchdog_main(const struct config *c);

/* verify: recover a restored snapshot's data directory in a throwaway
 * server over a writable layer and check the recorded coordinates
 * (argv: PATH and its options). MQ_OK, MQ_INCONSISTENT, MQ_UNVERIFIED. */
int verify_main(int argc, char **argv);

#endif
