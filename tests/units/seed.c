/* tests/units/seed.c - unit tests: seed's statements, checks and
 * masking. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gtid.h"
#include "optfile.h"
#include "seed.h"
#include "util.h"
#include "unit.h"

/* seed's decisions without a server: identity (MySQL's auto.cnf),
 * each flavor's and version's statements, and SHOW REPLICA STATUS as
 * MySQL 8's manual prints it (its example's columns and values). */
void
test_seed(void)
{
	static const char *names[] = { "Replica_IO_State", "Source_Host",
		"Source_User", "Source_Port", "Source_Log_File",
		"Read_Source_Log_Pos", "Relay_Log_File", "Relay_Source_Log_File",
		"Replica_IO_Running", "Replica_SQL_Running", "Last_Errno",
		"Exec_Source_Log_Pos", "Seconds_Behind_Source", "Last_IO_Errno",
		"Last_IO_Error", "Last_SQL_Errno", "Last_SQL_Error",
		"Channel_Name" };
	const char *vals[] = { "Waiting for source to send event",
		"127.0.0.1", "root", "13000", "master-bin.000001", "927",
		"slave-relay-bin.000002", "master-bin.000001", "Yes", "Yes", "0",
		"927", "0", "0", "", "0", "", "" };
	static const char *mdb[] = { "Connection_name", "Master_Host",
		"Master_Port", "Master_Log_File", "Read_Master_Log_Pos",
		"Relay_Master_Log_File", "Slave_IO_Running", "Slave_SQL_Running",
		"Exec_Master_Log_Pos", "Seconds_Behind_Master", "Last_IO_Errno",
		"Last_IO_Error" };
	const char *mval[] = { "up", "10.0.0.5", "3306", "mysql-bin.000007",
		"4711", "mysql-bin.000007", "No", "Yes", "4000", NULL, "1045",
		"error connecting to master 'repl@10.0.0.5:3306' - retry-time: "
		"60  maximum-retries: 86400  message: Access denied for user "
		"'repl'@'10.0.0.9' (using password: YES)" };
	struct seed_side a, b;
	struct seed_plan p;
	struct repl_row r;
	struct failure f;
	char why[600], buf[1024], stop[200], reset[200], host[64];
	char user[64], pass[64], path[] = "/tmp/mq-unit-seed.XXXXXX";
	unsigned port;
	int fd;

	memset(&a, 0, sizeof(a));
	a.flavor = FL_MYSQL;
	a.version = 80036;
	a.server_id = 2;
	a.port = 3306;
	snprintf(a.uuid, sizeof(a.uuid), "3E11FA47-71CA-11E1-9E33-C80AA9429562");
	snprintf(a.hostname, sizeof(a.hostname), "db2");
	snprintf(a.datadir, sizeof(a.datadir), "/var/lib/mysql/");
	b = a;
	b.server_id = 1;
	snprintf(b.uuid, sizeof(b.uuid), "3e11fa47-71ca-11e1-9e33-c80aa9429562");
	snprintf(b.hostname, sizeof(b.hostname), "db1");
	ok(seed_identity(&a, &b, why, sizeof(why)) == -1 &&
	   strstr(why, "server_uuid 3E11FA47") != NULL &&
	   strstr(why, "remove /var/lib/mysql/auto.cnf") != NULL,
	   "seed: MySQL, a restored auto.cnf (the source's server_uuid, any "
	   "case) is refused, saying how to fix it");
	snprintf(a.uuid, sizeof(a.uuid), "5a1b2c3d-0000-11ef-8000-0242ac110003");
	ok(seed_identity(&a, &b, why, sizeof(why)) == 0, "seed: MySQL, its own "
	   "server_uuid and server_id: may replicate");
	a.server_id = 1;
	ok(seed_identity(&a, &b, why, sizeof(why)) == -1 &&
	   strstr(why, "server_id 1 is the source's") != NULL,
	   "seed: the source's server_id is refused");
	b = a;
	ok(seed_identity(&a, &b, why, sizeof(why)) == -1 &&
	   strstr(why, "the source itself") != NULL,
	   "seed: the source itself is refused");

	memset(&p, 0, sizeof(p));
	p.flavor = FL_MYSQL;
	p.version = 80036;
	p.host = "10.0.0.5";
	p.port = 3306;
	p.user = "repl";
	p.password = "s3'cret";
	p.by_gtid = 1;
	p.gtid = "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77";
	p.file = "";
	ok(seed_change_sql(buf, sizeof(buf), &p, 0) == 0 && strcmp(buf,
	   "CHANGE REPLICATION SOURCE TO SOURCE_HOST = '10.0.0.5', SOURCE_PORT "
	   "= 3306, SOURCE_USER = 'repl', SOURCE_PASSWORD = 's3''cret', "
	   "SOURCE_SSL = 1, SOURCE_AUTO_POSITION = 1") == 0,
	   "seed: MySQL 8.0.23+ by GTID: CHANGE REPLICATION SOURCE TO, TLS, "
	   "auto-position, the password quoted");
	ok(seed_gtid_sql(buf, sizeof(buf), &p) == 0 && buf[0] == '\0',
	   "seed: MySQL sets no GTID state (gtid_executed is the restored "
	   "server's own)");
	ok(seed_change_sql(buf, sizeof(buf), &p, 1) == 0 &&
	   strstr(buf, "SOURCE_PASSWORD = '********'") != NULL &&
	   strstr(buf, "s3") == NULL, "seed: the shown statement masks the "
	   "password");
	p.version = 80022;
	p.by_gtid = 0;
	p.file = "binlog.000012";
	p.pos = 157;
	ok(seed_change_sql(buf, sizeof(buf), &p, 0) == 0 && strcmp(buf,
	   "CHANGE MASTER TO MASTER_HOST = '10.0.0.5', MASTER_PORT = 3306, "
	   "MASTER_USER = 'repl', MASTER_PASSWORD = 's3''cret', MASTER_SSL = 1, "
	   "MASTER_LOG_FILE = 'binlog.000012', MASTER_LOG_POS = 157, "
	   "MASTER_AUTO_POSITION = 0") == 0,
	   "seed: MySQL 8.0.22 by position: CHANGE MASTER TO (SOURCE came in "
	   "8.0.23), auto-position off");
	p.version = 50744;
	ok(seed_change_sql(buf, sizeof(buf), &p, 0) == 0 &&
	   strstr(buf, "SSL") == NULL && strstr(buf, "MASTER_AUTO_POSITION = 0")
	   != NULL, "seed: MySQL 5.7: no TLS forced (native passwords)");
	ok(strcmp(seed_start_sql(FL_MYSQL, 80022), "START REPLICA") == 0 &&
	   strcmp(seed_start_sql(FL_MYSQL, 80021), "START SLAVE") == 0 &&
	   strcmp(seed_stop_sql(FL_MYSQL, 80400), "STOP REPLICA") == 0 &&
	   strcmp(seed_stop_sql(FL_MARIADB, 101106), "STOP SLAVE") == 0,
	   "seed: START/STOP REPLICA from MySQL 8.0.22, SLAVE before and on "
	   "MariaDB");
	ok(seed_reset_sql(stop, reset, sizeof(stop), FL_MYSQL, 80036, "up") ==
	   0 && strcmp(stop, "STOP REPLICA FOR CHANNEL 'up'") == 0 &&
	   strcmp(reset, "RESET REPLICA ALL FOR CHANNEL 'up'") == 0 &&
	   seed_reset_sql(stop, reset, sizeof(stop), FL_MYSQL, 80021, "") ==
	   0 && strcmp(reset, "RESET SLAVE ALL FOR CHANNEL ''") == 0,
	   "seed: MySQL's old channels reset one by one, FOR CHANNEL");
	ok(seed_reset_sql(stop, reset, sizeof(stop), FL_MARIADB, 101106,
			  "o'k") == 0 && strcmp(stop, "STOP SLAVE 'o''k'") == 0 &&
	   strcmp(reset, "RESET SLAVE 'o''k' ALL") == 0 &&
	   seed_reset_sql(stop, reset, sizeof(stop), FL_MARIADB, 101106, "")
	   == 0 && strcmp(reset, "RESET SLAVE ALL") == 0,
	   "seed: MariaDB's named connections reset by name, quoted");
	p.flavor = FL_MARIADB;
	p.version = 101106;
	p.by_gtid = 1;
	p.gtid = "0-1-42,1-3-7";
	ok(seed_gtid_sql(buf, sizeof(buf), &p) == 0 && strcmp(buf,
	   "SET GLOBAL gtid_slave_pos = '0-1-42,1-3-7'") == 0 &&
	   seed_change_sql(buf, sizeof(buf), &p, 0) == 0 &&
	   strstr(buf, "CHANGE MASTER TO MASTER_HOST") == buf &&
	   strstr(buf, "SSL") == NULL &&
	   strstr(buf, ", MASTER_USE_GTID = slave_pos") != NULL,
	   "seed: MariaDB by GTID: gtid_slave_pos set, MASTER_USE_GTID = "
	   "slave_pos");
	{
		static struct seed sd;
		static const char pw[] = "Vx9-Qzkw8-Bjfp7-Trmq3-Hlnd";

		fmt(sd.pass, sizeof(sd.pass), "%s", pw);
		seed_refuse(&sd, MQ_SERVER, "failed", "String '%.14s...' is "
			    "too long; near '%s' at '%.5s'", pw, pw + 20, pw);
		ok(strstr(sd.why, "Vx9-") == NULL && strstr(sd.why, "Trmq")
		   == NULL && strstr(sd.why, "Hlnd") == NULL &&
		   strstr(sd.why, "String '") != NULL &&
		   strstr(sd.why, "is too long") != NULL,
		   "seed: every piece of the password a server error quotes "
		   "(its start cut short, its end, a few characters) is "
		   "masked, the rest of the message kept");
		printf("# %s\n", sd.why);
		explicit_bzero(&sd, sizeof(sd));
	}
	p.password = "0123456789012345678901234567890123456789012345678901"
		     "234567890123456789012345678901234567890123456"; /* 97 */
	ok(seed_lengths(&p, why, sizeof(why)) == -1 &&
	   strstr(why, "97 characters; MariaDB takes at most 96") != NULL &&
	   strstr(why, "0123") == NULL,
	   "seed: a password MariaDB's CHANGE MASTER cannot take is refused "
	   "before any statement, without quoting it");
	printf("# %s\n", why);
	p.password = "01234567890123456789012345678901234567890123456789012345"
		     "6789012345678901234567890123456789012345"; /* 96 */
	ok(seed_lengths(&p, why, sizeof(why)) == 0,
	   "seed: 96 characters are taken (MariaDB)");
	p.flavor = FL_MYSQL;
	p.version = 80039;
	ok(seed_lengths(&p, why, sizeof(why)) == -1 &&
	   strstr(why, "at most 32") != NULL,
	   "seed: MySQL's CHANGE REPLICATION SOURCE takes 32");
	p.flavor = FL_MARIADB;
	p.version = 101106;
	p.password = "s3'cret";
	ok(gtid_mariadb_last("0-1-42,1-3-7", "0-2-40,2-9-5", buf, sizeof(buf))
	   == 0 && gtid_equal(1, buf, "0-1-42,1-3-7,2-9-5", why, sizeof(why))
	   == 1 && gtid_mariadb_last("0-1-42", "0-2-50", buf, sizeof(buf)) == 0
	   && strcmp(buf, "0-2-50") == 0 &&
	   gtid_mariadb_last("", "", buf, sizeof(buf)) == 0 && buf[0] == '\0',
	   "seed: MariaDB's state is each domain's last transaction, written "
	   "or applied");

	seed_row(&r, 18, names, vals);
	ok(strcmp(r.io, "Yes") == 0 && strcmp(r.sql, "Yes") == 0 &&
	   strcmp(r.host, "127.0.0.1") == 0 && r.port == 13000 &&
	   r.read_pos == 927 && r.exec_pos == 927 &&
	   strcmp(r.exec_file, "master-bin.000001") == 0 &&
	   strcmp(r.lag, "0") == 0 && r.channel[0] == '\0' &&
	   seed_progress(&r, 0) == SEED_WAIT && seed_progress(&r, 1) ==
	   SEED_DONE,
	   "seed: MySQL 8's SHOW REPLICA STATUS read by name; all read is "
	   "executed but nothing of the source's applied: wait (the IO "
	   "thread may not have read yet); applied: done");
	vals[11] = "500";
	seed_row(&r, 18, names, vals);
	ok(seed_progress(&r, 0) == SEED_WAIT && seed_progress(&r, 1) ==
	   SEED_DONE, "seed: behind and nothing applied yet: wait");
	vals[8] = "Connecting";
	seed_row(&r, 18, names, vals);
	ok(seed_progress(&r, 1) == SEED_WAIT, "seed: the IO thread connecting: "
	   "wait");
	seed_row(&r, 12, mdb, mval);
	ok(strcmp(r.channel, "up") == 0 && strcmp(r.host, "10.0.0.5") == 0 &&
	   r.lag[0] == '\0' && r.io_errno == 1045 &&
	   strstr(r.io_error, "Access denied") != NULL &&
	   seed_progress(&r, 1) == SEED_ERROR,
	   "seed: MariaDB's SHOW ALL SLAVES STATUS row; an IO error: stop");
	ok(seed_parse_source("db1.example:3306", host, sizeof(host), &port) ==
	   0 && port == 3306 && strcmp(host, "db1.example") == 0 &&
	   seed_parse_source("db1", host, sizeof(host), &port) == -1 &&
	   seed_parse_source(":3306", host, sizeof(host), &port) == -1 &&
	   seed_parse_source("db1:0", host, sizeof(host), &port) == -1 &&
	   seed_parse_source("a'b:3306", host, sizeof(host), &port) == -1,
	   "seed: --source is HOST:PORT, nothing else");

	if ((fd = mkstemp(path)) == -1 || dprintf(fd, "[mysqld]\nuser = x\n"
	    "[client]\n# the replication account\nuser = repl\npassword = "
	    "\"p#ss word\"\n[mysql]\npassword = other\n") < 0) {
		ok(0, "seed: a temporary option file");
		return;
	}
	close(fd);
	ok(optfile_client(path, user, sizeof(user), pass, sizeof(pass), &f) ==
	   0 && strcmp(user, "repl") == 0 && strcmp(pass, "p#ss word") == 0,
	   "seed: the credentials file's [client] user and password, quoted, "
	   "other groups left out");
	chmod(path, 0644);
	ok(optfile_client(path, user, sizeof(user), pass, sizeof(pass), &f) ==
	   -1 && pass[0] == '\0' && strstr(f.why, "password") != NULL,
	   "seed: a credentials file others can read is refused");
	unlink(path);
}
