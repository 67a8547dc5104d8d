/* seed.h - seed's shared state (src/verb/seed.c runs it; its report
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

#endif
