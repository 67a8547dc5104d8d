/*
 * fuzz.c - a libFuzzer harness for every parser that reads text it does
 * not control: statements from the process list, the state file, the
 * config file, mountinfo escapes, version strings, and replica status
 * rows that end up in the info file's statements.
 *
 * The first byte of an input picks the parser; the rest is its text.
 * Built and run by `make fuzz` (clang, with ASan and UBSan).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coords.h"
#include "info.h"
#include "vrelay.h"
#include "db.h"
#include "discover.h"
#include "state.h"
#include "stmt.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Replica status: up to 8 newline-separated values for the columns the
 * tool reads, then the info file made from them. */
static void
fuzz_channel(char *text)
{
	static const char *const names[] = {
		"Connection_name", "Master_Host", "Master_Port",
		"Relay_Master_Log_File", "Exec_Master_Log_Pos",
		"Read_Master_Log_Pos", "Using_Gtid", "Slave_SQL_Running",
	};
	static struct coords co;
	static char out[1 << 16];
	const char *values[8];
	struct server_id s = { FL_MARIADB, 101119, "10.11.19-MariaDB" };
	unsigned i;
	char *p = text;

	for (i = 0; i < 8; i++) {
		values[i] = p;
		p = strchr(p, '\n');
		if (p == NULL) {
			for (i++; i < 8; i++)
				values[i] = "";
			break;
		}
		*p++ = '\0';
	}
	memset(&co, 0, sizeof(co));
	co.binlog_on = 1;
	strcpy(co.file, "bin.000001");
	if (coords_add_channel(&co, names, values, 8) == 0) {
		(void)info_format(out, sizeof(out), &s, "backup-stage", NULL,
					 &co, 0);
		s.flavor = FL_MYSQL;
		s.version = 80036;
		(void)info_format(out, sizeof(out), &s, "ftwrl", NULL, &co, 0);
	}
}

/* Relay log events back to back (a relay log after its magic): each
 * given to the scan as the file reader would, then the verdict. */
static void
fuzz_relay(const uint8_t *p, size_t n)
{
	static struct relay_scan s;
	char why[600];

	memset(&s, 0, sizeof(s));
	s.mariadb = n > 0 && p[0] & 1;
	s.applied = s.mariadb ? "0-1-5,1-2-9" :
		    "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-162032";
	strcpy(s.relay_base, "relay-bin");
	while (n >= 19) {
		size_t size = (size_t)p[9] | (size_t)p[10] << 8 |
			      (size_t)p[11] << 16 | (size_t)p[12] << 24;
		size_t have = size < n ? size : n;

		if (size < 19 || relay_event(&s, p, have < 19 ? 19 : have,
					     size < 19 ? 19 : size) == -1)
			break;
		p += have;
		n -= have;
	}
	(void)relay_verdict(&s, "binlog.000007", 43748390, why, sizeof(why));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config c;
	struct state st;
	char *text, db[128], table[128], out[512];
	struct failure ef;

	if (size == 0)
		return 0;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	switch (data[0] % 8) {
	case 0:
		(void)stmt_classify(text, db, sizeof(db), table, sizeof(table));
		break;
	case 1:
		(void)state_parse(text, &st, &ef);
		break;
	case 2:
		if (config_parse_string(&c, text, &ef) == 0)
			config_free(&c);
		break;
	case 3:
		discover_unescape(text);
		break;
	case 4:
		(void)db_parse_version(text);
		break;
	case 5:
		sanitize(out, sizeof(out), text);
		break;
	case 6:
		fuzz_channel(text);
		break;
	case 7:
		fuzz_relay(data + 1, size - 1);
		break;
	}
	free(text);
	return 0;
}
