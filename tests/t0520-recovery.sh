#!/bin/bash
# method = recovery on MariaDB: its preconditions refused before anything
# is locked; under its hold InnoDB commits run on while DDL and
# non-transactional writes wait; the info file says its coordinates are
# a lower bound; a snapshot taken with it (snapshot mode: the filesystem
# frozen, commits going on until then) restores to the exact state
# verify reads back, which the restored data agrees with.
. "$(dirname "$0")/lib.sh"
need python3 qemu-ga unshare
# another agent of this machine's runs beside this test: its verdicts
# must not change (check reads the host through isolated)
bystander_agent

loop_mount xfs 320 "$WORK/main.img" "$WORK/mnt"
DATA_AT=$WORK/mnt server_start src --sync-binlog=1 --innodb-flush-log-at-trx-commit=1
sql "CREATE DATABASE t; CREATE TABLE t.inno (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.m (v INT) ENGINE=MyISAM" || bail "cannot make the tables"
METHOD=recovery write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

diag "preconditions, before anything is locked"
isolated "$MQ" check >"$WORK/check.out" 2>&1; st=$?
[ "$st" -eq 3 ] && grep -q "^FAIL  method recovery: tables that are not transactional: t.m (MyISAM)" "$WORK/check.out"
ok $? "check: the MyISAM table named, not ready, exit 3 (got $st)"
METHOD=auto write_config "$WORK/auto.conf"
isolated "$MQ" -c "$WORK/auto.conf" check >"$WORK/check.out" 2>&1; st=$?
[ "$st" -eq 0 ] && ! grep -q "^hint" "$WORK/check.out"
ok $? "check with auto and a MyISAM table: ready, and no recovery hint (got $st)"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "method recovery: tables that are not transactional: t.m (MyISAM)" "$WORK/err" && no_holder
ok $? "a MyISAM table: exit 3, named, nothing locked (got $st: $(head -c 200 "$WORK/err"))"
sql "DROP TABLE t.m; SET GLOBAL sync_binlog = 0" || bail "cannot drop t.m"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "innodb_flush_log_at_trx_commit and sync_binlog are 1 0, not 1 1" "$WORK/err" && no_holder
ok $? "sync_binlog = 0: exit 3, named, nothing locked (got $st)"
sql "SET GLOBAL sync_binlog = 1" || bail "cannot set sync_binlog"
diag "a table made non-transactional while freeze waits for its safe moment: seen under the lock"
# an ALTER to MyISAM waits for a metadata lock an open transaction
# holds: freeze's first look finds t.late InnoDB and waits for the
# long DDL; the transaction ends, the ALTER finishes, then the lock
sql "CREATE TABLE t.late (v INT) ENGINE=InnoDB; INSERT INTO t.late VALUES (1)" || bail "cannot make t.late"
mariadb --no-defaults -S "$SOCK" -uroot -e "BEGIN; SELECT * FROM t.late; SELECT SLEEP(3); COMMIT" >/dev/null 2>&1 & TX=$!
wait_for 5 running "SELECT SLEEP(3)" || bail "the transaction did not start"
mariadb --no-defaults -S "$SOCK" -uroot -e "ALTER TABLE t.late ENGINE=MyISAM" >/dev/null 2>&1 & AL=$!
wait_for 5 running "ALTER TABLE t.late" || bail "the ALTER did not start"
sleep 1.2
LONG_QUERY=1 METHOD=recovery write_config "$WORK/late.conf"
"$BIN/pre-freeze-script" -c "$WORK/late.conf" freeze 2>"$WORK/err"; st=$?
wait "$TX" "$AL"
[ "$(sql "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_NAME = 'late'")" = MyISAM ]
ok $? "negative control: the ALTER made t.late MyISAM while freeze waited"
[ "$st" -eq 3 ] && grep -q "method recovery: tables that are not transactional: t.late (MyISAM)" "$WORK/err" &&
	no_holder && can_write
ok $? "freeze refuses it, checked again under the lock: exit 3, named, released (got $st: $(head -c 200 "$WORK/err"))"
sql "DROP TABLE t.late" || bail "cannot drop t.late"
isolated "$MQ" check >"$WORK/check.out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "^ok    method recovery: binary log on and durable, every table transactional" "$WORK/check.out"
ok $? "check: ready for recovery now (got $st)"
isolated "$MQ" -c "$WORK/auto.conf" check >"$WORK/check.out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "^hint  method = recovery would block no commit here" "$WORK/check.out"
ok $? "check with auto: recommends recovery on this InnoDB-only, durable server (got $st)"

# the writer: one row per transaction, v counting up
s0=$(sql "SELECT @@gtid_binlog_pos"); s0=${s0##*-}
writer() {
	local i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		echo "INSERT INTO t.inno (v) VALUES ($i);"
	done | mariadb --no-defaults -S "$SOCK" -uroot
}
writer & WP=$!
wait_for 20 sh -c "[ \$(mariadb --no-defaults -S '$SOCK' -uroot -N -e 'SELECT COUNT(*) FROM t.inno') -gt 100 ]"
ok $? "the writer commits"

diag "the hold blocks no commit"
"$BIN/pre-freeze-script" freeze; ok $? "freeze with method recovery"
n1=$(sql "SELECT COUNT(*) FROM t.inno"); sleep 1; n2=$(sql "SELECT COUNT(*) FROM t.inno")
phase_is locked && [ "$n2" -gt $((n1 + 50)) ]
ok $? "locked, and the writer committed on: $n1 then $n2 rows a second later"
sql "SET SESSION lock_wait_timeout = 1; CREATE TABLE t.x (i INT)" 2>/dev/null; st=$?
ok $(( st == 0 )) "DDL waits under the hold (CREATE TABLE timed out)"
INFO=$DATADIR/binlog_info.txt
[ "$(info_field coordinates)" = lower-bound ] && [ "$(info_field lock_method)" = recovery ] &&
	grep -q "^SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos;$" "$INFO" &&
	! grep -q "^CHANGE MASTER TO MASTER_LOG_FILE" "$INFO"
ok $? "the info file: coordinates = lower-bound, method recovery, no ready by-position line"
"$MQ" status >"$WORK/status.out" 2>&1 && grep -q "^coordinates:  a lower bound (method recovery let commits on); verify reads the exact ones back" "$WORK/status.out" &&
	"$MQ" status --json | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["coordinates"] != "lower-bound")'
ok $? "status says the coordinates are a lower bound, and --json's coordinates is lower-bound"
"$BIN/post-thaw-script" thaw; ok $? "thaw"

diag "snapshots with it, restored: the exact state read back"
SRC_SOCK=$SOCK SRC_DATA=$DATADIR
# cycle N: a snapshot-mode snapshot under the writer, restored and
# verified; the restored server holds exactly what verify read back
cycle() {
	local n=$1 vst efile epos egtid after rmax rgtid st
	"$MQ" snapshot -- cp --sparse=always "$WORK/main.img" "$WORK/copy$n.img"
	ok $? "$n: snapshot mode with method recovery ($(SOCK=$SRC_SOCK sql "SELECT CONCAT(@@innodb_flush_log_at_trx_commit, ' ', @@sync_binlog)"))"
	mount_copy "$WORK/copy$n.img" "$WORK/m$n" nouuid || bail "cannot mount copy $n"
	"$MQ" verify "$WORK/m$n/data" --json --write-info "$WORK/exact$n.txt" >"$WORK/v$n.json" 2>&1; vst=$?
	read -r efile epos egtid after < <(python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); e = d["exact"]; print(e["binlog_file"], e["binlog_pos"], e["gtid"], e["after_recorded"])' "$WORK/v$n.json")
	[ "$vst" -eq 0 ] && [ -n "$epos" ]
	ok $? "$n: verify consistent, the recorded coordinates a lower bound reached; read back $efile:$epos, $egtid, $after after the recorded position (exit $vst)"
	if [ "$n" -eq 1 ]; then
		cp -a "$WORK/m$n/data/binlog_info.txt" "$WORK/ahead.txt"
		sed -i "s/^gtid_binlog_pos = .*/gtid_binlog_pos = 0-1-999999/" "$WORK/ahead.txt"
		"$MQ" verify "$WORK/m$n/data" --info "$WORK/ahead.txt" >"$WORK/v2.out" 2>&1; st=$?
		[ "$st" -eq 12 ] && grep -q '^FAIL  gtid      recovered @@gtid_binlog_pos ".*", recorded lower bound "0-1-999999": 0-1:999999-999999 is not in it' "$WORK/v2.out"
		ok $? "a recovered state before the recorded lower bound: not consistent, exit 12 (got $st)"
	fi
	DATA_AT=$WORK/m$n server_start restored$n
	rmax=$(sql "SELECT COALESCE(MAX(v), 0) FROM t.inno"); rgtid=$(sql "SELECT @@gtid_binlog_pos")
	server_stop "$WORK/restored$n"
	SOCK=$SRC_SOCK DATADIR=$SRC_DATA
	[ "$rgtid" = "$egtid" ] && [ "${egtid##*-}" -eq $((s0 + rmax)) ]
	ok $? "$n: the restored server holds exactly that: gtid $rgtid, and its last row is transaction ${egtid##*-} ($s0 + $rmax)"
	[ "$(sed -n 's/^binlog_pos = //p' "$WORK/exact$n.txt")" = "$epos" ]
	ok $? "$n: --write-info gives the exact position for a replica to be seeded from"
}
cycle 1
# a binary log written at each commit but not synced, InnoDB's log
# flushed once a second: snapshot mode's filesystem freeze writes out
# what the kernel holds, so the image still agrees; a hook is refused
sql "SET GLOBAL sync_binlog = 0, GLOBAL innodb_flush_log_at_trx_commit = 2" || bail "cannot relax durability"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "are 2 0, not 1 1" "$WORK/err" && no_holder
ok $? "flush 2, sync 0: a hook freeze is refused (the caller may not freeze), exit 3 (got $st)"
cycle 2
cycle 3
touch "$WORK/stop"; wait $WP
# flush 0 leaves commits in the server's own memory: even snapshot
# mode's filesystem freeze cannot make the image agree
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 0" || bail "cannot set flush 0"
"$MQ" snapshot -- touch "$WORK/ran0" >"$WORK/s0.out" 2>&1; st=$?
[ "$st" -eq 3 ] && grep -q "innodb_flush_log_at_trx_commit and sync_binlog are 0 0, not 1 1" "$WORK/s0.out" &&
	[ ! -e "$WORK/ran0" ] && no_holder
ok $? "flush 0: snapshot mode refuses method recovery too, exit 3, the command never run (got $st)"
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 1, GLOBAL sync_binlog = 1" || bail "cannot restore durability"
"$MQ" snapshot -- touch "$WORK/ran1" >/dev/null 2>&1; st=$?
[ "$st" -eq 0 ] && [ -e "$WORK/ran1" ]; ok $? "negative control: flush 1, sync 1: snapshot mode runs (exit $st)"
# binary logging off: no exact coordinates to recover to
server_stop "$WORK/src"
server_run "$WORK/src" --skip-log-bin --sync-binlog=1 --innodb-flush-log-at-trx-commit=1
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "method recovery: binary logging is off" "$WORK/err" && no_holder
ok $? "binary logging off: method recovery refused, exit 3, nothing locked (got $st)"

diag "InnoDB's redo log on a filesystem of its own: snapshot mode freezes it with the data"
loop_mount xfs 320 "$WORK/d2.img" "$WORK/d2"
loop_mount xfs 320 "$WORK/redo.img" "$WORK/redo"
mariadb-install-db --no-defaults --user=root --datadir="$WORK/d2/data" \
	--innodb-log-group-home-dir="$WORK/redo" --auth-root-authentication-method=socket \
	--skip-test-db >"$WORK/d2-install.log" 2>&1 || bail "cannot install the second server: $(install_errors "$WORK/d2-install.log")"
DATA_AT=$WORK/d2 server_start r2 --innodb-log-group-home-dir="$WORK/redo" --sync-binlog=1
METHOD=recovery write_config "$WORK/r2.conf"
"$MQ" -c "$WORK/r2.conf" snapshot --dry-run -- true >"$WORK/plan.out" 2>&1; st=$?
fl=$(sed -n 's/^freeze: *//p' "$WORK/plan.out")
[ "$st" -eq 0 ] && [[ " $fl " == *" $WORK/d2 "* ]] && [[ " $fl " == *" $WORK/redo "* ]]
ok $? "the plan freezes the data's filesystem and the redo log's ($fl; exit $st)"

done_testing
