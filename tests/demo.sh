#!/bin/bash
# make demo: freeze -> a simulated snapshot -> thaw, on a throwaway
# MariaDB under a small write load; prints what a DBA would look at.
. "$(dirname "$0")/lib.sh"

say() { printf '\n== %s\n' "$*"; }

say "starting a throwaway MariaDB in $WORK (socket only, binary log on)"
server_start demo
make_tables
write_config "$WORK/demo.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/demo.conf
echo "config: $WORK/demo.conf"

say "starting a writer: one InnoDB insert after another, timing each"
(
	max=0
	while [ ! -e "$WORK/stop" ]; do
		t0=$(now_ms)
		sql "INSERT INTO t.inno (v) VALUES (1)" || break
		el=$(( $(now_ms) - t0 ))
		[ "$el" -gt "$max" ] && max=$el && echo "$max" >"$WORK/maxstall"
	done
) &
writer=$!
sleep 1

say "pre-freeze-script freeze"
t0=$(now_ms)
"$BIN/pre-freeze-script" -v freeze || { echo "freeze failed"; exit 1; }
echo "freeze returned 0 after $(( $(now_ms) - t0 )) ms: the lock is held"
"$MQ" status

say "the binlog info file the snapshot carries ($DATADIR/binlog_info.txt)"
cat "$DATADIR/binlog_info.txt"

say "(a hypervisor would snapshot the disk now: waiting 1 s)"
sleep 1

say "post-thaw-script thaw"
"$BIN/post-thaw-script" -v thaw || { echo "thaw failed"; exit 1; }
touch "$WORK/stop"; wait $writer
echo "rows written by the writer: $(sql 'SELECT COUNT(*) FROM t.inno')"
held=$(state_field blocked_ms); stall=$(cat "$WORK/maxstall" 2>/dev/null || echo 0)
echo "lock held (writes blocked) for:   $held ms"
echo "longest single insert:            $stall ms (the hold plus the insert itself)"

say "the log ($WORK/mq.log)"
cat "$WORK/mq.log"
say "done; the throwaway server is stopped and removed"
