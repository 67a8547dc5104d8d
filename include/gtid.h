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

/*
 * Does the set hold the one GTID one ("D-S-N", "UUID:N")? MariaDB's
 * position holds every sequence number of a domain up to its own;
 * MySQL's set the numbers in its intervals. 1 yes, 0 no, -1 when
 * either does not parse. The set's parse is kept for the next call
 * with the same text.
 */
int gtid_contains(int flavor_mariadb, const char *set, const char *one);

/*
 * Does outer hold every transaction of inner (a lower bound reached)?
 * MariaDB: each domain of inner at a position outer's same domain has
 * reached; MySQL: each interval of inner inside one of outer's for the
 * same UUID. 1 yes, 0 no (why names what is missing), -1 when either
 * does not parse.
 */
int gtid_within(int flavor_mariadb, const char *inner, const char *outer,
		char *why, size_t n);

/*
 * MariaDB: the last GTID of each domain across the sets a and b (say
 * gtid_binlog_pos and gtid_slave_pos), one per domain, as
 * gtid_slave_pos takes it: the highest sequence number, whichever
 * server wrote it. 0, or -1 when either does not parse or out is too
 * small.
 */
int gtid_mariadb_last(const char *a, const char *b, char *out, size_t n);

#endif
