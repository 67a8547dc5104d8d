#!/bin/bash
# verify on the layouts DBAs have and on snapshots shaped by an
# attacker: the Debian layout (binary logs in their own directory on a
# second filesystem, absolute log_bin, the live server running beside
# the restored copy) verifies CONSISTENT from --binlog-dir and from the
# image's own config (--root), and the live binary log is untouched;
# every hostile info file, index, symlink, FIFO and escape sequence is
# refused or contained with a clear line, nothing is created outside
# the scratch, nothing is left running or mounted; SIGTERM cleans up.
. "$(dirname "$0")/lib.sh"
need sha256sum python3 fsfreeze mkfifo timeout

vfy() { # vfy ARGS...: run verify; status in ST, output in $WORK/out
	timeout 300 "$MQ" verify "$@" >"$WORK/out" 2>&1; ST=$?
}
# tree_sum DIR: one checksum of every file's bytes and names under DIR
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
# nothing_left: no throwaway server and no scratch of ours is left
nothing_left() {
	! pgrep -f "mariadbd .*--datadir=$WORK/scratch/mq-verify" >/dev/null &&
		[ -z "$(ls -A "$WORK/scratch")" ] && ! grep -q " $WORK/scratch/" /proc/self/mountinfo
}
mkdir -p "$WORK/scratch" && reachable "$WORK/scratch" || bail "cannot open the scratch to the server's user"

diag "the Debian layout: log_bin = an absolute path on a second filesystem"
loop_mount xfs 320 "$WORK/data.img" "$WORK/mnt"
loop_mount xfs 320 "$WORK/blog.img" "$WORK/blog"
DATA_AT=$WORK/mnt server_start live --log-bin="$WORK/blog/mysql-bin"
make_tables
sql "INSERT INTO t.isam (v) SELECT seq FROM t.seq_1_to_500; INSERT INTO t.inno (v) SELECT seq FROM t.seq_1_to_500" ||
	bail "cannot fill the tables"
[ -f "$WORK/blog/mysql-bin.index" ] && grep -q "^$WORK/blog/mysql-bin.000001$" "$WORK/blog/mysql-bin.index" ||
	bail "the server did not write an absolute index in $WORK/blog"
write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
"$BIN/pre-freeze-script" freeze || bail "freeze failed"
fsfreeze -f "$WORK/mnt" && fsfreeze -f "$WORK/blog" || bail "cannot freeze"
cp --sparse=always "$WORK/data.img" "$WORK/cdata.img"
cp --sparse=always "$WORK/blog.img" "$WORK/cblog.img"
fsfreeze -u "$WORK/blog"; fsfreeze -u "$WORK/mnt"
"$BIN/post-thaw-script" thaw || bail "thaw failed"
# the live server writes on: its binary log grows past the snapshot
sql "INSERT INTO t.inno (v) VALUES (7), (8), (9)"
mount_copy "$WORK/cdata.img" "$WORK/cm" nouuid || bail "cannot mount the data copy"
mount_copy "$WORK/cblog.img" "$WORK/cb" nouuid || bail "cannot mount the binlog copy"
live=$WORK/blog/mysql-bin.000001
live_before=$(stat -c '%s %Y %i' "$live" "$WORK/blog/mysql-bin.index")
snap_before=$(tree_sum "$WORK/cm"; tree_sum "$WORK/cb")

vfy "$WORK/cm/data" --scratch "$WORK/scratch"
[ "$ST" -eq 13 ] && grep -q "^FAIL  binlog    no binary log mysql-bin.\* in $WORK/cm/data, where it was looked for: give --binlog-dir" "$WORK/out" &&
	grep -q "^COULD NOT VERIFY$" "$WORK/out" && ! grep -q "NOT CONSISTENT" "$WORK/out"
ok $? "without --binlog-dir: could not verify (13), never 'not consistent': no binary log where it looked, --binlog-dir and --root named (got $ST)"
vfy "$WORK/cm/data" --binlog-dir "$WORK/cb" --scratch "$WORK/scratch"
[ "$ST" -eq 0 ] && grep -q "^consistent$" "$WORK/out"; ok $? "--binlog-dir: exit 0, consistent (got $ST: $(grep FAIL "$WORK/out" | head -2 | tr '\n' ' '))"
grep -q "^ok    binlog    mysql-bin.000001 is [0-9]* bytes, the recorded position: .*(1 binary log in $WORK/cb)" "$WORK/out" &&
	grep -q "^ok    gtid " "$WORK/out"; ok $? "the index's absolute entries were mapped to the snapshot's own file, and the GTID recovered from it"
[ "$(stat -c '%s %Y %i' "$live" "$WORK/blog/mysql-bin.index")" = "$live_before" ]
ok $? "the live server's binary log and index are untouched (size, mtime, inode)"
[ "$(tree_sum "$WORK/cm"; tree_sum "$WORK/cb")" = "$snap_before" ]; ok $? "the snapshot's bytes are unchanged"
nothing_left; ok $? "no server, scratch or mount left"

# --root: the restored image's own config says where the logs are
R=$WORK/root
mkdir -p "$R/etc/mysql/conf.d" "$R/srv/binlog"
ln -s /etc/mysql/mariadb.cnf "$R/etc/mysql/my.cnf"    # Debian's alternatives, an absolute link
printf '[client-server]\n!includedir /etc/mysql/conf.d/\n' >"$R/etc/mysql/mariadb.cnf"
printf '[mysqld]\nlog_bin = /srv/binlog/mysql-bin\n' >"$R/etc/mysql/conf.d/50-server.cnf"
mount --bind "$WORK/cb" "$R/srv/binlog" && echo "$R/srv/binlog" >>"$WORK/mounts" || bail "cannot bind-mount the binlog copy"
vfy "$WORK/cm/data" --root "$R" --scratch "$WORK/scratch"
[ "$ST" -eq 0 ] && grep -q "(1 binary log in $R/srv/binlog)" "$WORK/out"; ok $? "--root: the image's my.cnf (through its absolute link and includedir) names the binlog directory: consistent (got $ST)"
[ "$(stat -c '%s %Y %i' "$live" "$WORK/blog/mysql-bin.index")" = "$live_before" ]; ok $? "and the live binary log is untouched again"
# a hostile image: its /var an absolute link to a directory of this
# machine where the live server's binary logs are; its config names
# /var/log/mysql: that path is the image's, never this machine's
R2=$WORK/root2
mkdir -p "$R2/etc/mysql" "$WORK/hv/log/mysql"
mount --bind "$WORK/blog" "$WORK/hv/log/mysql" && echo "$WORK/hv/log/mysql" >>"$WORK/mounts" ||
	bail "cannot bind the live binary logs"
ln -s "$WORK/hv" "$R2/var"
printf '[mysqld]\nlog_bin = /var/log/mysql/mysql-bin\n' >"$R2/etc/mysql/my.cnf"
[ -f "$R2/var/log/mysql/mysql-bin.000001" ]; ok $? "negative control: followed by the kernel from here, the image's /var/log/mysql is the live server's binary log directory"
vfy "$WORK/cm/data" --root "$R2" --scratch "$WORK/scratch"
[ "$ST" -ne 0 ] && grep -q "binary logs' directory $R2/var/log/mysql is not in the snapshot" "$WORK/out" &&
	! grep -q "^ok    binlog" "$WORK/out"
ok $? "--root resolves the image's paths inside it: its link out of the image is not followed, the directory named as not in the snapshot (got $ST: $(grep FAIL "$WORK/out" | head -1))"
[ "$(stat -c '%s %Y %i' "$live" "$WORK/blog/mysql-bin.index")" = "$live_before" ] && nothing_left
ok $? "the live binary log untouched, nothing left"
umount "$WORK/hv/log/mysql"
server_stop "$WORK/live"

diag "hostile snapshots"
# a good snapshot with the binary log in its data directory, as a copy
# to spoil for each case
DATA_AT= server_start plain
make_tables
sql "INSERT INTO t.isam (v) SELECT seq FROM t.seq_1_to_200" || bail "cannot fill t.isam"
# transactions enough for a GTID sequence of two digits (the prefix case)
sql "$(for i in $(seq 12); do printf 'INSERT INTO t.inno (v) VALUES (%d); ' "$i"; done)" || bail "cannot write t.inno"
sed -i "s|^socket = .*|socket = $SOCK|; s|^binlog_info_file = .*|binlog_info_file = $DATADIR/binlog_info.txt|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze || bail "freeze failed"
cp -a "$DATADIR" "$WORK/good"
"$BIN/post-thaw-script" thaw || bail "thaw failed"
server_stop "$WORK/plain"
vfy "$WORK/good" --scratch "$WORK/scratch"
[ "$ST" -eq 0 ]; ok $? "the good copy verifies (exit $ST)"
case_dir() { rm -rf "$WORK/$1"; cp -a "$WORK/good" "$WORK/$1"; }
info_set() { sed -i "s|^$2 = .*|$2 = $3|" "$WORK/$1/binlog_info.txt"; }

mkdir -p "$WORK/abs"
case_dir absname; info_set absname binlog_file "$WORK/abs/pwn.000001"
vfy "$WORK/absname" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q "^FAIL  info .*binlog_file \"$WORK/abs/pwn.000001\" is not a plain binary log name: refused" "$WORK/out"
ok $? "an absolute binlog_file: exit 12, refused by name (got $ST)"
[ -z "$(ls -A "$WORK/abs")" ]; ok $? "and nothing is created where it points"
case_dir dotdot; info_set dotdot binlog_file "../pwn.000001"
vfy "$WORK/dotdot" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q 'binlog_file "../pwn.000001" is not a plain binary log name' "$WORK/out" && [ ! -e "$WORK/pwn.index" ]
ok $? "a .. binlog_file: exit 12, refused, nothing made beside the snapshot"
case_dir num; info_set num binlog_pos "12abc"
vfy "$WORK/num" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q 'binlog_pos "12abc" is not a number' "$WORK/out"; ok $? "a binlog_pos that is not a number: refused"

echo "keep me" >"$WORK/outside.txt"; cp "$WORK/outside.txt" "$WORK/outside.before"
case_dir idxlink; rm "$WORK/idxlink/mysql-bin.index"; ln -s "$WORK/outside.txt" "$WORK/idxlink/mysql-bin.index"
vfy "$WORK/idxlink" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q "^FAIL  binlog    mysql-bin.index in $WORK/idxlink: cannot be read (a symlink" "$WORK/out"
ok $? "an index that is a symlink: exit 12, not followed (got $ST)"
cmp -s "$WORK/outside.txt" "$WORK/outside.before"; ok $? "and the file it points at is untouched (nothing appended)"
case_dir shadow; rm "$WORK/shadow/mysql-bin.index"; ln -s /etc/shadow "$WORK/shadow/mysql-bin.index"
vfy "$WORK/shadow" --scratch "$WORK/scratch"
! grep -q "root:" "$WORK/out"; ok $? "an index linked to /etc/shadow: none of it reaches the report"
case_dir idxout; printf '/etc/passwd\n./mysql-bin.000001\n' >"$WORK/idxout/mysql-bin.index"
vfy "$WORK/idxout" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q "entries that name no binary log of the snapshot, not followed: /etc/passwd" "$WORK/out"
ok $? "an index entry outside the snapshot: exit 12, named, not followed"

case_dir infolink; mv "$WORK/infolink/binlog_info.txt" "$WORK/info.elsewhere"; ln -s "$WORK/info.elsewhere" "$WORK/infolink/binlog_info.txt"
vfy "$WORK/infolink" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q "binlog_info.txt: a symlink: not followed" "$WORK/out"; ok $? "an info file that is a symlink: exit 12, not followed"
case_dir fifo; rm "$WORK/fifo/binlog_info.txt"; mkfifo "$WORK/fifo/binlog_info.txt"
t0=$(now_ms); vfy "$WORK/fifo" --scratch "$WORK/scratch"; el=$(( $(now_ms) - t0 ))
[ "$ST" -eq 12 ] && grep -q "binlog_info.txt: not a regular file" "$WORK/out" && [ "$el" -lt 60000 ]
ok $? "a FIFO info file: refused at once, no hang (exit $ST, $el ms)"
case_dir zero; rm "$WORK/zero/binlog_info.txt"; ln -s /dev/zero "$WORK/zero/binlog_info.txt"
t0=$(now_ms); vfy "$WORK/zero" --scratch "$WORK/scratch"; el=$(( $(now_ms) - t0 ))
[ "$ST" -eq 12 ] && [ "$el" -lt 60000 ]; ok $? "a link to /dev/zero: refused, no spin (exit $ST, $el ms)"

case_dir esc; info_set esc gtid_binlog_pos "$(printf '0-1-4\033[2J\rFORGED')"
vfy "$WORK/esc" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && ! grep -q "$(printf '\033')" "$WORK/out" && ! grep -q "$(printf '\r')" "$WORK/out" &&
	grep -qF '\u001b[2J\u000dFORGED' "$WORK/out"
ok $? "escape sequences in the info file: the text report shows them escaped as JSON does"

case_dir longer; printf 'written after the lock' >>"$WORK/longer/mysql-bin.000001"
vfy "$WORK/longer" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q "^FAIL  binlog    mysql-bin.000001 is [0-9]* bytes, recorded position [0-9]* (written after the lock: 22 bytes)" "$WORK/out"
ok $? "a binary log longer than the recorded position: exit 12, saying so (got $ST)"
case_dir later; cp "$WORK/later/mysql-bin.000001" "$WORK/later/mysql-bin.000002"; echo ./mysql-bin.000002 >>"$WORK/later/mysql-bin.index"
vfy "$WORK/later" --scratch "$WORK/scratch"
[ "$ST" -eq 12 ] && grep -q "mysql-bin.000002 follows mysql-bin.000001 in the index: written after the lock" "$WORK/out"
ok $? "a later binary log in the index: exit 12"
case_dir prefix
g=$(sed -n 's/^gtid_binlog_pos = //p' "$WORK/prefix/binlog_info.txt")
info_set prefix gtid_binlog_pos "${g%?}"
vfy "$WORK/prefix" --scratch "$WORK/scratch"
[ "${#g}" -ge 6 ] && [ "$ST" -eq 12 ] && grep -q "^FAIL  gtid      recovered @@gtid_binlog_pos \"$g\", recorded \"${g%?}\"" "$WORK/out"
ok $? "a recorded GTID that is a prefix of the recovered one ($g against ${g%?}): exit 12"
case_dir mysql; info_set mysql server "MySQL 8.0.39 (MySQL Community Server - GPL)"
vfy "$WORK/mysql" --scratch "$WORK/scratch"
[ "$ST" -eq 13 ] && grep -q "^FAIL  server .*MySQL" "$WORK/out" && ! grep -q "^ok    recovery" "$WORK/out"
ok $? "a MySQL snapshot is not recovered by MariaDB's server: exit 13, saying so (got $ST: $(grep '^FAIL' "$WORK/out" | head -1))"
nothing_left; ok $? "after every case: no server, scratch or mount left"

diag "a whole root filesystem restored: verify finds the binary logs where the server kept them, on its own"
loop_mount xfs 320 "$WORK/rfs.img" "$WORK/rootfs"
mkdir -p "$WORK/rootfs/var/log/mysql"
DATA_AT=$WORK/rootfs/var/lib server_start rfs --log-bin="$WORK/rootfs/var/log/mysql/mysql-bin"
make_tables
write_config "$WORK/rfs.conf"
"$BIN/pre-freeze-script" -c "$WORK/rfs.conf" freeze || bail "freeze failed"
fsfreeze -f "$WORK/rootfs" && cp --sparse=always "$WORK/rfs.img" "$WORK/rfs-copy.img"; st=$?
fsfreeze -u "$WORK/rootfs"
"$BIN/post-thaw-script" -c "$WORK/rfs.conf" thaw || bail "thaw failed"
[ $st -eq 0 ] && mount_copy "$WORK/rfs-copy.img" "$WORK/rs" nouuid || bail "cannot mount the root filesystem's copy"
grep -qx "binlog_basename = $WORK/rootfs/var/log/mysql/mysql-bin" "$WORK/rs/var/lib/data/binlog_info.txt" &&
	grep -qx "datadir = $WORK/rootfs/var/lib/data/" "$WORK/rs/var/lib/data/binlog_info.txt"
ok $? "the info file records where the server kept its binary logs and its data"
vfy "$WORK/rs/var/lib/data" --scratch "$WORK/scratch"
[ "$ST" -eq 0 ] && grep -q "(1 binary log in $WORK/rs/var/log/mysql)" "$WORK/out"
ok $? "verify of the data directory alone: the binary logs found in the snapshot where the server kept them, consistent (got $ST: $(grep -m1 'binlog\|FAIL' "$WORK/out"))"
grep -v "^binlog_basename = " "$WORK/rs/var/lib/data/binlog_info.txt" >"$WORK/rfs-noinfo.txt"
vfy "$WORK/rs/var/lib/data" --scratch "$WORK/scratch" --info "$WORK/rfs-noinfo.txt"
[ "$ST" -eq 13 ]; ok $? "negative control: an info file without it: could not verify, exit 13 (got $ST)"
server_stop "$WORK/rfs"

diag "the relay-log scan ends by --timeout and at a stop signal"
# a replica's snapshot whose relay log is long: events of 1 MiB, sparse,
# 8,000 of them (8 GiB to walk, several seconds)
case_dir relay
printf 'replica_channels = 1\nreplica_1_source_log_file = mysql-bin.000001\nreplica_1_source_log_pos = 4\nreplica_1_relay_log_file = relay-bin.000001\nreplica_gtid_slave_pos = 0-1-1\n' \
	>>"$WORK/relay/binlog_info.txt"
python3 -c '
import struct, sys
n, size = 8000, 1 << 20
with open(sys.argv[1], "wb") as f:
    f.write(b"\xfebin")
    for i in range(n):
        f.seek(4 + i * size)
        f.write(struct.pack("<IBIIIH", 0, 2, 1, size, 0, 0))
    f.truncate(4 + n * size)' "$WORK/relay/relay-bin.000001" || bail "cannot write the relay log"
t0=$(now_ms)
vfy "$WORK/relay" --scratch "$WORK/scratch" --timeout 2
el=$(( $(now_ms) - t0 ))
[ "$ST" -eq 13 ] && [ "$el" -lt 4000 ] && grep -q "^FAIL  source .*relay-bin.000001: the scan ran past --timeout" "$WORK/out" && nothing_left
ok $? "--timeout 2: the scan ends, could not verify (exit $ST in $el ms: $(grep '^FAIL' "$WORK/out" | head -1))"
"$MQ" verify "$WORK/relay" --scratch "$WORK/scratch" >"$WORK/out" 2>&1 & vp=$!
sleep 1
kill -TERM $vp; t0=$(now_ms)
wait $vp; ST=$?; el=$(( $(now_ms) - t0 ))
[ "$ST" -eq 9 ] && [ "$el" -lt 1000 ] && grep -q "^STOPPED$" "$WORK/out" && nothing_left
ok $? "SIGTERM during the scan: exit 9 within a second ($el ms, got $ST)"
t0=$(now_ms)
timeout 60 "$MQ" verify "$WORK/relay" --scratch "$WORK/scratch" --timeout 5 >"$WORK/out" 2>&1
el=$(( $(now_ms) - t0 ))
[ "$el" -gt 4500 ] && grep -q "the scan ran past --timeout" "$WORK/out"
ok $? "negative control: the scan of that relay log takes longer than 2 s: --timeout 5 ends it too ($el ms)"
rm -rf "$WORK/relay"

diag "SIGTERM while the server recovers: stopped, unmounted, removed"
"$MQ" verify "$WORK/good" --scratch "$WORK/scratch" >"$WORK/out" 2>&1 & vp=$!
wait_for 30 pgrep -f "mariadbd .*--datadir=$WORK/scratch/mq-verify" >/dev/null; ok $? "its server runs"
kill -TERM $vp; t0=$(now_ms)
wait $vp; ST=$?; el=$(( $(now_ms) - t0 ))
[ "$ST" -eq 9 ] && [ "$el" -lt 30000 ] && grep -q "^STOPPED$" "$WORK/out"; ok $? "exit 9 within $el ms, the report says STOPPED (got $ST)"
wait_for 10 nothing_left; ok $? "no server, scratch or mount left"

diag "SIGKILL while the server recovers: the server dies with verify"
"$MQ" verify "$WORK/good" --scratch "$WORK/scratch" >"$WORK/out" 2>&1 & vp=$!
wait_for 30 pgrep -f "mariadbd .*--datadir=$WORK/scratch/mq-verify" >/dev/null; ok $? "its server runs"
kill -KILL $vp; wait $vp 2>/dev/null
server_gone() { ! pgrep -f "mariadbd .*--datadir=$WORK/scratch/mq-verify" >/dev/null; }
wait_for 5 server_gone
ok $? "verify SIGKILLed: its throwaway server does not outlive it"
! grep -q " $WORK/scratch/" /proc/self/mountinfo; ok $? "and no mount of its is left here (they were its own namespace's)"
rm -rf "$WORK"/scratch/mq-verify.*

done_testing
