#!/bin/bash
# MySQL, live: a GTID replica applying with four workers under a steady
# load. Each freeze records the gtid_executed its locked tables hold,
# and the executed source position is marked a checkpoint, never given
# as exact. A block snapshot of it verifies with this server's binary;
# restored, the info file's by-GTID CHANGE REPLICATION SOURCE line runs
# as written and the restored server catches up with its source, equal
# by CHECKSUM TABLE; and seed makes a second restore a replica of the
# snapshotted server itself, once its copied auto.cnf is gone.
# timeout: 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mysql.sh"
need cp fsfreeze

GTID="--gtid-mode=ON --enforce-gtid-consistency=ON"
REPL_PW=Repl-pw-81z
# port: a free TCP port of 127.0.0.1
port() {
	local p
	for _ in $(seq 1 50); do
		p=$(( 20000 + RANDOM % 20000 ))
		(echo >"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
}
PORT=$(port)
# shellcheck disable=SC2086
server_start prim $GTID --skip-networking=0 --bind-address=127.0.0.1 --port="$PORT"
PRIM=$SOCK
sql "CREATE USER repl@'127.0.0.1' IDENTIFIED BY '$REPL_PW';
     GRANT REPLICATION SLAVE ON *.* TO repl@'127.0.0.1';
     CREATE DATABASE t;
     CREATE TABLE t.a (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.b (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.c (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.d (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB" ||
	bail "cannot prepare the primary"

loop_mount xfs 600 "$WORK/rep.img" "$WORK/mnt"
RPORT=$(port)
# shellcheck disable=SC2086
DATA_AT=$WORK/mnt server_start rep --server-id=2 $GTID --replica-parallel-workers=4 \
	--skip-networking=0 --bind-address=127.0.0.1 --port="$RPORT"
REP=$SOCK
REP_DATA=$DATADIR
# change_to PORT: the statement that points a replica at 127.0.0.1:PORT
change_to() {
	echo "CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=$1,
	      SOURCE_USER='repl', SOURCE_PASSWORD='$REPL_PW', SOURCE_AUTO_POSITION=1,
	      GET_SOURCE_PUBLIC_KEY=1"
}
sql "$(change_to "$PORT"); START REPLICA" || bail "cannot start replication"
# (its own replication account came from the primary)

writer() {
	local i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		# a steady load, not a flood the replicas need minutes for
		echo "INSERT INTO t.$1 (v) VALUES ($i); DO SLEEP(0.002);"
	done | mariadb --no-defaults -S "$PRIM" -uroot
}
WPS=
for t in a b c d; do writer $t 2>/dev/null & WPS="$WPS $!"; done
rows() { SOCK=$1 sql "SELECT COUNT(*) FROM t.${2:-a}" 2>/dev/null; }
wait_for 30 sh -c "[ \"\$(mariadb --no-defaults -S '$REP' -uroot -N -e 'SELECT COUNT(*) FROM t.a' 2>/dev/null)\" -gt 100 ]"
ok $? "rows flow from the primary to the replica"
[ "$(SOCK=$REP sql "SELECT @@replica_parallel_workers")" = 4 ]; ok $? "the replica applies with 4 workers"

export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
INFO=$REP_DATA/binlog_info.txt
SOCK=$REP DATADIR=$REP_DATA METHOD=ftwrl write_config "$WORK/c.conf"
same=0 marked=0 lag=0
for n in 1 2 3 4 5; do
	"$BIN/pre-freeze-script" freeze || bail "freeze $n failed"
	held=$(SOCK=$REP sql "SELECT @@gtid_executed" | tr -d '\n')
	ep=$(mariadb --no-defaults -S "$REP" -uroot -e 'SHOW REPLICA STATUS\G' | sed -n 's/^ *Exec_Source_Log_Pos: //p')
	g=$(INFO_FILE=$INFO info_field gtid_executed)
	x=$(INFO_FILE=$INFO info_field replica_source_pos_exact)
	p=$(INFO_FILE=$INFO info_field replica_1_source_log_pos)
	"$BIN/post-thaw-script" thaw || bail "thaw $n failed"
	[ -n "$g" ] && [ "$g" = "$held" ] && same=$((same + 1))
	[ "$x" = no ] && grep -q "^# A multi-threaded applier (4 workers): each executed source position" "$INFO" &&
		grep -q "^# not exact (a checkpoint): CHANGE REPLICATION SOURCE TO" "$INFO" && marked=$((marked + 1))
	diag "freeze $n: recorded gtid_executed $g (held: $held); executed source position $p (marked exact: $x; the server's under the lock: $ep)"
	sleep 0.2
done
[ "$same" -eq 5 ]; ok $? "in all five freezes the recorded gtid_executed is the one the locked server holds ($same of 5)"
[ "$marked" -eq 5 ]; ok $? "and the executed source position is marked a checkpoint, saying why ($marked of 5)"
grep -q "^CHANGE REPLICATION SOURCE TO SOURCE_HOST='127.0.0.1', SOURCE_PORT=$PORT, SOURCE_AUTO_POSITION = 1;" "$INFO"
ok $? "the info file gives the by-GTID line for a sibling"

diag "a block snapshot under the load"
"$BIN/pre-freeze-script" freeze || bail "the snapshot's freeze failed"
fsfreeze -f "$WORK/mnt" && cp --sparse=always "$WORK/rep.img" "$WORK/copy.img"; st=$?
fsfreeze -u "$WORK/mnt"
"$BIN/post-thaw-script" thaw || bail "the snapshot's thaw failed"
ok $st "a block snapshot of the replica"
touch "$WORK/stop"
# shellcheck disable=SC2086
wait $WPS
cp --sparse=always "$WORK/copy.img" "$WORK/copy2.img" || bail "cannot copy the image"
mount_copy "$WORK/copy.img" "$WORK/sib" nouuid || bail "cannot mount the copy"
SNAP_INFO=$WORK/sib/data/binlog_info.txt
g=$(INFO_FILE=$SNAP_INFO info_field gtid_executed)
reachable "$WORK"
"$MQ" verify "$WORK/sib/data" --server-binary "$MYSQLD" --timeout 120 >"$WORK/verify.out" 2>&1; st=$?
sed 's/^/# /' "$WORK/verify.out"
[ "$st" -eq 0 ]; ok $? "verify with this server's binary: consistent (exit $st)"
grep -q "^ok .*gtid.*$g" "$WORK/verify.out"; ok $? "verify: the recovered gtid_executed is the recorded one"

diag "restored as a sibling: the info file's line, as written"
rm -f "$WORK/sib/data/auto.cnf"
mkdir -p "$WORK/s3"; echo "$WORK/sib/data" >"$WORK/s3/datadir"
# shellcheck disable=SC2086
server_run "$WORK/s3" --server-id=3 $GTID --skip-replica-start
SIB=$SOCK
[ "$(SOCK=$SIB sql "SELECT @@gtid_executed" | tr -d '\n')" = "$g" ]; ok $? "the restored server holds the recorded gtid_executed"
line=$(grep "^CHANGE REPLICATION SOURCE TO SOURCE_HOST=.*SOURCE_AUTO_POSITION = 1;" "$SNAP_INFO")
SOCK=$SIB sql "STOP REPLICA; $line" ; ok $? "the info file's line runs as written: $line"
SOCK=$SIB sql "CHANGE REPLICATION SOURCE TO SOURCE_USER='repl', SOURCE_PASSWORD='$REPL_PW', GET_SOURCE_PUBLIC_KEY=1; START REPLICA"
ok $? "with the account added, replication starts"

target=$(SOCK=$PRIM sql "SELECT @@gtid_executed" | tr -d '\n')
caught() { [ "$(SOCK=$1 sql "SELECT GTID_SUBSET('$target', @@gtid_executed)")" = 1 ]; }
wait_for 180 caught "$SIB"; ok $? "the sibling caught up with the primary"
sums() { SOCK=$1 sql "CHECKSUM TABLE t.a, t.b, t.c, t.d" | cut -f2 | tr '\n' ' '; }
[ "$(sums "$SIB")" = "$(sums "$PRIM")" ]; ok $? "its tables equal the primary's by CHECKSUM TABLE"
[ "$(mariadb --no-defaults -S "$SIB" -uroot -e 'SHOW REPLICA STATUS\G' | sed -n 's/^ *Last_SQL_Errno: //p')" = 0 ]
ok $? "and it applied without an error"

diag "seed: a second restore made a replica of the snapshotted server itself"
mount_copy "$WORK/copy2.img" "$WORK/kid" nouuid || bail "cannot mount the second copy"
mkdir -p "$WORK/s4"; echo "$WORK/kid/data" >"$WORK/s4/datadir"
# shellcheck disable=SC2086
server_run "$WORK/s4" --server-id=4 $GTID --skip-replica-start
KID=$SOCK
printf '[client]\nuser = repl\npassword = %s\n' "$REPL_PW" >"$WORK/repl.cnf"
chmod 600 "$WORK/repl.cnf"
SOCK=$KID DATADIR=$WORK/kid/data write_config "$WORK/kid.conf"
"$MQ" -c "$WORK/kid.conf" seed --source "127.0.0.1:$RPORT" --source-credentials "$WORK/repl.cnf" \
	--info "$WORK/kid/data/binlog_info.txt" --timeout 60 >"$WORK/seed.out" 2>&1; st=$?
sed 's/^/# /' "$WORK/seed.out" | head -5
[ "$st" -ne 0 ] && grep -q "auto.cnf came with the snapshot" "$WORK/seed.out"
ok $? "seed refuses the copied auto.cnf, saying what to do (exit $st)"
# the copy still names the replica's own source, as the snapshot had it
[ "$(SOCK=$KID sql "SELECT PORT FROM performance_schema.replication_connection_configuration" | tr -d '\n')" = "$PORT" ]
ok $? "and changed nothing: the restored channel still names the snapshot's source"
server_stop "$WORK/s4"
rm -f "$WORK/kid/data/auto.cnf"
# shellcheck disable=SC2086
server_run "$WORK/s4" --server-id=4 $GTID --skip-replica-start
"$MQ" -c "$WORK/kid.conf" seed --source "127.0.0.1:$RPORT" --source-credentials "$WORK/repl.cnf" \
	--info "$WORK/kid/data/binlog_info.txt" --timeout 60 >"$WORK/seed.out" 2>&1; st=$?
sed 's/^/# /' "$WORK/seed.out" | tail -5
[ "$st" -eq 0 ]; ok $? "seed: the restored server replicates from the snapshotted one (exit $st)"
target=$(SOCK=$REP sql "SELECT @@gtid_executed" | tr -d '\n')
wait_for 180 caught "$KID"; ok $? "it caught up"
[ "$(sums "$KID")" = "$(sums "$REP")" ]; ok $? "its tables equal its source's by CHECKSUM TABLE"

done_testing
