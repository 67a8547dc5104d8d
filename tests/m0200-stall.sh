#!/bin/bash
# MySQL, live: a read running when FTWRL is sent. MySQL's FLUSH waits
# for it, and every new statement on its tables waits behind the flush,
# even after the attempt is abandoned. The stall reported must be the
# stall a writer felt; kill_long_queries = select must end such a read
# once a writer has waited max_writer_wait; with kill_long_queries = no
# the lock must never be sent into a running read.
# timeout: 300
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mysql.sh"

server_start s1
make_tables
sql "CREATE TABLE t.w (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     INSERT INTO t.w (v) VALUES (1)"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
conf() { rm -rf "$WORK/run" "$WORK/mq.log"; LONG_QUERY=5 WAIT_TIMEOUT=10 write_config "$WORK/c.conf" "$@"; }

# The writer: one session inserting into t.w, one after another, each
# insert timed by the server (ms, one line each, in $WORK/lat).
writer_start() {
	rm -f "$WORK/w.stop" "$WORK/lat"
	( while [ ! -e "$WORK/w.stop" ]; do
		echo "SET @t = NOW(6); INSERT INTO t.w (v) VALUES (2);"
		echo "SELECT TIMESTAMPDIFF(MICROSECOND, @t, NOW(6)) DIV 1000;"
	  done | mariadb --no-defaults -S "$SOCK" -uroot -N -B --unbuffered ) >"$WORK/lat" 2>&1 &
	WP=$!
	wait_for 5 test -s "$WORK/lat" || bail "the writer did not start"
}
writer_stop() { touch "$WORK/w.stop"; wait "$WP"; }
felt() { sort -n "$WORK/lat" | tail -1; }   # the longest insert, ms
reported() { "$MQ" status --json | sed -n 's/.*"abandoned_ms":\([0-9]*\).*/\1/p'; }
# close A B: A within 10 % of B (and never more than 50 ms apart on a
# figure under half a second)
close() {
	local d=$(( $1 > $2 ? $1 - $2 : $2 - $1 ))
	[ "$d" -le 50 ] || [ $(( d * 10 )) -le "$2" ]
}
holder_pid() { pgrep -f "^pre-freeze-mysql-lock -c $WORK/" | head -1; }

# race SECONDS: the read of SECONDS that a safe moment cannot see: the
# holder is stopped before its go, a first read keeps freeze waiting
# until the holder is stopped, the second starts once freeze has sent
# go (the moment was safe), and the holder then sends FTWRL into it.
race() {
	sql "SELECT SLEEP(1) FROM t.w LIMIT 1" >/dev/null 2>&1 &
	local first=$!
	wait_for 5 running "SELECT SLEEP(1)" || bail "the first read did not start"
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & FP=$!
	wait_for 5 test -n "$(holder_pid)" || bail "no holder started"
	HP=$(holder_pid)
	kill -STOP "$HP"
	wait "$first"
	wait_for 5 log_has "waiting for a safe moment" || bail "freeze did not wait for the first read"
	sleep 0.6   # freeze sees the moment safe (it reads every 250 ms), sends go
	sql "SELECT SLEEP($1) FROM t.w LIMIT 1" >/dev/null 2>&1 & RP=$!
	wait_for 5 running "SELECT SLEEP($1)" || bail "the read did not start"
	T_SENT=$(now_ms)
	kill -CONT "$HP"
}

diag "kill_long_queries = no: the lock is never sent into a running read, however young"
conf
writer_start
sql "SELECT SLEEP(3) FROM t.w LIMIT 1" >/dev/null 2>&1 & RP=$!
wait_for 5 running "SELECT SLEEP(3)" || bail "the read did not start"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze exits 0"
dead "$RP"; ok $? "the lock came after the read ended"
f=$(felt)
[ "$f" -lt 400 ]; ok $? "no writer waited behind a flush ($f ms at most)"
grep -q "waiting for a safe moment: connection .*SELECT SLEEP(3)" "$WORK/mq.log"; ok $? "freeze said what it waited for"
grep "safe moment" "$WORK/mq.log" | head -3
"$BIN/post-thaw-script" thaw; ok $? "thaw"
writer_stop

diag "a flush that outlives its attempt (kill_long_queries = no): the stall reported is the one felt"
conf
writer_start
race 6
wait "$FP"; ok $? "freeze exits 0 once the read has ended"
f=$(felt); r=$(reported)
diag "the longest insert took $f ms; status says $r ms behind abandoned attempts"
[ "$f" -ge 4000 ]; ok $? "the writer did wait behind the flush until the read ended ($f ms)"
[ -n "$r" ] && close "$r" "$f"; ok $? "the stall reported ($r ms) is the stall felt ($f ms), within 10 %"
grep -q "writes were blocked for" "$WORK/mq.log" || true
"$BIN/post-thaw-script" thaw; ok $? "thaw"
grep "released (ftwrl); writes were blocked for" "$WORK/mq.log" | grep -q "($r ms of it behind abandoned attempts)"
ok $? "thaw's log line carries the same figure"
grep -q "FLUSH outlives its statement" "$WORK/mq.log"; ok $? "the log says the flush outlived the attempt"
dead "$RP"; ok $? "the read was not killed (kill_long_queries = no)"
writer_stop

diag "kill_long_queries = select: the read is killed once a writer waited max_writer_wait"
conf "[lock]" "kill_long_queries = select"
writer_start
# a read younger than long_query_threshold: the safe moment lets it by
sql "SELECT SLEEP(20) FROM t.w LIMIT 1" >/dev/null 2>&1 & RP=$!
wait_for 5 running "SELECT SLEEP(20)" || bail "the read did not start"
sleep 1
T_SENT=$(now_ms)
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze exits 0"
el=$(( $(now_ms) - T_SENT ))
wait_for 5 dead "$RP"; ok $? "the read was killed"
f=$(felt); r=$(reported)
diag "the longest insert took $f ms; status says $r ms behind abandoned attempts; freeze took $el ms"
[ "$f" -ge 400 ] && [ "$f" -lt 1000 ]; ok $? "the writer waited max_writer_wait (500 ms) and the kill, no more ($f ms)"
[ -n "$r" ] && close "$r" "$f"; ok $? "the stall reported ($r ms) is the stall felt ($f ms)"
grep -q "kill_long_queries = select: killed the statement of connection .*SELECT SLEEP(20)" "$WORK/mq.log"
ok $? "the kill is logged"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
writer_stop

diag "check says what a long read costs here"
conf
"$MQ" check >"$WORK/check" 2>&1
grep -q "a long read delays the freeze" "$WORK/check"; ok $? "check: with kill_long_queries = no, a long read delays the freeze"
conf "[lock]" "kill_long_queries = select"
"$MQ" check >"$WORK/check" 2>&1
! grep -q "a long read delays the freeze" "$WORK/check"; ok $? "check: not with kill_long_queries = select"

done_testing
