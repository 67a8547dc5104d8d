#!/bin/bash
# method = recovery on MariaDB: its preconditions refused before anything
# is locked; under its hold InnoDB commits run on while DDL and
# non-transactional writes wait; the info file says its coordinates are
# a lower bound; a snapshot taken with it (snapshot mode: the filesystem
# frozen, commits going on until then) restores to the exact state
# verify reads back, which the restored data agrees with.
. "$(dirname "$0")/lib.sh"
need python3

loop_mount xfs 320 "$WORK/main.img" "$WORK/mnt"
DATA_AT=$WORK/mnt server_start src --sync-binlog=1 --innodb-flush-log-at-trx-commit=1
sql "CREATE DATABASE t; CREATE TABLE t.inno (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.m (v INT) ENGINE=MyISAM" || bail "cannot make the tables"
METHOD=recovery write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

diag "preconditions, before anything is locked"
"$MQ" check >"$WORK/check.out" 2>&1; st=$?
[ "$st" -eq 3 ] && grep -q "^FAIL  method recovery: tables that are not transactional: t.m (MyISAM)" "$WORK/check.out"
ok $? "check: the MyISAM table named, not ready, exit 3 (got $st)"
METHOD=auto write_config "$WORK/auto.conf"
"$MQ" -c "$WORK/auto.conf" check >"$WORK/check.out" 2>&1; st=$?
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
"$MQ" check >"$WORK/check.out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "^ok    method recovery: binary log on and durable, every table transactional" "$WORK/check.out"
ok $? "check: ready for recovery now (got $st)"
"$MQ" -c "$WORK/auto.conf" check >"$WORK/check.out" 2>&1; st=$?
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
"$BIN/post-thaw-script" thaw; ok $? "thaw"

diag "a snapshot with it, restored: the exact state read back"
"$MQ" snapshot -- cp --sparse=always "$WORK/main.img" "$WORK/copy.img"; ok $? "snapshot mode with method recovery"
touch "$WORK/stop"; wait $WP
mount_copy "$WORK/copy.img" "$WORK/m" nouuid || bail "cannot mount the copy"
"$MQ" verify "$WORK/m/data" --json --write-info "$WORK/exact.txt" >"$WORK/v.json" 2>&1; vst=$?
read -r efile epos egtid after < <(python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); e = d["exact"]; print(e["binlog_file"], e["binlog_pos"], e["gtid"], e["after_recorded"])' "$WORK/v.json")
[ "$vst" -eq 0 ] && [ -n "$epos" ]
ok $? "verify: consistent, the recorded coordinates a lower bound reached; read back $efile:$epos, $egtid, $after after the recorded position (exit $vst)"
cp -a "$WORK/m/data/binlog_info.txt" "$WORK/ahead.txt"
sed -i "s/^gtid_binlog_pos = .*/gtid_binlog_pos = 0-1-999999/" "$WORK/ahead.txt"
"$MQ" verify "$WORK/m/data" --info "$WORK/ahead.txt" >"$WORK/v2.out" 2>&1; st=$?
[ "$st" -eq 12 ] && grep -q '^FAIL  gtid      recovered @@gtid_binlog_pos ".*", recorded lower bound "0-1-999999": 0-1:999999-999999 is not in it' "$WORK/v2.out"
ok $? "a recovered state before the recorded lower bound: not consistent, exit 12 (got $st)"
DATA_AT=$WORK/m server_start restored
rmax=$(sql "SELECT COALESCE(MAX(v), 0) FROM t.inno"); rgtid=$(sql "SELECT @@gtid_binlog_pos")
[ "$rgtid" = "$egtid" ] && [ "${egtid##*-}" -eq $((s0 + rmax)) ]
ok $? "the restored server holds exactly that: gtid $rgtid, and its last row is transaction ${egtid##*-} ($s0 + $rmax)"
[ "$(sed -n 's/^binlog_pos = //p' "$WORK/exact.txt")" = "$epos" ]
ok $? "--write-info: the exact position for a replica to be seeded from"

done_testing
