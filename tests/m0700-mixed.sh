#!/bin/bash
# MySQL, live: several servers under one freeze, one MariaDB and one
# MySQL ([mysql NAME] sections), a writer on each, both data
# directories on one loop filesystem. Freeze holds both, each with its
# own flavor's method, each info file equal to its server's position
# under the lock; thaw releases both; a block copy taken between them
# verifies for each server with its own binary.
# timeout: 400
. "$(dirname "$0")/lib.sh"
need fsfreeze cp

loop_mount xfs 500 "$WORK/fs.img" "$WORK/m"
DATA_AT=$WORK/m/a server_start maria --binlog-format=ROW
MARIA=$SOCK MARIA_DATA=$DATADIR
make_tables || bail "cannot make MariaDB's tables"
. "$(dirname "$0")/mysql.sh"
DATA_AT=$WORK/m/b server_start my --gtid-mode=ON --enforce-gtid-consistency=ON
MY=$SOCK MY_DATA=$DATADIR
make_tables || bail "cannot make MySQL's tables"

{
	printf '[mysql]\nuser = root\n'
	printf '[mysql maria]\nsocket = %s\n' "$MARIA"
	printf '[mysql my]\nsocket = %s\n' "$MY"
	printf '[lock]\nwait_timeout = 3\nmax_lock_time = 30\nsnapshot_timeout = 20\n'
	printf '[files]\nrun_dir = %s\nlog_file = %s\n' "$WORK/run" "$WORK/mq.log"
} >"$WORK/c.conf"
chmod 600 "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

writes() {
	mariadb --no-defaults -S "$1" -uroot -e "SET SESSION lock_wait_timeout = 1,
	  SESSION innodb_lock_wait_timeout = 1; INSERT INTO t.inno (v) VALUES (1)" >/dev/null 2>&1
}
writer() {
	while [ ! -e "$WORK/stop" ]; do echo "INSERT INTO t.inno (v) VALUES (2);"; done |
		mariadb --no-defaults -S "$1" -uroot >/dev/null 2>&1
}
writer "$MARIA" & W1=$!
writer "$MY" & W2=$!
sfield() { sed -n "s/^$2=//p" "$WORK/run/$1/state" 2>/dev/null; }
pos_of() { mariadb --no-defaults -S "$1" -uroot -N -e "SHOW MASTER STATUS" | cut -f1,2 | tr '\t' :; }
info_pos() { printf '%s:%s' "$(INFO_FILE=$1/binlog_info.txt info_field binlog_file)" "$(INFO_FILE=$1/binlog_info.txt info_field binlog_pos)"; }

isolated "$MQ" check >"$WORK/check.out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "^ok    connected as root@localhost to MariaDB" "$WORK/check.out" &&
	grep -q "^ok    connected as root@localhost to MySQL $MYSQL_VERSION" "$WORK/check.out"
ok $? "check checks both servers, each by its flavor (exit $st)"

"$MQ" freeze; ok $? "freeze of both servers"
[ "$(sfield maria phase)" = locked ] && [ "$(sfield my phase)" = locked ]; ok $? "both are locked"
[ "$(sfield maria method)" = backup-stage ] && [ "$(sfield my method)" = ftwrl ]
ok $? "each with its flavor's method (maria: $(sfield maria method), my: $(sfield my method))"
! writes "$MARIA" && ! writes "$MY"; ok $? "neither takes writes"
[ "$(info_pos "$MARIA_DATA")" = "$(pos_of "$MARIA")" ]; ok $? "MariaDB's info file is its position under the lock ($(pos_of "$MARIA"))"
[ "$(info_pos "$MY_DATA")" = "$(pos_of "$MY")" ]; ok $? "MySQL's info file is its position under the lock ($(pos_of "$MY"))"
[ "$(INFO_FILE=$MY_DATA/binlog_info.txt info_field gtid_executed)" = "$(SOCK=$MY sql 'SELECT @@gtid_executed' | tr -d '\n')" ]
ok $? "and MySQL's gtid_executed"
"$MQ" status >"$WORK/status" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "ftwrl on MySQL" "$WORK/status" && grep -q "backup-stage on MariaDB" "$WORK/status"
ok $? "status shows both holds (exit $st)"
fsfreeze -f "$WORK/m" && cp --sparse=always "$WORK/fs.img" "$WORK/copy.img"; st=$?
fsfreeze -u "$WORK/m"
ok $st "a block copy of both data directories"
"$MQ" thaw; ok $? "thaw of both"
wait_for 5 writes "$MARIA" && wait_for 5 writes "$MY"; ok $? "both take writes again"
touch "$WORK/stop"; wait "$W1" "$W2"

mount_copy "$WORK/copy.img" "$WORK/c" nouuid || bail "cannot mount the copy"
reachable "$WORK"
"$MQ" verify "$WORK/c/a/data" >"$WORK/v1" 2>&1; st=$?
[ "$st" -eq 0 ]; ok $? "verify: MariaDB's restored data is consistent at its recorded position (exit $st)"
[ "$st" -eq 0 ] || sed 's/^/# /' "$WORK/v1"
"$MQ" verify "$WORK/c/b/data" --server-binary "$MYSQLD" >"$WORK/v2" 2>&1; st=$?
[ "$st" -eq 0 ]; ok $? "verify: MySQL's restored data is consistent at its recorded position (exit $st)"
[ "$st" -eq 0 ] || sed 's/^/# /' "$WORK/v2"
done_testing
