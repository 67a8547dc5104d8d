/* vderive.h - where a restored snapshot's binary log really ends: the
 * end of its last whole transaction, read event by event from the
 * recovered server's SHOW BINLOG EVENTS (src/verify/vderive.c). */
#ifndef MQ_VDERIVE_H
#define MQ_VDERIVE_H

#include "verify.h"

/*
 * An event group is a transaction as the binary log holds it. It opens
 * at a GTID event (MariaDB's Gtid, MySQL's Gtid or Anonymous_Gtid).
 * A transactional one (MariaDB: "BEGIN GTID ...", "XA START ...";
 * MySQL: its next Query is BEGIN or XA START) ends at its Xid, its
 * XA_prepare, or a Query COMMIT or ROLLBACK; any other (DDL, and
 * XA COMMIT) ends at its first Query. A group cut short by the crash
 * image never ends: the server's recovery rolled it back.
 */
struct derive {
	char file[256];          /* where the last whole group ends */
	unsigned long long pos;
	long groups;             /* whole groups seen */
	int state;               /* DV_* */
};

enum { DV_OUT, DV_TX, DV_ONE, DV_NEXT };

/* Start at file:pos, the recorded position (nothing after it yet). */
void derive_start(struct derive *d, const char *file, unsigned long long pos);

/* One row of SHOW BINLOG EVENTS: its Log_name, Event_type, End_log_pos
 * and Info. */
void derive_event(struct derive *d, const char *file, const char *type,
		  unsigned long long end, const char *info);

/*
 * On the recovered server: the end of its last whole transaction at or
 * after the recorded position, through the snapshot's later binary
 * logs, and its GTID set; kept in v->ex_* and said as the check
 * "exact". Nothing when binary logging was off or the recorded file
 * is not in the snapshot (the binlog check says so).
 */
void verify_derive(struct verify *v);

/*
 * --write-info FILE: the exact coordinates as a binlog info file a
 * replica can be seeded from (its ready statements included), written
 * atomically; only for a snapshot every check found consistent. Said
 * as the check "write-info"; a file that cannot be written is "could
 * not verify".
 */
void verify_write_exact(struct verify *v);

#endif
