#!/bin/bash
# tests/bench-scale.sh - make bench, part two: does what a freeze costs
# grow with the server? Prints two tables, each method side by side in
# the same run. Numbers, not pass/fail, beside the targets.
#
# (a) N = 0, 1,000 and 5,000 MyISAM tables open and each freshly written
#     just before the cycle (and 5,000 Aria tables, a row of its own):
#     freeze -> 1 s hold -> thaw, an InnoDB writer inserting throughout,
#     3 rounds, medians. freeze: pre-freeze-script's wall time (for the
#     plain FTWRL row: the FLUSH TABLES WITH READ LOCK statement's own
#     time, what the first original tool's hook waits); to lock: the
#     holder's lock statements (the log's "locked ... in N ms"); excess
#     stall: the writer's longest insert minus the time the lock was
#     held; hold overhead: held beyond the 1 s hold.
#     Then each BACKUP STAGE statement timed on its own, at N = 0 and
#     N = 5,000, with the writer running, and at 5,000 with the data's
#     filesystem synced just before BLOCK_COMMIT: where the time goes.
# (b) 0, 2,000 and 10,000 idle connections (run first, on a fresh
#     server; printed second): freeze's wall time per
#     method and for plain FTWRL, the time of the safe-moment query
#     (the process list read freeze makes while it looks for a safe
#     moment), and of the server's running-thread count beside it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench-lib.sh"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge 20000 ] || bail "the open-files limit ($(ulimit -n)) is too low for 10,000 connections"

TOC=12000 OFL=$(ulimit -n) MAXC=10300
server_start sc --max-connections=$MAXC --open-files-limit="$OFL" \
	--table-open-cache=$TOC --table-definition-cache=$TOC \
	--thread-cache-size=$MAXC
ofl=$(sql "SELECT @@open_files_limit")
sql "CREATE DATABASE bench; CREATE DATABASE many;
     CREATE TABLE bench.w (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB" ||
	bail "cannot create the bench tables"
HOLD=1000

# tables ENGINE N: many.<e>1 .. many.<e>N exist
tables() {
	local e=$1 n=$2 have
	have=$(sql "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'many' AND ENGINE = '$e'")
	[ "$have" -ge "$n" ] && return 0
	seq $((have + 1)) "$n" | awk -v e="$e" '{ printf "CREATE TABLE many.%s%d (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=%s;\n", tolower(e), $1, e }' |
		mariadb --no-defaults -S "$SOCK" -uroot || bail "cannot create $n $e tables"
}
# touch_tables ENGINE N: one insert into each: open and freshly written
touch_tables() {
	[ "$2" -gt 0 ] || return 0
	seq 1 "$2" | awk -v e="$1" '{ printf "INSERT INTO many.%s%d (v) VALUES (1);\n", tolower(e), $1 }' |
		mariadb --no-defaults -S "$SOCK" -uroot || bail "cannot write the $1 tables"
}

# cycle KIND ENGINE N: one cycle; prints "freeze to_lock excess overhead"
cycle() {
	local kind=$1 e=$2 n=$3 t0 t1 held fz tl out
	touch_tables "$e" "$n"
	rm -f "$WORK/stop"
	"$HELPER" writer "$SOCK" "$WORK/stop" >"$WORK/writer.out" & local wp=$!
	nap 0.3
	if [ "$kind" = none ]; then # the writer's own worst insert, no lock
		nap "$(( (HOLD + 600) / 1000 )).$(printf '%03d' $(( (HOLD + 600) % 1000 )))"
		fz=- tl=- held=0
	elif [ "$kind" = plain ]; then
		out=$("$HELPER" seq "$SOCK" "$HOLD" "FLUSH TABLES WITH READ LOCK" -- "UNLOCK TABLES") ||
			bail "plain FTWRL failed"
		fz=$(echo "$out" | awk '/^ms / { print $2 }'); tl=$fz
		held=$(echo "$out" | awk '/^held / { print $2 }')
	else
		: >"$WORK/mq.log"
		t0=$EPOCHREALTIME
		"$BIN/pre-freeze-script" freeze || bail "freeze failed: $(tail -1 "$WORK/mq.log")"
		t1=$EPOCHREALTIME
		nap "$((HOLD / 1000)).$(printf '%03d' $((HOLD % 1000)))"
		"$BIN/post-thaw-script" thaw || bail "thaw failed"
		fz=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
		tl=$(sed -n 's/.*holder INFO locked with [a-z-]* in \([0-9]*\) ms.*/\1/p' "$WORK/mq.log")
		held=$(held_ms)
	fi
	nap 0.3
	touch "$WORK/stop"; wait "$wp"
	awk -v b="$held" -v h="$HOLD" -v f="$fz" -v l="$tl" -v k="$kind" \
		'{ printf "%s %s %.1f %s\n", f, l, $4 - b, k == "none" ? "-" : sprintf("%.1f", b - h) }' "$WORK/writer.out"
}

# cycles KIND ENGINE N: 7 rounds' medians into R[KIND,ENGINE,N,*]
# (R[shipped:KIND,...] while SHIPPED is set)
declare -A R
ROUNDS=7
cycles() {
	local i k=${SHIPPED:+shipped:}$1
	for i in $(seq $ROUNDS); do cycle "$@"; done >"$WORK/cycles"
	R[$k,$2,$3,fz]=$(awk '{ print $1 }' "$WORK/cycles" | median)
	R[$k,$2,$3,tl]=$(awk '{ print $2 }' "$WORK/cycles" | median)
	R[$k,$2,$3,ex]=$(awk '{ print $3 }' "$WORK/cycles" | median)
	R[$k,$2,$3,ov]=$(awk '{ print $4 }' "$WORK/cycles" | median)
}

# (b) idle connections, measured first, on a server that has opened no
# table of ours: (a) leaves thousands of tables in the table caches, and
# BLOCK_COMMIT walks the definition cache (README, Scale), which would
# add the tables' cost to every row of this one. Printed second.
fz5() { local i; for i in 1 2 3 4 5; do freeze_ms; done | median; }
conn_row() { # conn_row N: R[conns,N,*]
	local m i
	for m in backup-stage ftwrl; do
		conf "$m"
		R[conns,$1,$m]=$(fz5)
	done
	# what a hook running FTWRL itself waits (no safe moment at all)
	for i in 1 2 3 4 5; do
		"$HELPER" seq "$SOCK" 0 "FLUSH TABLES WITH READ LOCK" -- "UNLOCK TABLES" | awk '/^ms / { print $2 }'
	done | median >"$WORK/m"
	R[conns,$1,plain]=$(cat "$WORK/m")
	# the safe-moment read as freeze sends it (src/db/plist.c; every row
	# received), the information_schema read it replaced (every row
	# filtered out by the server), and the server's count of running
	# threads (not enough alone: it spares the list only when nothing
	# at all runs; README)
	R[conns,$1,query]=$("$HELPER" time "$SOCK" 21 "SHOW FULL PROCESSLIST")
	R[conns,$1,is]=$("$HELPER" time "$SOCK" 21 "SELECT ID, USER, HOST, COMMAND, TIME, DB, LEFT(INFO, 1024) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND ID <> 0 AND TIME >= 60 AND INFO IS NOT NULL AND USER NOT IN ('system user', 'event_scheduler') AND COMMAND NOT LIKE 'Slave%' AND COMMAND NOT LIKE 'Binlog Dump%' AND COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID') ORDER BY TIME DESC LIMIT 50")
	R[conns,$1,count]=$("$HELPER" time "$SOCK" 21 "SHOW GLOBAL STATUS LIKE 'Threads_running'")
}
conn_row 0
for n in 2000 10000; do
	exec 9> >("$HELPER" idle "$SOCK" "$n" >"$WORK/idle.out")
	wait_for 300 grep -q ready "$WORK/idle.out" || bail "could not open $n connections: $(tail -1 "$WORK/idle.out")"
	R[conns,$n,seen]=$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST")
	conn_row "$n"
	exec 9>&-
	wait_for 60 sh -c "[ \$(mariadb --no-defaults -S '$SOCK' -uroot -N -e 'SELECT COUNT(*) FROM information_schema.PROCESSLIST') -lt 10 ]"
done

# (a) open tables
KINDS=(none backup-stage ftwrl plain)
ROWS=("MyISAM 0" "MyISAM 1000" "MyISAM 5000" "Aria 5000")
for row in "${ROWS[@]}"; do
	set -- $row
	tables "$1" "$2"
	for k in "${KINDS[@]}"; do
		case $k in backup-stage|ftwrl) conf "$k" ;; esac
		cycles "$k" "$1" "$2"
	done
done

# where the time goes: each BACKUP STAGE statement on its own
STAGES=("BACKUP STAGE START" "BACKUP STAGE FLUSH" "BACKUP STAGE BLOCK_DDL" "BACKUP STAGE BLOCK_COMMIT")
DATADIR_NOW=$(sql "SELECT @@datadir")
stage_times() { # stage_times N [sync]: median ms per stage, one line each
	local i take=("${STAGES[@]}")
	# sync: the data's filesystem synced (syncfs) just before
	# BLOCK_COMMIT, so its binlog fsync has no other writeback to carry
	[ "${2:-}" = sync ] && take=("${STAGES[@]:0:3}" "syncfs $DATADIR_NOW" "${STAGES[3]}")
	for i in 1 2 3; do
		touch_tables MyISAM "$1"
		rm -f "$WORK/stop"
		"$HELPER" writer "$SOCK" "$WORK/stop" >"$WORK/writer.out" & local wp=$!
		nap 0.3
		"$HELPER" seq "$SOCK" "$HOLD" "${take[@]}" -- "BACKUP STAGE END" >"$WORK/seq.$i" ||
			bail "BACKUP STAGE failed"
		nap 0.3
		touch "$WORK/stop"; wait "$wp"
		cat "$WORK/writer.out"
	done >"$WORK/writer.all"
	for s in "${STAGES[@]}"; do
		grep -h "^ms [0-9.]* $s\$" "$WORK"/seq.[123] | awk '{ print $2 }' | median
		echo
	done
	grep -h "^release [0-9.]* BACKUP STAGE END\$" "$WORK"/seq.[123] | awk '{ print $2 }' | median
	echo
	# the writer's worst insert beyond the hold: what these stages cost it
	awk -v h="$HOLD" '{ print $4 - h }' "$WORK/writer.all" | median
	echo
}
mapfile -t S0 < <(stage_times 0)
mapfile -t S5 < <(stage_times 5000)
mapfile -t SS < <(stage_times 5000 sync)

# (a') the same rows on a server configured as shipped: Debian's
# defaults for the table caches (table_open_cache 2000 and
# table_definition_cache 400 for 5,000 tables), only the file limit
# raised so that it starts with this many tables
server_stop "$WORK/sc"
server_start sd --open-files-limit="$OFL"
shipped_caches="table_open_cache $(sql "SELECT @@table_open_cache"), table_definition_cache $(sql "SELECT @@table_definition_cache")"
sql "CREATE DATABASE bench; CREATE DATABASE many;
     CREATE TABLE bench.w (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB" ||
	bail "cannot create the bench tables"
SHIPPED=1
SROWS=("MyISAM 0" "MyISAM 5000")
SKINDS=(none backup-stage plain)
for row in "${SROWS[@]}"; do
	set -- $row
	tables "$1" "$2"
	for k in "${SKINDS[@]}"; do
		[ "$k" = backup-stage ] && conf "$k"
		cycles "$k" "$1" "$2"
	done
done
SHIPPED=

met() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v != "-" && v <= t) }' && echo met || echo MISSED; }
echo
echo "mysql-quiesce bench, scale: $(sql 'SELECT VERSION()'), $(nproc) cores;"
echo "table_open_cache $TOC, table_definition_cache $TOC, open_files_limit $ofl, max_connections $MAXC"
echo
echo "(a) open tables, each freshly written before the cycle; freeze -> ${HOLD} ms hold -> thaw,"
echo "    an InnoDB writer throughout; ms, medians of $ROUNDS (plain FTWRL: a hook that runs"
echo "    FLUSH TABLES WITH READ LOCK itself, as the first original tool did; no lock: the"
echo "    writer's own worst insert over as long, nothing frozen, the noise floor)"
echo
F='%-14s %-14s %8s %8s %8s %9s\n'
printf "$F" tables method freeze "to lock" excess "hold"
printf "$F" "" "" "" "" stall overhead
for row in "${ROWS[@]}"; do
	set -- $row
	for k in "${KINDS[@]}"; do
		case $k in
		none) label="no lock" ;; backup-stage) label=auto ;;
		plain) label="plain FTWRL" ;; *) label=$k ;;
		esac
		printf "$F" "$2 $1" "$label" "${R[$k,$1,$2,fz]}" "${R[$k,$1,$2,tl]}" "${R[$k,$1,$2,ex]}" "${R[$k,$1,$2,ov]}"
	done
done
a0=${R[backup-stage,MyISAM,0,ex]} a5=${R[backup-stage,MyISAM,5000,ex]}
p5=${R[plain,MyISAM,5000,ex]}
grow=$(awk -v a="$a0" -v b="$a5" 'BEGIN { printf "%.1f", b - a }')
n0=${R[none,MyISAM,0,ex]} n5=${R[none,MyISAM,5000,ex]}
ngrow=$(awk -v a="$n0" -v b="$n5" 'BEGIN { printf "%.1f", b - a }')
pgrow=$(awk -v a="${R[plain,MyISAM,0,ex]}" -v b="$p5" 'BEGIN { printf "%+.1f", b - a }')
echo
echo "(a') the same on a server as shipped ($shipped_caches):"
F='%-14s %-14s %8s %8s %8s %9s\n'
for row in "${SROWS[@]}"; do
	set -- $row
	for k in "${SKINDS[@]}"; do
		case $k in
		none) label="no lock" ;; backup-stage) label=auto ;; plain) label="plain FTWRL" ;;
		esac
		printf "$F" "$2 $1" "$label" "${R[shipped:$k,$1,$2,fz]}" "${R[shipped:$k,$1,$2,tl]}" "${R[shipped:$k,$1,$2,ex]}" "${R[shipped:$k,$1,$2,ov]}"
	done
done
s5=${R[shipped:backup-stage,MyISAM,5000,ex]}
echo
echo "target, auto at 5000 MyISAM: excess stall <= 5 ms: tuned ${a5} ms, $(met "$a5" 5); as shipped ${s5} ms, $(met "$s5" 5) (plain FTWRL: ${p5} ms tuned, ${R[shipped:plain,MyISAM,5000,ex]} ms as shipped)"
echo "target, auto's excess stall grows <= 2 ms from 0 to 5000 tables: +${grow} ms, $(met "$grow" 2) (plain FTWRL: ${pgrow} ms)"
echo "  (the writer's own worst insert, no lock at all, grew +${ngrow} ms: ${n0} -> ${n5})"
f0=${R[backup-stage,MyISAM,0,fz]} f5=${R[backup-stage,MyISAM,5000,fz]}
fgrow=$(awk -v a="$f0" -v b="$f5" 'BEGIN { printf "%.1f", b - a }')
pfgrow=$(awk -v a="${R[plain,MyISAM,0,fz]}" -v b="${R[plain,MyISAM,5000,fz]}" 'BEGIN { printf "%+.1f", b - a }')
echo "target, auto's freeze grows <= 2 ms from 0 to 5000 tables: +${fgrow} ms, $(met "$fgrow" 2) (plain FTWRL: ${pfgrow} ms, all of it with writers blocked)"
echo
echo "each BACKUP STAGE statement on its own, the writer running (ms, medians of 3):"
echo "(the last column: the data's filesystem synced just before BLOCK_COMMIT)"
G='%-28s %10s %12s %14s\n'
printf "$G" statement "0 tables" "5000 MyISAM" "5000, synced"
for i in 0 1 2 3; do
	printf "$G" "${STAGES[$i]}" "${S0[$i]}" "${S5[$i]}" "${SS[$i]}"
done
printf "$G" "BACKUP STAGE END" "${S0[4]}" "${S5[4]}" "${SS[4]}" \
	"writer's worst beyond hold" "${S0[5]}" "${S5[5]}" "${SS[5]}"
echo
echo "(b) idle connections: freeze's wall time (ms, medians of 5) per method, and plain"
echo "    FTWRL (the statement alone: a hook with no safe moment). The safe-moment read"
echo "    (medians of 21): SHOW FULL PROCESSLIST, what freeze reads, every row received;"
echo "    information_schema.PROCESSLIST filtered by the server, what it read before;"
echo "    the server's count of running threads, not used (README, Scale)"
F='%-16s %8s %8s %8s %9s %9s %9s\n'
printf "$F" connections auto ftwrl plain "list q" "I_S q" "count q"
for n in 0 2000 10000; do
	printf "$F" "$n${R[conns,$n,seen]:+ (${R[conns,$n,seen]})}" "${R[conns,$n,backup-stage]}" "${R[conns,$n,ftwrl]}" "${R[conns,$n,plain]}" "${R[conns,$n,query]}" "${R[conns,$n,is]}" "${R[conns,$n,count]}"
done
c0=${R[conns,0,backup-stage]} c10=${R[conns,10000,backup-stage]}
cgrow=$(awk -v a="$c0" -v b="$c10" 'BEGIN { printf "%.1f", b - a }')
echo "target, auto's freeze with 10000 idle connections <= 20 ms: ${c10} ms, $(met "$c10" 20) (plain FTWRL: ${R[conns,10000,plain]} ms)"
echo "  (auto's freeze with none: ${c0} ms; grown +${cgrow} ms at 10000)"
