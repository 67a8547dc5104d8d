#!/bin/bash
# status and status --json: the last cycle's outcome, times, durations,
# attempts, coordinates and exit code, kept until the next freeze; the
# exit status says when that outcome was a failure, an expiry or a loss.
. "$(dirname "$0")/lib.sh"
need python3 flock

server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
conf() { write_config "$WORK/c.conf" "$@"; }
# js KEY: a field of status --json (python's json: the output must parse)
js() { "$MQ" status --json | python3 -c 'import json, sys; v = json.load(sys.stdin)[sys.argv[1]]; print("null" if v is None else str(v).lower() if isinstance(v, bool) else v)' "$1"; }
txt() { "$MQ" status | sed -n "s/^$1: *//p"; }

diag "no cycle yet"
rm -rf "$WORK/run"; conf
"$MQ" status >"$WORK/out"; ok $? "status exits 0"
grep -q "^phase: *idle" "$WORK/out"; ok $? "and says idle"

diag "while locked"
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
st=0; "$MQ" status >"$WORK/out" || st=$?
ok $st "status exits 0 while locked"
[ "$(js phase)" = locked ] && [ "$(js holder_alive)" = true ]; ok $? "locked, the holder alive"
[ "$(js exit_verb)" = freeze ] && [ "$(js exit_code)" = 0 ]; ok $? "last exit: freeze, 0"
[ "$(js attempts)" = 1 ] && [ "$(js freeze_ms)" -gt 0 ] && [ "$(js freeze_ms)" -lt 5000 ]; ok $? "one attempt, $(js freeze_ms) ms to the lock"
[ "$(js flavor)" = MariaDB ] && [ "$(js method)" = backup-stage ]; ok $? "method and flavor"
b=$(js began_at) l=$(js locked_at)
[ -n "$b" ] && [ -n "$l" ] && [[ ! "$b" > "$l" ]]; ok $? "began ($b) no later than locked ($l)"
[ "$(js binlog_pos)" = "$(info_field binlog_pos)" ] && [ "$(js binlog_file)" = "$(info_field binlog_file)" ] &&
	[ "$(js coordinates)" = exact ] && ! grep -q "^coordinates:" "$WORK/out"
ok $? "the coordinates are the info file's, and exact"
grep -Eq "^to the lock: +[0-9]+ ms, 1 attempt$" "$WORK/out" && grep -q "^last exit: *0 (freeze)" "$WORK/out" &&
	grep -q "^method: *backup-stage on MariaDB" "$WORK/out"
ok $? "the text form says the same"

diag "after thaw"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
"$MQ" status >"$WORK/out"; ok $? "status exits 0 after a release"
[ "$(js phase)" = released ] && [ "$(js thawed)" = true ]; ok $? "released, thawed"
[ "$(js exit_verb)" = thaw ] && [ "$(js exit_code)" = 0 ]; ok $? "last exit: thaw, 0"
[ "$(js blocked_ms)" -ge 0 ] && grep -Eq "^held for: +[0-9]+ ms" "$WORK/out"; ok $? "held for $(js blocked_ms) ms"

diag "while the holder waits for its lock"
METHOD=ftwrl WAIT_TIMEOUT=10 conf
sql "UPDATE t.isam SET v = v + SLEEP(3) WHERE id = 1" >/dev/null 2>&1 & LW=$!
wait_for 5 running "UPDATE t.isam"
"$BIN/pre-freeze-script" freeze 2>/dev/null & fp=$!
wait_for 5 holder_waiting; ok $? "the server shows the holder waiting in FTWRL behind a MyISAM UPDATE"
"$MQ" status >"$WORK/out"; st=$?
ok $st "status exits 0 while the holder waits"
[ "$(js phase)" = waiting ] && [ "$(js holder_alive)" = true ]; ok $? "waiting, the holder alive"
grep -q "^phase: *waiting" "$WORK/out"; ok $? "the text form says waiting"
wait $fp; ok $? "freeze exits 0 once the UPDATE is done"
wait $LW
"$BIN/post-thaw-script" thaw; ok $? "thaw"
conf

diag "a freeze that fails: kept until the next freeze, exit 14"
conf
sed -i "s|^socket = .*|socket = $WORK/no.sock|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>/dev/null; fst=$?
ok $(( fst != 4 )) "freeze exits 4: no server"
"$MQ" status >"$WORK/out"; st=$?
ok $(( st != 14 )) "status exits 14 (exit $st)"
[ "$(js phase)" = failed ] && [ "$(js exit_verb)" = freeze ] && [ "$(js exit_code)" = 4 ]; ok $? "failed; last exit: freeze, 4"
grep -q "^reason: .*cannot connect" "$WORK/out"; ok $? "and the reason"
[ "$(js exit_name)" = server ] && grep -q "^last exit: *4 (freeze): server$" "$WORK/out"; ok $? "the code named: server"
sed -i "s|^\(\[lock\]\)|\1\non_failure = proceed|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>/dev/null; ok $? "with on_failure = proceed freeze exits 0"
"$MQ" status >/dev/null; st=$?
ok $(( st != 14 )) "status still exits 14: nothing was locked (exit $st)"
[ "$(js exit_code)" = 0 ] && [ "$(js phase)" = failed ]; ok $? "failed; last exit: freeze, 0"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $? "thaw: nothing to release"
[ "$(js exit_verb)" = thaw ] && [ "$(js exit_code)" = 0 ] && [ "$(js phase)" = failed ]; ok $? "last exit: thaw, 0; still failed"

diag "an expiry: exit 8, and thaw's exit recorded"
MAX_LOCK_TIME=1 conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze, max_lock_time = 1"
expired() { [ "$(js phase)" = expired ]; }
wait_for 5 expired; ok $? "the lock expired"
"$MQ" status >/dev/null; st=$?
ok $(( st != 8 )) "status exits 8 (exit $st)"
[ "$(js exit_verb)" = freeze ] && [ "$(js exit_code)" = 0 ]; ok $? "last exit: freeze, 0"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "the late thaw exits 8"
[ "$(js exit_verb)" = thaw ] && [ "$(js exit_code)" = 8 ] && [ "$(js exit_name)" = "lock lost before thaw" ]; ok $? "last exit: thaw, 8, named"

diag "a lost lock: exit 8"
conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
sql "KILL $(state_field conn_id)"
lost() { [ "$(js phase)" = lost ]; }
wait_for 5 lost; ok $? "the holder's connection killed: phase lost"
"$MQ" status >"$WORK/out"; st=$?
ok $(( st != 8 )) "status exits 8 (exit $st)"
grep -q "^reason: .*the server closed the connection" "$WORK/out"; ok $? "and says why"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "thaw exits 8"
[ "$(js exit_verb)" = thaw ] && [ "$(js exit_code)" = 8 ] && [ "$(js phase)" = lost ]; ok $? "last exit: thaw, 8; still lost"

diag "a busy freeze does not overwrite the cycle it found"
conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
exec 9>"$WORK/run/lock"; flock -n 9; ok $? "run_dir/lock held, as a running freeze or thaw holds it"
"$BIN/pre-freeze-script" freeze 2>/dev/null; fst=$?
exec 9>&-
ok $(( fst != 7 )) "a second freeze exits 7"
[ "$(js phase)" = locked ] && [ "$(js exit_code)" = 0 ] && [ "$(js holder_alive)" = true ]; ok $? "status still shows the first cycle, locked"
"$BIN/post-thaw-script" thaw; ok $? "thaw"

diag "snapshot mode records its own exit"
"$MQ" snapshot --no-freeze-fs -- true; ok $? "snapshot -- true"
[ "$(js exit_verb)" = snapshot ] && [ "$(js exit_code)" = 0 ]; ok $? "last exit: snapshot, 0"
"$MQ" snapshot --no-freeze-fs -- false 2>/dev/null; sst=$?
ok $(( sst != 11 )) "snapshot -- false exits 11"
[ "$(js exit_verb)" = snapshot ] && [ "$(js exit_code)" = 11 ]; ok $? "last exit: snapshot, 11"

done_testing
