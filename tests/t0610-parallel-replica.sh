#!/bin/bash
# A replica applying in parallel (slave_parallel_threads = 4, optimistic)
# under a steady load: the executed source position recorded is the one
# of the recorded gtid_slave_pos, never a worker's stale checkpoint,
# checked against the primary's own binlog (BINLOG_GTID_POS).
. "$(dirname "$0")/lib.sh"

REPL_PW=Repl-pw-81z
primary_start "$REPL_PW"
sql "CREATE DATABASE t;
     CREATE TABLE t.a (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.b (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.c (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE t.d (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB" ||
	bail "cannot prepare the primary"

server_start rep --server-id=2 --log-slave-updates --binlog-format=ROW \
	--slave-parallel-threads=4 --slave-parallel-mode=optimistic
REP=$SOCK
REP_DATA=$DATADIR
sql "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PORT,
       MASTER_USER='repl', MASTER_PASSWORD='$REPL_PW', MASTER_USE_GTID=slave_pos;
     START SLAVE" || bail "cannot start replication"
wait_for 30 sh -c "mariadb --no-defaults -S '$REP' -uroot -N -e 'SELECT 1 FROM t.d LIMIT 0' >/dev/null 2>&1" ||
	bail "the replica did not catch up"

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

# replica_field NAME: a column of SHOW SLAVE STATUS on the replica
replica_field() {
	mariadb --no-defaults -S "$REP" -uroot -e 'SHOW SLAVE STATUS\G' |
		sed -n "s/^ *$1: //p"
}
INFO=$REP_DATA/binlog_info.txt
queued=0 ahead=0
# cycles METHOD: five freezes of the replica under load with METHOD; each
# recorded file/position must be where the primary's binlog has exactly
# the recorded gtid_slave_pos
cycles() {
	local n f p g at rf rp rat same=0
	SOCK=$REP DATADIR=$REP_DATA METHOD=$1 write_config "$WORK/c.conf"
	for n in 1 2 3 4 5; do
		"$BIN/pre-freeze-script" freeze || bail "$1: freeze $n failed"
		rf=$(replica_field Master_Log_File); rp=$(replica_field Read_Master_Log_Pos)
		f=$(INFO_FILE=$INFO info_field replica_1_source_log_file)
		p=$(INFO_FILE=$INFO info_field replica_1_source_log_pos)
		g=$(INFO_FILE=$INFO info_field replica_gtid_slave_pos)
		"$BIN/post-thaw-script" thaw || bail "$1: thaw $n failed"
		at=$(SOCK=$PRIM sql "SELECT BINLOG_GTID_POS('$f', $p)")
		[ -n "$g" ] && [ "$at" = "$g" ] && same=$((same + 1))
		diag "$1 $n: recorded $f:$p, gtid_slave_pos $g; the primary's binlog there: $at; read up to $rf:$rp"
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
	ok $? "$1: in all five freezes the recorded source position is that of the recorded gtid_slave_pos ($same of 5)"
}
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
cycles backup-stage
cycles ftwrl
[ "$queued" -gt 0 ] && [ "$ahead" -eq "$queued" ]
ok $? "the replica had events read and not yet applied ($queued of 10 freezes), and there the primary's binlog at the read position is another GTID state ($ahead): the check tells a stale position"
[ "$(replica_field Slave_SQL_Running)" = Yes ] && [ "$(replica_field Last_SQL_Errno)" = 0 ]
ok $? "replication runs on, with no error"
touch "$WORK/stop"
# shellcheck disable=SC2086
wait $WPS
done_testing
