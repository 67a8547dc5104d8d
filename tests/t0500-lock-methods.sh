#!/bin/bash
# The lightest exact lock: what each method waits for on MariaDB, that
# waiting never blocks InnoDB writers under BACKUP STAGE, that a forced
# FTWRL is still bounded, and that kill_long_queries kills exactly what
# it should.
. "$(dirname "$0")/lib.sh"

server_start s1
make_tables
sql "INSERT INTO t.inno (v) VALUES (1), (2), (3)"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
conf() { rm -rf "$WORK/run" "$WORK/mq.log"; write_config "$WORK/c.conf" "$@"; }

# long NAME STATEMENT: run STATEMENT in the background (pid in LP, its
# output in $WORK/NAME.out) and wait until the server shows it running
# for a second (TIME >= 1: a blocker at long_query_threshold = 1).
long() {
	sql "$2" >"$WORK/$1.out" 2>&1 &
	LP=$!
	wait_for 5 ran_1s "${2:0:20}" || bail "$2 did not start"
}
# ran_1s PREFIX [N]: the server shows N (default 1) statements starting
# with PREFIX running for a second or more
ran_1s() {
	[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '$1%' AND TIME >= 1")" -ge "${2:-1}" ]
}

# waits_for LOGGED CHECK WHAT: freeze, started now, waits for the
# statement LP runs as a blocker (its log names it: LOGGED, checked as
# CHECK), exits 0 once that WHAT is done, and locks only after it ended.
waits_for() {
	local fp
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & fp=$!
	wait_for 5 log_has "$1"; ok $? "$2"
	wait $fp; ok $? "freeze exits 0 once the $3 is done"
	dead $LP; ok $? "the lock came after the $3 ended"
	"$BIN/post-thaw-script" thaw
}

freeze() { # freeze: run it, status in ST, milliseconds in EL
	local t0; t0=$(now_ms)
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ST=$?
	EL=$(( $(now_ms) - t0 ))
}

diag "auto takes BACKUP STAGE on MariaDB, and says so"
conf
freeze; ok $ST "freeze"
[ "$(state_field method)" = backup-stage ]; ok $? "state: method backup-stage"
"$MQ" status | grep -q "backup-stage"; ok $? "status shows the method"
log_has "lock method backup-stage (waits for DDL and non-transactional writes)"
ok $? "the log names the method and what it waits for"
[ "$(info_field lock_method)" = backup-stage ]; ok $? "the info file names it"
"$BIN/post-thaw-script" thaw; ok $? "thaw"

diag "backup-stage, a long InnoDB UPDATE in flight: no wait at all"
LONG_QUERY=1 conf
long upd "UPDATE t.inno SET v = v + SLEEP(4) WHERE id = 1"
freeze
ok $ST "freeze exits 0"
[ "$EL" -lt 1000 ]; ok $? "and returns promptly (${EL} ms)"
! log_has "waiting for a safe moment"; ok $? "the InnoDB UPDATE is no blocker"
! dead $LP; ok $? "locked while the UPDATE still ran"
cannot_write; ok $? "while held, commits are blocked (the snapshot is exact)"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
wait $LP; ok $? "the UPDATE then committed"

diag "backup-stage, a long MyISAM UPDATE: the safe-moment wait blocks nobody"
LONG_QUERY=1 conf
long upd "UPDATE t.isam SET v = v + SLEEP(4) WHERE id = 1"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" &
FP=$!
wait_for 5 log_has "waiting for a safe moment: connection"; ok $? "freeze waits for a safe moment"
grep -q "running [0-9]* s: UPDATE t.isam" "$WORK/mq.log"; ok $? "the log names the blocking statement"
can_write; ok $? "InnoDB writers run while freeze waits"
wait $FP; ok $? "freeze exits 0 once the UPDATE is done"
dead $LP; ok $? "the lock came after the UPDATE ended"
"$BIN/post-thaw-script" thaw

diag "backup-stage, a statement read as sent: a comment line does not hide its MyISAM table"
# A multi-table DELETE whose second table, MyISAM, follows a -- comment
# line. Read with its newline, it writes two tables: a blocker. With the
# newline lost, the comment would swallow the rest and leave a DELETE of
# the InnoDB table alone: no blocker, and the lock would wait instead.
LONG_QUERY=1 conf
DEL="DELETE FROM t.inno -- and its MyISAM twin
, t.isam USING t.inno JOIN t.isam WHERE t.inno.id = 1 AND t.isam.id = 1 AND SLEEP(4) = 1"
sql --comments "$DEL" >"$WORK/del.out" 2>&1 & LP=$!
wait_for 5 ran_1s "DELETE FROM t.inno" || bail "the DELETE did not start"
[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%-- and its MyISAM twin%, t.isam USING%'")" -gt 0 ]
ok $? "the server shows the statement with its comment line"
waits_for "s: DELETE FROM t.inno -- and its MyISAM twin , t.isam USING" \
	"freeze waits for it as a blocker (logged on one line)" DELETE

diag "backup-stage, many longer reads do not hide a MyISAM write"
# 50 reads (as many as the safe moment keeps) started first, so each has
# run longer than the UPDATE. The lock does not wait for reads: they must
# be dropped before the longest-running are kept, or they fill every
# place and the UPDATE is never seen.
LONG_QUERY=1 conf
RP=()
for i in $(seq 50); do
	sql "SELECT SLEEP(8) FROM t.inno LIMIT 1" >/dev/null 2>&1 & RP+=($!)
done
wait_for 5 ran_1s "SELECT SLEEP(8)" 50 || bail "the 50 reads did not start"
long upd "UPDATE t.isam SET v = v + SLEEP(4) WHERE id = 1"
[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(8)%' AND TIME > (SELECT MAX(TIME) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE t.isam%')")" -eq 50 ]
ok $? "the server shows 50 reads, each running longer than the UPDATE"
waits_for "s: UPDATE t.isam SET v = v + SLEEP(4)" \
	"freeze waits for the MyISAM UPDATE: 50 longer reads do not hide it" UPDATE
wait "${RP[@]}"

diag "a long UPDATE through a view over a MyISAM table is a blocker"
sql "CREATE OR REPLACE VIEW t.isam_v AS SELECT id, v FROM t.isam" || bail "cannot create the view"
LONG_QUERY=1 conf
long upd "UPDATE t.isam_v SET v = v + SLEEP(4) WHERE id = 1"
waits_for "s: UPDATE t.isam_v SET v = v + SLEEP(4)" \
	"freeze waits for it: a view's engine cannot be looked up, so it counts" UPDATE

diag "backup-stage, the lock itself waiting behind a MyISAM UPDATE"
LONG_QUERY=30 conf
long upd "UPDATE t.isam SET v = v + SLEEP(4) WHERE id = 1"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" &
FP=$!
wait_for 5 holder_waiting
ok $? "the server shows the holder waiting for its lock"
t0=$(now_ms); can_write; st=$?; el=$(( $(now_ms) - t0 ))
ok $st "an InnoDB insert commits while BACKUP STAGE waits (${el} ms)"
wait $FP; ok $? "freeze exits 0 after the UPDATE"
"$BIN/post-thaw-script" thaw

diag "backup-stage while another backup is in BACKUP STAGE: bounded, and named"
WAIT_TIMEOUT=1 SNAPSHOT_TIMEOUT=3 conf
sql "BACKUP STAGE START; SELECT SLEEP(6); BACKUP STAGE END" >/dev/null 2>&1 & LP=$!
wait_for 5 running "SELECT SLEEP(6)"; ok $? "another connection is in BACKUP STAGE"
freeze
ok $(( ST != 6 )) "freeze exits 6 (got $ST)"
[ "$EL" -lt 4500 ]; ok $? "within snapshot_timeout + 1.5 s (${EL} ms)"
grep -q "another connection is in BACKUP STAGE" "$WORK/err"; ok $? "its error names the other backup"
log_has "attempt 1: BACKUP STAGE START: Lock wait timeout exceeded"; ok $? "each attempt is logged"
no_holder; ok $? "no holder is left"
can_write; ok $? "writers are not blocked"
wait $LP

diag "ftwrl forced: reads are no blockers, writes are, and the wait is bounded"
METHOD=ftwrl LONG_QUERY=1 conf
long sel "SELECT SLEEP(4) FROM t.isam LIMIT 1"
freeze
ok $ST "ftwrl: freeze exits 0"
! log_has "waiting for a safe moment"; ok $? "ftwrl on MariaDB: a long SELECT is no blocker"
! dead $LP; ok $? "locked while the SELECT still ran"
[ "$(state_field method)" = ftwrl ]; ok $? "state: method ftwrl"
"$BIN/post-thaw-script" thaw
wait $LP
METHOD=ftwrl LONG_QUERY=1 conf
long upd "UPDATE t.inno SET v = v + SLEEP(3) WHERE id = 2"
freeze
ok $ST "ftwrl: freeze exits 0"
log_has "waiting for a safe moment: connection"; ok $? "ftwrl: a long InnoDB UPDATE is a blocker"
dead $LP; ok $? "ftwrl: the lock came after the UPDATE ended"
"$BIN/post-thaw-script" thaw
# the writers' watch off: the bare bound of a waiting FTWRL
METHOD=ftwrl LONG_QUERY=30 WAIT_TIMEOUT=2 SNAPSHOT_TIMEOUT=3 conf "[lock]" "max_writer_wait = 0"
long upd "UPDATE t.isam SET v = v + SLEEP(8) WHERE id = 1"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" &
FP=$!
wait_for 5 holder_waiting
ok $? "the server shows the holder waiting in FTWRL"
cannot_write; ok $? "a waiting FTWRL blocks InnoDB writers (what BACKUP STAGE saves)"
t0=$(now_ms); wait $FP; st=$?; el=$(( $(now_ms) - t0 ))
ok $(( st != 6 )) "ftwrl: freeze gives up with exit 6 (got $st: $(tail -1 "$WORK/err"))"
[ "$el" -le 6000 ]; ok $? "within snapshot_timeout + wait_timeout + slack (${el} ms more)"
[ "$(holders)" -eq 0 ]; ok $? "no holder left"
can_write; ok $? "writers run again"
wait $LP

diag "the reported stall counts FTWRL's wait: from its sending to the release"
# the safe moment does not wait (threshold 30 s): FTWRL itself waits
# behind a 3 s MyISAM UPDATE, writers with it
METHOD=ftwrl LONG_QUERY=30 WAIT_TIMEOUT=8 conf
long upd "UPDATE t.isam SET v = v + SLEEP(3) WHERE id = 1"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" &
FP=$!
wait_for 5 holder_waiting; ok $? "the server shows the holder waiting in FTWRL"
wait $FP; ok $? "freeze exits 0 once the UPDATE is done"
t_lock=$(sed -n 's/.*holder INFO locked with ftwrl in \([0-9]*\) ms.*/\1/p' "$WORK/mq.log" | tail -1)
"$BIN/post-thaw-script" thaw
b=$(state_field blocked_ms)
[ -n "$t_lock" ] && [ "$t_lock" -ge 1000 ] && [ "$b" -ge "$t_lock" ]
ok $? "writes were blocked for $b ms: the hold and FTWRL's ${t_lock} ms wait before it"
grep "thaw INFO released (ftwrl); writes were blocked for $b ms" "$WORK/mq.log" >/dev/null; ok $? "and the log says the same"
wait $LP

diag "the writers' watch: an FTWRL waiting behind a MyISAM UPDATE is abandoned once a writer has waited max_writer_wait"
# the safe moment does not wait (threshold 30 s); the writer behind the
# waiting FTWRL shows "Waiting for backup lock" (MariaDB 10.11)
# watch WAIT: a freeze with max_writer_wait = WAIT behind a 4 s MyISAM
# UPDATE; an InnoDB insert sent while its FTWRL waits (giving up after a
# lock wait of 2 s) ends with WST after EL ms
watch() {
	METHOD=ftwrl LONG_QUERY=30 WAIT_TIMEOUT=8 SNAPSHOT_TIMEOUT=15 conf "[lock]" "max_writer_wait = $1"
	long upd "UPDATE t.isam SET v = v + SLEEP(4) WHERE id = 1"
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & FP=$!
	wait_for 5 holder_waiting; ok $? "max_writer_wait = $1: the holder waits in FTWRL behind the UPDATE"
	local t0; t0=$(now_ms)
	sql "SET SESSION lock_wait_timeout = 2; INSERT INTO t.inno (v) VALUES (7)" 2>"$WORK/w.err"; WST=$?
	EL=$(( $(now_ms) - t0 ))
}
watch 300
ok $WST "a writer behind it commits"
[ "$EL" -lt 1500 ]; ok $? "after about max_writer_wait, not the UPDATE's 4 s (${EL} ms)"
# a second writer while the UPDATE still runs: the next safe moment waits
# for it instead of sending FTWRL at once to wait behind it again
t0=$(now_ms); sql "SET SESSION lock_wait_timeout = 2; INSERT INTO t.inno (v) VALUES (9)"; st=$?
ok $st "a second writer, sent after the abandonment, commits ($(( $(now_ms) - t0 )) ms)"
grep -q "attempt 1: attempt abandoned: connection [0-9]* (root) waited [0-9]* ms in \"Waiting for backup lock\": INSERT INTO t.inno (v) VALUES (7), over max_writer_wait (300 ms); the lock waited for connection [0-9]* (root@localhost, Query) running [0-9]* s: UPDATE t.isam" "$WORK/mq.log"
ok $? "the log names the writer, its wait, the bound and what the lock waited for: $(grep -o 'attempt abandoned.*' "$WORK/mq.log" | cut -c1-200)"
wait $FP; ok $? "freeze exits 0"
dead $LP; ok $? "the next attempt came after the UPDATE ended (the safe moment after an abandoned attempt waits for it)"
[ "$(grep -c "attempt abandoned" "$WORK/mq.log")" -eq 1 ]; ok $? "one attempt abandoned: none was sent into the UPDATE again"
"$BIN/post-thaw-script" thaw
# the negative control: the watch off, the same writer waits out the UPDATE
watch 0
[ "$WST" -ne 0 ] && grep -q "Lock wait timeout exceeded" "$WORK/w.err"
ok $? "max_writer_wait = 0: the writer gives up at its own lock wait timeout: $(tail -1 "$WORK/w.err")"
[ "$EL" -ge 2000 ]; ok $? "after waiting its whole 2 s (${EL} ms)"
! log_has "attempt abandoned"; ok $? "and nothing was abandoned"
wait $FP; ok $? "freeze exits 0"
"$BIN/post-thaw-script" thaw

diag "the writers' watch behind a young statement: the next attempt waits for the statement the abandoned one waited for, however young"
# the UPDATE is not let run a second first: abandoned at Time 0, it is
# invisible to a threshold of a second, and only its connection names it
METHOD=ftwrl LONG_QUERY=30 WAIT_TIMEOUT=8 SNAPSHOT_TIMEOUT=15 conf "[lock]" "max_writer_wait = 50"
sql "UPDATE t.isam SET v = v + SLEEP(3) WHERE id = 1" >"$WORK/upd.out" 2>&1 & LP=$!
wait_for 5 running "UPDATE t.isam" || bail "the UPDATE did not start"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & FP=$!
wait_for 5 holder_waiting; ok $? "the holder waits in FTWRL behind the young UPDATE"
sql "SET SESSION lock_wait_timeout = 2; INSERT INTO t.inno (v) VALUES (11)"; ok $? "a writer behind it commits"
age=$(sed -n 's/.*attempt abandoned:.*the lock waited for connection [0-9]* ([^)]*) running \([0-9]*\) s: UPDATE t.isam.*/\1/p' "$WORK/mq.log" | head -1)
[ "$age" = 0 ]; ok $? "the attempt was abandoned while the UPDATE showed Time 0 (got '${age}')"
sql "SET SESSION lock_wait_timeout = 2; INSERT INTO t.inno (v) VALUES (12)"; ok $? "a second writer commits"
wait $FP; ok $? "freeze exits 0"
dead $LP; ok $? "the lock came after the UPDATE ended"
[ "$(grep -c "attempt abandoned" "$WORK/mq.log")" -eq 1 ]
ok $? "the young statement once abandoned is waited for: no second attempt was sent into it ($(grep -c "attempt abandoned" "$WORK/mq.log") abandoned)"
ab=$(state_field abandoned_ms)
grep -q "lock held: .*(2 attempts; writers waited $ab ms behind 1 abandoned)" "$WORK/mq.log" && [ "$ab" -ge 50 ]
ok $? "the lock held line counts the writer's wait behind the abandoned attempt ($ab ms)"
"$BIN/post-thaw-script" thaw
b=$(state_field blocked_ms)
# the hold alone, from the state: the lock granted to the release sent
hold=$(( $(state_field release_us) / 1000 - $(state_field locked_mono) ))
[ "$b" -ge $(( hold + ab - 2 )) ] && grep -q "thaw INFO released (ftwrl); writes were blocked for $b ms ($ab ms of it behind abandoned attempts)" "$WORK/mq.log"
ok $? "and the cycle's stall includes it, beside the hold's $hold ms: $(grep -o 'writes were blocked for.*' "$WORK/mq.log" | tail -1)"
"$MQ" status --json >"$WORK/st.json"
grep -q "\"abandoned_ms\":$ab," "$WORK/st.json"; ok $? "status --json says abandoned_ms $ab"

diag "the writers' watch with kill_long_queries = all: the UPDATE the lock waited for is killed when the attempt is abandoned"
METHOD=ftwrl LONG_QUERY=1 WAIT_TIMEOUT=8 SNAPSHOT_TIMEOUT=15 conf "[lock]" "max_writer_wait = 300" "kill_long_queries = all"
long upd "UPDATE t.isam SET v = v + SLEEP(30) WHERE id = 1"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & FP=$!
wait_for 5 holder_waiting; ok $? "the holder waits in FTWRL behind the UPDATE"
t0=$(now_ms); sql "INSERT INTO t.inno (v) VALUES (8)"; st=$?; el=$(( $(now_ms) - t0 ))
ok $st "a writer behind it commits"
[ "$el" -lt 1500 ]; ok $? "after about max_writer_wait (${el} ms)"
wait $FP; ok $? "freeze exits 0 at the next attempt"
wait_for 2 dead $LP; ok $? "the UPDATE was killed"
log_has "attempt abandoned" && log_has "kill_long_queries = all: killed the statement of connection"
ok $? "both logged"
"$BIN/post-thaw-script" thaw

diag "kill_long_queries = all kills exactly the statement that blocks"
sql "SET GLOBAL event_scheduler = ON"
LONG_QUERY=1 WAIT_TIMEOUT=4 conf "[lock]" "kill_long_queries = all"
long sel "SELECT SLEEP(30) FROM t.inno LIMIT 1"; SP=$LP
long iupd "UPDATE t.inno SET v = v + SLEEP(30) WHERE id = 3"; IP=$LP
long upd "UPDATE t.isam SET v = v + SLEEP(30) WHERE id = 1"; UP=$LP
freeze
ok $ST "freeze exits 0"
[ "$EL" -lt 4000 ]; ok $? "within wait_timeout (${EL} ms)"
wait_for 2 dead $UP; ok $? "the MyISAM UPDATE was killed"
grep -q "interrupted" "$WORK/upd.out"; ok $? "its client was told: $(grep -o "ERROR.*interrupted" "$WORK/upd.out")"
grep -q "kill_long_queries = all: killed the statement of connection [0-9]* (root@localhost, Query) running [0-9]* s: UPDATE t.isam" "$WORK/mq.log"
ok $? "the kill is logged with user, host, time and statement"
[ "$(grep -c "killed the statement" "$WORK/mq.log")" -eq 1 ]; ok $? "one kill only"
! dead $SP; ok $? "the long SELECT was not killed"
! dead $IP; ok $? "the long InnoDB UPDATE was not killed"
[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'event_scheduler'")" -eq 1 ]
ok $? "the event scheduler still runs"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
sql "SELECT CONCAT('KILL QUERY ', ID, ';') FROM information_schema.PROCESSLIST WHERE INFO LIKE '%SLEEP(30)%' AND ID <> CONNECTION_ID()" | sql "$(cat)" 2>/dev/null
wait $SP $IP 2>/dev/null

diag "kill_long_queries = select kills nothing on MariaDB (reads never block)"
LONG_QUERY=1 WAIT_TIMEOUT=2 SNAPSHOT_TIMEOUT=3 conf "[lock]" "kill_long_queries = select"
long upd "UPDATE t.isam SET v = v + SLEEP(6) WHERE id = 1"
freeze
ok $(( ST != 6 )) "freeze waits for a safe moment, then exits 6"
! dead $LP; ok $? "the MyISAM UPDATE was not killed"
! log_has "killed"; ok $? "nothing was killed"
wait $LP

diag "kill_long_queries = select with a write in flight behind the waiting lock: the write is never killed"
# the UPDATE starts just before freeze, young enough to pass the safe
# moment; FTWRL then waits behind it past long_query_threshold, where
# the kill code runs
METHOD=ftwrl LONG_QUERY=1 WAIT_TIMEOUT=8 SNAPSHOT_TIMEOUT=15 conf "[lock]" "kill_long_queries = select"
: >"$WORK/mq.log"
sql "UPDATE t.isam SET v = v + SLEEP(3) WHERE id = 1" >"$WORK/wupd.out" 2>&1 & WP2=$!
wait_for 5 running "UPDATE t.isam SET v = v + SLEEP(3)" || bail "the UPDATE did not start"
freeze
wait $WP2; wst=$?
[ "$ST" -eq 0 ] && [ "$EL" -ge 1500 ]
ok $? "freeze waited behind the write and then held the lock (exit $ST, $EL ms)"
[ $wst -eq 0 ] && ! grep -q "interrupted" "$WORK/wupd.out" && ! log_has "killed the statement"
ok $? "the write behind the waiting lock was not killed: it completed (exit $wst)"
"$BIN/post-thaw-script" thaw

diag "no safe moment: exit 6 names the last blocker, not the first"
sql "CREATE TABLE IF NOT EXISTS t.isam2 (id INT PRIMARY KEY, v INT) ENGINE=MyISAM; INSERT IGNORE INTO t.isam2 VALUES (1, 1)"
LONG_QUERY=1 WAIT_TIMEOUT=2 SNAPSHOT_TIMEOUT=5 conf
long first "UPDATE t.isam SET v = v + SLEEP(4) WHERE id = 1"; FP1=$LP
long second "UPDATE t.isam2 SET v = v + SLEEP(10) WHERE id = 1"; FP2=$LP
freeze
ok $(( ST != 6 )) "freeze exits 6 (got $ST)"
grep -q "last blocker: connection [0-9]* (root@localhost, Query) running [0-9]* s: UPDATE t.isam2 " "$WORK/err"
ok $? "its one line names the last blocker, the second UPDATE: $(cut -c1-160 "$WORK/err")"
log_has "s: UPDATE t.isam SET"; ok $? "the log had named the first one while it ran"
no_holder && can_write; ok $? "no holder, no lock"
wait $FP1 $FP2

diag "kill_long_queries with a threshold that is not below wait_timeout"
LONG_QUERY=5 WAIT_TIMEOUT=5 conf "[lock]" "kill_long_queries = all"
freeze
ok $(( ST != 3 )) "freeze exits 3"
grep -q "below wait_timeout" "$WORK/err"; ok $? "and says why: $(head -c 100 "$WORK/err")"

diag "a lock not granted behind LOCK TABLES ... WRITE names the connection that holds it"
# what thaw and freeze read it from: performance_schema.metadata_locks,
# on MariaDB only with performance_schema and its mdl instrument on
# lt METHOD: freeze, its lock behind a session holding LOCK TABLES t.isam
# WRITE (busy in a table-less SLEEP: no blocker), gives up: ST, err
lt() {
	METHOD=$1 LONG_QUERY=1 WAIT_TIMEOUT=1 SNAPSHOT_TIMEOUT=2 conf
	sql "LOCK TABLES t.isam WRITE; SELECT SLEEP(5)" >/dev/null 2>&1 & LP=$!
	wait_for 5 running "SELECT SLEEP(5)" || bail "the LOCK TABLES session did not start"
	LTC=$(sql "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(5)'")
	freeze
	kill $LP 2>/dev/null; wait $LP 2>/dev/null
	sql "KILL $LTC" 2>/dev/null
}
lt ftwrl
ok $(( ST != 6 )) "without performance_schema: exit 6 (got $ST)"
grep -q "performance_schema.metadata_locks names no holder" "$WORK/err"; ok $? "and it says who could have named the holder: $(tail -c 200 "$WORK/err")"
server_stop "$WORK/s1"
server_run "$WORK/s1" --performance-schema=ON --performance-schema-instrument='wait/lock/metadata/sql/mdl=ON'
for m in ftwrl backup-stage; do
	lt $m
	ok $(( ST != 6 )) "$m: exit 6 (got $ST)"
	grep -q "its metadata lock is held by connection $LTC (root@localhost) with LOCK TABLES t.isam WRITE" "$WORK/err"
	ok $? "$m: the error names connection $LTC and its LOCK TABLES: $(grep -o 'its metadata lock.*' "$WORK/err" | head -1 | cut -c1-160)"
	no_holder && can_write; ok $? "$m: no holder, no lock"
done

done_testing
