#!/bin/bash
# What goes wrong: every fault ends with no lock held, within its bound,
# with a clear line and the documented exit code.
. "$(dirname "$0")/lib.sh"

server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
conf() { rm -rf "$WORK/run"; write_config "$WORK/c.conf" "$@"; }

# bg_insert SECONDS: an InnoDB insert that waits up to SECONDS for locks,
# in the background; its pid in BG, its finish time (ms) in $WORK/bg.end.
bg_insert() {
	rm -f "$WORK/bg.end"
	( sql "SET SESSION lock_wait_timeout = $1; INSERT INTO t.inno (v) VALUES (7)" &&
		now_ms >"$WORK/bg.end" ) 2>/dev/null &
	BG=$!
}
# bg_ms T0: ms from T0 to the background insert's commit; fails (and
# prints nothing) when the insert never committed.
bg_ms() {
	local e; e=$(cat "$WORK/bg.end" 2>/dev/null)
	[ -n "$e" ] || return 1
	echo $(( e - $1 ))
}
# bg_blocked: the server shows the background insert waiting for a lock.
bg_blocked() { running "INSERT INTO t.inno (v) VALUES (7)"; }

# hold_stopped PID: keep PID stopped under ptrace (tests/ptrace-stop), so
# SIGTERM and SIGCONT cannot move it, for up to 30 s; the helper's pid
# in PS. Succeeds once it is stopped.
hold_stopped() {
	rm -f "$WORK/ps.out"
	"$TOP/tests/ptrace-stop" "$1" 30 >"$WORK/ps.out" & PS=$!
	wait_for 5 grep -q stopped "$WORK/ps.out"
}

# long_myisam_write SECONDS: an UPDATE of a MyISAM table running that long.
long_myisam_write() {
	sql "UPDATE t.isam SET v = v + SLEEP($1) WHERE id = 1" >/dev/null 2>&1 &
	LW=$!
	wait_for 5 running "UPDATE t.isam"
}

diag "max_lock_time: the lock goes by itself, and a late thaw says so"
MAX_LOCK_TIME=2 conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze with max_lock_time = 2"
t0=$(now_ms); bg_insert 20; wait $BG
el=$(bg_ms "$t0") && [ "$el" -ge 1000 ] && [ "$el" -le 3000 ]
ok $? "writers resumed at max_lock_time ± 1 s (${el:-never} ms after freeze)"
phase_is expired; ok $? "state says expired"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $(( $? != 8 )) "the late thaw exits 8"
grep -q "lost before thaw: max_lock_time (2 s) reached" "$WORK/err"; ok $? "and says why on stderr"
"$BIN/post-thaw-script" thaw; ok $? "a thaw after that exits 0"

diag "the holder SIGKILLed: the server drops the lock with its connection"
conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
bg_insert 30
wait_for 5 bg_blocked; ok $? "an InnoDB insert waits for the lock"
t0=$(now_ms); kill -KILL "$(state_field pid)"; wait $BG
el=$(bg_ms "$t0") && [ "$el" -ge 0 ] && [ "$el" -lt 2000 ]
ok $? "it committed after the SIGKILL, ${el:-never} ms later (< 2000)"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $(( $? != 8 )) "thaw after the holder died exits 8"
grep -q "holder (pid [0-9]*) is gone" "$WORK/err"; ok $? "and says the holder is gone"

diag "the holder SIGSTOPped: the server's wait_timeout drops the lock"
MAX_LOCK_TIME=2 conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze with max_lock_time = 2"
t0=$(now_ms); kill -STOP "$(state_field pid)"
bg_insert 30
wait_for 5 bg_blocked; ok $? "an InnoDB insert waits for the lock"
wait $BG
# the server ends the idle session at its wait_timeout, max_lock_time +
# 5 s after the holder's last statement: not before the 2 s expiry the
# stopped holder cannot act on, and not much after 7 s
el=$(bg_ms "$t0") && [ "$el" -ge 4500 ] && [ "$el" -le 8000 ]
ok $? "it committed when the server dropped the session, ${el:-never} ms after the stop (4500-8000)"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $(( $? != 8 )) "thaw exits 8: the lock was lost"
[ "$(holders)" -eq 0 ]; ok $? "the stopped holder was ended"

diag "two freezes at once: one holder"
conf
"$BIN/pre-freeze-script" freeze 2>"$WORK/e1" & p1=$!
"$BIN/pre-freeze-script" freeze 2>"$WORK/e2" & p2=$!
wait $p1; s1=$?; wait $p2; s2=$?
[ "$(holders)" -eq 1 ]; ok $? "exactly one holder (exits $s1 and $s2)"
{ [ $s1 -eq 0 ] && { [ $s2 -eq 0 ] || [ $s2 -eq 7 ]; }; } ||
	{ [ $s2 -eq 0 ] && [ $s1 -eq 7 ]; }
ok $? "one freeze succeeded; the other succeeded after it or exited 7"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
can_write; ok $? "writes go through"
[ "$(holders)" -eq 0 ]; ok $? "no holder left"

diag "a live hold is never ended by another caller's freeze; one past its time is"
conf
"$BIN/pre-freeze-script" freeze; old=$(state_field pid)
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ $st -eq 7 ] && grep -q "a live hold: holder pid $old has held its lock for [0-9]* s" "$WORK/err" &&
	log_has "a live hold: holder pid $old"
ok $? "a second freeze while the first holds is refused: exit 7, naming the live hold (exit $st: $(cat "$WORK/err"))"
[ "$(state_field pid)" = "$old" ] && kill -0 "$old" && cannot_write
ok $? "the first hold goes on: same holder, writes still blocked"
"$BIN/post-thaw-script" thaw; ok $? "thaw releases it: exit 0"
can_write; ok $? "writes go through"
# a holder kept stopped past its max_lock_time holds nothing anyone
# relies on: the next freeze ends it, and says so
MAX_LOCK_TIME=2 conf
"$BIN/pre-freeze-script" freeze; old=$(state_field pid)
hold_stopped "$old" || bail "cannot stop the holder"
sleep 2.5
"$BIN/pre-freeze-script" freeze; st=$?
kill "$PS" 2>/dev/null; wait "$PS" 2>/dev/null
[ $st -eq 0 ] && [ "$(state_field pid)" != "$old" ] && dead "$old" &&
	log_has "(thaw never came); ending it"
ok $? "a hold past its max_lock_time is ended by the next freeze, and that is logged (exit $st)"
"$BIN/post-thaw-script" thaw; ok $? "thaw"

diag "SIGTERM to freeze while its lock waits (VMware's abort)"
METHOD=ftwrl WAIT_TIMEOUT=8 conf
long_myisam_write 6
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & fp=$!
wait_for 5 holder_waiting
ok $? "the holder is waiting for FTWRL behind the MyISAM write"
t0=$(now_ms); kill -TERM $fp; wait $fp; st=$?
ok $(( st != 9 )) "freeze exits 9 on SIGTERM"
wait_for 2 no_holder; ok $? "no holder within 2 s"
can_write; ok $? "InnoDB writers are not blocked ($(( $(now_ms) - t0 )) ms after SIGTERM)"
! running FLUSH; ok $? "no FLUSH statement left on the server"
wait $LW

diag "SIGTERM to freeze while BACKUP STAGE waits: no stage is left behind"
METHOD=backup-stage WAIT_TIMEOUT=8 conf
long_myisam_write 6
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & fp=$!
wait_for 5 running "BACKUP STAGE"
ok $? "the holder is waiting in BACKUP STAGE behind the MyISAM write"
kill -TERM $fp; wait $fp; ok $(( $? != 9 )) "freeze exits 9 on SIGTERM"
wait_for 2 no_holder; ok $? "no holder within 2 s"
sql "BACKUP STAGE START; BACKUP STAGE END"; ok $? "no backup stage is left on the server"
can_write; ok $? "writers are not blocked"
wait $LW

diag "SIGTERM to freeze while its holder, waiting, does not answer: SIGKILL after 3 s"
METHOD=ftwrl WAIT_TIMEOUT=20 conf
long_myisam_write 12
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & fp=$!
wait_for 5 holder_waiting; ok $? "the holder is waiting for FTWRL"
hp=$(state_field pid)
hold_stopped "$hp"; ok $? "the holder is held stopped under ptrace"
t0=$(now_ms); kill -TERM $fp; wait $fp; st=$?
el=$(( $(now_ms) - t0 ))
ok $(( st != 9 )) "freeze exits 9 (got $st)"
[ "$el" -ge 2900 ] && [ "$el" -lt 4500 ]; ok $? "after its 3 s wait for the holder, inside VMware's 5 s before SIGKILL (${el} ms)"
log_has "did not stop; killing it"; ok $? "the log says it killed the holder"
dead "$hp" && no_holder; ok $? "no holder is left"
! running FLUSH; ok $? "no FLUSH is left waiting on the server (its query was killed first)"
can_write; ok $? "writers are not blocked"
wait $PS; wait $LW

diag "freeze SIGKILLed while its lock waits: the holder's own wait_timeout bounds it"
METHOD=ftwrl WAIT_TIMEOUT=3 conf
long_myisam_write 10
"$BIN/pre-freeze-script" freeze 2>/dev/null & fp=$!
wait_for 5 running "FLUSH TABLES WITH"
ok $? "the holder is waiting for FTWRL"
t0=$(now_ms); kill -KILL $fp; wait $fp 2>/dev/null
wait_for 6 no_holder; st=$?
el=$(( $(now_ms) - t0 ))
ok $st "the orphaned holder gave up by itself (${el} ms after freeze died; wait_timeout 3 s)"
! running FLUSH; ok $? "no FLUSH is left waiting on the server"
can_write; ok $? "writers are not blocked"
phase_is failed; ok $? "state says the lock was never held"
wait $LW

diag "thaw while an orphaned holder still waits: its connection is killed at once"
METHOD=ftwrl WAIT_TIMEOUT=20 conf
long_myisam_write 10
"$BIN/pre-freeze-script" freeze 2>/dev/null & fp=$!
wait_for 5 holder_waiting
ok $? "the holder is waiting for FTWRL"
hp=$(state_field pid); conn=$(state_field conn_id)
kill -KILL $fp; wait $fp 2>/dev/null
t0=$(now_ms); "$BIN/post-thaw-script" thaw 2>"$WORK/err"; st=$?
el=$(( $(now_ms) - t0 ))
ok $st "thaw exits 0: the lock was never held"
[ "$el" -lt 2000 ] && dead "$hp"; ok $? "the holder is gone ${el} ms after thaw began (< 2000; its wait ignores SIGTERM)"
log_has "killed the holder's connection $conn"; ok $? "thaw killed its waiting connection $conn"
! running FLUSH; ok $? "no FLUSH is left waiting on the server"
can_write; ok $? "writers are not blocked"
wait $LW

diag "the holder SIGKILLed while it waits: freeze fails, and thaw says nothing was ever locked"
METHOD=ftwrl WAIT_TIMEOUT=20 conf
long_myisam_write 10
"$BIN/pre-freeze-script" freeze 2>/dev/null & fp=$!
wait_for 5 holder_waiting
ok $? "the holder is waiting for FTWRL"
kill -KILL "$(state_field pid)"
wait $fp; st=$?
ok $(( st == 0 )) "freeze fails (exit $st)"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; st=$?
ok $st "thaw exits 0, not 8: the lock was never held"
grep -q "nothing to release: the last freeze never held a lock (the holder (pid [0-9]*) ended before it took the lock" "$WORK/err"
ok $? "and says so"
phase_is failed; ok $? "state says failed, not lost"
"$BIN/post-thaw-script" thaw; ok $? "a second thaw exits 0 too"
wait $LW

diag "a holder that does not answer SIGTERM: thaw kills it, and the server releases with its connection"
conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
hp=$(state_field pid)
hold_stopped "$hp"; ok $? "the holder is held stopped under ptrace (SIGCONT cannot wake it)"
cannot_write; ok $? "writers are blocked while it is stopped"
t0=$(now_ms); "$BIN/post-thaw-script" thaw 2>"$WORK/err"; st=$?
el=$(( $(now_ms) - t0 ))
ok $st "thaw exits 0: it ended the hold itself (${el} ms)"
[ "$el" -ge 5000 ] && [ "$el" -lt 9000 ]; ok $? "after SIGTERM's 5 s grace, within 4 s more"
log_has "did not exit within 5000 ms of SIGTERM; killing it"; ok $? "the log says the holder did not answer"
dead "$hp"; ok $? "the holder was SIGKILLed"
phase_is released && state_field reason | grep -q "holder unresponsive; it was killed"
ok $? "state: released, holder unresponsive"
can_write; ok $? "writers are not blocked"
wait $PS

diag "a waiting connection of the same login, without the holder's marker, is never killed"
METHOD=ftwrl WAIT_TIMEOUT=20 conf
sql "SELECT SLEEP(60)" >/dev/null 2>&1 & BY=$!
wait_for 5 running "SELECT SLEEP(60)"; ok $? "a bystander of the holder's own login waits in a statement"
by=$(sql "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(60)'")
long_myisam_write 10
"$BIN/pre-freeze-script" freeze 2>/dev/null & fp=$!
wait_for 5 holder_waiting; ok $? "the holder is waiting for FTWRL"
hp=$(state_field pid); conn=$(state_field conn_id)
running "/* mysql-quiesce holder pid=$hp */ FLUSH TABLES WITH READ LOCK"
ok $? "the process list shows the holder's marker on connection $conn"
kill -KILL $fp; wait $fp 2>/dev/null
sed -i "s/^conn_id=.*/conn_id=$by/" "$WORK/run/state"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; st=$?
ok $st "thaw exits 0: the lock was never held"
log_has "connection $by is not proven the holder's (no holder marker"; ok $? "the log says connection $by is not proven the holder's"
! log_has "killed the holder's connection $by"; ok $? "and does not claim to have killed it"
[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = $by")" -eq 1 ]
ok $? "the bystander's connection $by was not killed"
dead "$hp"; ok $? "the holder itself was SIGKILLed"
wait $LW
no_flush() { ! running FLUSH; }
wait_for 5 no_flush; ok $? "its FLUSH, unprovable, ends with the write it waited for"
can_write; ok $? "writers are not blocked"
kill $BY 2>/dev/null; sql "KILL $by" 2>/dev/null; wait $BY 2>/dev/null

diag "the lock cannot be had: each wait bounded, then exit 6"
METHOD=ftwrl WAIT_TIMEOUT=1 SNAPSHOT_TIMEOUT=3 conf
long_myisam_write 8
t0=$(now_ms)
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
el=$(( $(now_ms) - t0 ))
ok $(( st != 6 )) "freeze exits 6 after snapshot_timeout (${el} ms)"
grep -q "snapshot_timeout (3 s)" "$WORK/err"; ok $? "and says snapshot_timeout"
grep -q "attempt 1: .*trying again" "$WORK/mq.log"; ok $? "it retried"
[ "$(holders)" -eq 0 ]; ok $? "no holder left"
can_write; ok $? "writers are not blocked"
wait $LW

diag "state that does not name our holder: nothing is signalled"
conf
mkdir -m 700 -p "$WORK/run"
sleep 300 & victim=$!
vstart=$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$victim/stat)
cat >"$WORK/run/state" <<EOS
version=1
phase=locked
thawed=0
pid=$victim
start_time=$vstart
conn_id=0
user=root@localhost
method=ftwrl
locked_at=1
locked_mono=1
expires_at=1
released_at=0
blocked_ms=-1
binlog_file=
binlog_pos=0
gtid=
reason=
end=1
EOS
chmod 600 "$WORK/run/state"
cp "$WORK/run/state" "$WORK/victim.state"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "thaw with an unrelated live pid in the state exits 8"
! dead $victim; ok $? "and the unrelated process was not signalled"
# holder.lock held, but by a process that is not the one the state names
# (another process's lock): the lock's owner must be the pid
cp "$WORK/victim.state" "$WORK/run/state"
need python3
record_lock "$WORK/run/holder.lock" & lk=$!
echo $lk >>"$WORK/pids"
wait_for 5 record_locked "$WORK/run/holder.lock"; ok $? "holder.lock is held by pid $lk, the state names pid $victim"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "thaw exits 8: no holder it can prove"
! dead $victim; ok $? "and the process the state names was not signalled"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
ok $(( st != 7 )) "a freeze while another process holds holder.lock: exit 7 (got $st)"
grep -q "another lock holder (pid $lk) is running" "$WORK/err"; ok $? "and names that pid"
kill "$lk"; wait "$lk" 2>/dev/null
printf 'version=1\nphase=locked\npid=%s\nstart_time=%s\nend=1\n' $victim $vstart >"$WORK/run/state"
"$BIN/pre-freeze-script" freeze; "$BIN/post-thaw-script" thaw
sed -i "s/^pid=.*/pid=$victim/" "$WORK/run/state"
sed -i "s/^phase=.*/phase=locked/; s/^thawed=.*/thawed=0/" "$WORK/run/state"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "a reused pid with another start time: exits 8"
! dead $victim; ok $? "and that process was not signalled either"
# The pid the state names holds holder.lock itself, but started at
# another time than the state says (the holder died and its pid went to
# a process that holds the lock): only the start time tells them apart.
# (record_lock takes it in this very process, then becomes sleep)
record_lock "$WORK/run/holder.lock" & owner=$!
echo $owner >>"$WORK/pids"
wait_for 5 record_locked "$WORK/run/holder.lock"; ok $? "holder.lock is held by pid $owner itself"
ostart=$(awk '{ sub(/.*\) /, ""); print $20 }' /proc/$owner/stat)
printf 'version=1\nphase=locked\npid=%s\nstart_time=%s\nend=1\n' $owner $((ostart + 7)) >"$WORK/run/state"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "the lock's owner with another start time: thaw exits 8"
! dead $owner; ok $? "and pid $owner was not signalled"
kill $owner 2>/dev/null; wait $owner 2>/dev/null
head -c 40 "$WORK/run/state" >"$WORK/run/state.cut"; mv "$WORK/run/state.cut" "$WORK/run/state"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $(( $? != 10 )) "a truncated state file: thaw exits 10"
grep -q "state file: corrupt" "$WORK/err"; ok $? "and says the state file is corrupt"
printf '\x00\x01garbage' >"$WORK/run/state"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 10 )) "a binary state file: thaw exits 10"
! dead $victim; ok $? "nothing was signalled"
rm -f "$WORK/run/state"; ln -s "$WORK/victim.state" "$WORK/run/state" # a valid state, behind a link
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $(( $? != 10 )) "a symlinked state file: thaw exits 10"
grep -q "symlink" "$WORK/err"; ok $? "and says it is a symlink"
kill $victim

rm -rf "$WORK/run"; mkdir "$WORK/elsewhere"; ln -s "$WORK/elsewhere" "$WORK/run"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $(( $? != 10 )) "a symlinked run_dir: freeze exits 10"
grep -q "is a symlink; refusing it" "$WORK/err"; ok $? "and says so"
[ "$(holders)" -eq 0 ]; ok $? "nothing was started"
rm -f "$WORK/run"

diag "the server unreachable, or privileges missing"
conf; sed -i "s|^socket = .*|socket = $WORK/no.sock|" "$WORK/c.conf"
echo stale >"$DATADIR/binlog_info.txt"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $(( $? != 4 )) "server down: freeze exits 4"
grep -q "freeze failed: cannot connect (freeze's own connection): .*no.sock" "$WORK/err"; ok $? "and says it cannot connect"
[ ! -e "$DATADIR/binlog_info.txt" ]; ok $? "a stale binlog info file is not left for the snapshot"
printf '[mysql]\nsocket = %s\n[lock]\non_failure = proceed\n[files]\nrun_dir = %s\nlog_file = %s\n' \
	"$WORK/no.sock" "$WORK/run" "$WORK/mq.log" >"$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "on_failure = proceed: freeze exits 0"
grep -q "WITHOUT a lock" "$WORK/err" && log_has "WITHOUT a lock"; ok $? "and says loudly it holds no lock"
conf; sql "CREATE USER weak@localhost; GRANT PROCESS ON *.* TO weak@localhost"
sed -i "s/^user = root/user = weak/" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $(( $? != 5 )) "no RELOAD privilege: freeze exits 5"
grep -qi "RELOAD" "$WORK/err"; ok $? "and names RELOAD"
isolated "$MQ" check >"$WORK/out"; ok $(( $? != 5 )) "check exits 5"
grep -q "FAIL  privilege RELOAD missing" "$WORK/out"; ok $? "check names the missing privilege"
[ "$(holders)" -eq 0 ]; ok $? "no holder left"

diag "the binlog info file or the state cannot be written (a full filesystem): no lock is kept"
mkdir -p "$WORK/full"
mount -t tmpfs -o size=64k tmpfs "$WORK/full" || bail "cannot mount a tmpfs"
echo "$WORK/full" >>"$WORK/mounts"
dd if=/dev/zero of="$WORK/full/fill" bs=4k 2>/dev/null
INFO_FILE=$WORK/full/binlog_info.txt conf
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
ok $(( st != 1 )) "freeze exits 1"
grep -q "No space left on device" "$WORK/err"; ok $? "and names the cause: $(head -c 160 "$WORK/err")"
[ "$(holders)" -eq 0 ]; ok $? "no holder left"
can_write; ok $? "writers are not blocked: the holder released the lock it had taken"
[ -z "$(find "$WORK/full" -name '*binlog_info*')" ]; ok $? "no partial info file is left"
phase_is failed; ok $? "state says the lock was not kept"
conf; sed -i "s|^run_dir = .*|run_dir = $WORK/full/run|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
ok $(( st != 1 )) "run_dir on the full filesystem: freeze exits 1"
grep -q "cannot write state: No space left on device" "$WORK/err"; ok $? "and names the cause"
no_holder && can_write; ok $? "no holder, no lock"
"$BIN/post-thaw-script" thaw; ok $? "thaw then has nothing to release: exit 0"
umount "$WORK/full"

diag "max_lock_time expires while the log's and the metrics' filesystem is frozen"
loop_mount ext4 32 "$WORK/logfs.img" "$WORK/logfs"
LOG_FILE=$WORK/logfs/mq.log MAX_LOCK_TIME=2 conf "metrics_file = $WORK/logfs/mq.prom"
"$BIN/pre-freeze-script" freeze; ok $? "freeze, logging and writing metrics to $WORK/logfs"
fsfreeze -f "$WORK/logfs"
t0=$(now_ms); bg_insert 20; wait $BG
el=$(bg_ms "$t0") && [ "$el" -ge 1000 ] && [ "$el" -le 3000 ]
ok $? "the lock was released on time with the log frozen (${el:-never} ms after freeze; 1000-3000)"
phase_is expired; ok $? "state says expired"
! grep -q "lock released" "$WORK/logfs/mq.log"; ok $? "no log line could be written while frozen"
fsfreeze -u "$WORK/logfs"
wait_for 3 grep -q "holder INFO lock released after" "$WORK/logfs/mq.log"; ok $? "the log line appears after the thaw"
wait_for 3 grep -q 'mysql_quiesce_last_outcome{outcome="expired"} 1' "$WORK/logfs/mq.prom"; ok $? "and the metrics, written after the release, say expired"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "the late thaw exits 8"

diag "a DBA kills the holder's connection during the hold"
conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
sql "KILL $(state_field conn_id)"
wait_for 5 phase_is lost; ok $? "the holder noticed at once: state lost"
can_write; ok $? "writers are not blocked"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $(( $? != 8 )) "thaw exits 8"
grep -q "lost before thaw: the server closed the connection (restarted, or the connection was killed)" "$WORK/err"
ok $? "and says the connection was closed or killed"
no_holder; ok $? "no holder is left"

diag "the server restarts during the hold"
conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
server_stop "$WORK/s1"; server_run "$WORK/s1"
wait_for 5 phase_is lost; ok $? "the holder noticed at once: state lost"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $(( $? != 8 )) "thaw exits 8"
grep -q "lost before thaw: the server closed the connection" "$WORK/err"; ok $? "and says the server closed the connection"

done_testing
