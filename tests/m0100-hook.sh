#!/bin/bash
# MySQL, live: the hook's cycle with ftwrl and auto (and what auto picks
# on MySQL 8.0), coordinates equal to the server's own under a writer,
# the dead-man's switch, and kill_long_queries.
# timeout: 300
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mysql.sh"

server_start s1 --gtid-mode=ON --enforce-gtid-consistency=ON
make_tables
sql "INSERT INTO t.inno (v) VALUES (1), (2), (3)"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
conf() { rm -rf "$WORK/run"; write_config "$WORK/c.conf" "$@"; }


for METHOD in ftwrl auto; do
	diag "MySQL $MYSQL_VERSION, method $METHOD, under a writer"
	METHOD=$METHOD conf
	spin_start
	wait_for 5 binlog_moving; ok $? "$METHOD: the writer commits (the binlog grows)"
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
	ok $st "$METHOD: freeze exits 0 $(head -c 300 "$WORK/err")"
	[ "$(state_field method)" = ftwrl ]; ok $? "$METHOD: the lock taken is ftwrl (auto's pick on MySQL 8.0)"
	log_has "MySQL $MYSQL_VERSION, lock method ftwrl"; ok $? "$METHOD: the log names the server and the method"
	! binlog_moving; ok $? "$METHOD: the binlog stands still while held"
	cannot_write; ok $? "$METHOD: an InnoDB insert is blocked while held"
	read -r file pos _ < <(sql "SHOW MASTER STATUS")
	[ -n "$file" ] && [ "$(info_field binlog_file)" = "$file" ] && [ "$(info_field binlog_pos)" = "$pos" ]
	ok $? "$METHOD: the info file's position is the server's ($file:$pos)"
	g=$(sql "SELECT @@gtid_executed" | tr -d '\n')
	[ -n "$g" ] && [ "$(info_field gtid_executed)" = "$g" ]
	ok $? "$METHOD: the info file's gtid_executed is the server's ($g)"
	grep -q "^CHANGE REPLICATION SOURCE TO SOURCE_AUTO_POSITION = 1;" "$DATADIR/binlog_info.txt"
	ok $? "$METHOD: the info file's CHANGE line uses auto-position (GTID on)"
	"$BIN/post-thaw-script" thaw; ok $? "$METHOD: thaw exits 0"
	wait_for 5 binlog_moving; ok $? "$METHOD: the writer commits again after thaw"
	can_write; ok $? "$METHOD: writes run after thaw"
	spin_stop
	wait_for 5 no_holder; ok $? "$METHOD: no holder is left"
done

diag "the dead-man's switch: no thaw, released at max_lock_time"
MAX_LOCK_TIME=2 conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
cannot_write; ok $? "held: writes blocked"
t0=$(now_ms)
wait_for 10 can_write; ok $? "writes run again without a thaw ($(( $(now_ms) - t0 )) ms after freeze returned)"
wait_for 5 no_holder; ok $? "the holder is gone"
[ "$(sql "SELECT COUNT(*) FROM performance_schema.metadata_locks WHERE LOCK_TYPE = 'SHARED' AND OBJECT_TYPE = 'GLOBAL'")" -eq 0 ]
ok $? "the server holds no global read lock"
log_has "max_lock_time"; ok $? "the log says max_lock_time ended it"
"$BIN/post-thaw-script" thaw; st=$?
[ "$st" -eq 8 ]; ok $? "the late thaw says the lock was lost (exit $st)"

diag "kill_long_queries = select: a long read is killed, a long write is not"
LONG_QUERY=1 conf "[lock]" "kill_long_queries = select"
sql "SELECT SLEEP(30) FROM t.inno LIMIT 1" >/dev/null 2>&1 & LP=$!
wait_for 5 running "SELECT SLEEP(30)" || bail "the read did not start"
sleep 1.1
t0=$(now_ms)
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
el=$(( $(now_ms) - t0 ))
ok $st "freeze exits 0 ($el ms)"
wait_for 5 dead $LP; ok $? "the long read was killed"
grep -q "kill_long_queries = select: killed the statement of connection" "$WORK/mq.log"; ok $? "the kill is logged"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
sql "UPDATE t.isam SET v = v + SLEEP(3) WHERE id = 1" >/dev/null 2>&1 & LP=$!
wait_for 5 running "UPDATE t.isam" || bail "the write did not start"
sleep 1.1
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze exits 0 behind a long write"
dead $LP; ok $? "the lock came after the write ended"
! grep -q "killed the statement of .*UPDATE t.isam" "$WORK/mq.log"; ok $? "the write was not killed"
wait $LP; ok $? "the write committed"
"$BIN/post-thaw-script" thaw; ok $? "thaw"

diag "kill_long_queries = no: a long read is waited for, never killed"
LONG_QUERY=1 conf
sql "SELECT SLEEP(3) FROM t.inno LIMIT 1" >/dev/null 2>&1 & LP=$!
wait_for 5 running "SELECT SLEEP(3)" || bail "the read did not start"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze exits 0 once the read is done"
wait $LP; ok $? "the read ended on its own"
grep -q "waiting for a safe moment: connection" "$WORK/mq.log"; ok $? "freeze waited for it, saying so"
"$BIN/post-thaw-script" thaw; ok $? "thaw"

done_testing
