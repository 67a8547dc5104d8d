/* seed.h - seed's shared state (src/seed/seed.c runs it; its report
 * is sreport.h's): the two servers, the plan, the statements and what
 * came of them. */
#ifndef MQ_SEED_H
#define MQ_SEED_H

#include <stdint.h>

#include "coords.h"
#include "db.h"
#include "seedsql.h"

enum { MAX_STMTS = 2 * COORDS_MAX_CHANNELS + 4, STMT_MAX = 2048 };

struct seed {
	const char *source, *creds, *info;
	int json, dry;
	long long timeout;
	char shost[256];
	unsigned sport;
	char user[256], pass[256];
	struct db src;
	struct seed_side rs, ss;
	struct seed_plan plan;
	char state[4096];        /* the GTID state CHANGE starts from */
	char sql[MAX_STMTS][STMT_MAX], shown[MAX_STMTS][STMT_MAX];
	int nsql;
	char old[COORDS_MAX_CHANNELS][400]; /* each old channel, said */
	int nold;
	struct repl_row row;
	int64_t took_ms;
	char result[32], why[1400];
};

struct verify;

/* s->why and s->result said (the source's password masked wherever it
 * appears), and code returned. */
int seed_refuse(struct seed *s, int code, const char *result,
		const char *f, ...) __attribute__((format(printf, 4, 5)));

/* A statement to run, and how it is shown (NULL: as it is); 0, or -1
 * when there are too many. */
int seed_add_sql(struct seed *s, const char *sql, const char *shown);

/* The channels restored with the snapshot: said, then their stop and
 * reset added. 1 when one of them replicated from the source, 0 when
 * none did, -1 (f set) or -2 (errno). */
int seed_old_channels(struct seed *s, struct verify *v, struct failure *f);

/* The statements, in order; each failure named (its text masked). */
int seed_run_sql(struct seed *s, struct verify *v);

/* After START: until both threads run and a transaction from the
 * source is applied (or all read is executed), --timeout at most; on
 * a thread's error replication is stopped again and the error said. */
int seed_await(struct seed *s, struct verify *v);

#endif
