#!/bin/bash
# Progress where a person waits: freeze's wait for a safe moment prints,
# at most once a second, the blocker (connection id, user, seconds, the
# statement cut and cleaned) and the time left — on a terminal or with
# -v, and never on a hook's piped stderr.
. "$(dirname "$0")/lib.sh"
need script

server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
LONG_QUERY=1 SNAPSHOT_TIMEOUT=30 write_config "$WORK/c.conf"

# blocker: a MyISAM write running ~5 s, written over several lines with
# runs of blanks; its connection id in BID once it has run > 1 s.
blocker() {
	sql "UPDATE   t.isam
		SET v = v + SLEEP(5)    WHERE id = 1" >/dev/null 2>&1 &
	BW=$!
	wait_for 5 running "UPDATE"
	BID=$(sql "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE%'")
	sleep 1.2 # past long_query_threshold (1 s): the freeze must wait
}
progress_lines() { grep -c "waiting for a safe moment: connection" "$1"; }

diag "-v, stderr a file"
blocker
t0=$(now_ms); "$MQ" -v freeze 2>"$WORK/err"; st=$?
el=$(( $(now_ms) - t0 ))
ok $st "freeze waited for the write (${el} ms), then locked"
"$MQ" thaw 2>/dev/null; wait $BW
grep "waiting for a safe moment: connection" "$WORK/err" | grep -v " INFO " >"$WORK/prog"
n=$(grep -c "" "$WORK/prog")
[ "$n" -ge 2 ] && [ "$n" -le $(( el / 1000 + 1 )) ]; ok $? "$n progress lines in ${el} ms: at most one a second (polled every 250 ms)"
grep -Eq "^waiting for a safe moment: connection $BID \(root\) running [0-9]+ s: UPDATE t\.isam SET v = v \+ SLEEP\(5\) WHERE id = 1; [0-9]+ s left$" "$WORK/prog"
ok $? "each names connection $BID, its user, its seconds, the statement on one cleaned line, the time left"
s1=$(sed -n '1s/.* running \([0-9]*\) s:.*/\1/p' "$WORK/prog"); s2=$(sed -n '$s/.* running \([0-9]*\) s:.*/\1/p' "$WORK/prog")
l1=$(sed -n '1s/.*; \([0-9]*\) s left/\1/p' "$WORK/prog"); l2=$(sed -n '$s/.*; \([0-9]*\) s left/\1/p' "$WORK/prog")
[ "$s2" -gt "$s1" ] && [ "$l2" -lt "$l1" ] && [ "$l1" -le 30 ]; ok $? "the seconds grow ($s1 → $s2), the time left shrinks ($l1 → $l2)"
! grep -q "waiting for a safe moment: connection.*s left" "$WORK/mq.log"; ok $? "progress lines are not in the log file"

diag "a hook's piped stderr: no progress"
blocker
"$BIN/pre-freeze-script" freeze 2>&1 | cat >"$WORK/err"; ok "${PIPESTATUS[0]}" "freeze (stderr a pipe)"
"$BIN/post-thaw-script" thaw 2>/dev/null; wait $BW
[ "$(progress_lines "$WORK/err")" -eq 0 ]; ok $? "nothing of the wait on a hook's stderr"
grep -q "waiting for a safe moment: connection $BID" "$WORK/mq.log"; ok $? "the log file has the wait, as always"

diag "a terminal: progress without -v"
blocker
script -qec "$MQ freeze" /dev/null >"$WORK/tty" 2>&1; ok $? "freeze on a pseudo-terminal"
"$MQ" thaw 2>/dev/null; wait $BW
tr -d '\r' <"$WORK/tty" | grep -v " INFO " >"$WORK/prog"
[ "$(progress_lines "$WORK/prog")" -ge 2 ]; ok $? "progress lines on the terminal ($(progress_lines "$WORK/prog"))"

done_testing
