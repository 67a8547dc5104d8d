/* tests/units/verify.c - unit tests: verify's derivation of exact
 * coordinates and the relay-log reader. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binlog.h"
#include "relaylog.h"
#include "vrelay.h"
#include "vderive.h"
#include "util.h"
#include "unit.h"

/* Rows of SHOW BINLOG EVENTS as MariaDB 10.11 printed them here. */
static const char *const mariadb_events[][4] = {
	{ "mysql-bin.000001", "Gtid", "1030", "BEGIN GTID 0-1-5" },
	{ "mysql-bin.000001", "Intvar", "1062", "INSERT_ID=2" },
	{ "mysql-bin.000001", "Query", "1155", "INSERT INTO t.a (v) VALUES (2)" },
	{ "mysql-bin.000001", "Xid", "1311", "COMMIT /* xid=6 */" },
	{ "mysql-bin.000001", "Gtid", "1353", "BEGIN GTID 0-1-6" },
	{ "mysql-bin.000001", "Query", "1442", "INSERT INTO t.m VALUES (1)" },
	{ "mysql-bin.000001", "Query", "1511", "COMMIT" },
	{ "mysql-bin.000001", "Gtid", "1553", "GTID 0-1-7" },
	{ "mysql-bin.000001", "Query", "1657", "ALTER TABLE t.a ADD COLUMN w INT" },
	{ "mysql-bin.000001", "Gtid", "1702", "XA START X'78',X'',1 GTID 0-1-8" },
	{ "mysql-bin.000001", "Query", "1827", "INSERT INTO t.a (v) VALUES (4)" },
	{ "mysql-bin.000001", "Query", "1908", "XA END X'78',X'',1" },
	{ "mysql-bin.000001", "XA_prepare", "1945", "XA PREPARE X'78',X'',1" },
	{ "mysql-bin.000001", "Gtid", "1988", "GTID 0-1-9" },
	{ "mysql-bin.000001", "Query", "2072", "XA COMMIT X'78',X'',1" },
	{ "mysql-bin.000001", "Rotate", "2119", "mysql-bin.000002;pos=4" },
	{ "mysql-bin.000002", "Format_desc", "256", "Server ver: 10.11.19" },
	{ "mysql-bin.000002", "Gtid_list", "299", "[0-1-9]" },
	{ "mysql-bin.000002", "Binlog_checkpoint", "342", "mysql-bin.000001" },
	{ "mysql-bin.000002", "Gtid", "427", "BEGIN GTID 0-1-10" },
	{ "mysql-bin.000002", "Intvar", "459", "INSERT_ID=5" },
	{ "mysql-bin.000002", "Query", "552", "INSERT INTO t.a (v) VALUES (9)" },
	{ "mysql-bin.000002", "Xid", "583", "COMMIT /* xid=20 */" },
	/* cut by the crash image: no Xid */
	{ "mysql-bin.000002", "Gtid", "625", "BEGIN GTID 0-1-11" },
	{ "mysql-bin.000002", "Query", "718", "INSERT INTO t.a (v) VALUES (10)" },
};

/* The forms MySQL 8.0's manual shows for SHOW BINLOG EVENTS. */
static const char *const mysql_events[][4] = {
	{ "binlog.000001", "Gtid", "234", "SET @@SESSION.GTID_NEXT= "
	  "'3e11fa47-71ca-11e1-9e33-c80aa9429562:1'" },
	{ "binlog.000001", "Query", "341", "create database t /* xid=5 */" },
	{ "binlog.000001", "Gtid", "420", "SET @@SESSION.GTID_NEXT= "
	  "'3e11fa47-71ca-11e1-9e33-c80aa9429562:2'" },
	{ "binlog.000001", "Query", "495", "BEGIN" },
	{ "binlog.000001", "Table_map", "545", "table_id: 89 (t.a)" },
	{ "binlog.000001", "Write_rows", "589", "table_id: 89 flags: STMT_END_F" },
	{ "binlog.000001", "Xid", "620", "COMMIT /* xid=12 */" },
	{ "binlog.000001", "Anonymous_Gtid", "699", "SET @@SESSION.GTID_NEXT= "
	  "'ANONYMOUS'" },
	{ "binlog.000001", "Query", "774", "BEGIN" },
	{ "binlog.000001", "Write_rows", "818", "table_id: 89 flags: STMT_END_F" },
};

static void
derive_rows(struct derive *d, const char *const (*rows)[4], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		derive_event(d, rows[i][0], rows[i][1],
			     strtoull(rows[i][2], NULL, 10), rows[i][3]);
}

void
test_derive(void)
{
	struct derive d;

	derive_start(&d, "mysql-bin.000001", 988);
	derive_rows(&d, mariadb_events, ARRAY_LEN(mariadb_events));
	ok(strcmp(d.file, "mysql-bin.000002") == 0 && d.pos == 583 &&
	   d.groups == 6, "derive: MariaDB: past transactions, a DDL, an XA "
	   "PREPARE and COMMIT and a rotation, the last whole transaction "
	   "ends at mysql-bin.000002:583, not inside the one the image cut");
	derive_start(&d, "mysql-bin.000002", 583);
	derive_rows(&d, mariadb_events + 23, 2);
	ok(strcmp(d.file, "mysql-bin.000002") == 0 && d.pos == 583 &&
	   d.groups == 0, "derive: nothing whole after the recorded position: "
	   "the recorded position");
	derive_start(&d, "binlog.000001", 157);
	derive_rows(&d, mysql_events, ARRAY_LEN(mysql_events));
	ok(strcmp(d.file, "binlog.000001") == 0 && d.pos == 620 &&
	   d.groups == 2, "derive: MySQL: an atomic DDL and a row transaction; "
	   "an anonymous one cut short does not count");
}

/* Relay log events, built as servers write them: a v4 header (time,
 * type, server id, size, end position in the source's log, flags) and
 * the body, and a CRC32 when crc (binlog_checksum = CRC32). */
static unsigned char rl[4096];
static size_t rl_len;

static unsigned long
crc32_of(const unsigned char *p, size_t n)
{
	unsigned long c = 0xffffffffUL;
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		for (c ^= p[i], k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320UL : c >> 1;
	return c ^ 0xffffffffUL;
}

static void
put_le(unsigned char *p, unsigned long long v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Append one event; returns its offset in rl. */
static size_t
rl_event(int type, unsigned server, unsigned long long end,
	 const void *body, size_t blen, int crc)
{
	unsigned char *e = rl + rl_len;
	size_t size = 19 + blen + (crc ? 4 : 0), at = rl_len;

	memset(e, 0, 19);
	e[4] = (unsigned char)type;
	put_le(e + 5, server, 4);
	put_le(e + 9, size, 4);
	put_le(e + 13, end, 4);
	memcpy(e + 19, body, blen);
	if (crc)
		put_le(e + 19 + blen, crc32_of(e, 19 + blen), 4);
	rl_len += size;
	return at;
}

static size_t
rl_rotate(const char *name, int crc)
{
	unsigned char b[300] = { 4 };

	memcpy(b + 8, name, strlen(name));
	return rl_event(4, 1, 0, b, 8 + strlen(name), crc);
}

/* A MySQL GTID event of source uuid 3E11FA47-71CA-11E1-9E33-C80AA9429562
 * for transaction gno, starting at start in the source's log. */
static size_t
rl_mysql_gtid(unsigned long long gno, unsigned long long start)
{
	static const unsigned char sid[16] = { 0x3e, 0x11, 0xfa, 0x47, 0x71,
		0xca, 0x11, 0xe1, 0x9e, 0x33, 0xc8, 0x0a, 0xa9, 0x42, 0x95,
		0x62 };
	unsigned char b[42] = { 1 };

	memcpy(b + 1, sid, 16);
	put_le(b + 17, gno, 8);
	return rl_event(33, 1, start + 19 + 42 + 4, b, 42, 1);
}

static size_t
rl_mariadb_gtid(unsigned domain, unsigned server, unsigned long long seq,
		unsigned long long start)
{
	unsigned char b[13] = { 0 };

	put_le(b, seq, 8);
	put_le(b + 8, domain, 4);
	return rl_event(162, server, start + 19 + 13 + 4, b, 13, 1);
}

/* Feed rl event by event to a fresh scan; the verdict on file:pos. */
static int
rl_verdict(int mariadb, const char *set, const char *file,
	   unsigned long long pos, char *why, size_t n)
{
	static struct relay_scan s;
	size_t off = 0;

	memset(&s, 0, sizeof(s));
	s.mariadb = mariadb;
	s.applied = set;
	fmt(s.relay_base, sizeof(s.relay_base), "replica-relay-bin");
	while (off < rl_len) {
		size_t size = (size_t)rl[off + 9] | (size_t)rl[off + 10] << 8;

		if (relay_event(&s, rl + off, size, size) == -1)
			break;
		off += size;
	}
	return relay_verdict(&s, file, pos, why, n);
}

/* The relay logs' cross-check, from the MySQL 8.0.39 replica
 * with four workers: the recorded Exec_Source_Log_Pos 43718420 was the
 * start of transaction 161922 while gtid_executed held up to 162032,
 * which starts at 43748320; 162033 starts at 43748390. */
void
test_relay(void)
{
	const char *set = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-162032";
	char why[600];
	unsigned char junk[19] = { 0 };

	rl_len = 0;
	rl_rotate("replica-relay-bin.000003", 1); /* the relay's own */
	rl_rotate("binlog.000007", 1);            /* the source's */
	rl_mysql_gtid(161921, 43718000);
	rl_mysql_gtid(161922, 43718420);
	rl_rotate("replica-relay-bin.000004", 0); /* the relay's own, again */
	rl_mysql_gtid(162032, 43748320);
	rl_mysql_gtid(162033, 43748390);
	ok(rl_verdict(0, set, "binlog.000007", 43718420, why, sizeof(why)) == 0 &&
	   strstr(why, "not after 3e11fa47-71ca-11e1-9e33-c80aa9429562:162032 "
		  "(at binlog.000007:43748320)") != NULL,
	   "relay: the issue's stale checkpoint (start of :161922, set up to "
	   ":162032) is not where the set ends");
	printf("# %s\n", why);
	ok(rl_verdict(0, set, "binlog.000007", 43748390, why, sizeof(why)) == 1,
	   "relay: the start of the first transaction not in the set is");
	ok(rl_verdict(0, set, "binlog.000007", 43748321, why, sizeof(why)) == 1,
	   "relay: just after the start of the set's last one is");
	ok(rl_verdict(0, set, "binlog.000007", 43748320, why, sizeof(why)) == 0,
	   "relay: the start of the set's last one is not");
	ok(rl_verdict(0, set, "binlog.000007", 43748391, why, sizeof(why)) == 0 &&
	   strstr(why, "past the start of 3e11fa47-71ca-11e1-9e33-c80aa9429562:"
		  "162033") != NULL, "relay: past the first one not in the set "
	   "is not");
	ok(rl_verdict(0, set, "binlog.000006", 99999999, why, sizeof(why)) == 0,
	   "relay: an earlier log of the source is before, whatever its "
	   "position");

	/* a Rotate without a checksum, and the source's next log */
	rl_len = 0;
	rl_rotate("binlog.000007", 0);
	rl_mysql_gtid(162032, 43748320);
	rl_rotate("binlog.000008", 1);
	rl_mysql_gtid(162033, 4 + 126);
	ok(rl_verdict(0, set, "binlog.000007", 43748400, why, sizeof(why)) == 1 &&
	   rl_verdict(0, set, "binlog.000008", 4, why, sizeof(why)) == 1 &&
	   rl_verdict(0, set, "binlog.000008", 131, why, sizeof(why)) == 0,
	   "relay: across the source's rotation, by log number then position");

	/* MariaDB: a domain's sequence numbers; out of order across two */
	rl_len = 0;
	rl_rotate("mysql-bin.000001", 1);
	rl_mariadb_gtid(0, 1, 5, 1000);
	rl_mariadb_gtid(0, 1, 6, 2000);
	ok(rl_verdict(1, "0-1-5", "mysql-bin.000001", 2000, why, sizeof(why)) == 1
	   && rl_verdict(1, "0-1-5", "mysql-bin.000001", 1000, why,
			 sizeof(why)) == 0 &&
	   rl_verdict(1, "0-1-6", "mysql-bin.000001", 2500, why, sizeof(why)) == 1,
	   "relay: MariaDB's gtid_slave_pos holds a domain up to its number");
	rl_mariadb_gtid(1, 1, 9, 3000);
	ok(rl_verdict(1, "0-1-5,1-1-9", "mysql-bin.000001", 2000, why,
		      sizeof(why)) == 0 && strstr(why, "no position ends") != NULL,
	   "relay: applied out of order, no position is exact");

	/* what the relay logs cannot tell */
	ok(rl_verdict(1, "0-1-5", "mysql-bin.000001", 2000, why, sizeof(why)) == 1
	   && rl_verdict(1, "0-1-5", "mysql-bin.000001", 2001, why,
			 sizeof(why)) == 0, "relay: (control) in order, a domain "
	   "not in the set is no disorder, and past 0-1-6's start fails");
	rl_len = 0;
	rl_rotate("mysql-bin.000001", 1);
	ok(rl_verdict(1, "0-1-5", "mysql-bin.000001", 2000, why, sizeof(why)) == -1
	   && strstr(why, "no transaction") != NULL,
	   "relay: no transaction in the relay logs: cannot tell");
	rl_event(34, 1, 500, junk, sizeof(junk), 1);
	ok(rl_verdict(0, set, "binlog.000007", 500, why, sizeof(why)) == -1 &&
	   strstr(why, "anonymous") != NULL, "relay: anonymous transactions: "
	   "cannot tell");
	rl_len = 0;
	rl_mysql_gtid(161921, 43718000);
	ok(rl_verdict(0, set, "binlog.000007", 500, why, sizeof(why)) == -1 &&
	   strstr(why, "no source position") != NULL, "relay: a transaction "
	   "before any Rotate: cannot tell");
	rl_len = 0;
	rl_rotate("../../etc/passwd", 1);
	ok(rl_verdict(0, set, "binlog.000007", 500, why, sizeof(why)) == -1 &&
	   strstr(why, "names no binary log") != NULL, "relay: a Rotate naming "
	   "a path is refused");
	ok(relay_event(&(struct relay_scan){ .applied = set }, junk, 19, 12) == -1,
	   "relay: an event shorter than its header is refused");
}
