#!/bin/bash
# Contracts, one named case each: -h and -V; a statement failing at each
# step of freeze and at the release (exit 4 or a clean release, never a
# lock left); SIGINT and SIGHUP (exit 9); a forced method the server
# lacks (exit 3); an unsafe run_dir (exit 10, nothing signalled); host
# and port over TCP; ignore_commands.
. "$(dirname "$0")/lib.sh"
need python3

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
server_start s1 --skip-networking=0 --bind-address=127.0.0.1 --port="$PORT" --skip-name-resolve
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
conf() { rm -rf "$WORK/run" "$WORK/mq.log"; write_config "$WORK/c.conf" "$@"; }
# as_user USER: the config's user is USER (no password)
as_user() { sed -i "s/^user = root/user = $1/" "$WORK/c.conf"; }
# blocker_1s: the server shows the MyISAM UPDATE (command Query) running
# for a second: a blocker at long_query_threshold = 1
blocker_1s() { [ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE t.isam%' AND COMMAND = 'Query' AND TIME >= 1")" -eq 1 ]; }
GRANTS="RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN"

diag "-h and -V"
"$MQ" -h >"$WORK/h"; st=$?
"$MQ" --help >"$WORK/help"
[ "$st" -eq 0 ] && grep -q freezeFail "$WORK/h" && cmp -s "$WORK/h" "$WORK/help"
ok $? "-h exits 0 and prints the help --help prints"
"$MQ" -V >"$WORK/v"; st=$?
"$MQ" --version >"$WORK/version"
[ "$st" -eq 0 ] && grep -q '^mysql-quiesce [0-9]' "$WORK/v" && cmp -s "$WORK/v" "$WORK/version"
ok $? "-V exits 0 and prints the version --version prints"
"$BIN/pre-freeze-script" -h | grep -q freezeFail; ok $? "-h works under a hook's name too"
"$MQ" -q status 2>"$WORK/err"; st=$?
[ "$st" -eq 2 ] && grep -q "unknown option -q" "$WORK/err"; ok $? "an unknown option: exit 2, named (got $st)"

diag "a statement that fails at each step: exit 4, nothing held; at the release: released"
# MAX_QUERIES_PER_HOUR N fails the account's statement N + 1, wherever
# that falls: freeze's own, the holder's before the lock, while locked,
# or the release. Swept from 1 until a freeze succeeds.
n=0 locked=0 steps=""
while [ "$n" -lt 30 ] && [ "$locked" -eq 0 ]; do
	n=$((n + 1))
	sql "DROP USER IF EXISTS lim@localhost;
	     CREATE USER lim@localhost WITH MAX_QUERIES_PER_HOUR $n;
	     GRANT $GRANTS ON *.* TO lim@localhost; FLUSH USER_RESOURCES"
	conf; as_user lim
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
	if [ "$st" -eq 0 ]; then
		locked=$n
		break
	fi
	step=$(sed -n 's/.*freeze failed: \(.*\): User .lim. has exceeded.*/\1/p' "$WORK/err")
	steps="$steps${steps:+, }$step"
	[ "$st" -eq 4 ] && [ -n "$step" ] && [ "$(wc -l <"$WORK/err")" -eq 1 ]
	ok $? "limit $n: freeze exits 4 with one line naming the step ($step; exit $st)"
	no_holder && can_write; ok $? "limit $n: no holder, no lock"
	"$MQ" status >/dev/null; st=$?
	[ "$st" -eq 14 ] && state_field reason | grep -q "^$step: "
	ok $? "limit $n: status exits 14 and names the same step (exit $st)"
	"$BIN/post-thaw-script" thaw 2>/dev/null; ok $? "limit $n: thaw exits 0"
done
diag "the steps that failed: $steps"
echo "$steps" | grep -q "BACKUP STAGE START" && echo "$steps" | grep -q "reading coordinates"
ok $? "the sweep failed statements before the lock and while it was held"
[ "$locked" -gt 0 ]; ok $? "with a limit of $locked freeze holds the lock"
cannot_write; ok $? "limit $locked: commits are blocked"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; st=$?
ok $st "limit $locked, the release statement itself refused: thaw exits 0 (exit $st: $(cat "$WORK/err"))"
log_has "the release statement failed (User 'lim' has exceeded" &&
	log_has "closing the connection released the lock"
ok $? "the log says the statement failed and closing the connection released"
can_write && no_holder; ok $? "released: commits go through, no holder"
phase_is released; ok $? "state says released"

diag "SIGINT and SIGHUP to freeze while it waits for a safe moment: exit 9"
for sig in INT HUP; do
	LONG_QUERY=1 conf
	sql "UPDATE t.isam SET v = v + SLEEP(20) WHERE id = 1" >/dev/null 2>&1 & LW=$!
	echo "$LW" >>"$WORK/pids"
	wait_for 5 blocker_1s
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & fp=$!
	wait_for 5 log_has "waiting for a safe moment: connection"
	ok $? "SIG$sig: freeze waits for a safe moment behind a MyISAM UPDATE"
	kill -$sig $fp; wait $fp; st=$?
	ok $(( st != 9 )) "SIG$sig: freeze exits 9 (got $st)"
	grep -q "stopped by a signal" "$WORK/err"; ok $? "SIG$sig: and says so"
	wait_for 2 no_holder && can_write; ok $? "SIG$sig: no holder, InnoDB writers not blocked"
	sql "KILL QUERY $(sql "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE t.isam%'")"
	wait $LW
done

diag "a forced method the server lacks: exit 3"
METHOD=percona-backup-locks conf
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
ok $(( st != 3 )) "method = percona-backup-locks on MariaDB: freeze exits 3 (got $st)"
grep -q "lock method percona-backup-locks needs Percona Server" "$WORK/err"; ok $? "and names what it needs"
no_holder && can_write; ok $? "no holder, no lock"

diag "an unsafe run_dir: exit 10, nothing signalled"
conf
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
hp=$(state_field pid)
chmod 777 "$WORK/run"
"$BIN/post-thaw-script" thaw 2>"$WORK/err"; st=$?
ok $(( st != 10 )) "run_dir writable by others: thaw exits 10 (got $st)"
grep -q "run_dir $WORK/run is writable by group or others; refusing it" "$WORK/err"; ok $? "and says so"
! dead "$hp" && cannot_write; ok $? "the holder was not signalled: it still holds the lock"
chmod 700 "$WORK/run"
"$BIN/post-thaw-script" thaw; ok $? "run_dir mended: thaw exits 0"
can_write; ok $? "released"
chown 12345 "$WORK/run"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
ok $(( st != 10 )) "run_dir owned by another uid: freeze exits 10 (got $st)"
grep -q "run_dir $WORK/run is owned by uid 12345, not us; refusing it" "$WORK/err"; ok $? "and says so"
no_holder && can_write; ok $? "no holder, no lock"

diag "host and port: over TCP, with a password"
sql "CREATE USER tcpq@'127.0.0.1' IDENTIFIED BY 'Tcp-4k-secret'; GRANT $GRANTS ON *.* TO tcpq@'127.0.0.1'"
tcp_conf() { # tcp_conf PORT
	conf
	sed -i "/^socket = /d; s/^user = root/host = 127.0.0.1\nport = $1\nuser = tcpq\npassword = Tcp-4k-secret/" "$WORK/c.conf"
}
tcp_conf "$PORT"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze over TCP exits 0"
[ "$(state_field user)" = "tcpq@127.0.0.1" ]; ok $? "the holder is tcpq@127.0.0.1 ($(state_field user))"
[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'tcpq' AND HOST LIKE '127.0.0.1:%'")" -eq 1 ]
ok $? "the server shows its connection from 127.0.0.1 over TCP"
cannot_write; ok $? "commits are blocked"
"$BIN/post-thaw-script" thaw; ok $? "thaw over TCP exits 0"
can_write && no_holder; ok $? "released"
free=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tcp_conf "$free"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 4 ] && grep -q "cannot connect (freeze's own connection): .*127.0.0.1" "$WORK/err"
ok $? "a port nobody listens on: exit 4, the host named ($(cat "$WORK/err"))"
! grep -q "Tcp-4k-secret" "$WORK/err" "$WORK/mq.log"; ok $? "the password is in neither the error nor the log"

diag "ignore_commands: a command listed there never makes freeze wait"
sql "UPDATE t.isam SET v = v + SLEEP(4) WHERE id = 1" >/dev/null 2>&1 & LW=$!
wait_for 5 blocker_1s; ok $? "a MyISAM UPDATE (command Query) has run for a second"
LONG_QUERY=1 WAIT_TIMEOUT=8 conf "[lock]" "ignore_commands = Sleep, Query"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err" & fp=$!
wait_for 5 holder_waiting; ok $? "the holder tries the lock at once: the server shows it waiting behind the UPDATE"
! log_has "waiting for a safe moment"; ok $? "freeze did not wait for a safe moment"
wait $fp; ok $? "freeze exits 0 once the UPDATE is done"
dead $LW; ok $? "the lock came after the UPDATE ended"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
sql "UPDATE t.isam SET v = v + SLEEP(3) WHERE id = 1" >/dev/null 2>&1 & LW=$!
wait_for 5 blocker_1s
LONG_QUERY=1 WAIT_TIMEOUT=8 conf
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "control, the default ignore_commands: freeze exits 0"
log_has "waiting for a safe moment: connection"; ok $? "control: freeze waited for a safe moment"
"$BIN/post-thaw-script" thaw
wait $LW

diag "privileges held through a role: check reads what the session may do"
sql "CREATE ROLE quiesce_role;
     GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN ON *.* TO quiesce_role;
     CREATE USER roleuser@localhost; GRANT quiesce_role TO roleuser@localhost;
     CREATE USER norole@localhost; GRANT quiesce_role TO norole@localhost" || bail "cannot create the role"
role_conf() { conf; sed -i "s/^user = root$/user = $1/" "$WORK/c.conf"; }
role_conf norole
isolated "$MQ" check >"$WORK/out" 2>&1; st=$?
[ "$st" -eq 5 ] && grep -q "^FAIL  privilege RELOAD missing" "$WORK/out"
ok $? "control: the role granted but not active (no default role): check exits 5 (got $st)"
sql "SET DEFAULT ROLE quiesce_role FOR roleuser@localhost" || bail "cannot set the default role"
role_conf roleuser
isolated "$MQ" check >"$WORK/out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "^ok    privilege RELOAD$" "$WORK/out" && grep -q "^ok    privilege SLAVE MONITOR$" "$WORK/out"
ok $? "the same grants through the default role: check says ready (got $st: $(grep FAIL "$WORK/out" | head -1))"
"$BIN/pre-freeze-script" freeze && "$BIN/post-thaw-script" thaw; ok $? "and freeze and thaw as that user work"

done_testing
