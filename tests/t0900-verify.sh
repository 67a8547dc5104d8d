#!/bin/bash
# mysql-quiesce verify on bad snapshots: each fails with the right line
# and exit 12 (not consistent) or 13 (could not verify); a good one
# passes by every path (overlay, --copy, --json, --keep). The proof's
# cycles are verified in t0400, beside its independent checks.
. "$(dirname "$0")/lib.sh"
need sha256sum truncate python3

loop_mount xfs 320 "$WORK/main.img" "$WORK/mnt"
DATA_AT=$WORK/mnt server_start src
make_tables
sql "INSERT INTO t.isam (v) SELECT seq FROM t.seq_1_to_2000; INSERT INTO t.inno (v) VALUES (1)" ||
	bail "cannot fill the tables"
[ "$(sql "SELECT COUNT(*) FROM t.isam")" -gt 2000 ] || bail "t.isam did not get its 2,000 rows"
write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
"$MQ" snapshot -- cp --sparse=always "$WORK/main.img" "$WORK/copy.img"; ok $? "a snapshot to verify"
mount_copy "$WORK/copy.img" "$WORK/m" nouuid || bail "cannot mount the copy"
GOOD=$WORK/m/data
# tree_sum DIR: one checksum of every file's bytes and names under DIR
tree_sum() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
GOOD_SUM=$(tree_sum "$GOOD")

vfy() { # vfy ARGS...: run verify; status in ST, output in $WORK/out
	"$MQ" verify "$@" >"$WORK/out" 2>&1; ST=$?
}
# case NAME: a copy of the good snapshot to spoil, in $WORK/NAME
case_dir() { rm -rf "$WORK/$1"; cp -a "$GOOD" "$WORK/$1"; }

vfy "$GOOD"
ok $ST "the good snapshot: exit 0"
grep -q "^consistent$" "$WORK/out" && [ "$(grep -c '^ok' "$WORK/out")" -eq 7 ]; ok $? "seven checks, all ok"
gpos=$(sed -n 's/^binlog_pos = //p' "$GOOD/binlog_info.txt")
ggtid=$(sed -n 's/^gtid_binlog_pos = //p' "$GOOD/binlog_info.txt")
grep -q "^ok    exact     recovered to mysql-bin.000001:$gpos, gtid \"$ggtid\": the recorded position, no whole transaction after it$" "$WORK/out"
ok $? "the exact coordinates read back from the recovered server: the recorded ones ($gpos, $ggtid)"
vfy "$GOOD" --write-info "$WORK/exact.txt"
[ "$ST" -eq 0 ] && grep -q "^# read back by mysql-quiesce verify from the recovered snapshot\.$" "$WORK/exact.txt" &&
	[ "$(sed -n 's/^binlog_pos = //p' "$WORK/exact.txt")" = "$gpos" ] &&
	[ "$(sed -n 's/^gtid_binlog_pos = //p' "$WORK/exact.txt")" = "$ggtid" ] &&
	grep -q "^CHANGE MASTER TO .*MASTER_LOG_POS=$gpos" "$WORK/exact.txt" &&
	grep -q "^ok    write-info" "$WORK/out"
ok $? "--write-info: an info file of the exact coordinates, its ready lines included"
vfy "$GOOD" --json
python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); e = d["exact"]; sys.exit(not (d["consistent"] and d["verified"] and len(d["checks"]) == 7 and e["binlog_file"] == "mysql-bin.000001" and e["binlog_pos"] == int(sys.argv[2]) and e["gtid"] == sys.argv[3] and e["after_recorded"] == 0))' "$WORK/out" "$gpos" "$ggtid"
ok $? "--json: one object, consistent, seven checks, the exact coordinates"
reachable "$WORK" || bail "cannot open $WORK to the server's user"
vfy "$GOOD" --copy "$WORK"
ok $ST "--copy DIR: exit 0 on a full copy"
grep -q "^ok    layer     a full copy in $WORK/mq-verify" "$WORK/out"; ok $? "and says so"
[ -z "$(ls -d "$WORK"/mq-verify.* 2>/dev/null)" ]; ok $? "the copy is removed afterwards"
# --copy of a hostile snapshot: a device node is refused, never made
# (root's copy would be the host's disk, handed to the server's user)
case_dir devnode; mknod "$WORK/devnode/disk" b 7 0; mkfifo "$WORK/devnode/fifo"
vfy "$WORK/devnode" --copy "$WORK"
[ "$ST" -eq 13 ] && grep -q "^FAIL  layer .*the snapshot holds $WORK/devnode/\(disk (a block device)\|fifo (a FIFO)\): refused, never copied" "$WORK/out"
ok $? "--copy of a snapshot holding a device node or a FIFO: exit 13, naming it (got $ST: $(grep '^FAIL' "$WORK/out" | head -1))"
[ -z "$(find "$WORK" -path "$WORK/devnode" -prune -o \( -type b -o -type p \) -print)" ] &&
	[ -z "$(ls -d "$WORK"/mq-verify.* 2>/dev/null)" ]
ok $? "and no device node or FIFO was made anywhere in the copy's directory ($(find "$WORK" -path "$WORK/devnode" -prune -o \( -type b -o -type p \) -print | head -2))"
[ -b "$WORK/devnode/disk" ]; ok $? "negative control: the snapshot itself holds the block device"
# --copy of a large snapshot ends by --timeout and at a stop signal
case_dir many
python3 -c 'import os, sys
for i in range(60000): open("%s/junk-%d" % (sys.argv[1], i), "w").close()' "$WORK/many" || bail "cannot make the files"
timeout 1.5 cp -R "$WORK/many" "$WORK/many-probe"; st=$?; rm -rf "$WORK/many-probe"
[ "$st" -eq 124 ]; ok $? "negative control: a copy of it takes longer than 1.5 s, past the bound (cp ended by timeout: $st)"
t0=$(now_ms)
vfy "$WORK/many" --copy "$WORK" --timeout 1
el=$(( $(now_ms) - t0 ))
[ "$ST" -eq 13 ] && [ "$el" -lt 3000 ] && grep -q "^FAIL  layer .*the copy ran past --timeout: ended" "$WORK/out" &&
	[ -z "$(ls -d "$WORK"/mq-verify.* 2>/dev/null)" ] && ! pgrep -f "^cp -R -P .*$WORK/many" >/dev/null
ok $? "--copy --timeout 1: the copy ended, could not verify (exit $ST in $el ms), nothing left"
"$MQ" verify "$WORK/many" --copy "$WORK" >"$WORK/out" 2>&1 & vp=$!
wait_for 5 pgrep -f "^cp -R -P .*$WORK/many" >/dev/null
kill -TERM $vp; t0=$(now_ms); wait $vp; ST=$?; el=$(( $(now_ms) - t0 ))
[ "$ST" -eq 9 ] && [ "$el" -lt 1000 ] && [ -z "$(ls -d "$WORK"/mq-verify.* 2>/dev/null)" ] && ! pgrep -f "^cp -R -P .*$WORK/many" >/dev/null
ok $? "SIGTERM during the copy: exit 9 within a second ($el ms, got $ST), nothing left"
rm -rf "$WORK/many"
vfy "$GOOD" --keep --scratch "$WORK"
kept=$(sed -n 's/^kept: \([^ ]*\) .*/\1/p' "$WORK/out")
[ "$ST" -eq 0 ] && [ -s "$kept/run/error.log" ] && [ -d "$kept/upper" ]; ok $? "--keep keeps the writable layer and the error log ($kept)"
# what the server wrote is its own user's: it never ran as root
[ "$(stat -c %U "$kept/run/error.log")" = mysql-quiesce ] &&
	[ -n "$(find "$kept/upper" -type f)" ] &&
	[ -z "$(find "$kept/upper" "$kept/run" ! -type c ! -user mysql-quiesce)" ]
ok $? "the throwaway server ran as mysql-quiesce: its log and every file it wrote are that user's (whiteouts aside), none root's ($(find "$kept/upper" "$kept/run" ! -type c ! -user mysql-quiesce | head -3 | tr '\n' ' '))"
rm -rf "$kept"
vfy "$GOOD" --full
grep -q "^ok    tables    CHECK TABLE clean on [0-9]* tables" "$WORK/out" && [ "$ST" -eq 0 ]; ok $? "--full checks every table"

[ "$(tree_sum "$GOOD")" = "$GOOD_SUM" ]; ok $? "after every way of verifying it, the snapshot's bytes are unchanged"
# a snapshot the server's own user owns, which it could write were it
# not on the layer
case_dir own; chown -R mysql-quiesce:mysql-quiesce "$WORK/own"
OWN_SUM=$(tree_sum "$WORK/own")
vfy "$WORK/own"
[ "$ST" -eq 0 ] && [ "$(tree_sum "$WORK/own")" = "$OWN_SUM" ]
ok $? "a snapshot mysql-quiesce itself owns: consistent (got $ST), and the snapshot's bytes are unchanged"

diag "bad snapshots"
case_dir noinfo; rm "$WORK/noinfo/binlog_info.txt"
vfy "$WORK/noinfo"
[ "$ST" -eq 12 ] && grep -q "^FAIL  info .*binlog_info.txt: No such file or directory: the snapshot does not carry its coordinates" "$WORK/out"
ok $? "missing info file: exit 12, 'does not carry its coordinates' (got $ST)"
case_dir trunc
pos=$(sed -n 's/^binlog_pos = //p' "$WORK/trunc/binlog_info.txt")
truncate -s $((pos - 100)) "$WORK/trunc/mysql-bin.000001"
vfy "$WORK/trunc"
[ "$ST" -eq 12 ] && grep -q "^FAIL  binlog    mysql-bin.000001 is $((pos - 100)) bytes, recorded position $pos (missing: 100 bytes)" "$WORK/out"
ok $? "truncated binlog: exit 12, the line names 100 bytes missing (got $ST)"
case_dir crash
printf 'spoiled' | dd of="$WORK/crash/t/isam.MYI" bs=1 seek=0 conv=notrunc 2>/dev/null
vfy "$WORK/crash"
[ "$ST" -eq 12 ] && grep -q '^FAIL  tables    CHECK TABLE failed on 1 of .*`t`.`isam`' "$WORK/out"
ok $? "a corrupted MyISAM table: exit 12, the table named (got $ST): $(grep '^FAIL' "$WORK/out" | cut -c1-120)"
case_dir gtid
sed -i 's/^gtid_binlog_pos = .*/gtid_binlog_pos = 0-1-999/' "$WORK/gtid/binlog_info.txt"
vfy "$WORK/gtid"
[ "$ST" -eq 12 ] && grep -q '^FAIL  gtid      recovered @@gtid_binlog_pos ".*", recorded "0-1-999"' "$WORK/out"
ok $? "a GTID that does not match: exit 12 (got $ST)"

diag "a crash image taken past the recorded position: the exact coordinates read back"
# the position and GTID read now, then five more transactions, then an
# image of the filesystem frozen with no lock (as a crash would leave it)
read -r lfile lpos _ < <(sql "SHOW MASTER STATUS")
lgtid=$(sql "SELECT @@gtid_binlog_pos")
for i in 1 2 3 4 5; do sql "INSERT INTO t.inno (v) VALUES ($i)" || bail "cannot insert"; done
read -r efile epos _ < <(sql "SHOW MASTER STATUS")
egtid=$(sql "SELECT @@gtid_binlog_pos")
fsfreeze -f "$WORK/mnt" && cp --sparse=always "$WORK/main.img" "$WORK/crash.img"; st=$?
fsfreeze -u "$WORK/mnt"
[ "$st" -eq 0 ] && mount_copy "$WORK/crash.img" "$WORK/c" nouuid || bail "cannot take the crash image"
sed -i "s/^binlog_file = .*/binlog_file = $lfile/; s/^binlog_pos = .*/binlog_pos = $lpos/; s/^gtid_binlog_pos = .*/gtid_binlog_pos = $lgtid/" "$WORK/c/data/binlog_info.txt"
vfy "$WORK/c/data" --json
python3 -c 'import json,sys; e = json.load(open(sys.argv[1]))["exact"]; sys.exit(not (e["binlog_file"] == sys.argv[2] and e["binlog_pos"] == int(sys.argv[3]) and e["gtid"] == sys.argv[4] and e["after_recorded"] == 5))' "$WORK/out" "$efile" "$epos" "$egtid"
ok $? "recorded $lfile:$lpos ($lgtid): read back $efile:$epos ($egtid), five whole transactions after it: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("exact"))' "$WORK/out" 2>&1 | cut -c1-160)"

vfy "$WORK/c/data" --write-info "$WORK/crash-exact.txt"
[ "$ST" -eq 12 ] && [ ! -e "$WORK/crash-exact.txt" ] && grep -q "^note  write-info .* not written: the snapshot is not consistent" "$WORK/out" &&
	! grep -q "^ok .*not written\|^ok .*[Ee]rror" "$WORK/out"
ok $? "--write-info on a snapshot not consistent (written past the lock): nothing written, said in a note, never under ok (got $ST)"

diag "could not verify"
vfy "$GOOD" --server-binary /nonexistent/mariadbd
[ "$ST" -eq 13 ] && grep -q "^COULD NOT VERIFY$" "$WORK/out"; ok $? "no server binary: exit 13"
vfy "$WORK/nonexistent"
[ "$ST" -eq 13 ] && grep -q "PATH is not a directory" "$WORK/out"; ok $? "a PATH that is not a directory: exit 13"
vfy "$GOOD" --scratch /proc
[ "$ST" -eq 13 ] && grep -q "cannot make a private temporary directory" "$WORK/out"; ok $? "a scratch directory that cannot be written: exit 13"
vfy "$GOOD" --timeout 0
[ "$ST" -eq 2 ] && grep -q 'timeout "0": not a whole number' "$WORK/out"; ok $? "--timeout 0: exit 2 with the reason"
vfy; ok $(( ST != 2 )) "no PATH: exit 2"
vfy "$GOOD" --user root
[ "$ST" -eq 13 ] && grep -q "^FAIL  user      --user root is root's: the throwaway server never runs as root" "$WORK/out"
ok $? "--user root: exit 13, the server never runs as root (got $ST)"
vfy "$GOOD" --user mq-no-such-user
[ "$ST" -eq 13 ] && grep -q '^FAIL  user      no user "mq-no-such-user" to run the throwaway server as' "$WORK/out"
ok $? "--user of no one: exit 13, saying so (got $ST)"
mkdir -m 700 "$WORK/closed"
vfy "$GOOD" --scratch "$WORK/closed"
[ "$ST" -eq 13 ] && grep -q "^FAIL  layer     the server's user mysql-quiesce cannot reach $WORK/closed/mq-verify\.[^ ]* (Permission denied" "$WORK/out" &&
	[ -z "$(ls -A "$WORK/closed")" ]
ok $? "a scratch its user cannot reach: exit 13, naming it, nothing left there (got $ST: $(grep '^FAIL' "$WORK/out" | cut -c1-100))"

done_testing
