#!/bin/bash
# A real replication pair: the replica's snapshot records the source
# position it had *executed* and its GTID, and the CHANGE MASTER lines in
# its info file, applied to fresh servers seeded from a copy of it, make
# them replicate on to exactly the primary's data — by position and by
# GTID.
. "$(dirname "$0")/lib.sh"
need cp fsfreeze

REPL_PW=Repl-pw-77q
primary_start "$REPL_PW"
sql "CREATE DATABASE t;
     CREATE TABLE t.inno (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.isam (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=MyISAM" ||
	bail "cannot prepare the primary"

replica_start "$REPL_PW" t.isam --log-slave-updates \
	--binlog-format=ROW --sync-binlog=1 --innodb-flush-log-at-trx-commit=1

# the writer: InnoDB transactions and MyISAM inserts on the primary
writer() {
	local i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		echo "START TRANSACTION; INSERT INTO t.inno (v) VALUES ($i); INSERT INTO t.inno (v) VALUES ($i); COMMIT;
INSERT INTO t.isam (v) VALUES ($i);"
	done | mariadb --no-defaults -S "$PRIM" -uroot
}
writer & WP=$!
wait_for 20 sh -c "[ \$(mariadb --no-defaults -S '$REP' -uroot -N -e 'SELECT COUNT(*) FROM t.inno') -gt 200 ]"
ok $? "rows flow from the primary to the replica"

diag "freeze the replica (kill_long_queries = all: replication threads are never killed)"
SOCK=$REP DATADIR=$REP_DATA LONG_QUERY=1 WAIT_TIMEOUT=3 \
	write_config "$WORK/c.conf" "[lock]" "kill_long_queries = all"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze on the replica"
live_file=$(replica_field Relay_Master_Log_File)
live_pos=$(replica_field Exec_Master_Log_Pos)
read_pos=$(replica_field Read_Master_Log_Pos)
live_gtid=$(SOCK=$REP sql "SELECT @@gtid_slave_pos")
sql_running=$(replica_field Slave_SQL_Running)
io_running=$(replica_field Slave_IO_Running)
fsfreeze -f "$WORK/mnt" && cp --sparse=always "$WORK/rep.img" "$WORK/copy.img"; st=$?
fsfreeze -u "$WORK/mnt"
ok $st "FIFREEZE, copy the replica's image, FITHAW"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
[ "$sql_running" = Yes ] && [ "$io_running" = Yes ]
ok $? "both replication threads kept running through the freeze"
! log_has "killed the statement"; ok $? "nothing was killed"

INFO=$REP_DATA/binlog_info.txt
[ "$(info_field replica_channels)" = 1 ]; ok $? "the info file lists one replica channel"
[ "$(info_field replica_1_source_host)" = 127.0.0.1 ] &&
	[ "$(info_field replica_1_source_port)" = "$PORT" ]
ok $? "with the source's host and port"
[ "$(info_field replica_1_source_log_file)" = "$live_file" ] &&
	[ "$(info_field replica_1_source_log_pos)" = "$live_pos" ]
ok $? "and the executed source position seen while locked ($live_file:$live_pos; read position $read_pos)"
[ "$(info_field replica_gtid_slave_pos)" = "$live_gtid" ]
ok $? "and gtid_slave_pos ($live_gtid)"
log_has "replica of 127.0.0.1:$PORT executed $live_file:$live_pos"
ok $? "the log has the same facts"
[ "$(info_field replica_logs_applied)" = yes ] && ! grep -q "NOT USABLE" "$INFO" &&
	grep -q "^SET GLOBAL gtid_slave_pos = '$(info_field gtid_binlog_pos)';" "$INFO"
ok $? "with log_slave_updates on, the new-replica-of-THIS-server lines stand as statements"

diag "the SQL thread stopped, the I/O thread reading on: the executed position is recorded, not the read one"
SOCK=$REP sql "STOP SLAVE SQL_THREAD" || bail "cannot stop the SQL thread"
stopped_at=$(replica_field Exec_Master_Log_Pos)
wait_for 20 sh -c "[ \$(mariadb --no-defaults -S '$REP' -uroot -e 'SHOW SLAVE STATUS\G' | sed -n 's/^ *Read_Master_Log_Pos: //p') -gt $stopped_at ]"
"$BIN/pre-freeze-script" freeze; fst=$?
exec_pos=$(replica_field Exec_Master_Log_Pos)
read_pos=$(replica_field Read_Master_Log_Pos)
"$BIN/post-thaw-script" thaw
SOCK=$REP sql "START SLAVE SQL_THREAD" || bail "cannot start the SQL thread"
[ "$fst" -eq 0 ] && [ "$read_pos" -gt "$exec_pos" ] &&
	[ "$(info_field replica_1_source_log_pos)" = "$exec_pos" ]
ok $? "recorded $(info_field replica_1_source_log_pos): the executed position $exec_pos, not the read $read_pos"

touch "$WORK/stop"; wait $WP
read -r pfile ppos _ < <(SOCK=$PRIM sql "SHOW MASTER STATUS")
pgtid=$(SOCK=$PRIM sql "SELECT @@gtid_binlog_pos")
psum=$(SOCK=$PRIM sql "CHECKSUM TABLE t.inno, t.isam" | awk '{ print $2 }' | tr '\n' ' ')
prows=$(SOCK=$PRIM sql "SELECT COUNT(*) FROM t.inno")
diag "primary at $pfile:$ppos gtid $pgtid, $prows InnoDB rows"

# sibling_lines MODE: the statements of the info file's SIBLING section,
# P for by position, G for by GTID.
sibling_lines() {
	awk -v want="$1" '/SIBLING/ { s = 1; next }
		s && /^# or, by GTID/ { g = 1; next }
		s && /^$/ { exit }
		s && !/^#/ { if ((g ? "G" : "P") == want) print }' "$2"
}

cp --sparse=always "$WORK/copy.img" "$WORK/copy2.img" || bail "cannot copy the image"
cp --sparse=always "$WORK/copy.img" "$WORK/copy3.img" || bail "cannot copy the image"

# mysql-quiesce verify on the replica's snapshot: its replica check
mount_copy "$WORK/copy3.img" "$WORK/m-verify" nouuid || bail "cannot mount copy3"
"$MQ" verify "$WORK/m-verify/data" >"$WORK/verify.out" 2>&1; st=$?
ok $st "verify on the replica's snapshot: consistent"
grep -q "^ok    replica   recovered @@gtid_slave_pos \"$live_gtid\", recorded \"$live_gtid\"" "$WORK/verify.out"
ok $? "its replica check compares the recovered gtid_slave_pos with the record ($live_gtid)"
relay=$(info_field replica_1_relay_log_file)
[ -n "$relay" ] && [ -f "$WORK/m-verify/data/$relay" ]
ok $? "the info file names the relay log the replica executed from ($relay), and the snapshot carries it"
grep -q "^ok    source    $live_file:$live_pos ends the GTID set: after 0-1-[0-9]* (at $live_file:[0-9]*)" "$WORK/verify.out"
ok $? "verify finds in the relay logs that the recorded source position ends the recorded GTID set"
# the issue's stale checkpoint: a position before the start of the
# last transaction the set holds
sed "s/^replica_1_source_log_pos = .*/replica_1_source_log_pos = 4/" "$WORK/m-verify/data/binlog_info.txt" >"$WORK/stale.info"
"$MQ" verify "$WORK/m-verify/data" --info "$WORK/stale.info" >"$WORK/verify.out" 2>&1; st=$?
[ "$st" -eq 12 ] && grep -q "^FAIL  source    $live_file:4 is not after 0-1-[0-9]* (at $live_file:[0-9]*), which the GTID set holds" "$WORK/verify.out"
ok $? "a source position behind the GTID set (a stale checkpoint): exit 12, the source line fails (got $st)"
printf 'replica_source_pos_exact = no\n' >>"$WORK/stale.info"
"$MQ" verify "$WORK/m-verify/data" --info "$WORK/stale.info" >"$WORK/verify.out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "^ok    source    recorded as not exact (a checkpoint), and it is not" "$WORK/verify.out"
ok $? "the same position recorded as not exact: said, not failed (got $st)"
sed "s/^replica_gtid_slave_pos = .*/replica_gtid_slave_pos = 0-1-1/" "$WORK/m-verify/data/binlog_info.txt" >"$WORK/spoiled.info"
"$MQ" verify "$WORK/m-verify/data" --info "$WORK/spoiled.info" >"$WORK/verify.out" 2>&1; st=$?
[ "$st" -eq 12 ] && grep -q '^FAIL  replica   recovered @@gtid_slave_pos ".*", recorded "0-1-1"' "$WORK/verify.out"
ok $? "a record that does not match: exit 12, the replica line fails (got $st)"
umount "$WORK/m-verify"

# seed NAME IMAGE MODE: a server on the snapshot, made a sibling replica
# with the info file's MODE lines; checks it replicates to the primary.
seed() {
	local name=$1 img=$2 mode=$3 dir=$WORK/$1 lines
	mount_copy "$img" "$WORK/m-$name" nouuid || bail "cannot mount $img"
	mkdir -p "$dir"; echo "$WORK/m-$name/data" >"$dir/datadir"
	server_run "$dir" --server-id=3 --skip-slave-start --binlog-format=ROW
	lines=$(sibling_lines "$mode" "$WORK/m-$name/data/binlog_info.txt")
	[ -n "$lines" ]; ok $? "$name: the snapshot's info file has the $mode lines"
	diag "$name: $lines"
	sql "$lines
	     CHANGE MASTER TO MASTER_USER='repl', MASTER_PASSWORD='$REPL_PW';
	     START SLAVE"; ok $? "$name: the lines apply"
	if [ "$mode" = P ]; then
		r=$(sql "SELECT MASTER_POS_WAIT('$pfile', $ppos, 60)")
	else
		r=$(sql "SELECT MASTER_GTID_WAIT('$pgtid', 60)")
	fi
	[ "$r" = 0 ] || [ "$mode" = P ] && [ "$r" != -1 ] && [ "$r" != NULL ]
	ok $? "$name: it caught up with the primary (wait returned $r)"
	[ "$(mariadb --no-defaults -S "$SOCK" -uroot -e 'SHOW SLAVE STATUS\G' | sed -n 's/^ *Last_SQL_Errno: //p')" = 0 ]
	ok $? "$name: no replication error"
	sum=$(sql "CHECKSUM TABLE t.inno, t.isam" | awk '{ print $2 }' | tr '\n' ' ')
	rows=$(sql "SELECT COUNT(*) FROM t.inno")
	[ "$sum" = "$psum" ] && [ "$rows" = "$prows" ]
	ok $? "$name: its tables equal the primary's ($rows rows, checksums $sum)"
	server_stop "$dir"
}
seed bypos "$WORK/copy.img" P
seed bygtid "$WORK/copy2.img" G

diag "a long replicated statement is no blocker: replication threads are never counted"
# logged as a statement, so the replica's SQL thread runs the SLEEP too
SOCK=$PRIM sql "SET SESSION binlog_format = STATEMENT; UPDATE t.isam SET v = v + SLEEP(4) WHERE id = 1" >/dev/null 2>&1 &
PU=$!
applying() {
	[ "$(SOCK=$REP sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'system user' AND INFO LIKE 'UPDATE t.isam%' AND TIME >= 1")" -gt 0 ]
}
wait_for 15 applying; ok $? "the replica's SQL thread (system user) runs the UPDATE, for a second or more"
rm -f "$WORK/mq.log"
SOCK=$REP DATADIR=$REP_DATA LONG_QUERY=1 WAIT_TIMEOUT=8 write_config "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze; ok $? "freeze on the replica"
! log_has "waiting for a safe moment"; ok $? "freeze did not wait for the replication thread"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
wait $PU
[ "$(replica_field Slave_SQL_Running)" = Yes ] && [ "$(replica_field Last_SQL_Errno)" = 0 ]
ok $? "replication runs on, with no error"

diag "the README's least-privilege account on the replica: its committed gtid_slave_pos needs SELECT"
LP_PW=Lp-pw-5t
SOCK=$REP sql "SET sql_log_bin = 0; CREATE USER lp@localhost IDENTIFIED BY '$LP_PW';
	GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN ON *.* TO lp@localhost" ||
	bail "cannot make the account"
sed "s/^user = root\$/user = lp\npassword = $LP_PW/" "$WORK/c.conf" >"$WORK/lp.conf" && chmod 600 "$WORK/lp.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/lp.conf
# lp_cycle: check (its output in check.out, its status in cst), then a
# freeze (fst) and thaw; x is the info file's replica_source_pos_exact
lp_cycle() {
	isolated "$MQ" check >"$WORK/check.out" 2>&1; cst=$?
	"$BIN/pre-freeze-script" freeze; fst=$?
	x=$(INFO_FILE=$REP_DATA/binlog_info.txt info_field replica_source_pos_exact)
	"$BIN/post-thaw-script" thaw
}
lp_cycle
[ "$cst" -eq 0 ] && grep -q "^warn  replica: mysql.gtid_slave_pos cannot be read (.*denied.*): GRANT SELECT ON mysql.gtid_slave_pos" "$WORK/check.out"
ok $? "check: ready, with a warning naming the missing SELECT (got $cst)"
[ "$fst" -eq 0 ] && [ "$x" = no ] && grep -q "^# mysql.gtid_slave_pos could not be read (.*denied.*): the applier's own report is recorded:" "$REP_DATA/binlog_info.txt" &&
	grep -q "^# not exact: CHANGE MASTER TO" "$REP_DATA/binlog_info.txt"
ok $? "freeze without it: the position is the applier's report, marked not exact, saying why"
SOCK=$REP sql "SET sql_log_bin = 0; GRANT SELECT ON mysql.gtid_slave_pos TO lp@localhost" || bail "cannot grant"
lp_cycle
[ "$cst" -eq 0 ] && grep -q "^ok    replica: its committed gtid_slave_pos is readable" "$WORK/check.out"
ok $? "check with the grant: the replica line is ok (got $cst)"
[ "$fst" -eq 0 ] && [ -z "$x" ] && [ "$(INFO_FILE=$REP_DATA/binlog_info.txt info_field replica_gtid_slave_pos)" = "$(SOCK=$REP sql 'SELECT @@gtid_slave_pos')" ]
ok $? "freeze with it, replication idle: the tables' gtid_slave_pos, the position exact"

done_testing
