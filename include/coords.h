/* coords.h - the replication coordinates of the locked state. */
#ifndef MQ_COORDS_H
#define MQ_COORDS_H

#include <stdint.h>

#include "db.h"

struct coords {
	int binlog_on;           /* 0: binary logging is off */
	char file[256];          /* binary log file */
	unsigned long long pos;  /* position in it */
	char gtid[4096];         /* MariaDB gtid_binlog_pos, MySQL gtid_executed */
	char gtid_current[4096]; /* MariaDB gtid_current_pos */
};

/* The statement that reports the binary log position on this server. */
const char *coords_binlog_sql(enum flavor f, unsigned long version);

/* Read the coordinates (call with the lock held); 0, or -1 (d->err). */
int coords_read(struct db *d, struct coords *co);

/* One line for the log and for people. */
void coords_summary(const struct coords *co, char *buf, size_t n);

/*
 * Write the binlog info file at path atomically and fsync it: the
 * coordinates, the server, the lock method, and ready statements to seed
 * a replica. 0, or -1 with a reason in err.
 */
int coords_write_info(const char *path, const struct db *d,
		      const char *method, const struct coords *co,
		      int64_t when_ms, char *err, size_t n);

#endif
