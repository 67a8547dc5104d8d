#!/bin/bash
# [files] metrics_file: the last cycle as a Prometheus textfile, written
# atomically after thaw, after a failed freeze and by the holder after
# an expiry; never while the lock is held; valid for promtool.
. "$(dirname "$0")/lib.sh"
need promtool

server_start s1
make_tables
PROM=$WORK/prom/mysql_quiesce.prom
mkdir -p "$WORK/prom"
write_config "$WORK/c.conf" "metrics_file = $PROM"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
metric() { awk -v m="$1" 'index($0, m " ") == 1 { print $NF }' "$PROM"; }

"$BIN/pre-freeze-script" freeze; ok $? "freeze"
[ ! -e "$PROM" ]; ok $? "no metrics are written while the lock is held"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
promtool check metrics <"$PROM" >"$WORK/promtool" 2>&1; ok $? "promtool check metrics accepts the file"
[ "$(metric 'mysql_quiesce_last_outcome{outcome="released"}')" = 1 ] &&
	[ "$(metric 'mysql_quiesce_last_outcome{outcome="failed"}')" = 0 ]
ok $? "last outcome: released"
pos=$(info_field binlog_pos) file=$(info_field binlog_file)
[ "$(metric "mysql_quiesce_binlog_position{file=\"$file\"}")" = "$pos" ]; ok $? "the binlog position equals the info file's ($file:$pos)"
hold=$(metric mysql_quiesce_lock_hold_seconds)
awk -v h="$hold" -v b="$(state_field blocked_ms)" 'BEGIN { exit !(h > 0 && h == sprintf("%.3f", b / 1000)) }'
ok $? "lock hold seconds equal the state's blocked_ms ($hold)"
[ "$(metric mysql_quiesce_lock_attempts)" = 1 ] && awk -v f="$(metric mysql_quiesce_freeze_seconds)" 'BEGIN { exit !(f > 0 && f < 10) }'
ok $? "one attempt, a freeze time ($(metric mysql_quiesce_freeze_seconds) s)"
[ "$(metric 'mysql_quiesce_info{method="backup-stage",flavor="MariaDB"}')" = 1 ]; ok $? "method and flavor as labels"
ok_at=$(metric mysql_quiesce_last_success_timestamp_seconds)
awk -v t="$ok_at" -v now="$(date +%s)" 'BEGIN { exit !(t > now - 60 && t <= now + 1) }'; ok $? "last success is now ($ok_at)"

cp "$PROM" "$WORK/prom.before"
# a reader holding the old file (a hard link stands for its open
# descriptor) must keep the whole old file: it is replaced by rename
ln "$PROM" "$WORK/prom.reader"
"$BIN/pre-freeze-script" freeze; ok $? "freeze again"
cmp -s "$PROM" "$WORK/prom.before" && [ -z "$(ls -A "$WORK/prom" | grep -v '^mysql_quiesce.prom$')" ]
ok $? "while held, the file is the last cycle's, untouched, and no temporary file is there"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
cmp -s "$WORK/prom.reader" "$WORK/prom.before" && ! cmp -s "$PROM" "$WORK/prom.before"
ok $? "the new file was renamed over the old: a reader of the old one keeps it whole"

diag "an expiry, with no thaw: the holder writes it after releasing"
MAX_LOCK_TIME=2 write_config "$WORK/c.conf" "metrics_file = $PROM"
ok_at=$(metric mysql_quiesce_last_success_timestamp_seconds)
"$BIN/pre-freeze-script" freeze; ok $? "freeze with max_lock_time = 2"
wait_for 6 sh -c "grep -q 'outcome=\"expired\"} 1' '$PROM'"; ok $? "the file says expired, with no thaw"
promtool check metrics <"$PROM" >/dev/null 2>&1; ok $? "and is valid"
[ "$(metric mysql_quiesce_last_success_timestamp_seconds)" = "$ok_at" ]; ok $? "last success keeps the earlier time"
"$BIN/post-thaw-script" thaw 2>/dev/null

diag "a lock lost during the hold (its connection killed): exported as lost, never released"
write_config "$WORK/c.conf" "metrics_file = $PROM"
"$BIN/pre-freeze-script" freeze; ok $? "freeze"
sql "KILL $(state_field conn_id)" || bail "cannot kill the holder's connection"
wait_for 5 sh -c "! kill -0 $(state_field pid) 2>/dev/null"
"$BIN/post-thaw-script" thaw 2>/dev/null; st=$?
[ $st -eq 8 ] && [ "$(metric 'mysql_quiesce_last_outcome{outcome="lost"}')" = 1 ] &&
	[ "$(metric 'mysql_quiesce_last_outcome{outcome="released"}')" = 0 ]
ok $? "thaw exits 8, and the file says lost, not released (an alert on lost locks fires)"

diag "a failed freeze"
write_config "$WORK/c.conf" "metrics_file = $PROM"
server_stop "$WORK/s1"
"$BIN/pre-freeze-script" freeze 2>/dev/null; ok $(( $? == 0 )) "freeze with the server down fails"
[ "$(metric 'mysql_quiesce_last_outcome{outcome="failed"}')" = 1 ]; ok $? "the file says failed"
promtool check metrics <"$PROM" >/dev/null 2>&1; ok $? "and is valid"

printf '# TYPE x gauge\nx{a="1" 2\n' >"$WORK/bad.prom"
! promtool check metrics <"$WORK/bad.prom" >/dev/null 2>&1; ok $? "negative control: promtool rejects a broken file"

done_testing
