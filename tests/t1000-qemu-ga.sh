#!/bin/bash
# The real QEMU guest agent (Debian's qemu-guest-agent) calling the hook,
# as Proxmox and libvirt drive it: qemu-ga on a unix socket, started with
# the environment systemd gives it (PATH only), in a mount namespace of
# its own where the test's config sits at /etc/mysql-quiesce.conf; driven
# with guest-fsfreeze-freeze-list naming only the test's loop mount, and
# guest-fsfreeze-thaw (which FITHAWs every mounted filesystem: this test
# runs alone, as the runner runs every test).
#
# Both wirings: the agent's hook pointed at the binary (a failed freeze
# reaches the agent, which then freezes nothing), and the stock
# /etc/qemu/fsfreeze-hook with a fsfreeze-hook.d link (it ignores the
# exit status: the agent freezes anyway, and the failure must show in
# status and the log). The proof's cycles run through the agent, each
# copy recovered and checked as in t0400.
# In a PID namespace of its own: the agents it starts, counts and
# checks are its own, whatever other qemu-ga runs on the machine.
[ -n "${MQ_OWN_PIDNS:-}" ] ||
	MQ_OWN_PIDNS=1 exec unshare --pid --fork --mount-proc --propagation private bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proof.sh"
need qemu-ga unshare python3
[ -f /etc/qemu/fsfreeze-hook ] || bail "no /etc/qemu/fsfreeze-hook (qemu-guest-agent)"

ETC=/etc/mysql-quiesce.conf
if [ ! -e "$ETC" ]; then   # a mount point for the test's config
	install -m 600 /dev/null "$ETC" && touch "$WORK/etc-placeholder"
fi
qga_cleanup() {
	[ -f "$WORK/etc-placeholder" ] && [ ! -s "$ETC" ] && rm -f "$ETC"
	cleanup
}
trap qga_cleanup EXIT

SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf   # for our own status calls
make_tables   # t.inno: what can_write and cannot_write insert into
can_write || bail "can_write fails with nothing locked"

# start_agent NAME HOOK: qemu-ga on $WORK/NAME.sock with -F HOOK.
start_agent() {
	local name=$1 hook=$2
	mkdir -p "$WORK/$name.state"
	unshare -m --propagation private sh -c '
		mount --bind "$1" "$2" || exit 9
		exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			qemu-ga -m unix-listen -p "$3.sock" -t "$3.state" -f "$3.pid" \
			-l "$3.log" "-F$4"' sh "$WORK/c.conf" "$ETC" "$WORK/$name" "$hook" &
	echo $! >>"$WORK/pids"
	echo $! >>"$WORK/agents"
	wait_for 10 test -S "$WORK/$name.sock" || bail "qemu-ga did not start: $(tail -3 "$WORK/$name.log")"
}
qga() { # qga NAME COMMAND [ARGS]: the answer in QA, the status returned
	QA=$(python3 "$TOP/tests/qga.py" "$WORK/$1.sock" "${@:2}")
}
freeze_list() { qga "$1" guest-fsfreeze-freeze-list "{\"mountpoints\": [\"$IMG_MNT\"]}"; }
fs_writable() {
	( echo x >"$IMG_MNT/probe" ) & local p=$!
	wait_for 3 dead $p
}

diag "the hook pointed at the binary: the proof's cycles through the agent"
start_agent direct "$BIN/mysql-quiesce"
QGA_CYCLES=${QGA_CYCLES:-3}
start_writers
for k in $(seq 1 "$QGA_CYCLES"); do
	freeze_list direct; st=$?
	[ "$st" -eq 0 ] && [ "$QA" = 1 ] && phase_is locked && ! fs_writable
	ok $? "agent cycle $k: freeze-list froze 1 filesystem with the lock held"
	cp --sparse=always "$WORK/main.img" "$WORK/qga-$k.img"
	qga direct guest-fsfreeze-thaw; st=$?
	[ "$st" -eq 0 ] && fs_writable && ! phase_is locked
	ok $? "agent cycle $k: thaw thawed and released"
	sleep 0.5
done
stop_writers
verify_cycles qga "qemu-ga" "$QGA_CYCLES"

diag "thaw without a freeze (the agent calls it)"
n0=$(wc -l <"$WORK/mq.log")
qga direct guest-fsfreeze-thaw; ok $? "guest-fsfreeze-thaw succeeds"
tail -n +$((n0 + 1)) "$WORK/mq.log" | grep -q "thaw INFO nothing to release"; ok $? "the hook's thaw logged that nothing was held"

diag "the hook pointed at the binary, the server down: the agent reports it and freezes nothing"
server_stop "$WORK/src"
freeze_list direct; st=$?
ok $(( st == 0 )) "freeze-list fails"
[ "$QA" = "fsfreeze hook has failed with status 4" ]; ok $? "with the hook's status: $QA"
qga direct guest-fsfreeze-status; [ "$QA" = '"thawed"' ] && fs_writable; ok $? "nothing was frozen"
"$MQ" status >/dev/null; st=$?
ok $(( st != 14 )) "status exits 14: the last freeze never held the lock (got $st)"

diag "the stock hook with a fsfreeze-hook.d link, the server up"
server_run "$WORK/src" --binlog-format=ROW --sync-binlog=1 --innodb-flush-log-at-trx-commit=1
mkdir -p "$WORK/qemu/fsfreeze-hook.d"
cp /etc/qemu/fsfreeze-hook "$WORK/qemu/"
ln -s "$MQ" "$WORK/qemu/fsfreeze-hook.d/mysql-quiesce"
start_agent stock "$WORK/qemu/fsfreeze-hook"
freeze_list stock; st=$?
[ "$st" -eq 0 ] && phase_is locked && cannot_write && ! fs_writable
ok $? "freeze-list: locked and frozen"
"$MQ" status >/dev/null; ok $? "status exits 0 while locked"
qga stock guest-fsfreeze-thaw; ok $? "thaw succeeds"
wait_for 3 can_write; ok $? "commits go through: released"
fs_writable; ok $? "the filesystem is thawed"

diag "the stock hook, the server down: the agent freezes anyway; status and the log show it"
server_stop "$WORK/src"
freeze_list stock; st=$?
ok $st "freeze-list succeeds: the stock hook ignores the hook's exit status"
qga stock guest-fsfreeze-status; [ "$QA" = '"frozen"' ]; ok $? "and the agent froze the filesystem: a crash-consistent snapshot"
qga stock guest-fsfreeze-thaw; ok $? "thaw"
"$MQ" status >"$WORK/out"; st=$?
ok $(( st != 14 )) "status exits 14: the last freeze never held the lock (got $st)"
grep -q "^phase: *failed" "$WORK/out" && grep -q "cannot connect" "$WORK/out"; ok $? "and status says why"
grep -q "freeze ERROR freeze failed: cannot connect" "$WORK/mq.log"; ok $? "the log says the freeze failed"
server_run "$WORK/src" --binlog-format=ROW --sync-binlog=1 --innodb-flush-log-at-trx-commit=1
freeze_list stock && qga stock guest-fsfreeze-thaw; ok $? "the next cycle works"
"$MQ" status >/dev/null; ok $? "and status exits 0 again"

diag "check reports the agent's wiring, and make install-qemu wires it"
# two agents run: the direct one, and the stock hook's copy in $WORK
# (a hook check cannot know); each gets its line, in either /proc order
"$MQ" check >"$WORK/out" 2>&1
grep -q "^ok    QEMU agent: the fsfreeze hook is $BIN/mysql-quiesce (direct" "$WORK/out" &&
	grep -q "^FAIL  QEMU agent: the fsfreeze hook is $WORK/qemu/fsfreeze-hook, not mysql-quiesce" "$WORK/out"
ok $? "with two agents running, check names each one's wiring"
xargs -r kill <"$WORK/agents"; : >"$WORK/agents"
wait_for 5 sh -c '! pgrep -x qemu-ga >/dev/null' || bail "the test's agents did not stop (another qemu-ga runs on this machine?)"
# in_etc CMD...: run CMD in a mount namespace whose /etc/qemu is $WORK/etcq
in_etc() { unshare -m --propagation private sh -c 'mount --bind "$1" /etc/qemu && shift && exec "$@"' sh "$WORK/etcq" "$@"; }
mkdir -p "$WORK/etcq"
in_etc "$MQ" check >"$WORK/out" 2>&1
grep -q "^--    QEMU agent: installed, not running, no fsfreeze hook configured (mysql-quiesce wire qemu, then restart qemu-guest-agent)" "$WORK/out" &&
	! grep -q "make install" "$WORK/out"
ok $? "no agent, no hook: check says how a package user wires it, not a make target"
mkdir -p "$WORK/root"
"$MQ" wire qemu --root "$WORK/root" >"$WORK/out" 2>&1
ok $? "wire qemu writes the hook script and qemu-ga.conf (make install-qemu runs it)"
grep -qx "fsfreeze-hook=/etc/qemu/mysql-quiesce-hook" "$WORK/root/etc/qemu/qemu-ga.conf" &&
	grep -qF "exec '$MQ' -c '$MYSQL_QUIESCE_CONFIG'" "$WORK/root/etc/qemu/mysql-quiesce-hook"
ok $? "naming its hook script, which runs the binary with the config in use"
"$MQ" wire qemu --root "$WORK/root" >/dev/null 2>&1
ok $? "a second wire qemu: its own files, rewritten, exit 0"
mkdir -p "$WORK/root2/etc/qemu"; echo "[general]" >"$WORK/root2/etc/qemu/qemu-ga.conf"
"$MQ" wire qemu --root "$WORK/root2" >"$WORK/out" 2>&1; st=$?
[ "$st" -eq 15 ] && grep -q "exists and was not written by mysql-quiesce wire; not touching it" "$WORK/out" &&
	grep -q "^fsfreeze-hook=/etc/qemu/mysql-quiesce-hook" "$WORK/out" && [ "$(cat "$WORK/root2/etc/qemu/qemu-ga.conf")" = "[general]" ]
ok $? "an existing qemu-ga.conf is never changed; wire says what to add (exit $st)"
cp "$WORK/root/etc/qemu/qemu-ga.conf" "$WORK/root/etc/qemu/mysql-quiesce-hook" "$WORK/etcq/"
in_etc qemu-ga -D >"$WORK/out" 2>&1
grep -q "fsfreeze-hook=/etc/qemu/mysql-quiesce-hook" "$WORK/out"; ok $? "qemu-ga itself reads the hook from that qemu-ga.conf"
in_etc "$MQ" check >"$WORK/out" 2>&1
grep -q "^ok    QEMU agent: the fsfreeze hook is /etc/qemu/mysql-quiesce-hook (direct" "$WORK/out"; ok $? "check: wire's hook script is the direct wiring"
printf '[general]\nfsfreeze-hook=%s\n' "$TOP/mysql-quiesce" >"$WORK/etcq/qemu-ga.conf"
in_etc "$MQ" check >"$WORK/out" 2>&1
grep -q "^ok    QEMU agent: the fsfreeze hook is $TOP/mysql-quiesce (direct" "$WORK/out"; ok $? "check: the direct wiring is present"
printf '[general]\nfsfreeze-hook=/etc/qemu/fsfreeze-hook\n' >"$WORK/etcq/qemu-ga.conf"
mkdir -p "$WORK/etcq/fsfreeze-hook.d"
ln -s /nonexistent/mysql-quiesce "$WORK/etcq/fsfreeze-hook.d/10-gone"
in_etc "$MQ" check >"$WORK/out" 2>&1; st=$?
grep -q "^FAIL  QEMU agent: /etc/qemu/fsfreeze-hook.d/10-gone is a dangling link" "$WORK/out" &&
	grep -q "^FAIL  QEMU agent: the stock hook runs nothing of ours" "$WORK/out" && [ "$st" -ne 0 ]
ok $? "check: a dangling hook.d link and a stock hook that runs nothing of ours are broken (exit $st)"
ln -s "$MQ" "$WORK/etcq/fsfreeze-hook.d/50-mysql-quiesce"; rm "$WORK/etcq/fsfreeze-hook.d/10-gone"
in_etc "$MQ" check >"$WORK/out" 2>&1
grep -q "^ok    QEMU agent: the stock hook runs us" "$WORK/out"; ok $? "check: the stock hook with our link is present"
rm -f "$WORK/etcq/qemu-ga.conf"
( exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin qemu-ga -m unix-listen -p "$WORK/bare.sock" -t "$WORK/direct.state" -f "$WORK/bare.pid" -l "$WORK/bare.log" ) &
bare=$!; echo $bare >>"$WORK/pids"
wait_for 10 test -S "$WORK/bare.sock"
in_etc "$MQ" check >"$WORK/out" 2>&1
grep -q "^FAIL  QEMU agent: qemu-ga runs without a fsfreeze hook: snapshots are crash-consistent" "$WORK/out"
ok $? "check: an agent running without a hook is named as the silent crash-consistent case"
kill $bare

diag "check reports VMware's wiring: legacy names and backupScripts.d"
# a namespace with an empty /etc and /usr/sbin of its own: no qemu-ga,
# a vmware-tools directory, one legacy name ours and one not
unshare -m --propagation private sh -c '
	mount -t tmpfs none /etc && mount -t tmpfs none /usr/sbin || exit 9
	mkdir -p /etc/vmware-tools/backupScripts.d
	ln -s "$1" /usr/sbin/pre-freeze-script
	ln -s /bin/true /usr/sbin/post-thaw-script
	ln -s "$1" /etc/vmware-tools/backupScripts.d/50-mysql
	ln -s /nonexistent /etc/vmware-tools/backupScripts.d/60-gone
	exec "$1" check' sh "$MQ" >"$WORK/out" 2>&1; st=$?
grep -q "^ok    VMware: /usr/sbin/pre-freeze-script runs mysql-quiesce" "$WORK/out"; ok $? "a legacy name that is ours: ok"
grep -q "^FAIL  VMware: /usr/sbin/post-thaw-script is not mysql-quiesce" "$WORK/out"; ok $? "a legacy name pointing elsewhere: FAIL"
grep -q "^ok    VMware: /etc/vmware-tools/backupScripts.d/50-mysql runs mysql-quiesce" "$WORK/out" &&
	grep -q "^FAIL  VMware: /etc/vmware-tools/backupScripts.d/60-gone is a dangling link" "$WORK/out"
ok $? "backupScripts.d: our link ok, a dangling one FAIL"
! grep -q "QEMU agent" "$WORK/out" && [ "$st" -ne 0 ]; ok $? "no agent installed: no QEMU line; broken wirings: check exits non-zero ($st)"

done_testing
