#!/bin/bash
# [log] syslog = yes: the log's lines also go to syslog(3), the role as
# ident; while the lock is held nothing is sent (held in run_dir, sent
# once released). What arrives on /dev/log is captured inside a private
# mount namespace, where /dev/log is our own socket.
. "$(dirname "$0")/lib.sh"
need unshare nsenter python3 mount

server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

# A namespace whose /dev is an overlay of the real one (device nodes
# stay), with a datagram socket of ours at /dev/log. NS: its holder pid.
unshare -m --propagation private sleep 600 & NS=$!
echo $NS >>"$WORK/pids" # cleanup ends it, however this file ends
own_ns() { [ "$(readlink /proc/$NS/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ]; }
wait_for 5 own_ns
ok $? "a private mount namespace"
mkdir -p "$WORK/ov/up" "$WORK/ov/work"
nsenter -t $NS -m mount -t overlay overlay \
	-o "lowerdir=/dev,upperdir=$WORK/ov/up,workdir=$WORK/ov/work" /dev
ok $? "an overlay on /dev inside it"
SYSLOG=$WORK/syslog.out
: >"$SYSLOG"
nsenter -t $NS -m python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".up", "w").close()
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).rstrip(b"\n") + b"\n")' "$SYSLOG" & RX=$!
echo $RX >>"$WORK/pids"
wait_for 5 test -e "$SYSLOG.up"; ok $? "our socket listens at /dev/log in the namespace"
[ ! -e /dev/log ] || [ ! "/dev/log" -ef "$WORK/ov/up/log" ]; ok $? "and only there"
ns() { nsenter -t $NS -m -- "$@"; }
got() { grep -c -- "$1" "$SYSLOG"; }

diag "syslog = no (the default): nothing is sent"
write_config "$WORK/c.conf"
ns "$BIN/pre-freeze-script" freeze && ns "$BIN/post-thaw-script" thaw; ok $? "a cycle"
[ ! -s "$SYSLOG" ]; ok $? "nothing arrived on /dev/log"

diag "syslog = yes: the same lines, the role as ident, none while the lock is held"
write_config "$WORK/c.conf" "[log]" "syslog = yes" "facility = local3"
n0=$(grep -c "" "$WORK/mq.log")
ns "$BIN/pre-freeze-script" freeze; ok $? "freeze"
grep -Eq '^<158>.* freeze\[[0-9]+\]: freeze: MariaDB' "$SYSLOG"; ok $? "the lines before the lock were sent at once"
! grep -q "locked with\|lock held" "$SYSLOG"; ok $? "nothing logged since the lock was taken was sent"
[ -s "$WORK/run/syslog.held" ]; ok $? "the lines wait in run_dir/syslog.held"
ns "$BIN/post-thaw-script" thaw; ok $? "thaw"
wait_for 3 grep -q "writes were blocked" "$SYSLOG"; ok $? "the lines arrived after the release"
# <PRI>: local3 (19) * 8 + INFO (6) = 158; WARNING 156; ERR 155.
grep -Eq '^<158>.* holder: \[[0-9]+\] locked with backup-stage in [0-9]+ ms .*held until release; logged at 20' "$SYSLOG"
ok $? "the holder's lock line, ident holder, local3.info, with its own pid and time"
grep -Eq '^<158>.* freeze: \[[0-9]+\] lock held: backup-stage' "$SYSLOG"
ok $? "freeze's lock line, ident freeze, sent after release"
grep -Eq '^<158>.* holder\[[0-9]+\]: lock released after [0-9]+ ms' "$SYSLOG"
ok $? "the holder's release line, sent directly"
grep -Eq '^<158>.* thaw\[[0-9]+\]: released \(backup-stage\); writes were blocked' "$SYSLOG"
ok $? "thaw's line, ident thaw"
l_locked=$(grep -n "locked with" "$SYSLOG" | head -1 | cut -d: -f1)
l_rel=$(grep -n "lock released after" "$SYSLOG" | head -1 | cut -d: -f1)
[ -n "$l_locked" ] && [ -n "$l_rel" ] && [ "$l_locked" -lt "$l_rel" ]; ok $? "in order: locked before released"
[ ! -e "$WORK/run/syslog.held" ]; ok $? "run_dir/syslog.held is gone"
n_file=$(( $(grep -c "" "$WORK/mq.log") - n0 )); n_sys=$(grep -c "" "$SYSLOG")
[ "$n_sys" -eq "$n_file" ]; ok $? "as many syslog lines as log lines in the cycle ($n_sys, $n_file)"
! grep -q "Pw-\|password" "$SYSLOG"; ok $? "no secret in what was sent"

diag "an error goes out with its level, when nothing is held"
: >"$SYSLOG"
sed -i "s|^socket = .*|socket = $WORK/no.sock|" "$WORK/c.conf"
ns "$BIN/pre-freeze-script" freeze 2>/dev/null; ok $(( $? == 0 )) "freeze fails: no server"
wait_for 3 grep -Eq '^<155>.* freeze\[[0-9]+\]: freeze failed: cannot connect' "$SYSLOG"
ok $? "sent at once, local3.err"

diag "expiry with no thaw: the holder sends its held lines itself"
: >"$SYSLOG"
MAX_LOCK_TIME=1 write_config "$WORK/c.conf" "[log]" "syslog = yes" "facility = local3"
ns "$BIN/pre-freeze-script" freeze; ok $? "freeze, max_lock_time = 1"
wait_for 5 grep -q "lock released after" "$SYSLOG"; ok $? "the release arrived after the expiry"
grep -q "locked with" "$SYSLOG" && grep -q "lock held:" "$SYSLOG"; ok $? "and the held lines before it"
ns "$BIN/post-thaw-script" thaw 2>/dev/null

diag "the holder SIGKILLed while it holds: thaw sends what it left"
: >"$SYSLOG"
write_config "$WORK/c.conf" "[log]" "syslog = yes"
ns "$BIN/pre-freeze-script" freeze; ok $? "freeze"
kill -KILL "$(state_field pid)"
! grep -q "locked with\|lock held" "$SYSLOG"; ok $? "nothing logged since the lock was taken was sent"
ns "$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? == 0 )) "thaw exits non-zero: the lock was lost"
grep -Eq '^<30>.* holder: \[[0-9]+\] locked with' "$SYSLOG"; ok $? "the dead holder's line arrived, daemon.info (the default facility)"

diag "snapshot mode: nothing is sent from the lock to the release"
: >"$SYSLOG"
ns "$MQ" snapshot --no-freeze-fs -- cp "$SYSLOG" "$WORK/during"; ok $? "snapshot, its command copying what has arrived so far"
grep -q "freeze: MariaDB" "$WORK/during" && ! grep -q "locked with\|lock held" "$WORK/during"
ok $? "while the command ran: the lines before the lock only"
wait_for 3 grep -q "snapshot\[[0-9]*\]: .*released\|lock released after" "$SYSLOG" && grep -q "locked with" "$SYSLOG"
ok $? "afterwards: the held lines and the release"

diag "a hook whose config cannot be used says so in syslog: VMware and QEMU discard its stderr"
: >"$SYSLOG"
printf '[lock]\nwait_timout = 5\n' >"$WORK/bad.conf"; chmod 600 "$WORK/bad.conf"
ns "$BIN/pre-freeze-script" -c "$WORK/bad.conf" freeze 2>/dev/null; st=$?
[ $st -eq 3 ]; ok $? "freeze with an unknown key: exit 3"
wait_for 3 grep -Eq '^<27>.* freeze\[[0-9]+\]: cannot use its config: config file .*bad.conf: line 2: unknown key "wait_timout" in \[lock\]' "$SYSLOG"
ok $? "and the reason reached syslog, daemon.err, ident the verb"
: >"$SYSLOG"
ns "$BIN/post-thaw-script" -c "$WORK/missing.conf" thaw 2>/dev/null
wait_for 3 grep -Eq '^<27>.* thaw\[[0-9]+\]: cannot use its config: config file .*missing.conf: No such file' "$SYSLOG"
ok $? "a missing config: thaw says so in syslog too"
: >"$SYSLOG"
ns "$MQ" -c "$WORK/bad.conf" status >/dev/null 2>&1
sleep 0.3
[ ! -s "$SYSLOG" ]; ok $? "negative control: status, a DBA's own command whose stderr is read, sends nothing"

kill $RX $NS 2>/dev/null; wait $RX $NS 2>/dev/null
done_testing
