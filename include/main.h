/* main.h - what main (src/main.c) hands each verb, and the verbs it
 * dispatches to; a verb never calls another. */
#ifndef MQ_MAIN_H
#define MQ_MAIN_H

#include "config.h"

/* What main read from the command line, for the verb it calls. */
struct call {
	const char *config;   /* -c FILE */
	const char *info;     /* -i FILE (internal roles) */
	const char *server;   /* -s NAME: one [mysql NAME] server */
	const struct server_config *sv; /* the one server the verb acts
					 * on (-s NAME's, or a fleet of
					 * one's), or NULL: several */
	const struct server_config *each; /* the servers it acts on: sv
					   * alone, or every one */
	int n;                /* how many: 1, or the config's n */
	const char *hook_arg; /* the caller's argument after a hook verb */
	const char *config_warning; /* what a release forgave of the
				     * config (a readable password), or
				     * NULL: logged by the verb */
	int json, verbose;
	int argc;             /* positional arguments, the verb first */
	char **argv;
};

/* Every verb is called so: c the config main loaded (NULL for a verb
 * that needs none: verify), o the command line. */
typedef int verb_fn(const struct config *c, const struct call *o);

/* freeze: returns MQ_OK once the lock is held (or on_failure = proceed),
 * another exit code with the reason logged otherwise. arg: the
 * caller's argument after the verb (VMware's scriptArg), or NULL; it is
 * logged and otherwise ignored (o->hook_arg). */
verb_fn freeze_main;

/* thaw / freezeFail: release; MQ_OK, or MQ_LOST when the lock had been
 * lost before (the snapshot may not match the coordinates). */
verb_fn thaw_main;
verb_fn freeze_fail_main;

/* wire: write (--remove: take back) a caller's wiring; MQ_REFUSED when
 * a file wire did not write is in the way. */
verb_fn wire_main;

/* status: print the holder's state, as text or one JSON object. */
verb_fn status_main;

/* check: config, connection, privileges, lock method; MQ_OK if ready. */
verb_fn check_main;

/* snapshot: the whole job alone (argv: its options, "--", COMMAND...). */
verb_fn snapshot_main;

/* The watchdog snapshot mode execs (an internal role): thaws and
 * releases if snapshot mode dies or overruns (include/fsfreeze.h). */
verb_fn snapshot_watchdog_main;

/* verify: recover a restored snapshot's data directory in a throwaway
 * server over a writable layer and check the recorded coordinates
 * (argv: PATH and its options). MQ_OK, MQ_INCONSISTENT, MQ_UNVERIFIED. */
verb_fn verify_main;

/* seed: make the config's server, started on a restored snapshot, a
 * replica of --source at the snapshot's exact position (argv: its
 * options). MQ_OK once it replicates; MQ_REFUSED, MQ_INCONSISTENT,
 * MQ_REPLICATION, MQ_TIMEOUT and the connection codes otherwise. */
verb_fn seed_main;

#endif
