/* committed.h - a MariaDB replica's applied position as its tables
 * hold it, not as its applier last reported it (src/db/committed.c). */
#ifndef MQ_COMMITTED_H
#define MQ_COMMITTED_H

#include "coords.h"
#include "db.h"

/*
 * MUST: on a MariaDB replica the recorded gtid_slave_pos is the one the
 * locked tables hold (mysql.gtid_slave_pos, written inside each applied
 * transaction); the executed source position is recorded as exact only
 * when the applier's report names that same set and applies in one
 * thread.
 *
 * Under BACKUP STAGE BLOCK_COMMIT or FTWRL an applied transaction is in
 * the tables or not, but the applier updates @@gtid_slave_pos and
 * Exec_Master_Log_Pos after its commit has let the lock go: a snapshot
 * of a replica applying in parallel held 0-1-4530 while the report said
 * 0-1-4528 (t0610); waited for, the report's GTID caught up and its
 * position did not. The exact position is then verify's to find, in
 * the snapshot's relay logs.
 */

/* The statement that reads the committed gtid_slave_pos. */
extern const char committed_sql[];

/*
 * coords_read, and on a MariaDB replica the tables' gtid_slave_pos read
 * beside the report (no wait: the lock is held). When they differ, or
 * the table cannot be read, co->unsettled says why, co->gtid_slave is
 * the tables' set where known, and the executed positions are not
 * exact. 0, or -1 with f set.
 */
int coords_read_committed(struct db *d, struct coords *co,
			  struct failure *f);

#endif
