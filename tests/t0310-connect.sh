#!/bin/bash
# Connecting and running short: a server socket that never answers, the
# server at max_connections, a process out of descriptors. Each ends
# with the right exit code, a line naming the cause, and nothing held.
. "$(dirname "$0")/lib.sh"
need python3 pgrep

server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
conf() { rm -rf "$WORK/run"; write_config "$WORK/c.conf" "$@"; }

diag "a socket that accepts and never answers: snapshot_timeout bounds the connect"
SILENT=$WORK/silent.sock
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(64)
time.sleep(600)' "$SILENT" & SP=$!
echo $SP >>"$WORK/pids"
wait_for 5 test -S "$SILENT"; ok $? "the silent listener is up"
conf
sed -i "s|^socket = .*|socket = $SILENT|; s|^snapshot_timeout = .*|snapshot_timeout = 2|" "$WORK/c.conf"
t0=$(now_ms); "$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
el=$(( $(now_ms) - t0 ))
ok $(( st != 6 )) "freeze exits 6 (exit $st)"
[ "$el" -ge 2000 ] && [ "$el" -lt 4000 ]; ok $? "at snapshot_timeout, not the client's 30 s read timeout (${el} ms)"
grep -q "cannot connect (freeze's own connection): the server did not answer before the deadline" "$WORK/err"
ok $? "and says the server did not answer"
wait_for 3 no_holder; ok $? "no holder is left"

diag "...and SIGTERM (VMware's abort) ends the wait at once"
sed -i "s|^snapshot_timeout = .*|snapshot_timeout = 60|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & fp=$!
has_holder() { [ "$(holders)" -gt 0 ]; }
wait_for 5 has_holder; ok $? "freeze has started its holder and is connecting"
sleep 0.3 # inside the connect: nothing observable to wait on but time
t0=$(now_ms); kill -TERM $fp; wait $fp; st=$?
el=$(( $(now_ms) - t0 ))
ok $(( st != 9 )) "freeze exits 9 (exit $st)"
[ "$el" -lt 1000 ]; ok $? "within a second of SIGTERM (${el} ms)"
grep -q "stopped by a signal while connecting" "$WORK/err"; ok $? "and says it was stopped while connecting"
wait_for 3 no_holder; ok $? "no holder is left"
kill $SP; wait $SP 2>/dev/null

diag "the server at max_connections: the error names whose connection failed"
sql "CREATE USER few@localhost;
     GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR ON *.* TO few@localhost"
conf
sed -i "s|^user = .*|user = few|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze && "$BIN/post-thaw-script" thaw
ok $? "a cycle works for few@localhost without the limit"
# One slot left (10 is the server's least max_connections): freeze and
# its holder both need one, so one of them is refused, whichever comes
# second.
sql "SET GLOBAL max_connections = 10"
SLEEPERS=
for i in 1 2 3 4 5 6 7 8 9; do
	mariadb --no-defaults -S "$SOCK" -ufew -e "SELECT SLEEP(60)" >/dev/null 2>&1 &
	SLEEPERS="$SLEEPERS $!"
done
nine() { [ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'few'")" -eq 9 ]; }
wait_for 10 nine; ok $? "nine of the ten connections are taken"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
kill $SLEEPERS 2>/dev/null; wait $SLEEPERS 2>/dev/null
sql "KILL USER few; SET GLOBAL max_connections = 151"
ok $(( st != 4 )) "freeze exits 4 (exit $st)"
grep -Eq "(the lock holder cannot connect|cannot connect \(freeze's own connection\)): Too many connections" "$WORK/err"
ok $? "and names the connection that was refused: $(grep -o "[a-z' ]*cannot connect[^:]*" "$WORK/err" | head -1)"
wait_for 3 no_holder; ok $? "no holder is left"
can_write; ok $? "writers are not blocked"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; ok $? "the thaw after it exits 0: nothing was locked"

diag "out of descriptors at each step: exit 1 (a system error), never 10, nothing held"
conf
for n in 4 5 6 7 8 9; do
	( ulimit -n $n; exec "$BIN/pre-freeze-script" freeze ) 2>"$WORK/err"; st=$?
	ok $(( st != 1 )) "with $n descriptors freeze exits 1 (exit $st): $(grep -o 'freeze failed: .*' "$WORK/err")"
	grep -q "Too many open files" "$WORK/err"; ok $? "with $n descriptors the error names the shortage"
	wait_for 3 no_holder && can_write; ok $? "with $n descriptors no holder is left and writers run"
	"$BIN/post-thaw-script" thaw 2>"$WORK/err"; st=$?
	ok $st "with $n descriptors the next thaw exits 0, not 8 (exit $st)"
done
"$BIN/pre-freeze-script" freeze && "$BIN/post-thaw-script" thaw
ok $? "with enough descriptors, a cycle works: the shortage left nothing behind"

done_testing
