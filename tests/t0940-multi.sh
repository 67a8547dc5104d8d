#!/bin/bash
# Several servers under one freeze ([mysql NAME] sections): a primary, a
# replica of it and an unrelated server, writers on each. Freeze blocks
# writes on all three and exits 0 only when all three hold; thaw
# releases all three. Faults: a server killed while freeze waits for its
# safe moment (nothing stays locked anywhere), a holder SIGKILLed during
# the hold (the others still released, thaw exits 8 naming it), a lock
# that expires before the last server is locked, two servers sharing a
# run_dir. The block-snapshot proof with two data directories on one
# loop filesystem: both restored exact to their recorded coordinates.
# timeout: 600
. "$(dirname "$0")/lib.sh"
need fsfreeze python3 cp

# one loop filesystem holds the primary's and the unrelated server's data
loop_mount xfs 400 "$WORK/fs.img" "$WORK/m"
for _ in $(seq 1 50); do
	PORT=$(( 20000 + RANDOM % 20000 ))
	(echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
done
DATA_AT=$WORK/m/p server_start prim --skip-networking=0 --bind-address=127.0.0.1 \
	--port="$PORT" --binlog-format=ROW --sync-binlog=1 --innodb-flush-log-at-trx-commit=1
PRIM=$SOCK PRIM_DATA=$DATADIR
sql "CREATE USER repl@'127.0.0.1' IDENTIFIED BY 'r-pw';
     GRANT REPLICATION SLAVE ON *.* TO repl@'127.0.0.1'" || bail "cannot make repl"
make_tables || bail "cannot make the primary's tables"
server_start rep --server-id=2 --binlog-format=ROW
REP=$SOCK
sql "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PORT, MASTER_USER='repl',
       MASTER_PASSWORD='r-pw', MASTER_USE_GTID=slave_pos; START SLAVE" || bail "cannot start the replica"
wait_for 30 sh -c "mariadb --no-defaults -S '$REP' -uroot -N -e 'SELECT COUNT(*) FROM t.inno' >/dev/null 2>&1" ||
	bail "the replica did not replicate the tables"
sql "CREATE DATABASE w; CREATE TABLE w.inno (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB" ||
	bail "cannot make the replica's own table"
DATA_AT=$WORK/m/s server_start solo --server-id=3 --binlog-format=ROW --sync-binlog=1 \
	--innodb-flush-log-at-trx-commit=1
SOLO=$SOCK SOLO_DATA=$DATADIR
make_tables || bail "cannot make the unrelated server's tables"

# conf FILE [ini lines for the end]: the three servers, one section each
conf() {
	local f=$1; shift
	{
		printf '[mysql]\nuser = root\n'
		printf '[mysql prim]\nsocket = %s\n' "$PRIM"
		printf '[mysql rep]\nsocket = %s\n' "$REP"
		printf '[mysql solo]\nsocket = %s\n' "$SOLO"
		printf '[lock]\nwait_timeout = 3\nmax_lock_time = 30\nsnapshot_timeout = 20\n'
		printf '[files]\nrun_dir = %s\nlog_file = %s\nmetrics_file = %s\n' \
			"$WORK/run" "$WORK/mq.log" "$WORK/metrics/mq.prom"
		printf '%s\n' "$@"
	} >"$f"
	chmod 600 "$f"
}
mkdir -p "$WORK/metrics"
conf "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

# writes SOCK TABLE: an insert commits within 1 s of lock wait
writes() {
	mariadb --no-defaults -S "$1" -uroot -e "SET SESSION lock_wait_timeout = 1,
	  SESSION innodb_lock_wait_timeout = 1; INSERT INTO $2 (v) VALUES (1)" >/dev/null 2>&1
}
all_write() { writes "$PRIM" t.inno && writes "$REP" w.inno && writes "$SOLO" t.inno; }
none_writes() { ! writes "$PRIM" t.inno && ! writes "$REP" w.inno && ! writes "$SOLO" t.inno; }
phase() { sed -n "s/^phase=//p" "$WORK/run/$1/state" 2>/dev/null; }
sfield() { sed -n "s/^$2=//p" "$WORK/run/$1/state" 2>/dev/null; }

# background writers on each server for the whole test
writer() {
	while [ ! -e "$WORK/stop" ]; do
		mariadb --no-defaults -S "$1" -uroot -e "INSERT INTO $2 (v) VALUES (1)" >/dev/null 2>&1
	done
}
writer "$PRIM" t.inno & W1=$!
writer "$REP" w.inno & W2=$!
writer "$SOLO" t.inno & W3=$!
stop_writers() { touch "$WORK/stop"; wait "$W1" "$W2" "$W3"; }

# blocked_freeze OUT: a 30 s MyISAM UPDATE on solo (its pid in B), then
# freeze in the background (its pid in F, its output in OUT) until prim
# and rep are locked while solo waits for its safe moment
blocked_freeze() {
	mariadb --no-defaults -S "$SOLO" -uroot -e "UPDATE t.isam SET v = v + SLEEP(30)" >/dev/null 2>&1 & B=$!
	wait_for 10 sh -c "[ \$(mariadb --no-defaults -S '$SOLO' -uroot -N -e \"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE t.isam%'\") -gt 0 ]" ||
		bail "the blocker did not start"
	"$MQ" freeze >"$1" 2>&1 & F=$!
	wait_for 15 sh -c "[ \"\$(sed -n 's/^phase=//p' '$WORK/run/prim/state')\" = locked ] &&
		[ \"\$(sed -n 's/^phase=//p' '$WORK/run/rep/state')\" = locked ]"
}
# end_blocker: solo's long UPDATE killed, and waited for
end_blocker() {
	mariadb --no-defaults -S "$SOLO" -uroot -N -e "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE t.isam%'" |
		while read -r id; do mariadb --no-defaults -S "$SOLO" -uroot -e "KILL $id"; done
	wait "$B"
}

# --- check, freeze, status, thaw
isolated "$MQ" check >"$WORK/check.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q '^== \[mysql prim\]' "$WORK/check.out" && grep -q '^== \[mysql solo\]' "$WORK/check.out" &&
	grep -q '^ok    every server ready (3)' "$WORK/check.out"
ok $? "check checks each of the three servers (exit $st)"
sed -n '/^== \[mysql rep\]/,/^== /p' "$WORK/check.out" | grep -q '^warn  replica: it does not write what it applies to its own binary log (log_slave_updates off)' &&
	! sed -n '/^== \[mysql prim\]/,/^== /p' "$WORK/check.out" | grep -q '^warn  replica'
ok $? "check warns of the replica that does not log what it applies, and of no other"

all_write; ok $? "negative control: before freeze, all three servers take writes"
"$MQ" freeze; st=$?
ok $st "freeze: exit 0"
[ "$(phase prim)" = locked ] && [ "$(phase rep)" = locked ] && [ "$(phase solo)" = locked ]
ok $? "every server's state is locked ($(phase prim) $(phase rep) $(phase solo))"
none_writes; ok $? "writes are blocked on all three servers"
grep -q ' freeze@prim ' "$WORK/mq.log" && grep -q ' freeze@rep ' "$WORK/mq.log" && grep -q ' freeze@solo ' "$WORK/mq.log"
ok $? "the log's lines carry each server's name"
[ -s "$PRIM_DATA/binlog_info.txt" ] && [ -s "$SOLO_DATA/binlog_info.txt" ] &&
	[ -s "$(cat "$WORK/rep/datadir")/binlog_info.txt" ]
ok $? "each server's info file in its own data directory"
RI=$(cat "$WORK/rep/datadir")/binlog_info.txt
grep -qx "replica_logs_applied = no" "$RI" && grep -q "^# NOT USABLE: this replica does not write what it applies" "$RI" &&
	[ -z "$(sed -n '/NOT USABLE/,$p' "$RI" | grep -v '^#' | grep .)" ] &&
	grep -q "^CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PORT, MASTER_LOG_FILE=" "$RI"
ok $? "the replica without log_slave_updates: its new-replica-of-THIS-server lines commented out, saying why; its SIBLING lines stand"
grep -q "replica_logs_applied" "$PRIM_DATA/binlog_info.txt"; ok $(( $? == 0 )) "negative control: the primary's info file has no replica lines"
"$MQ" status >"$WORK/status.txt"; st=$?
[ $st -eq 0 ] && [ "$(grep -c '^phase:        locked' "$WORK/status.txt")" -eq 3 ] &&
	grep -q '^server:       rep' "$WORK/status.txt"
ok $? "status lists every server, each locked (exit $st)"
"$MQ" status --json >"$WORK/status.json"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert [s["server"] for s in d["servers"]] == ["prim", "rep", "solo"], d
assert all(s["phase"] == "locked" for s in d["servers"]), d' "$WORK/status.json"
ok $? "status --json: one object, every server in it"
pids="$(sfield prim pid) $(sfield rep pid) $(sfield solo pid)"
"$MQ" freeze 2>"$WORK/f2nd.err"; st=$?
[ $st -eq 7 ] && grep -q 'a live hold: holder pid [0-9]* has held its lock for' "$WORK/mq.log" &&
	[ "$(sfield prim pid) $(sfield rep pid) $(sfield solo pid)" = "$pids" ] && none_writes
ok $? "a second freeze while held is refused (exit $st), naming the live hold; the three holds are left as they were"
"$MQ" thaw; st=$?
ok $st "thaw: exit 0"
all_write; ok $? "writes go through on all three servers"
[ "$(phase prim)" = released ] && [ "$(phase rep)" = released ] && [ "$(phase solo)" = released ]
ok $? "every server released"
grep -q 'writes were blocked for: prim [0-9]* ms, rep [0-9]* ms, solo [0-9]* ms' "$WORK/mq.log"
ok $? "thaw reports each server's blocked time"
grep -q '^mysql_quiesce_lock_hold_seconds{server="rep"} ' "$WORK/metrics/mq-rep.prom" &&
	grep -q '^mysql_quiesce_last_outcome{server="solo",outcome="released"} 1' "$WORK/metrics/mq-solo.prom"
ok $? "each server's metrics in a file of its own, with a server label"
"$MQ" thaw; ok $? "thaw again: exit 0 (idempotent)"
no_holder; ok $? "no holder left"

# --- each server's holder is forked from the freeze that loaded the
# client library once, not exec'd; shaped as an exec'd one all the same,
# and every password forgotten once connected
sql "CREATE USER IF NOT EXISTS mq@localhost IDENTIFIED BY 'Pw-solo-5e3';
     GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN ON *.* TO mq@localhost" ||
	bail "cannot make solo's user"
SOCK=$PRIM sql "CREATE USER IF NOT EXISTS mq@localhost IDENTIFIED BY 'Pw-prim-7c1';
     GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN ON *.* TO mq@localhost" ||
	bail "cannot make prim's user"
wait_for 30 sh -c "[ \"\$(mariadb --no-defaults -S '$REP' -uroot -N -e \"SELECT COUNT(*) FROM mysql.user WHERE User = 'mq'\")\" = 1 ]" ||
	bail "prim's user did not reach the replica"
conf "$WORK/pw.conf"
sed -i "s|^\[mysql \(prim\|rep\)\]|&\nuser = mq\npassword = Pw-prim-7c1|; s|^\[mysql solo\]|&\nuser = mq\npassword = Pw-solo-5e3|" "$WORK/pw.conf"
MQ_CANARY=Canary-5150 sh -c 'tr "\0" "\n" </proc/$$/environ' | grep -q '^MQ_CANARY=Canary-5150$'
ok $? "negative control: the caller's environment carries the canary"
MQ_CANARY=Canary-5150 "$MQ" -c "$WORK/pw.conf" freeze; st=$?
ok $st "freeze with a password per server: exit 0"
none_writes; ok $? "and all three are locked"
for s in prim rep solo; do
	hp=$(sfield "$s" pid)
	[ "$(tr '\0' ' ' <"/proc/$hp/cmdline" | sed 's/ *$//')" = "pre-freeze-mysql-lock -c $WORK/pw.conf -s $s" ]
	ok $? "$s's holder: named as an exec'd holder is ($(tr '\0' ' ' <"/proc/$hp/cmdline"))"
	[ "$(readlink "/proc/$hp/fd/0")" = /dev/null ] && [ "$(readlink "/proc/$hp/fd/1")" = /dev/null ] &&
		[ "$(readlink "/proc/$hp/fd/2")" = /dev/null ]
	ok $? "$s's holder: its stdio is /dev/null"
	nfd=$(ls "/proc/$hp/fd" | wc -l)
	# 0-2, its run dir, holder.lock, the signalfd, the server socket
	[ "$nfd" -le 7 ]; ok $? "$s's holder keeps none of freeze's descriptors ($nfd: $(ls -l "/proc/$hp/fd" | sed -n 's/.* -> //p' | tr '\n' ' '))"
	[ "$(ps -o sid= -p "$hp" | tr -d ' ')" = "$hp" ]; ok $? "$s's holder leads its own session"
	[ "$(python3 "$TOP/tests/memscan.py" "$hp" "$WORK/pw.conf")" = found ]
	ok $? "negative control: the memory scan finds the config's path in $s's holder"
	! grep -q Canary-5150 "/proc/$hp/environ" && ! tr '\0' '\n' <"/proc/$hp/environ" | grep -q '='
	ok $? "$s's holder: nothing of the caller's environment in /proc/PID/environ"
	[ "$(python3 "$TOP/tests/memscan.py" "$hp" Pw-prim-7c1)" = absent ] &&
		[ "$(python3 "$TOP/tests/memscan.py" "$hp" Pw-solo-5e3)" = absent ]
	ok $? "$s's holder: no server's password in its memory while it holds"
done
"$MQ" -c "$WORK/pw.conf" thaw; ok $? "thaw: exit 0"
all_write; ok $? "writes go through on all three"
no_holder; ok $? "no holder left"
# where the caller's argument and environment strings are too short to
# hold the holder's command line (a short argv[0], no environment), the
# forked holder execs after all: named the same, its environment PATH
ln -s "$MQ" "$WORK/f"
(cd "$WORK" && env -i ./f -c "$WORK/pw.conf" freeze); st=$?
ok $st "freeze from a short command line with no environment: exit 0"
none_writes; ok $? "and all three are locked"
hp=$(sfield solo pid)
[ "$(tr '\0' ' ' <"/proc/$hp/cmdline" | sed 's/ *$//')" = "pre-freeze-mysql-lock -c $WORK/pw.conf -s solo" ] &&
	[ "$(tr '\0' '\n' <"/proc/$hp/environ")" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ]
ok $? "solo's holder, too long a name to write there, was exec'd: named the same, PATH its environment ($(tr '\0' ' ' <"/proc/$hp/environ"))"
[ "$(python3 "$TOP/tests/memscan.py" "$hp" Pw-prim-7c1)" = absent ]
ok $? "and holds no other server's password"
"$MQ" -c "$WORK/pw.conf" thaw; ok $? "thaw: exit 0"
all_write; ok $? "writes go through on all three"
no_holder; ok $? "no holder left"

# --- a server killed while freeze waits for its safe moment
blocked_freeze "$WORK/f2.out"
ok $? "while solo waits for its long MyISAM UPDATE, prim and rep are locked"
solo_ok=$(awk 'index($0, "mysql_quiesce_last_success_timestamp_seconds{") == 1 { print $NF }' "$WORK/metrics/mq-solo.prom")
kill -9 "$(cat "$WORK/solo/mariadbd.pid")"
wait "$F"; st=$?
[ $st -ne 0 ] && grep -q 'freeze failed: \[mysql solo\] could not be locked' "$WORK/mq.log"
ok $? "solo killed: freeze fails naming it (exit $st)"
"$MQ" status >/dev/null 2>&1; st=$?
[ $st -eq 14 ]; ok $? "status of several servers exits 14 when one never held its lock (got $st)"
writes "$PRIM" t.inno && writes "$REP" w.inno
ok $? "nothing stays locked anywhere: prim and rep take writes"
[ "$(phase prim)" = released ] && [ "$(phase rep)" = released ]
ok $? "prim and rep were released ($(phase prim) $(phase rep))"
no_holder; ok $? "no holder left"
solo_now=$(awk 'index($0, "mysql_quiesce_last_success_timestamp_seconds{") == 1 { print $NF }' "$WORK/metrics/mq-solo.prom")
[ -n "$solo_ok" ] && [ "$solo_now" = "$solo_ok" ] && grep -q '^mysql_quiesce_last_outcome{server="solo",outcome="failed"} 1' "$WORK/metrics/mq-solo.prom"
ok $? "solo's failed cycle in its metrics file, its last success kept ($solo_ok, now $solo_now)"
rm -f "$WORK/solo/mariadbd.pid"
server_run "$WORK/solo" --server-id=3 --binlog-format=ROW --sync-binlog=1 \
	--innodb-flush-log-at-trx-commit=1
writer "$SOLO" t.inno & W3=$!

# --- the several-server freeze SIGKILLed (a caller's timeout) while
# one server still waits for its safe moment: that server's freeze dies
# with it and takes no lock later; a thaw right after releases at once
blocked_freeze "$WORK/fk.out"
ok $? "while solo waits for its long MyISAM UPDATE, prim and rep are locked"
kill -KILL "$F"; wait "$F" 2>/dev/null
t0=$(now_ms)
timeout 20 "$MQ" thaw >"$WORK/tk.out" 2>&1; st=$?
el=$(( $(now_ms) - t0 ))
[ $st -eq 0 ] && [ $el -lt 5000 ] && writes "$PRIM" t.inno && writes "$REP" w.inno
ok $? "the freeze SIGKILLed: a thaw right after releases prim and rep at once (exit $st, $el ms)"
! pgrep -fx -- "$MQ freeze" >/dev/null
ok $? "no per-server freeze outlived the one it was forked from"
end_blocker
sleep 1
[ "$(phase solo)" != locked ] && no_holder && writes "$SOLO" t.inno
ok $? "and solo took no lock once its blocker ended ($(phase solo), $(holders) holders)"

# --- SIGTERM to the several-server freeze (VMware's abort) while solo
# waits: passed on to every server's freeze, every lock released, exit 9
blocked_freeze "$WORK/ft.out" || bail "prim and rep were not locked"
kill -TERM "$F"; t0=$(now_ms)
wait "$F"; st=$?; el=$(( $(now_ms) - t0 ))
[ $st -eq 9 ] && [ $el -lt 8000 ] && writes "$PRIM" t.inno && writes "$REP" w.inno && no_holder &&
	! pgrep -fx -- "$MQ freeze" >/dev/null
ok $? "SIGTERM: every server's freeze ends, every lock released, exit 9 in $el ms (got $st)"
# a server's freeze killed by a signal (not by us): a failure, never a
# success. Solo's freeze waits for its safe moment behind the blocker,
# so it is alive, its holder's parent, when it is killed.
: >"$WORK/mq.log"
blocked_freeze "$WORK/fk2.out" || bail "prim and rep were not locked"
# solo's own freeze: the pid its log lines carry, a child of F
solo_freeze() { sed -n 's/.* \[\([0-9]*\)\] freeze@solo .*/\1/p' "$WORK/mq.log" | tail -1; }
wait_for 15 sh -c "grep -q ' freeze@solo .*waiting for a safe moment' '$WORK/mq.log'" ||
	bail "solo's freeze did not wait for its safe moment"
child=$(solo_freeze)
[ -n "$child" ] && [ "$(ps -o ppid= -p "$child" | tr -d ' ')" = "$F" ] ||
	bail "solo's freeze not found (pid '$child')"
kill -KILL "$child"
wait "$F"; st=$?
[ $st -eq 1 ] && writes "$PRIM" t.inno && writes "$REP" w.inno &&
	grep -q "\[mysql solo\]: its process was killed by signal 9" "$WORK/mq.log" &&
	grep -q "freeze failed: \[mysql solo\] could not be locked (exit 1" "$WORK/mq.log"
ok $? "solo's freeze SIGKILLed: the freeze fails (exit $st), saying so, the locks taken released"
end_blocker
wait_for 5 no_holder; ok $? "no holder left"
"$MQ" thaw >/dev/null 2>&1

# --- a holder SIGKILLed during the hold
"$MQ" freeze; ok $? "freeze again"
"$MQ" status >/dev/null 2>&1; ok $? "negative control: status of three held locks exits 0"
kill -9 "$(sfield rep pid)"
wait_for 5 sh -c "! kill -0 $(sfield rep pid) 2>/dev/null"
"$MQ" status >"$WORK/st3.out" 2>&1; st=$?
[ $st -eq 8 ]; ok $? "status of several servers exits 8 when one's lock was lost (got $st)"
"$MQ" thaw >"$WORK/t3.out" 2>&1; st=$?
[ $st -eq 8 ] && grep -q '\[mysql rep\]: its thaw exited 8' "$WORK/mq.log"
ok $? "rep's holder SIGKILLed: thaw exits 8 naming it (got $st)"
[ "$(phase prim)" = released ] && [ "$(phase solo)" = released ] && all_write
ok $? "prim and solo still released, all three take writes"
# two servers failing at thaw: prim's run_dir unsafe (10), solo's lock
# lost (8): the lost lock is the exit code, whatever came first
"$MQ" freeze; ok $? "freeze again"
kill -9 "$(sfield solo pid)"
wait_for 5 sh -c "! kill -0 $(sfield solo pid) 2>/dev/null"
chmod 0770 "$WORK/run/prim"
"$MQ" thaw >"$WORK/t4.out" 2>&1; st=$?
[ $st -eq 8 ] && grep -q '\[mysql prim\]: its thaw exited 10' "$WORK/mq.log" &&
	grep -q '\[mysql solo\]: its thaw exited 8' "$WORK/mq.log"
ok $? "prim's thaw fails (10) and solo's lock was lost (8): thaw exits 8, the snapshot may not match (got $st)"
chmod 0700 "$WORK/run/prim"
"$MQ" thaw >/dev/null 2>&1
all_write && no_holder; ok $? "prim released once its run_dir is safe again"

# --- a lock that would end before the last server is locked
conf "$WORK/short.conf"
sed -i "s|^\[mysql prim\]|[mysql prim]\nmax_lock_time = 2|" "$WORK/short.conf"
mariadb --no-defaults -S "$SOLO" -uroot -e "UPDATE t.isam SET v = v + SLEEP(4)" >/dev/null 2>&1 &
B=$!
sleep 0.5
"$MQ" -c "$WORK/short.conf" freeze >"$WORK/f4.out" 2>&1; st=$?
wait "$B"
[ $st -ne 0 ] && grep -q '\[mysql prim\]: its lock ended before the last server was locked' "$WORK/mq.log"
ok $? "no server's lock ended before the last was taken: prim's expired while solo waited, freeze fails (exit $st)"
all_write; ok $? "and nothing stays locked"
"$MQ" -c "$WORK/short.conf" thaw >/dev/null 2>&1

# --- on_failure = proceed: a server that cannot be locked is said, the
# others stay locked until thaw
conf "$WORK/proceed.conf" "[mysql gone]" "socket = $WORK/no-such.sock"
sed -i 's/^snapshot_timeout = 20$/snapshot_timeout = 20\non_failure = proceed/' "$WORK/proceed.conf"
"$MQ" -c "$WORK/proceed.conf" freeze >"$WORK/proceed.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q 'on_failure = proceed: \[mysql gone\] holds no lock: its part of this snapshot is crash-consistent only' "$WORK/mq.log" &&
	none_writes
ok $? "on_failure = proceed: exit 0, the server that could not be locked named as crash-consistent only, the other three locked (exit $st)"
"$MQ" -c "$WORK/proceed.conf" thaw >/dev/null 2>&1; st=$?
[ $st -eq 0 ] && all_write
ok $? "and thaw releases them (exit $st)"

# --- two servers sharing a run_dir
conf "$WORK/same.conf"
sed -i "s|^\[mysql rep\]|[mysql rep]\nrun_dir = $WORK/shared|; s|^\[mysql solo\]|[mysql solo]\nrun_dir = $WORK/shared|" "$WORK/same.conf"
"$MQ" -c "$WORK/same.conf" freeze >"$WORK/same.out" 2>&1; st=$?
[ $st -eq 3 ] && grep -q 'share run_dir' "$WORK/same.out" && [ ! -e "$WORK/shared" ]
ok $? "two servers sharing a run_dir: refused, exit 3, nothing made ($(head -1 "$WORK/same.out"))"
printf '[mysql]\nuser = root\n[mysql a b]\nsocket = /x\n' >"$WORK/bad.conf"; chmod 600 "$WORK/bad.conf"
isolated "$MQ" -c "$WORK/bad.conf" check >"$WORK/bad.out" 2>&1; st=$?
[ $st -eq 3 ] && grep -q "a server's name is 1 to 16 letters" "$WORK/bad.out"
ok $? "a server's name that is not a name: exit 3"
"$MQ" seed --source 127.0.0.1:1 --source-credentials /nonexistent >"$WORK/seed.out" 2>&1; st=$?
[ $st -eq 3 ] && grep -q 'seed acts on one: name it with -s NAME' "$WORK/seed.out"
ok $? "seed with several servers and no -s: refused, exit 3"

# --- the proof: two data directories on one filesystem, one image
sync
"$MQ" freeze; ok $? "freeze under writers"
fsfreeze -f "$WORK/m" && cp --sparse=always "$WORK/fs.img" "$WORK/copy.img"; st=$?
fsfreeze -u "$WORK/m"
ok $st "FIFREEZE the one filesystem, copy it, FITHAW"
"$MQ" thaw; ok $? "thaw"
stop_writers
mount_copy "$WORK/copy.img" "$WORK/c" nouuid || bail "cannot mount the copy"
for d in p s; do
	"$MQ" verify "$WORK/c/$d/data" >"$WORK/v-$d.out" 2>&1; st=$?
	[ $st -eq 0 ] && grep -q '^ok    exact .*the recorded position, no whole transaction after it' "$WORK/v-$d.out"
	ok $? "the copy's $d data directory verifies exact at its recorded coordinates (exit $st: $(tail -1 "$WORK/v-$d.out"))"
done


# --- snapshot mode: both servers on the one loop filesystem, one command
{
	printf '[mysql]\nuser = root\n[mysql prim]\nsocket = %s\n[mysql solo]\nsocket = %s\n' "$PRIM" "$SOLO"
	printf '[lock]\nwait_timeout = 3\nmax_lock_time = 30\nsnapshot_timeout = 20\n'
	printf '[files]\nrun_dir = %s\nlog_file = %s\n' "$WORK/run2" "$WORK/mq.log"
} >"$WORK/two.conf"
chmod 600 "$WORK/two.conf"
"$MQ" -c "$WORK/two.conf" snapshot --dry-run -- true >"$WORK/dry.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q '^\[mysql prim\]' "$WORK/dry.out" && grep -q '^\[mysql solo\]' "$WORK/dry.out" &&
	[ "$(grep '^freeze:' "$WORK/dry.out")" = "freeze:      $WORK/m" ]
ok $? "snapshot --dry-run: each server's plan, their one filesystem frozen once (exit $st)"
# the frozen window is bounded by the shortest of the servers' holds
sed 's/^\[mysql solo\]$/&\nmax_lock_time = 12/' "$WORK/two.conf" >"$WORK/short.conf"
chmod 600 "$WORK/short.conf"
"$MQ" -c "$WORK/short.conf" snapshot --dry-run --timeout 11 -- true >/dev/null 2>&1
ok $? "negative control: --timeout 11 under solo's max_lock_time 12 is accepted"
"$MQ" -c "$WORK/short.conf" snapshot --dry-run --timeout 20 -- true >"$WORK/short.out" 2>&1; st=$?
[ $st -eq 2 ] && grep -q 'not below max_lock_time (12)' "$WORK/short.out"
ok $? "snapshot --timeout 20 with one server's max_lock_time 12: refused, naming 12 (exit $st: $(head -1 "$WORK/short.out"))"
rm -f "$WORK/stop"
writer "$PRIM" t.inno & W1=$!
writer "$SOLO" t.inno & W3=$!
"$MQ" -c "$WORK/two.conf" snapshot -- sh -c 'env >"$1"; cp --sparse=always "$2" "$3"' sh \
	"$WORK/snap.env" "$WORK/fs.img" "$WORK/snap2.img" >"$WORK/snap2.out" 2>&1; st=$?
touch "$WORK/stop"; wait "$W1" "$W3"
ok $st "snapshot mode with two servers: exit 0 ($(tail -1 "$WORK/snap2.out"))"
grep -qx "MYSQL_QUIESCE_SERVERS=prim solo" "$WORK/snap.env" &&
	grep -qx "MYSQL_QUIESCE_INFO_FILE_2=$SOLO_DATA/binlog_info.txt" "$WORK/snap.env" &&
	grep -qx "MYSQL_QUIESCE_BINLOG_POS_1=$(sed -n 's/^binlog_pos = //p' "$PRIM_DATA/binlog_info.txt")" "$WORK/snap.env"
ok $? "the command is told each server's name, info file and coordinates"
grep -q ' snapshot@prim ' "$WORK/mq.log" && grep -q 'snapshot done: .* 2 servers locked throughout; consistent' "$WORK/mq.log"
ok $? "the log names each server and says both were locked throughout"
[ "$(sed -n 's/^phase=//p' "$WORK/run2/prim/state")" = released ] && [ "$(sed -n 's/^phase=//p' "$WORK/run2/solo/state")" = released ] &&
	writes "$PRIM" t.inno && writes "$SOLO" t.inno
ok $? "both released after it"
mount_copy "$WORK/snap2.img" "$WORK/c2" nouuid || bail "cannot mount the snapshot mode copy"
for d in p s; do
	"$MQ" verify "$WORK/c2/$d/data" >"$WORK/v2-$d.out" 2>&1; st=$?
	[ $st -eq 0 ] && grep -q '^ok    exact .*the recorded position, no whole transaction after it' "$WORK/v2-$d.out"
	ok $? "snapshot mode's copy: the $d data directory verifies exact (exit $st: $(tail -1 "$WORK/v2-$d.out"))"
done
# the tool SIGKILLed while frozen: the watchdog thaws and releases both
rm -f "$WORK/started"
"$MQ" -c "$WORK/two.conf" snapshot --timeout 20 -- sh -c 'touch "$1"; exec "$2" 600' sh \
	"$WORK/started" "$SLEEPER" >/dev/null 2>&1 & SP=$!
wait_for 15 test -e "$WORK/started" || bail "the snapshot command did not start"
kill -9 "$SP"; wait "$SP" 2>/dev/null
wait_for 10 sh -c "[ \"\$(sed -n 's/^phase=//p' '$WORK/run2/prim/state')\" = released ] &&
	[ \"\$(sed -n 's/^phase=//p' '$WORK/run2/solo/state')\" = released ]"
ok $? "snapshot mode SIGKILLed while frozen: the watchdog releases both servers"
timeout 5 touch "$WORK/m/thawed" && writes "$PRIM" t.inno && writes "$SOLO" t.inno && no_sleeper
ok $? "the filesystem thawed, both take writes, the command killed"
# the second server cannot be locked: the first is released, nothing frozen
sed 's/^snapshot_timeout = 20$/snapshot_timeout = 3/' "$WORK/two.conf" >"$WORK/two3.conf"; chmod 600 "$WORK/two3.conf"
mariadb --no-defaults -S "$SOLO" -uroot -e "UPDATE t.isam SET v = v + SLEEP(8)" >/dev/null 2>&1 & B=$!
sleep 0.5
rm -f "$WORK/ran"
"$MQ" -c "$WORK/two3.conf" snapshot -- touch "$WORK/ran" >"$WORK/snap3.out" 2>&1; st=$?
[ $st -eq 6 ] && [ ! -e "$WORK/ran" ] && [ "$(sed -n 's/^phase=//p' "$WORK/run2/prim/state")" = released ] &&
	writes "$PRIM" t.inno
ok $? "snapshot mode, solo not lockable in time: exit 6, the command never ran, prim released (got $st: $(tail -1 "$WORK/snap3.out"))"
wait "$B"
done_testing
