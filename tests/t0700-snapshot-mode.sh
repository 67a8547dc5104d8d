#!/bin/bash
# Snapshot mode (the proof's cycles are in t0400): hard deadlines, the
# watchdog, failures, signals, dry-run, discovery against captured sysfs
# trees, and btrfs with its own atomic snapshot.
. "$(dirname "$0")/lib.sh"
need fsfreeze mkfs.btrfs btrfs timeout

loop_mount xfs 320 "$WORK/main.img" "$WORK/mnt"
DATA_AT=$WORK/mnt server_start src
make_tables
write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

# fs_writable: a write to the XFS image completes within 3 s (a write
# to a frozen filesystem would block until it is thawed).
fs_writable() {
	( echo x >"$WORK/mnt/probe" ) & local p=$!
	wait_for 3 dead $p
}
# fs_frozen: the kernel refuses a write to the XFS image: a write started
# now has not completed 500 ms later (it completes at the thaw).
fs_frozen() {
	( echo x >"$WORK/mnt/probe.frozen" ) & local p=$!
	sleep 0.5
	! dead $p
}
snap() { # snap ARGS...: run snapshot mode; status in ST, ms in EL
	local t0; t0=$(now_ms)
	# bounded: a broken build must fail a check here, not hang the file
	timeout -k 5 120 "$MQ" snapshot "$@" >"$WORK/out" 2>"$WORK/err"; ST=$?
	EL=$(( $(now_ms) - t0 ))
}

diag "dry-run: the plan, and nothing locked or frozen"
rm -rf "$WORK/run"
snap --dry-run -- cp a b
ok $ST "dry-run exits 0"
dev=$(awk '$2 == "'"$WORK/mnt"'" { print $1 }' /proc/mounts)
grep -q "^freeze: *$WORK/mnt\$" "$WORK/out"; ok $? "it names the data's filesystem"
grep -q "^devices: *$dev\$" "$WORK/out"; ok $? "and its device ($dev)"
grep -q "^lock method: *backup-stage" "$WORK/out" && grep -q "^command: *cp a b" "$WORK/out"
ok $? "and the lock method and command"
[ ! -e "$WORK/run/state" ] && no_holder; ok $? "nothing was locked"
fs_writable; ok $? "nothing is frozen"

diag "the command's environment"
flushes=$(sql "SHOW GLOBAL STATUS LIKE 'Com_flush'" | awk '{ print $2 }')
snap -- sh -c 'env > "$0"' "$WORK/env"
ok $ST "snapshot exits 0"
[ "$(sql "SHOW GLOBAL STATUS LIKE 'Com_flush'" | awk '{ print $2 }')" -eq $((flushes + 1)) ]
ok $? "the engine logs were flushed (one FLUSH: FLUSH ENGINE LOGS; BACKUP STAGE needs none)"
grep -q "^MYSQL_QUIESCE_BINLOG_FILE=mysql-bin.000001$" "$WORK/env" &&
	grep -q "^MYSQL_QUIESCE_BINLOG_POS=$(info_field binlog_pos)$" "$WORK/env" &&
	grep -q "^MYSQL_QUIESCE_GTID=$(info_field gtid_binlog_pos)$" "$WORK/env" &&
	grep -q "^MYSQL_QUIESCE_MOUNTS=$WORK/mnt$" "$WORK/env" &&
	grep -q "^MYSQL_QUIESCE_DEVICES=$dev$" "$WORK/env" &&
	grep -q "^MYSQL_QUIESCE_INFO_FILE=$DATADIR/binlog_info.txt$" "$WORK/env"
ok $? "coordinates, mounts, devices and the info file's path are in it, equal to the info file"
[ "$(grep -c . "$WORK/out")" -eq 1 ] &&
	grep -Eq "^snapshot taken \(command\); binlog mysql-bin.000001:$(info_field binlog_pos) gtid $(info_field gtid_binlog_pos); writes blocked [0-9]+ ms; filesystems frozen [0-9]+ ms \($WORK/mnt\)$" "$WORK/out"
ok $? "one result line on stdout: the backend, the coordinates, the writers' stall, what was frozen ($(cat "$WORK/out"))"
MYSQL_PWD=Pw-9f3kq-secret "$MQ" snapshot -- sh -c 'env > "$0"' "$WORK/env2"
! grep -q "Pw-9f3kq-secret" "$WORK/env2"; ok $? "MYSQL_PWD is not passed on"
log_has "froze $WORK/mnt" && log_has "thawed $WORK/mnt" && log_has "consistent"
ok $? "the log says froze, thawed, consistent"
# the holder logs its release itself; the lines snapshot mode held while
# frozen ("froze", "thawed") reach the file only after that, in order
awk '/snapshot INFO froze/ { f = NR } /snapshot INFO thawed/ { t = NR }
     /holder INFO lock released/ { r = NR } END { exit !(r && f > r && t > f) }' "$WORK/mq.log"
ok $? "the lines held while frozen were written after the thaw, in order"

diag "the command inherits nothing: descriptors 0-2, stdin on /dev/null, no server session"
# fd 7 is the caller's own: not passed on either.
snap -- "$TOP/tests/fd-probe" 7</dev/null
ok $ST "snapshot with the probe exits 0"
grep -qx "fds: 0 1 2" "$WORK/out"; ok $? "the command's descriptors are 0, 1 and 2 only ($(grep '^fds:' "$WORK/out"))"
grep -qx "stdin: /dev/null" "$WORK/out"; ok $? "its stdin is /dev/null"
! grep -q "^socket:" "$WORK/out"; ok $? "it holds no socket at all"
! grep -q "^reached the server" "$WORK/out"; ok $? "so it cannot reach the server through one of ours"
mariadb --no-defaults -S "$SOCK" -uroot -e "system $TOP/tests/fd-probe" >"$WORK/ctl" 2>&1
grep -q "^reached the server through fd" "$WORK/ctl"
ok $? "negative control: the same probe, started by a client that leaks its session, reaches the server"
# the snapshot's children: the holder, the watchdog (this program
# exec'd as mysql-quiesce-watchdog, not a fork of it) and us
snap -- sh -c 'for p in $(pgrep -P "$PPID"); do
	[ "$p" = $$ ] && continue
	tr "\0" " " <"/proc/$p/cmdline" | grep -q "^mysql-quiesce-watchdog -c " &&
		ls -l "/proc/$p/fd"; done >"$0"' "$WORK/wdfds"
ok $ST "snapshot listing the watchdog's descriptors exits 0"
[ -s "$WORK/wdfds" ] && grep -qF "$WORK/mnt" "$WORK/wdfds" && [ "$(grep -c 'socket:' "$WORK/wdfds")" -eq 1 ] &&
	grep -q ' 3 -> socket:' "$WORK/wdfds"
ok $? "the watchdog, exec'd as mysql-quiesce-watchdog, holds the mount point and one socket, its line to the tool (no server connection)"
[ "$(grep -c ' -> ' "$WORK/wdfds")" -eq 5 ] && [ "$(grep -c ' -> /dev/null' "$WORK/wdfds")" -eq 3 ] &&
	grep -q " 4 -> $WORK/mnt\$" "$WORK/wdfds"
ok $? "and nothing else: /dev/null as 0-2, that line as 3, the mount point as 4"

diag "defaults: the info file in the data directory"
write_config "$WORK/d.conf"; sed -i '/^binlog_info_file = /d' "$WORK/d.conf"
rm -f "$DATADIR/binlog_info.txt"
MYSQL_QUIESCE_CONFIG=$WORK/d.conf snap -- sh -c 'env > "$0"' "$WORK/env3"
ok $ST "snapshot with no binlog_info_file set exits 0"
grep -q "^MYSQL_QUIESCE_INFO_FILE=$DATADIR/binlog_info.txt$" "$WORK/env3" &&
	[ "$(info_field binlog_pos)" = "$(sed -n 's/^MYSQL_QUIESCE_BINLOG_POS=//p' "$WORK/env3")" ]
ok $? "it wrote DATADIR/binlog_info.txt, with the coordinates the command was given"

diag "[snapshot] timeout in the config is the deadline"
write_config "$WORK/d.conf" "[snapshot]" "timeout = 3"
MYSQL_QUIESCE_CONFIG=$WORK/d.conf snap -- "$SLEEPER" 600
ok $(( ST != 6 )) "exit 6 (got $ST)"
[ "$EL" -ge 3000 ] && [ "$EL" -le 6000 ]; ok $? "after 3 s, within a 3 s margin (${EL} ms)"
grep -q "overran --timeout (3 s)" "$WORK/err"; ok $? "and says so"
fs_writable && can_write && no_sleeper; ok $? "thawed, unlocked, the command killed"
write_config "$WORK/d.conf" "[snapshot]" "timeout = 30"
MYSQL_QUIESCE_CONFIG=$WORK/d.conf snap -- true
ok $(( ST != 3 )) "a timeout not below max_lock_time (30): exit 3 (got $ST)"

diag "on_failure = proceed is ignored: snapshot mode never runs without a lock"
write_config "$WORK/d.conf" "[lock]" "on_failure = proceed"
sed -i "s|^socket = .*|socket = $WORK/no.sock|" "$WORK/d.conf"
rm -f "$WORK/ran"
MYSQL_QUIESCE_CONFIG=$WORK/d.conf snap -- touch "$WORK/ran"
ok $(( ST != 4 )) "the server unreachable: exit 4 (got $ST)"
[ ! -e "$WORK/ran" ]; ok $? "the command was not run"
fs_writable && no_holder; ok $? "nothing frozen, no holder"

diag "a command killed by a signal: exit 11"
snap -- sh -c 'kill -KILL $$'
ok $(( ST != 11 )) "exit 11 (got $ST)"
grep -q "the snapshot command failed (signal 9)" "$WORK/err"; ok $? "and names the signal"
fs_writable && can_write && no_holder; ok $? "thawed, unlocked"

diag "a failing command: thawed, unlocked, exit 11"
snap -- false
ok $(( ST != 11 )) "exit 11 (got $ST)"
grep -q "the snapshot command failed (exit 1)" "$WORK/err"; ok $? "and says so"
fs_writable; ok $? "the filesystem is thawed"
can_write && no_holder; ok $? "the lock is released"

diag "the deadline: --timeout 3 with a command that never ends"
snap --timeout 3 -- "$SLEEPER" 600
ok $(( ST != 6 )) "exit 6 (got $ST)"
[ "$EL" -ge 3000 ] && [ "$EL" -le 6000 ]; ok $? "after the deadline, within 3 s + 3 s margin (${EL} ms)"
grep -q "overran --timeout (3 s)" "$WORK/err"; ok $? "and says so"
fs_writable; ok $? "thawed"
can_write && no_holder; ok $? "unlocked"
no_sleeper; ok $? "the command was killed"

diag "a command stuck writing to the frozen filesystem: the tool itself thaws at its deadline"
n0=$(wc -l <"$WORK/mq.log")
snap --timeout 3 -- sh -c 'echo stuck >"$0"' "$WORK/mnt/stuck"
ok $(( ST != 6 )) "exit 6 (got $ST)"
[ "$EL" -ge 3000 ] && [ "$EL" -lt 5500 ]; ok $? "thawed by the tool at its deadline, before the watchdog's (deadline + 3 s): ${EL} ms"
tail -n +$((n0 + 1)) "$WORK/mq.log" | grep -q "snapshot INFO thawed $WORK/mnt" &&
	! tail -n +$((n0 + 1)) "$WORK/mq.log" | grep -q "FITHAW\|watchdog"
ok $? "the log says thawed, with no FITHAW error and no watchdog"
stuck_gone() { ! pgrep -f -- " $WORK/mnt/stuck\$" >/dev/null; }
wait_for 3 stuck_gone; ok $? "the command, unstuck by the thaw, ended on its SIGTERM"
fs_writable && can_write && no_holder; ok $? "writable, unlocked, no holder"

diag "the tool SIGKILLed while frozen: the watchdog thaws and unlocks"
rm -f "$WORK/started"
"$MQ" snapshot --timeout 20 -- sh -c 'touch "$0"; exec "$1" 600' "$WORK/started" "$SLEEPER" 2>/dev/null &
SP=$!
wait_for 10 test -e "$WORK/started"; ok $? "the command runs"
fs_frozen; ok $? "the filesystem is frozen while it runs (a write blocks)"
t0=$(now_ms); kill -KILL $SP
fs_writable; st=$?; el=$(( $(now_ms) - t0 ))
ok $st "the filesystem was thawed ${el} ms after the SIGKILL"
[ "$el" -lt 2000 ]; ok $? "well within the deadline (< 2000 ms)"
wait_for 5 can_write; ok $? "the lock was released"
wait_for 5 no_holder; ok $? "no holder is left"
wait_for 2 no_sleeper; ok $? "the command was killed"
wait_for 3 log_has "mysql-quiesce snapshot died: thawed"; ok $? "the watchdog logged it"

diag "--no-freeze-fs, the tool SIGKILLed: the watchdog still releases the lock"
rm -f "$WORK/started"
"$MQ" snapshot --no-freeze-fs --timeout 20 -- sh -c 'touch "$0"; exec "$1" 600' "$WORK/started" "$SLEEPER" 2>/dev/null &
SP=$!
wait_for 10 test -e "$WORK/started"; ok $? "the command runs"
cannot_write; ok $? "commits are blocked while it runs (the lock is held)"
t0=$(now_ms); kill -KILL $SP
wait_for 5 can_write; st=$?; el=$(( $(now_ms) - t0 ))
ok $st "the lock was released ${el} ms after the SIGKILL"
wait_for 2 no_sleeper; ok $? "the command was killed"

for sig in TERM INT HUP; do
	diag "SIG$sig while frozen: thaw, unlock, exit 9"
	rm -f "$WORK/started"
	"$MQ" snapshot --timeout 20 -- sh -c 'touch "$0"; exec "$1" 600' "$WORK/started" "$SLEEPER" 2>"$WORK/err" &
	SP=$!
	# (no insert here: on the frozen filesystem the server itself may
	# block in a write until the thaw)
	wait_for 10 test -e "$WORK/started" && fs_frozen
	ok $? "SIG$sig: the command runs, the filesystem frozen"
	t0=$(now_ms); kill -$sig $SP; wait $SP; st=$?
	ok $(( st != 9 )) "SIG$sig: exit 9 (got $st after $(( $(now_ms) - t0 )) ms: $(tail -1 "$WORK/err"))"
	fs_writable && can_write && no_holder; ok $? "SIG$sig: thawed and unlocked"
done

diag "a second filesystem inside the first: both frozen, parent first, thawed in reverse"
loop_mount ext4 32 "$WORK/inner.img" "$WORK/mnt/inner"
n0=$(wc -l <"$WORK/mq.log")
snap --freeze-fs "+$WORK/mnt/inner" -- sh -c 'for m in "$1" "$2"; do
	if fsfreeze -f "$m" 2>/dev/null; then fsfreeze -u "$m"; exit 3; fi
done; printf "%s\n" "$MYSQL_QUIESCE_MOUNTS" >"$0"' "$WORK/mounts.out" "$WORK/mnt" "$WORK/mnt/inner"
ok $ST "snapshot exits 0: both were frozen while the command ran (it found each busy)"
grep -qF "$WORK/mnt" "$WORK/mounts.out" && grep -qF "$WORK/mnt/inner" "$WORK/mounts.out"
ok $? "MYSQL_QUIESCE_MOUNTS names both: $(cat "$WORK/mounts.out")"
tail -n +$((n0 + 1)) "$WORK/mq.log" | awk -v o="$WORK/mnt" -v i="$WORK/mnt/inner" '
	$0 ~ "INFO froze " o " in [0-9]+ ms$" { fo = NR } $0 ~ "INFO froze " i " in [0-9]+ ms$" { fi = NR }
	$0 ~ "INFO thawed " o "$" { to = NR } $0 ~ "INFO thawed " i "$" { ti = NR }
	END { exit !(fo && fi && ti && to && fo < fi && fi < ti && ti < to) }'
ok $? "the log: froze the parent, then the inner one; thawed the inner one, then the parent"
fs_writable && ( echo x >"$WORK/mnt/inner/probe" ) && can_write && no_holder
ok $? "both writable again, unlocked"
umount "$WORK/mnt/inner"

diag "the lock lost while the command runs: the snapshot is not called consistent"
snap -- sh -c 'kill -KILL "$(sed -n "s/^pid=//p" "$0")"; sleep 1' "$WORK/run/state"
ok $(( ST != 8 )) "exit 8 (got $ST)"
grep -q "the lock was lost before the end" "$WORK/err"; ok $? "and it says the snapshot may not match the coordinates"
fs_writable && can_write && no_holder; ok $? "thawed, unlocked, no holder"

# backups: how many BACKUP statements the server has run (the lock)
backups() { sql "SHOW GLOBAL STATUS LIKE 'Com_backup'" | cut -f2; }

diag "a target that is frozen already: an error before anything is locked"
b0=$(backups)
fsfreeze -f "$WORK/mnt"
snap -- true
fsfreeze -u "$WORK/mnt"
ok $(( ST != 1 )) "a target frozen already: exit 1 (got $ST)"
grep -q "$WORK/mnt cannot be frozen: it is frozen already" "$WORK/err"; ok $? "and says so"
no_holder && [ "$(backups)" -eq "$b0" ]; ok $? "nothing was locked: the server ran no BACKUP statement"

diag "a target that cannot be frozen: an error before anything is locked"
b0=$(backups)
snap --freeze-fs /proc -- true
ok $(( ST != 1 )) "exit 1 (got $ST)"
grep -q "/proc cannot be frozen: its filesystem does not support freezing" "$WORK/err"; ok $? "and says so"
no_holder && [ "$(backups)" -eq "$b0" ]; ok $? "nothing was locked: the server ran no BACKUP statement"
snap -- true
[ "$ST" -eq 0 ] && [ "$(backups)" -gt "$b0" ]; ok $? "control: a snapshot that locks runs BACKUP statements ($b0 -> $(backups))"

diag "bad use"
snap --timeout 30 -- true
ok $(( ST != 2 )) "a --timeout not below max_lock_time is refused (exit 2)"
for t in 0 -5 99999999999999999999 ten; do
	snap --timeout "$t" -- true
	[ "$ST" -eq 2 ] && grep -qF -- "--timeout \"$t\": not a whole number of seconds from 1 to 86400" "$WORK/err"
	ok $? "--timeout $t: exit 2 with the reason ($(head -1 "$WORK/err"))"
done
snap -- /nonexistent/snapshot-tool
[ "$ST" -eq 11 ] && grep -q "cannot start the snapshot command /nonexistent/snapshot-tool: No such file" "$WORK/err"
ok $? "a command that cannot be started: exit 11, the reason from the parent ($(tail -1 "$WORK/err"))"
fs_writable && can_write && no_holder; ok $? "and thawed, unlocked"
snap --dry-run
ok $(( ST != 2 )) "no command: exit 2"

diag "discovery against captured sysfs trees"
# capture NAME SCENARIO: proc/self/mountinfo and a sys tree under
# $WORK/NAME in which the data's filesystem sits on SCENARIO's devices.
capture() {
	local r=$WORK/$1 s=$WORK/$1/sys devno
	devno=$(stat -c '%Hd:%Ld' "$DATADIR")
	mkdir -p "$r/proc/self" "$s/class/block" "$s/dev/block"
	blk() { # blk NAME DIR: a device under devices/DIR
		mkdir -p "$s/devices/$2/$1"
		ln -s "../../devices/$2/$1" "$s/class/block/$1"
	}
	part() { blk "$1" "$2"; touch "$s/devices/$2/$1/partition"; }
	slaves() { # slaves DEV SLAVE...
		local d=$1; shift
		mkdir -p "$s/class/block/$d/slaves"
		for x in "$@"; do ln -s "../../$x" "$s/class/block/$d/slaves/$x"; done
	}
	case $2 in
	raid1)	blk nvme0n1 pci/n0; part nvme0n1p1 pci/n0/nvme0n1
		blk nvme1n1 pci/n1; part nvme1n1p1 pci/n1/nvme1n1
		blk md0 virtual/block; slaves md0 nvme0n1p1 nvme1n1p1
		top=md0 src=/dev/md0 ;;
	lvm)	blk sdb pci/a1; blk sdc pci/a2
		blk md1 virtual/block; slaves md1 sdb sdc
		blk dm-0 virtual/block; slaves dm-0 md1
		top=dm-0 src=/dev/mapper/vg-data ;;
	part)	blk sda pci/a0; part sda1 pci/a0/sda
		top=sda1 src=/dev/sda1 ;;
	esac
	ln -s "../../devices/x/$top" "$s/dev/block/$devno"
	{
		echo "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw"
		echo "40 1 $devno / /srv/my\\040data rw - xfs /dev/other rw"
		echo "41 1 $devno / $WORK/mnt rw,relatime shared:1 - xfs $src rw,attr2"
	} >"$r/proc/self/mountinfo"
	write_config "$WORK/cap.conf" "[snapshot]" "proc_root = $r/proc" "sys_root = $s"
}
for sc in "raid1:/dev/nvme0n1 /dev/nvme1n1" "lvm:/dev/sdb /dev/sdc" "part:/dev/sda"; do
	name=${sc%%:*} want=${sc#*:}
	capture "cap-$name" "$name"
	MYSQL_QUIESCE_CONFIG=$WORK/cap.conf "$MQ" snapshot --dry-run -- true >"$WORK/out" 2>&1
	got=$(sed -n 's/^devices: *//p' "$WORK/out")
	[ "$got" = "$want" ]; ok $? "$name: devices $got"
	grep -q "^freeze: *$WORK/mnt\$" "$WORK/out"; ok $? "$name: mount point $WORK/mnt"
done
grep -q "dm-0 <- md1 <- sdb, sdc" "$WORK/mq.log"; ok $? "the LVM chain is logged (dm-0 <- md1 <- sdb, sdc)"
grep -q "md0 <- nvme0n1p1 (nvme0n1), nvme1n1p1 (nvme1n1)" "$WORK/mq.log"; ok $? "the RAID1 chain is logged"

diag "the command's arguments, however many, all reach it"
: >"$WORK/mq.log"
snap --no-freeze-fs -- sh -c 'echo "$#" >"$1"' sh "$WORK/nargs" $(seq 2 100)
grep -q "snapshot done: no filesystem frozen (--no-freeze-fs);" "$WORK/mq.log" && ! grep -q "filesystems frozen" "$WORK/mq.log" &&
	grep -q "; no filesystem frozen (--no-freeze-fs)$" "$WORK/out"
ok $? "--no-freeze-fs: the log and the result line say nothing was frozen ($(cat "$WORK/out"))"
[ $ST -eq 0 ] && [ "$(cat "$WORK/nargs" 2>/dev/null)" = 100 ]
ok $? "snapshot -- sh -c SCRIPT sh with 100 arguments: the script sees all 100 (exit $ST, it saw $(cat "$WORK/nargs" 2>/dev/null))"

diag "btrfs: a subvolume snapshot is the command, no filesystem freeze"
loop_mount btrfs 256 "$WORK/bt.img" "$WORK/bt"
btrfs -q subvolume create "$WORK/bt/vol" >/dev/null || bail "cannot create a btrfs subvolume"
DATA_AT=$WORK/bt/vol server_start bsrv --binlog-format=ROW
BSOCK=$SOCK
make_tables
( while [ ! -e "$WORK/bstop" ]; do echo "INSERT INTO t.inno (v) VALUES (1); INSERT INTO t.isam (v) VALUES (1);"; done |
	mariadb --no-defaults -S "$BSOCK" -uroot ) & BW=$!
wait_for 10 sh -c "[ \$(mariadb --no-defaults -S '$BSOCK' -uroot -N -e 'SELECT COUNT(*) FROM t.inno') -gt 100 ]"
write_config "$WORK/b.conf"
MYSQL_QUIESCE_CONFIG=$WORK/b.conf "$MQ" snapshot --no-freeze-fs -- \
	btrfs -q subvolume snapshot "$WORK/bt/vol" "$WORK/bt/snap" 2>"$WORK/err"
ok $? "snapshot --no-freeze-fs -- btrfs subvolume snapshot"
touch "$WORK/bstop"; wait $BW
# mount the snapshot subvolume by itself, as a restore would
bdev=$(awk '$2 == "'"$WORK/bt"'" { print $1 }' /proc/mounts)
mkdir -p "$WORK/bsm"
mount -o subvol=snap "$bdev" "$WORK/bsm" && echo "$WORK/bsm" >>"$WORK/mounts"
ok $? "the snapshot subvolume mounts by itself ($bdev, subvol=snap)"
info=$WORK/bsm/data/binlog_info.txt
file=$(sed -n 's/^binlog_file = //p' "$info"); pos=$(sed -n 's/^binlog_pos = //p' "$info")
gtid=$(sed -n 's/^gtid_binlog_pos = //p' "$info")
[ "$(stat -c %s "$WORK/bsm/data/$file")" = "$pos" ]; ok $? "the snapshot's binlog is exactly the recorded size ($pos)"
rm -f "$WORK/bsm/data/"*.pid
mkdir -p "$WORK/bsnap"; echo "$WORK/bsm/data" >"$WORK/bsnap/datadir"
server_run "$WORK/bsnap"
[ "$(sql 'SELECT @@gtid_binlog_pos')" = "$gtid" ]; ok $? "the recovered server is at the recorded GTID ($gtid)"
st=$(sql "CHECK TABLE t.inno, t.isam" | awk -F'\t' '$3 == "error" || ($3 == "status" && $4 != "OK") { bad = 1 } END { print bad + 0 }')
[ "$st" = 0 ]; ok $? "CHECK TABLE is clean"
n_i=$(sql "SELECT COUNT(*) FROM t.inno"); n_m=$(sql "SELECT COUNT(*) - 1 FROM t.isam")
# the writer alternates InnoDB and MyISAM inserts: a consistent image
# has as many of each, or one more InnoDB insert
[ $((n_i - n_m)) -ge 0 ] && [ $((n_i - n_m)) -le 1 ]
ok $? "InnoDB and MyISAM writes match ($n_i and $n_m)"
server_stop "$WORK/bsnap"

done_testing
