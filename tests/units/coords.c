/* tests/units/coords.c - unit tests: coordinates as each flavor reports
 * them, and the info file written from them. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "info.h"
#include "util.h"
#include "unit.h"

static char info[65536];

/* The info file for a server of flavor f, version v, as a replica of
 * 10.0.0.1 with one channel named ch, or not a replica. */
/* the source host and file name info_for gives its channel */
static const char *info_host = "10.0.0.1", *info_file = "src-bin.000042";
static long info_workers; /* its applier's parallel workers */
static const char *info_unsettled = ""; /* its report against its tables */
static int info_nogtid;   /* a server with GTIDs off */

static const char *
info_for(enum flavor f, unsigned long v, const char *vs, int replica,
	 const char *ch)
{
	static struct coords co;
	const char *mysql_names[] = { "Channel_Name", "Source_Host",
				      "Source_Port", "Relay_Source_Log_File",
				      "Exec_Source_Log_Pos", "Read_Source_Log_Pos",
				      "Auto_Position", "Replica_SQL_Running" };
	const char *old_names[] = { "Connection_name", "Master_Host",
				    "Master_Port", "Relay_Master_Log_File",
				    "Exec_Master_Log_Pos", "Read_Master_Log_Pos",
				    "Using_Gtid", "Slave_SQL_Running" };
	const char *values[] = { ch, info_host, "3306", info_file,
				 "4711", "9999", f == FL_MARIADB ? "Slave_Pos"
				 : "1", "Yes" };
	struct server_id s = { f, v, vs };
	int src = f != FL_MARIADB && v >= 80022;

	memset(&co, 0, sizeof(co));
	co.binlog_on = 1;
	strcpy(co.file, "bin.000007");
	co.pos = 1234;
	strcpy(co.gtid, f == FL_MARIADB ? "0-1-100" :
	       "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77");
	if (f == FL_MARIADB && replica)
		strcpy(co.gtid_slave, "0-9-500");
	if (replica)
		coords_add_channel(&co, src ? mysql_names : old_names, values,
				   8);
	co.mt_workers = info_workers;
	fmt(co.unsettled, sizeof(co.unsettled), "%s", info_unsettled);
	if (info_nogtid)
		co.gtid[0] = '\0';
	if (info_format(info, sizeof(info), &s, "ftwrl", NULL, &co, 0))
		return "(did not fit)";
	return info;
}

static int
has(const char *text, const char *what)
{
	if (strstr(text, what) != NULL)
		return 1;
	printf("# missing: %s\n", what);
	return 0;
}

void
test_coords(void)
{
	const char *t;

	ok(strcmp(coords_replica_sql(FL_MYSQL, 50744), "SHOW SLAVE STATUS") == 0
	   && strcmp(coords_replica_sql(FL_MYSQL, 80022), "SHOW REPLICA STATUS")
	   == 0 && strcmp(coords_replica_sql(FL_PERCONA, 80036),
			  "SHOW REPLICA STATUS") == 0 &&
	   strcmp(coords_replica_sql(FL_MARIADB, 101119),
		  "SHOW ALL REPLICAS STATUS") == 0 &&
	   strcmp(coords_replica_sql(FL_MARIADB, 100406),
		  "SHOW ALL SLAVES STATUS") == 0,
	   "replica status statement per flavor and version");
	t = info_for(FL_MYSQL, 50744, "5.7.44-log", 1, "");
	ok(has(t, "server = MySQL 5.7.44-log\n") &&
	   has(t, "replica_1_source_log_file = src-bin.000042\n") &&
	   has(t, "replica_1_source_log_pos = 4711\n") &&
	   !strstr(t, "9999") &&
	   has(t, "CHANGE MASTER TO MASTER_HOST='10.0.0.1', MASTER_PORT=3306, "
		  "MASTER_LOG_FILE='src-bin.000042', MASTER_LOG_POS=4711, "
		  "MASTER_AUTO_POSITION = 0;") &&
	   has(t, "CHANGE MASTER TO MASTER_LOG_FILE='bin.000007', "
		  "MASTER_LOG_POS=1234, MASTER_AUTO_POSITION = 0;") &&
	   has(t, "(start it with --skip-slave-start;") &&
	   has(t, "RESET MASTER; SET GLOBAL gtid_purged = "
		  "'3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77';") &&
	   has(t, "MASTER_AUTO_POSITION = 1"),
	   "MySQL 5.7 replica: executed (not read) position, CHANGE MASTER");
	t = info_for(FL_MYSQL, 80036, "8.0.36", 1, "east");
	ok(has(t, "replica_1_channel = east\n") &&
	   has(t, "CHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', "
		  "SOURCE_PORT=3306, SOURCE_LOG_FILE='src-bin.000042', "
		  "SOURCE_LOG_POS=4711, SOURCE_AUTO_POSITION = 0 FOR CHANNEL "
		  "'east';") &&
	   has(t, "(start it with --skip-replica-start;") &&
	   has(t, "SOURCE_AUTO_POSITION = 1 FOR CHANNEL 'east';") &&
	   has(t, "RESET MASTER;") && !strstr(t, "9999"),
	   "MySQL 8.0: Source names, CHANGE REPLICATION SOURCE, channels, "
	   "file/position lines with auto-position off (else ERROR 1776 on "
	   "an auto-position channel), --skip-replica-start");
	t = info_for(FL_MYSQL, 80022, "8.0.22", 1, "");
	ok(has(t, "replica_1_source_log_pos = 4711") &&
	   has(t, "CHANGE MASTER TO MASTER_HOST='10.0.0.1'"),
	   "MySQL 8.0.22: SHOW REPLICA STATUS columns, CHANGE MASTER still");
	t = info_for(FL_MYSQL, 80400, "8.4.3", 0, "");
	ok(has(t, "RESET BINARY LOGS AND GTIDS;") &&
	   has(t, "CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='bin.000007', "
		  "SOURCE_LOG_POS=1234, SOURCE_AUTO_POSITION = 0;") &&
	   has(t, "replica_channels = 0\n") && !strstr(t, "SIBLING"),
	   "MySQL 8.4 primary: no RESET MASTER, no sibling lines");
	t = info_for(FL_PERCONA, 50744, "5.7.44-48-log", 1, "");
	ok(has(t, "server = Percona Server 5.7.44-48-log") &&
	   has(t, "MASTER_LOG_FILE='src-bin.000042', MASTER_LOG_POS=4711, "
		  "MASTER_AUTO_POSITION = 0;"),
	   "Percona 5.7 replica");
	t = info_for(FL_PERCONA, 80036, "8.0.36-28", 1, "");
	ok(has(t, "SOURCE_LOG_FILE='src-bin.000042', SOURCE_LOG_POS=4711, "
		  "SOURCE_AUTO_POSITION = 0;"),
	   "Percona 8.0 replica");
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "east");
	ok(has(t, "gtid_binlog_pos = 0-1-100\n") &&
	   has(t, "replica_gtid_slave_pos = 0-9-500\n") &&
	   has(t, "replica_1_using_gtid = Slave_Pos\n") &&
	   has(t, "CHANGE MASTER 'east' TO MASTER_HOST='10.0.0.1', "
		  "MASTER_PORT=3306, MASTER_LOG_FILE='src-bin.000042', "
		  "MASTER_LOG_POS=4711, MASTER_USE_GTID = no;") &&
	   has(t, "SET GLOBAL gtid_slave_pos = '0-9-500';\nCHANGE MASTER "
		  "'east' TO MASTER_HOST='10.0.0.1', MASTER_PORT=3306, "
		  "MASTER_USE_GTID = slave_pos;") &&
	   has(t, "SET GLOBAL gtid_slave_pos = '0-1-100';"),
	   "MariaDB replica: named connection, position and gtid_slave_pos");
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "o'b\\x");
	ok(has(t, "replica_1_channel = o'b\\x\n") &&
	   has(t, "CHANGE MASTER 'o''b\\\\x' TO MASTER_HOST='10.0.0.1'") &&
	   !strstr(t, "'o'b"),
	   "MariaDB: a quote or backslash in a connection name is escaped");
	t = info_for(FL_MYSQL, 80036, "8.0.36", 1, "it's");
	ok(has(t, "FOR CHANNEL 'it''s';") && !strstr(t, "'it's'"),
	   "MySQL: a quote in a channel name is escaped");
	info_host = "h'; DROP DATABASE x; --";
	info_file = "src'bin\\.000042";
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	ok(has(t, "MASTER_HOST='h''; DROP DATABASE x; --'") &&
	   has(t, "MASTER_LOG_FILE='src''bin\\\\.000042'") &&
	   !strstr(t, "'h';") && !strstr(t, "'src'bin"),
	   "a quote or backslash in a source host or file name is escaped");
	info_host = "10.0.0.1";
	info_file = "src-bin.000042";

	/* MySQL 8.0.39, replica_parallel_workers = 4 (the 8.0 default):
	 * Exec_Source_Log_Pos 43718420 was the start of GTID ...:161922
	 * beside gtid_executed ...:1-162032 (the replica) */
	ok(strcmp(coords_workers_sql(FL_MYSQL, 80039), "SELECT @@GLOBAL."
		  "replica_parallel_workers, @@GLOBAL.log_replica_updates, "
		  "@@GLOBAL.relay_log_basename") == 0
	   && strcmp(coords_workers_sql(FL_MYSQL, 80025), "SELECT @@GLOBAL."
		  "slave_parallel_workers, @@GLOBAL.log_slave_updates, "
		  "@@GLOBAL.relay_log_basename") == 0,
	   "MySQL: the workers variable by version (8.0.26 renamed it)");
	info_workers = 4;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(has(t, "replica_source_pos_exact = no\n") &&
	   has(t, "# A multi-threaded applier (4 workers)") &&
	   has(t, "the by-GTID lines are exact.") &&
	   has(t, "# not exact (a checkpoint): CHANGE REPLICATION SOURCE TO "
		  "SOURCE_HOST='10.0.0.1'") &&
	   has(t, "SOURCE_AUTO_POSITION = 1;") &&
	   !has(t, "\nCHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1', "
		   "SOURCE_PORT=3306, SOURCE_LOG_FILE"),
	   "MySQL multi-threaded replica: the executed position marked a "
	   "checkpoint, its line commented out, the GTID line kept");
	info_nogtid = 1;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(has(t, "with no GTIDs, nothing here\n# is exact: set "
		  "replica_parallel_workers = 0"),
	   "MySQL multi-threaded replica without GTIDs: says nothing is exact");
	info_nogtid = 0;
	info_workers = -1;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(has(t, "replica_source_pos_exact = no\n") &&
	   has(t, "(0 workers known: the count was not readable)"),
	   "MySQL replica whose workers cannot be read: not exact either");
	info_workers = 0;
	t = info_for(FL_MYSQL, 80039, "8.0.39", 1, "");
	ok(!has(t, "replica_source_pos_exact") && !has(t, "# not exact") &&
	   has(t, "\nCHANGE REPLICATION SOURCE TO SOURCE_HOST='10.0.0.1'"),
	   "MySQL single-threaded replica: the executed position is exact");
	info_workers = 4;
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	info_workers = 0;
	ok(has(t, "replica_source_pos_exact = no\n# a parallel applier (4 "
		  "threads):\n") && has(t, "# not exact: CHANGE MASTER TO") &&
	   has(t, "MASTER_USE_GTID = slave_pos;"),
	   "MariaDB parallel replica: the reported position marked not exact "
	   "(t0610: it lagged the tables), its line commented out, the GTID "
	   "line kept");
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	ok(!has(t, "replica_source_pos_exact") && !has(t, "# not exact"),
	   "MariaDB single-threaded replica whose report is its tables': "
	   "exact");
	info_unsettled = "the applier reported gtid_slave_pos 0-1-4528 while "
			 "its tables held 0-1-4530";
	t = info_for(FL_MARIADB, 101119, "10.11.19-MariaDB", 1, "");
	info_unsettled = "";
	ok(has(t, "replica_source_pos_exact = no\n# the applier reported "
		  "gtid_slave_pos 0-1-4528 while its tables held 0-1-4530:\n")
	   && has(t, "# not exact: CHANGE MASTER TO"),
	   "MariaDB replica whose report lagged its tables (t0610's "
	   "snapshot): not exact, saying why");
	ok(strcmp(coords_workers_sql(FL_MARIADB, 101119), "SELECT @@GLOBAL."
		  "slave_parallel_threads, @@GLOBAL.log_slave_updates, "
		  "@@GLOBAL.relay_log_basename") == 0,
	   "MariaDB: its threads variable, and log_slave_updates");
}
