/* coords.h - the replication coordinates of the locked state. */
#ifndef MQ_COORDS_H
#define MQ_COORDS_H

#include <stdint.h>

#include "db.h"

/* MariaDB's limit on named connections (max 64); MySQL's channels
 * past it are refused where they must all be handled (seed). */
enum { COORDS_MAX_CHANNELS = 64 };

/* One replication channel (MySQL) or named connection (MariaDB) of a
 * replica: the source position it has executed, never the one read. */
struct channel {
	char name[72];               /* "" for the default one */
	char host[256];
	unsigned port;
	char file[256];              /* Relay_{Source,Master}_Log_File */
	unsigned long long pos;      /* Exec_{Source,Master}_Log_Pos */
	char relay[256];             /* Relay_Log_File, its name alone:
				      * verify reads the position's
				      * transactions there */
	char using_gtid[32];         /* MariaDB Using_Gtid, MySQL Auto_Position */
	int running;                 /* SQL thread running */
};

struct coords {
	int binlog_on;           /* 0: binary logging is off */
	int lower_bound;         /* read under a lock that blocks no commit
				  * (method recovery): the snapshot holds
				  * these and maybe more; the exact ones are
				  * the restored server's own */
	char file[256];          /* binary log file */
	unsigned long long pos;  /* position in it */
	char gtid[4096];         /* MariaDB gtid_binlog_pos, MySQL gtid_executed */
	char gtid_current[4096]; /* MariaDB gtid_current_pos */
	char gtid_slave[4096];   /* MariaDB gtid_slave_pos */
	int replica_err;         /* replica status could not be read */
	char replica_why[256];
	int nchan;
	struct channel chan[COORDS_MAX_CHANNELS];
	long mt_workers;         /* the applier's parallel workers or
				  * threads (-1 unknown): then each
				  * executed position is a checkpoint that
				  * can lag the GTID set (MySQL's issue's
				  * 8.0.39 replica; MariaDB's t0610) */
	int logs_applied;        /* a replica's log_slave_updates
				  * (log_replica_updates): 1 it writes what it
				  * applies to its own binary log, 0 not (its
				  * binary log then holds its own writes
				  * only), -1 unknown */
	char binlog_base[4096];  /* the server's log_bin_basename and */
	char datadir[4096];      /* datadir, for verify ("" unknown) */
	char relay_base[256];    /* a replica's relay_log_basename, its
				  * last name ("" unknown) */
	char unsettled[400];     /* MariaDB: the applier's report did not
				  * match its committed tables (why); then
				  * its executed positions are not exact */
};

/* The statement that reads a replica's parallel workers. */
const char *coords_workers_sql(enum flavor f, unsigned long version);

/* Is co's executed source position a multi-threaded checkpoint, not
 * exact? */
int coords_pos_checkpoint(enum flavor f, const struct coords *co);

/* The statement that reports the binary log position on this server. */
const char *coords_binlog_sql(enum flavor f, unsigned long version);

/* The statement that lists every replication channel on this server. */
const char *coords_replica_sql(enum flavor f, unsigned long version);

/*
 * Read the coordinates (call with the lock held); 0, or -1 with f set.
 * Replica status that cannot be read (no privilege) is not an error:
 * co->replica_err and co->replica_why say so.
 */
int coords_read(struct db *d, struct coords *co, struct failure *f);

/*
 * Add a channel from one row of replica status, given as n column
 * names and values: columns are found by name, old (Master) and new
 * (Source) spellings alike. 0, or -1 when co is full.
 */
int coords_add_channel(struct coords *co, const char *const *names,
		       const char *const *values, unsigned n);

/*
 * Under method recovery: the coordinates as a lower bound. MySQL: the
 * binary log file, position and gtid_executed in one read of
 * performance_schema.log_status (coords_log_status_sql), consistent
 * with one another; MariaDB: as coords_read. 0, or -1 with f set.
 */
int coords_read_lower(struct db *d, struct coords *co, struct failure *f);
extern const char coords_log_status_sql[];

/* One row of coords_log_status_sql into co; 0, or -1 when the
 * position is not a number or the set too long. */
int coords_from_log_status(struct coords *co, const char *file,
			   const char *pos, const char *gtid);

/* One line for the log and for people. */
void coords_summary(const struct coords *co, char *buf, size_t n);

#endif
