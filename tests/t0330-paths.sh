#!/bin/bash
# Every file the tool opens by a configured path is opened as run_dir's
# are (open_path): in a directory another user can write, no symlink is
# followed and no file of another user or with a second link is written;
# a FIFO or a device is refused at once, never waited on. Text from the
# server reaches status and the log as valid UTF-8. A freeze that cannot
# record its failure (run_dir full) leaves status non-zero.
. "$(dirname "$0")/lib.sh"
need python3 timeout mkfifo

server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
id nobody >/dev/null 2>&1 || bail "no user nobody to own a directory"

# cycle: a freeze and a thaw, each bounded; stderr of both in $WORK/err
cycle() {
	timeout -k 2 15 "$BIN/pre-freeze-script" freeze 2>"$WORK/err"; FST=$?
	timeout -k 2 15 "$BIN/post-thaw-script" thaw 2>>"$WORK/err"; TST=$?
}

diag "log_file in a directory the mysql user owns (as Debian's /var/log/mysql is)"
D=$WORK/mysqllog
mkdir -p "$D"; chown nobody "$D"
echo "root's own file" >"$WORK/victim"; cp "$WORK/victim" "$WORK/victim.before"
ln -s "$WORK/victim" "$D/mq.log"
LOG_FILE=$D/mq.log write_config "$WORK/c.conf"
cycle
[ $FST -eq 0 ] && [ $TST -eq 0 ] && no_holder && can_write; ok $? "freeze and thaw work, nothing held (exit $FST, $TST)"
cmp -s "$WORK/victim" "$WORK/victim.before"; ok $? "the file the link points at is untouched"
grep -q "log_file $D/mq.log: a symlink in $D, which others can write; refusing it" "$WORK/err"; ok $? "one line says why: $(head -1 "$WORK/err")"
[ "$(grep -c "log_file" "$WORK/err")" -eq 2 ]; ok $? "once per process, not once per line"
rm "$D/mq.log"; ln -s "$WORK/created" "$D/mq.log"
cycle
[ ! -e "$WORK/created" ] && [ $FST -eq 0 ]; ok $? "a dangling link there creates nothing"
rm "$D/mq.log"; echo "theirs" >"$D/mq.log"; chown nobody "$D/mq.log"
cycle
[ "$(cat "$D/mq.log")" = theirs ] && grep -q "log_file $D/mq.log: owned by uid $(id -u nobody), neither root nor us; refusing it" "$WORK/err"
ok $? "another user's file there is not written: $(head -1 "$WORK/err")"
rm "$D/mq.log"; ln "$WORK/victim" "$D/mq.log"
cycle
cmp -s "$WORK/victim" "$WORK/victim.before" && grep -q "log_file $D/mq.log: has 2 hard links in $D" "$WORK/err"
ok $? "nor a hard link to root's file: $(head -1 "$WORK/err")"
rm "$D/mq.log"
cycle
[ -f "$D/mq.log" ] && [ "$(stat -c %u "$D/mq.log")" -eq 0 ] && grep -q "freeze INFO" "$D/mq.log" && [ ! -s "$WORK/err" ]
ok $? "with nothing planted, the log is created there, root's, and written"

diag "log_file in a directory root owns that everyone can write (0777, no sticky bit)"
D=$WORK/openlog
mkdir -p "$D"; chmod 0777 "$D"
ln -s "$WORK/victim" "$D/mq.log"
LOG_FILE=$D/mq.log write_config "$WORK/c.conf"
cycle
[ $FST -eq 0 ] && [ $TST -eq 0 ] && cmp -s "$WORK/victim" "$WORK/victim.before" &&
	grep -q "log_file $D/mq.log: a symlink in $D, which others can write; refusing it" "$WORK/err"
ok $? "a symlink there is not followed: root's file untouched (exit $FST, $TST: $(head -1 "$WORK/err"))"
[ "$(stat -c %u "$D")" -eq 0 ]; ok $? "negative control: that directory is root's own"

diag "run_dir writable by its group (0770): refused"
mkdir -p "$WORK/grun"; chmod 0770 "$WORK/grun"
LOG_FILE=$WORK/mq.log write_config "$WORK/c.conf"
sed -i "s|^run_dir = .*|run_dir = $WORK/grun|" "$WORK/c.conf"
timeout -k 2 15 "$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ $st -eq 10 ] && grep -q "run_dir $WORK/grun is writable by group or others" "$WORK/err" && no_holder && can_write
ok $? "freeze: exit 10, named, nothing held (got $st: $(head -1 "$WORK/err"))"
chmod 0700 "$WORK/grun"
timeout -k 2 15 "$BIN/pre-freeze-script" freeze 2>"$WORK/err" && timeout -k 2 15 "$BIN/post-thaw-script" thaw
ok $? "negative control: at 0700 the same run_dir is used"

diag "in a directory only root can write, a symlink root made is followed"
mkdir -p "$WORK/logs"; ln -s "$WORK/logs/real.log" "$WORK/link.log"
LOG_FILE=$WORK/link.log write_config "$WORK/c.conf"
cycle
grep -q "thaw INFO released" "$WORK/logs/real.log" && [ ! -s "$WORK/err" ]; ok $? "the log is written through it"

diag "a FIFO at log_file: refused at once, never waited on"
mkfifo "$WORK/fifo.log"
LOG_FILE=$WORK/fifo.log write_config "$WORK/c.conf"
t0=$(now_ms); cycle; el=$(( $(now_ms) - t0 ))
[ $FST -eq 0 ] && [ $TST -eq 0 ] && [ $el -lt 5000 ] && no_holder && can_write
ok $? "freeze and thaw return at once with no reader (exit $FST, $TST, $el ms), nothing held"
grep -q "log_file $WORK/fifo.log: a FIFO or device, not a regular file; refusing it" "$WORK/err"; ok $? "and say why: $(head -1 "$WORK/err")"
cat "$WORK/fifo.log" >"$WORK/fifo.read" & rd=$!
echo $rd >>"$WORK/pids"
t0=$(now_ms); cycle; el=$(( $(now_ms) - t0 ))
[ $FST -eq 0 ] && [ $TST -eq 0 ] && [ $el -lt 5000 ]; ok $? "with a reader: the same ($el ms)"
grep -q "log_file $WORK/fifo.log: a FIFO, not a regular file; refusing it" "$WORK/err"; ok $? "and say it is a FIFO"
kill $rd 2>/dev/null; wait $rd 2>/dev/null
[ ! -s "$WORK/fifo.read" ]; ok $? "the reader got nothing"

diag "metrics_file: a FIFO or a link to /dev/zero is refused, not read"
for kind in fifo zero; do
	M=$WORK/prom-$kind/m.prom
	mkdir -p "${M%/*}"
	if [ $kind = fifo ]; then mkfifo "$M"; else ln -s /dev/zero "$M"; fi
	# a freeze that fails (no server there): its metrics keep the last
	# success, read from the file as it is
	write_config "$WORK/c.conf" "metrics_file = $M"
	sed -i "s|^socket = .*|socket = $WORK/nothing.sock|" "$WORK/c.conf"
	t0=$(now_ms); timeout -k 2 15 "$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?; el=$(( $(now_ms) - t0 ))
	[ $st -eq 4 ] && [ $el -lt 5000 ]; ok $? "$kind: the failed freeze ends at once (exit $st, $el ms)"
	grep -q "metrics_file $M: a .*, not a regular file; refusing it" "$WORK/err" ||
		grep -q "metrics_file $M: .*" "$WORK/mq.log"
	ok $? "$kind: and says what is there: $(grep -h "metrics_file" "$WORK/err" "$WORK/mq.log" | tail -1 | cut -c1-160)"
done
mkfifo "$WORK/check-fifo.log"
LOG_FILE=$WORK/check-fifo.log write_config "$WORK/c.conf"
isolated timeout -k 2 15 "$MQ" check >"$WORK/out" 2>&1; st=$?
[ $st -ne 0 ] && grep -q "^FAIL  log_file $WORK/check-fifo.log: a FIFO" "$WORK/out"; ok $? "check fails on a FIFO log_file, naming it (exit $st)"

diag "a statement with a backslash, a quote and multi-byte characters, cut into status and the log: valid UTF-8 JSON"
utf8_ok() { python3 -c 'import sys; sys.stdin.buffer.read().decode("utf-8")'; }
json_ok() { python3 -c 'import json, sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))'; }
emoji=$(python3 -c 'print("\U0001F600" * 200)')
for pad in "" "x" "xy"; do
	LONG_QUERY=1 WAIT_TIMEOUT=2 SNAPSHOT_TIMEOUT=3 write_config "$WORK/c.conf"
	# a backslash before z and a quote: JSON must escape both
	sql --default-character-set=utf8mb4 "UPDATE t.isam SET v = v + SLEEP(6) WHERE id = 1 AND 'a\\z\"$pad$emoji' <> ''" & lp=$!
	wait_for 5 running "UPDATE t.isam SET v = v + SLEEP(6)"
	"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
	"$MQ" status --json >"$WORK/status.json"
	[ $st -eq 6 ] && grep -q "UPDATE t.isam" "$WORK/status.json" &&
		grep -q "$(printf '\xf0\x9f\x98\x80')" "$WORK/status.json"
	ok $? "pad '$pad': exit 6, status names the blocker, its characters as sent"
	json_ok <"$WORK/status.json"; ok $? "pad '$pad': status --json is valid UTF-8 JSON"
	utf8_ok <"$WORK/mq.log" && utf8_ok <"$WORK/err"; ok $? "pad '$pad': the log and stderr are valid UTF-8"
	wait $lp
done

diag "a caller's argument with a newline cannot forge a log line"
write_config "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze $'snap\n2026-01-01T00:00:00.000+00:00 [1] thaw INFO FORGED released' &&
	"$BIN/post-thaw-script" thaw; ok $? "a cycle with it"
! grep -q "^2026-01-01T00:00:00.000+00:00 \[1\] thaw INFO FORGED" "$WORK/mq.log" &&
	grep -q "the caller's argument: \"snap 2026-01-01T00:00:00.000+00:00 \[1\] thaw INFO FORGED released\"" "$WORK/mq.log"
ok $? "it is logged on its own line, the newline a blank"

diag "a full run_dir: the failure stays visible"
mkdir -p "$WORK/small"
mount -t tmpfs -o size=64k tmpfs "$WORK/small" || bail "cannot mount a tmpfs"
echo "$WORK/small" >>"$WORK/mounts"
write_config "$WORK/c.conf"
sed -i "s|^run_dir = .*|run_dir = $WORK/small/run|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze && "$BIN/post-thaw-script" thaw; ok $? "a cycle on it"
"$MQ" status >/dev/null; ok $? "status: released, exit 0"
dd if=/dev/zero of="$WORK/small/fill" bs=4k 2>/dev/null
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ $st -eq 1 ] && no_holder && can_write; ok $? "freeze on the full run_dir: exit 1, nothing held (got $st)"
"$MQ" status >"$WORK/out" 2>&1; st=$?
[ $st -eq 14 ] && grep -q "unknown: the last freeze failed and could not record its state" "$WORK/out"
ok $? "status exits 14 and says the last freeze failed (got $st: $(head -1 "$WORK/out"))"
"$MQ" status --json | json_ok && "$MQ" status --json | grep -q '"phase":"unknown"'; ok $? "and so does status --json"
rm "$WORK/small/fill"
"$BIN/pre-freeze-script" freeze && "$BIN/post-thaw-script" thaw; ok $? "with room again, a cycle"
"$MQ" status >/dev/null && [ ! -e "$WORK/small/run/state.unrecorded" ]; ok $? "status is back to exit 0, the mark gone"
umount "$WORK/small"

done_testing
