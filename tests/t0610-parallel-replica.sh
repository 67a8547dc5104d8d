#!/bin/bash
# A replica applying in parallel (slave_parallel_threads = 4, optimistic)
# under a steady load: the recorded gtid_slave_pos is the one its locked
# tables hold (the applier's own report can lag them), the reported
# source position is marked not exact, and a block snapshot taken under
# that load verifies: its recovered gtid_slave_pos is the recorded one,
# and its relay logs name the exact source position.
. "$(dirname "$0")/lib.sh"
need cp fsfreeze

REPL_PW=Repl-pw-81z
primary_start "$REPL_PW"
sql "CREATE DATABASE t;
     CREATE TABLE t.a (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.b (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.c (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.d (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB" ||
	bail "cannot prepare the primary"

replica_start "$REPL_PW" t.d --log-slave-updates --binlog-format=ROW \
	--slave-parallel-threads=4 --slave-parallel-mode=optimistic

# four writers, one table each: commits the replica can apply in parallel
writer() {
	local i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		echo "INSERT INTO t.$1 (v) VALUES ($i);"
	done | mariadb --no-defaults -S "$PRIM" -uroot
}
WPS=
for t in a b c d; do writer $t 2>/dev/null & WPS="$WPS $!"; done
wait_for 20 sh -c "[ \$(mariadb --no-defaults -S '$REP' -uroot -N -e 'SELECT COUNT(*) FROM t.a') -gt 500 ]"
ok $? "rows flow from the primary to the replica"

INFO=$REP_DATA/binlog_info.txt
queued=0 ahead=0 lagged=0
# committed: the replica's gtid_slave_pos as its table holds it (one
# domain here), read while the lock is held
committed() {
	SOCK=$REP sql "SELECT CONCAT(domain_id, '-', server_id, '-', seq_no)
		FROM mysql.gtid_slave_pos ORDER BY sub_id DESC LIMIT 1"
}
# cycles METHOD: five freezes of the replica under load with METHOD;
# each recorded gtid_slave_pos must be the one the locked tables hold,
# and the applier's reported source position is marked not exact
cycles() {
	local n f p g tg x at rf rp rat same=0 marked=0
	SOCK=$REP DATADIR=$REP_DATA METHOD=$1 write_config "$WORK/c.conf"
	for n in 1 2 3 4 5; do
		"$BIN/pre-freeze-script" freeze || bail "$1: freeze $n failed"
		tg=$(committed)
		rf=$(replica_field Master_Log_File); rp=$(replica_field Read_Master_Log_Pos)
		f=$(INFO_FILE=$INFO info_field replica_1_source_log_file)
		p=$(INFO_FILE=$INFO info_field replica_1_source_log_pos)
		g=$(INFO_FILE=$INFO info_field replica_gtid_slave_pos)
		x=$(INFO_FILE=$INFO info_field replica_source_pos_exact)
		"$BIN/post-thaw-script" thaw || bail "$1: thaw $n failed"
		[ -n "$g" ] && [ "$g" = "$tg" ] && same=$((same + 1))
		[ "$x" = no ] && marked=$((marked + 1))
		at=$(SOCK=$PRIM sql "SELECT BINLOG_GTID_POS('$f', $p)")
		[ "$at" != "$g" ] && lagged=$((lagged + 1))
		diag "$1 $n: recorded gtid_slave_pos $g (the tables held $tg), reported $f:$p (the primary's binlog there: $at); read up to $rf:$rp"
		if [ "$rf:$rp" != "$f:$p" ]; then
			queued=$((queued + 1))
			# the negative control: the read position, ahead of the
			# executed one, is another GTID state
			rat=$(SOCK=$PRIM sql "SELECT BINLOG_GTID_POS('$rf', $rp)")
			[ "$rat" != "$g" ] && ahead=$((ahead + 1))
		fi
		sleep 0.2
	done
	[ "$same" -eq 5 ]
	ok $? "$1: in all five freezes the recorded gtid_slave_pos is the one the locked tables hold ($same of 5)"
	[ "$marked" -eq 5 ]
	ok $? "$1: and the applier's reported source position is marked not exact ($marked of 5)"
}
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
cycles backup-stage
cycles ftwrl
[ "$queued" -gt 0 ] && [ "$ahead" -eq "$queued" ]
ok $? "the replica had events read and not yet applied ($queued of 10 freezes), and there the primary's binlog at the read position is another GTID state ($ahead): the check tells a stale position"
diag "the reported source position lagged the recorded set in $lagged of 10 freezes"

# one block snapshot under the same load, and verify on it: the relay
# logs the snapshot carries put the recorded source position exactly
# where the recorded gtid_slave_pos ends
SOCK=$REP DATADIR=$REP_DATA METHOD=backup-stage write_config "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze || bail "the snapshot's freeze failed"
fsfreeze -f "$WORK/mnt" && cp --sparse=always "$WORK/rep.img" "$WORK/copy.img"; st=$?
fsfreeze -u "$WORK/mnt"
"$BIN/post-thaw-script" thaw || bail "the snapshot's thaw failed"
ok $st "a block snapshot of the replica applying in parallel"
mount_copy "$WORK/copy.img" "$WORK/m-verify" nouuid || bail "cannot mount the copy"
f=$(INFO_FILE=$WORK/m-verify/data/binlog_info.txt info_field replica_1_source_log_file)
g=$(INFO_FILE=$WORK/m-verify/data/binlog_info.txt info_field replica_gtid_slave_pos)
p=$(INFO_FILE=$WORK/m-verify/data/binlog_info.txt info_field replica_1_source_log_pos)
"$MQ" verify "$WORK/m-verify/data" >"$WORK/verify.out" 2>&1; st=$?
sed 's/^/# /' "$WORK/verify.out"
[ "$st" -eq 0 ] && grep -q "^ok    replica   recovered @@gtid_slave_pos \"$g\", recorded \"$g\"" "$WORK/verify.out"
ok $? "verify: consistent, the recovered gtid_slave_pos is the recorded one ($g; got $st)"
grep -Eq "^ok    source    ($f:$p ends the GTID set|recorded as not exact \(a checkpoint\), and it is not: .*by position it is $f:[0-9]+, where 0-1-[0-9]+ starts)" "$WORK/verify.out"
ok $? "verify: the relay logs say whether the reported $f:$p ends that set, and if not, which position does"
umount "$WORK/m-verify"

[ "$(replica_field Slave_SQL_Running)" = Yes ] && [ "$(replica_field Last_SQL_Errno)" = 0 ]
ok $? "replication runs on, with no error"
touch "$WORK/stop"
# shellcheck disable=SC2086
wait $WPS
done_testing
