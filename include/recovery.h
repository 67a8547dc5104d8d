/* recovery.h - method recovery's preconditions (src/db/recovery.c). */
#ifndef MQ_RECOVERY_H
#define MQ_RECOVERY_H

#include "db.h"
#include "failure.h"

/*
 * Method recovery's preconditions, read before anything is locked:
 * binary logging on, innodb_flush_log_at_trx_commit and sync_binlog 1
 * (the image's tables and binary log agree; with fs_frozen, the
 * filesystems frozen around the snapshot, a flush of 1 or 2 and any
 * sync), every table outside the system schemas transactional (the
 * first few that are not named). MQ_OK, or MQ_CONFIG (or the
 * connection's code) with f saying which.
 */
int recovery_ready(struct db *d, int fs_frozen, struct failure *f);

/*
 * Of those, the one DDL can change: every table outside the system
 * schemas transactional. Read again under the lock, where DDL waits,
 * so that a table altered while freeze waited for its safe moment is
 * seen. MQ_OK, or as recovery_ready.
 */
int recovery_tables(struct db *d, struct failure *f);

#endif
