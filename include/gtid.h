/* gtid.h - GTID sets compared as sets, not as text. */
#ifndef MQ_GTID_H
#define MQ_GTID_H

#include <stddef.h>

/*
 * Compare two GTID sets exactly. MariaDB's (flavor_mariadb != 0) is a
 * list of DOMAIN-SERVER-SEQ, one per domain and server: equal when the
 * same triples stand in both, in any order. MySQL's is a list of
 * UUID:INTERVALS: equal when every UUID covers the same transactions
 * (intervals merged, UUIDs in any case and order). Returns 1 equal, 0
 * not (why, one line, in why), -1 when either does not parse (why too).
 */
int gtid_equal(int flavor_mariadb, const char *a, const char *b, char *why,
	       size_t n);

#endif
