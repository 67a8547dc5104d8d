/* holder.h - the detached lock holder (src/core/holder.c); who starts
 * and ends it: holderctl.h. */
#ifndef MQ_HOLDER_H
#define MQ_HOLDER_H

#include <sys/types.h>

#include "config.h"
#include "state.h"

/* The holder's end of its socket pair with freeze. */
#define HOLDER_FD 3

/*
 * Seconds past max_lock_time after which the server itself closes the
 * holder's idle connection (SESSION wait_timeout), and the lock with it,
 * should the holder be stopped or hung.
 */
#define HOLDER_MARGIN 5

/*
 * The holder (pre-freeze-mysql-lock) of server sv of c, started by the
 * quiesce core only, at once; info: -i's binlog info file, or NULL
 * (the server's). Once connected, it forgets every
 * password c holds. Reads the config file itself (a password never travels on
 * a command line or a descriptor), connects, reports "conn ID" on
 * HOLDER_FD and waits there for "go METHOD" (the method the core chose
 * for this server; EOF or a stop signal: it exits, having locked
 * nothing). Then takes the lock, records the coordinates, reports
 * "ready" (or "fail CODE RETRY MESSAGE"), and holds until SIGTERM,
 * max_lock_time, or the server closing the connection; it releases
 * before it logs.
 */
int holder_main(struct config *c, const struct server_config *sv,
		const char *info);

#endif
