#!/bin/bash
# tests/bench.sh - make bench: what a freeze costs, per lock method, on a
# throwaway MariaDB. Prints one table. Numbers, not pass/fail: they vary
# with the machine.
#
# freeze ms     median wall time of pre-freeze-script freeze (7 runs),
#               from exec to exit: what the hypervisor waits.
# excess stall  the longest time one InnoDB insert took while a writer
#               ran through freeze, a 300 ms "snapshot", thaw — minus how
#               long the lock was held (granted to released, from the
#               state; thaw's "writes were blocked" also counts the
#               lock statement's wait, which this column shows);
#               median of 7: the stall the lock method adds beyond the
#               hold itself (waiting for the lock, granting it). A
#               longest insert that ended before thaw began (a writer's
#               wait behind an attempt abandoned by max_writer_wait) is
#               excess whole, and its writes-through part is "-". For
#               recovery, which holds no commit, the longest insert
#               minus the longest of a cycle with no freeze at all (its
#               server: InnoDB only, sync_binlog = 1; no MyISAM column).
# hold overhead how much longer than the 300 ms snapshot the lock was
#               held: recording the coordinates, freeze's exit, thaw's
#               start and the release (median of the idle runs).
#               idle: nothing else running; long InnoDB: a 2 s UPDATE of
#               another InnoDB table in flight at freeze; long MyISAM: a
#               2 s UPDATE of a MyISAM table in flight at freeze; long
#               read: a 2 s SELECT of an InnoDB table in flight at freeze
#               (what stalls MySQL's FTWRL: its flush waits for every
#               running statement; MariaDB >= 10.4's does not).
# caller's      the same cycles as a caller sees them: the hooks run
#               through bash -c (as vmtoolsd runs them), the longest
#               insert minus the caller's own snapshot (freeze's exit to
#               thaw's start), so freeze's lock-to-exit and thaw's
#               start-to-release are in it, never left out.
# thaw's parts  for the same cycles, ms from thaw's exec (bench-helper
#               exec stamps it; the shell's, since thaw runs through
#               bash -c) to: thaw's start, the state read, the
#               holder proven ours, SIGTERM sent (thaw's "thaw's path"
#               log line), the release statement sent (the holder's,
#               release_us in the state) and writes through (the end of
#               the writer's longest insert); target exec -> SIGTERM
#               <= 1.5 ms.
# 2000 idle     freeze ms median with 2,000 idle connections open.
# static build  auto's freeze and locked-after again, with the client
#               libraries linked statically (make LINK=static), beside
#               the default shared build.
# several      freeze ms with one server ([mysql] alone, and one
#               [mysql NAME] section) and with three sections (every
#               server's freeze started at once), and each server's
#               excess stall idle, with its parts: from its writer's
#               longest insert's start to the lock granted, and from
#               the release sent to that insert's end; beside one
#               server's, the same with writers on all three servers
#               (one frozen): the load alone; target: three <= one +
#               5 ms.
#               Beside it, its parts: the CPU freeze used (with the
#               children it reaped) and the CPU the holders used up to
#               the lock; and the control for "parallel": the same
#               three servers frozen by three one-server hook entries,
#               one after another; and a holder's CPU: forked from its
#               server's freeze (three servers) beside exec'd (one
#               alone), and what the fork spares: the binary's bare
#               start (--help, 9 runs) and the client library's load
#               and initialisation (--version).
# EBS           snapshot --ebs against moto on 127.0.0.1 (7 runs): how
#               long the filesystem stayed frozen, beside the
#               CreateSnapshots call's own latency and the kernel's
#               FIFREEZE (the log's "froze ... in N ms"); target: frozen
#               <= call + 20 ms.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bench-lib.sh"
ulimit -n "$(ulimit -Hn)" 2>/dev/null
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 4500 ] ||
	bail "the open-files limit ($(ulimit -n)) is too low for 2,000 connections"

server_start b --max-connections=2200 --open-files-limit=10000 \
	--thread-cache-size=2200
sql "CREATE DATABASE bench;
     CREATE TABLE bench.w (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE bench.big (id INT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE bench.isam (id INT PRIMARY KEY, v INT) ENGINE=MyISAM;
     INSERT INTO bench.big VALUES (1, 0); INSERT INTO bench.isam VALUES (1, 0)" ||
	bail "cannot create the bench tables"
HOLD_MS=300

# latency: median wall ms of 7 freezes; the median of how long after
# freeze began the lock was held (from the log) goes to $WORK/inproc.
latency() {
	local i
	freeze_ms >/dev/null; freeze_ms >/dev/null   # warm up
	: >"$WORK/mq.log"
	for i in 1 2 3 4 5 6 7; do freeze_ms; done | median
	grep -o 'lock held: .*, [0-9]* ms after freeze began' "$WORK/mq.log" |
		sed 's/.*, \([0-9]*\) ms after.*/\1/' | median >"$WORK/inproc"
}

# stall_once LOAD: "excess hold-overhead" in ms for one cycle
stall_once() {
	local load=$1 lp="" held
	rm -f "$WORK/stop"
	"$HELPER" writer "$SOCK" "$WORK/stop" >"$WORK/writer.out" & local wp=$!
	nap 0.3
	case $load in
	innodb) sql "UPDATE bench.big SET v = v + SLEEP(2) WHERE id = 1" & lp=$! ;;
	myisam) sql "UPDATE bench.isam SET v = v + SLEEP(2) WHERE id = 1" & lp=$! ;;
	read) sql "SELECT COUNT(*) FROM bench.big WHERE SLEEP(2) = 0" >/dev/null & lp=$! ;;
	esac
	[ -n "$lp" ] && nap 0.3
	# as a caller runs them (vmtoolsd: through a shell): its own clock
	# from freeze's exit to thaw's start is the snapshot it takes
	bash -c '"$0" freeze' "$BIN/pre-freeze-script" || bail "freeze failed: $(tail -1 "$WORK/mq.log")"
	local t_out=$EPOCHREALTIME
	nap "0.$HOLD_MS"
	local t_in=$EPOCHREALTIME
	"$HELPER" exec "$WORK/exec_us" bash -c '"$0" thaw' "$BIN/post-thaw-script" || bail "thaw failed"
	held=$(held_ms)
	[ -n "$lp" ] && wait "$lp"
	nap 0.3
	touch "$WORK/stop"; wait "$wp"
	# thaw's parts, ms from its exec: its start, state read, holder
	# proven, SIGTERM, release statement (the holder's), writes through
	grep "thaw's path" "$WORK/mq.log" | tail -1 |
		sed 's/.*state read at \([0-9.-]*\) ms, holder proven at \([0-9.-]*\) ms, SIGTERM at \([0-9.-]*\) ms, release statement at \([0-9.-]*\) ms .*monotonic \([0-9]*\) us.*/\1 \2 \3 \4 \5/' >"$WORK/path"
	[ "$(wc -w <"$WORK/path")" -eq 5 ] || bail "thaw logged no path: $(tail -2 "$WORK/mq.log")"
	awk -v b="$held" -v h="$HOLD_MS" -v x="$(cat "$WORK/exec_us")" -v p="$(cat "$WORK/path")" \
	    -v nc="${NO_COMMIT_LOCK:-0}" -v g="$(awk -v a="$t_out" -v z="$t_in" 'BEGIN { print (z - a) * 1000 }')" '{
		split(p, t, " "); s = (t[5] - x) / 1000; e = ($6 - x) / 1000
		# a longest insert that ended before thaw began was no part
		# of the hold (a wait behind an abandoned attempt): all of it
		# is excess, and it says nothing of when writes went through.
		# The last: the longest insert less the time the caller spent
		# between freeze exiting and thaw starting
		printf "%.1f %.1f %.2f %.2f %.2f %.2f %.2f %s %.1f\n",
			nc || e < 0 ? $4 : $4 - b, b - h, s, s + t[1], s + t[2],
			s + t[3], s + t[4], e < 0 ? "-" : sprintf("%.2f", e),
			nc ? $4 : $4 - g }' "$WORK/writer.out"
}

# baseline LOAD: the writer's longest insert in a cycle of the same
# length with no freeze at all (median of 7): what the machine itself
# costs a writer (an fsync per commit with sync_binlog = 1), against
# which recovery, holding no commit, is measured
baseline() {
	local i lp wp
	for i in 1 2 3 4 5 6 7; do
		rm -f "$WORK/stop"; lp=""
		"$HELPER" writer "$SOCK" "$WORK/stop" >"$WORK/writer.out" & wp=$!
		nap 0.3
		case $1 in
		innodb) sql "UPDATE bench.big SET v = v + SLEEP(2) WHERE id = 1" & lp=$! ;;
		read) sql "SELECT COUNT(*) FROM bench.big WHERE SLEEP(2) = 0" >/dev/null & lp=$! ;;
		esac
		[ -n "$lp" ] && nap 0.3
		nap "0.$((HOLD_MS + 50))"
		[ -n "$lp" ] && wait "$lp"
		nap 0.3
		touch "$WORK/stop"; wait "$wp"
		awk '{ print $4 }' "$WORK/writer.out"
	done | median
}
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }

# stall LOAD: median excess stall of 7 cycles; the median hold overhead
# goes to $WORK/overhead, the medians of thaw's parts to $WORK/parts
stall() {
	local i
	for i in 1 2 3 4 5 6 7; do stall_once "$1"; done >"$WORK/stalls"
	awk '{ print $2 }' "$WORK/stalls" | median >"$WORK/overhead"
	columns median2 "$WORK/stalls" 3 4 5 6 7 8 >"$WORK/parts"
	awk '{ print $9 }' "$WORK/stalls" | median >"$WORK/caller"
	awk '{ print $1 }' "$WORK/stalls" | median
}

declare -A R
METHODS=(backup-stage ftwrl)
for m in "${METHODS[@]}"; do
	conf "$m"
	R[$m,lat]=$(latency)
	R[$m,in]=$(cat "$WORK/inproc")
	R[$m,idle]=$(stall idle)
	R[$m,caller_idle]=$(cat "$WORK/caller")
	R[$m,over]=$(cat "$WORK/overhead")
	R[$m,parts_idle]=$(cat "$WORK/parts")
	R[$m,innodb]=$(stall innodb)
	R[$m,caller_innodb]=$(cat "$WORK/caller")
	R[$m,parts_innodb]=$(cat "$WORK/parts")
	R[$m,myisam]=$(stall myisam)
	R[$m,caller_myisam]=$(cat "$WORK/caller")
	R[$m,parts_myisam]=$(cat "$WORK/parts")
	R[$m,read]=$(stall read)
	R[$m,caller_read]=$(cat "$WORK/caller")
	R[$m,parts_read]=$(cat "$WORK/parts")
done

# recovery: blocks no commit; its preconditions want an InnoDB-only
# server whose binary log is synced at each commit
sql "ALTER TABLE bench.isam ENGINE=InnoDB; SET GLOBAL sync_binlog = 1" ||
	bail "cannot prepare the server for recovery"
conf recovery
NO_COMMIT_LOCK=1
R[recovery,lat]=$(latency)
R[recovery,in]=$(cat "$WORK/inproc")
R[recovery,idle_raw]=$(stall idle)
R[recovery,over]=$(cat "$WORK/overhead")
R[recovery,parts_idle]=$(cat "$WORK/parts")
R[recovery,innodb_raw]=$(stall innodb)
R[recovery,parts_innodb]=$(cat "$WORK/parts")
R[recovery,read_raw]=$(stall read)
R[recovery,parts_read]=$(cat "$WORK/parts")
R[base,idle]=$(baseline idle)
R[base,innodb]=$(baseline innodb)
R[base,read]=$(baseline read)
R[recovery,idle]=$(minus "${R[recovery,idle_raw]}" "${R[base,idle]}")
R[recovery,innodb]=$(minus "${R[recovery,innodb_raw]}" "${R[base,innodb]}")
R[recovery,read]=$(minus "${R[recovery,read_raw]}" "${R[base,read]}")
R[recovery,myisam]=-
R[recovery,conns]=-
NO_COMMIT_LOCK=0
sql "ALTER TABLE bench.isam ENGINE=MyISAM; SET GLOBAL sync_binlog = 0" ||
	bail "cannot put the server back"

# the same freezes with the static build
STATIC=$TOP/tests/mysql-quiesce-static
[ -x "$STATIC" ] || bail "build tests/mysql-quiesce-static first (make bench)"
mkdir -p "$WORK/static"
for n in pre-freeze-script post-thaw-script; do ln -sf "$STATIC" "$WORK/static/$n"; done
conf backup-stage
HOOKS=$WORK/static
R[static,lat]=$(latency)
R[static,in]=$(cat "$WORK/inproc")
HOOKS=$BIN
linked=$("$STATIC" --version | sed -n 2p)

exec 9> >("$HELPER" idle "$SOCK" 2000 >"$WORK/idle.out")
wait_for 120 grep -q ready "$WORK/idle.out" || bail "could not open 2,000 connections"
n=$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST")
for m in "${METHODS[@]}"; do
	conf "$m"
	R[$m,conns]=$(latency)
done
exec 9>&-

# several servers: freeze with one and with three [mysql NAME] sections
# (each server's freeze started at once), and each server's excess stall
B1=$SOCK B1_DATA=$DATADIR
for b in b2 b3; do
	server_start "$b" --server-id=7
	sql "CREATE DATABASE bench; CREATE TABLE bench.w (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB" ||
		bail "cannot create $b's table"
done
B3=$SOCK; B2=$WORK/b2/sock; SOCK=$B1 DATADIR=$B1_DATA
mconf() { # mconf I...: backup-stage, a [mysql bI] section for each server I
	local i socks=("$B1" "$B2" "$B3")
	conf backup-stage
	sed -i '/^binlog_info_file = /d' "$WORK/c.conf"
	for i in "$@"; do
		printf '[mysql b%d]\nsocket = %s\n' "$i" "${socks[$((i - 1))]}" >>"$WORK/c.conf"
	done
}
# mstall_once N [W]: one cycle with a writer on each of the first W
# servers (N unless given), N of them frozen; for each frozen server,
# on one line, "EXCESS BEFORE AFTER": its writer's longest insert
# minus the hold, and that insert's parts outside the hold: from its
# start to the lock granted (the state's locked_mono, whole ms) and
# from the release statement sent (release_us) to its end
mstall_once() {
	local i socks=("$B1" "$B2" "$B3") wp=() w=${2:-$1}
	rm -f "$WORK/stop"
	for i in $(seq 1 "$w"); do
		"$HELPER" writer "${socks[$((i - 1))]}" "$WORK/stop" >"$WORK/w$i.out" & wp+=($!)
	done
	nap 0.3
	"$BIN/pre-freeze-script" freeze || bail "freeze failed: $(tail -1 "$WORK/mq.log")"
	nap "0.$HOLD_MS"
	"$BIN/post-thaw-script" thaw || bail "thaw failed: $(tail -1 "$WORK/mq.log")"
	nap 0.3
	touch "$WORK/stop"; wait "${wp[@]}"
	for i in $(seq 1 "$1"); do
		read -r L R < <(hold_ends "$RUN/run/b$i")
		[ "$L" -gt 0 ] && [ "$R" -gt 0 ] || bail "b$i: no hold in its state"
		awk -v l="$L" -v r="$R" '{ e = $6 / 1000; printf "%.1f %.1f %.1f ",
			$4 - (r / 1000 - l), l - (e - $4), e - r / 1000 }' "$WORK/w$i.out"
	done
	echo
}
# mstall N [W]: for each frozen server, the medians of 7 cycles of its
# excess and of its two parts, as "EXCESS (BEFORE + AFTER)"
mstall() {
	local i
	for i in 1 2 3 4 5 6 7; do mstall_once "$@"; done >"$WORK/mstalls"
	# shellcheck disable=SC2046
	columns median "$WORK/mstalls" $(seq 1 $((3 * $1))) |
		awk '{ for (i = 1; i <= NF; i += 3) printf "%s%s (%s + %s)",
			(i > 1 ? ", " : ""), $i, $(i + 1), $(i + 2) }'
}
# cpu_once RUN_DIR...: one freeze; "FREEZE_CPU HOLDERS_CPU" in ms:
# the CPU freeze and the children it reaped used (wait4), and the CPU
# each holder had used when freeze returned (it idles after "ready",
# so that is its cost up to the lock); thaw after
cpu_once() {
	local r p ns t=0 out
	out=$("$HELPER" cpu "$HOOKS/pre-freeze-script" freeze) ||
		bail "freeze failed: $(tail -1 "$WORK/mq.log")"
	for r in "$@"; do
		p=$(sed -n 's/^pid=//p' "$r/state")
		read -r ns _ <"/proc/$p/schedstat" || bail "holder $p of $r is gone"
		t=$((t + ns))
	done
	"$HOOKS/post-thaw-script" thaw || bail "thaw failed: $(tail -1 "$WORK/mq.log")"
	awk -v o="$out" -v t="$t" 'BEGIN { printf "%s %.1f\n", o, t / 1e6 }'
}
# cpu RUN_DIR...: the medians of 7 cpu_once, "FREEZE_CPU HOLDERS_CPU"
cpu() {
	local i
	cpu_once "$@" >/dev/null   # warm up
	for i in 1 2 3 4 5 6 7; do cpu_once "$@"; done >"$WORK/cpus"
	columns median "$WORK/cpus" 1 2
}
# serial_ms: the control for "parallel": the three servers frozen by
# three one-server configs, one after another, as three hook entries
# would; median wall ms of 7, from the first exec to the last exit
serial_ms() {
	local i k t0 t1
	for k in 0 1 2 3 4 5 6 7 8; do
		t0=$EPOCHREALTIME
		for i in 1 2 3; do
			MYSQL_QUIESCE_CONFIG=$WORK/s$i.conf "$HOOKS/pre-freeze-script" freeze ||
				bail "freeze b$i failed: $(tail -1 "$WORK/mq.log")"
		done
		t1=$EPOCHREALTIME
		for i in 1 2 3; do
			MYSQL_QUIESCE_CONFIG=$WORK/s$i.conf "$HOOKS/post-thaw-script" thaw ||
				bail "thaw b$i failed: $(tail -1 "$WORK/mq.log")"
		done
		[ "$k" -ge 2 ] && awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
	done | median
}
conf backup-stage
R[alone,cpu]=$(cpu "$RUN/run")
mconf 1
R[multi1,lat]=$(latency)
R[multi1,stall]=$(mstall 1)
R[multi1w3,stall]=$(mstall 1 3)
R[multi1,cpu]=$(cpu "$RUN/run/b1")
mconf 1 2 3
R[multi3,lat]=$(latency)
R[multi3,stall]=$(mstall 3)
R[multi3,cpu]=$(cpu "$RUN/run/b1" "$RUN/run/b2" "$RUN/run/b3")
for i in 1 2 3; do
	mconf "$i"
	cp "$WORK/c.conf" "$WORK/s$i.conf"
done
R[serial,lat]=$(serial_ms)
# start_cpu ARG: the median CPU of 9 runs of "mysql-quiesce ARG"
start_cpu() {
	local i out
	for i in 1 2 3 4 5 6 7 8 9; do
		out=$("$HELPER" cpu "$MQ" "$1") || bail "mysql-quiesce $1 failed"
		echo "${out##*$'\n'}"   # the helper's line, after the command's
	done >"$WORK/starts"
	median <"$WORK/starts"
}
R[start,cpu]=$(start_cpu --help)
R[lib,cpu]=$(start_cpu --version)

conf auto
"$BIN/pre-freeze-script" freeze || bail "freeze failed"
auto=$(sed -n 's/^method=//p' "$RUN/run/state")
"$BIN/post-thaw-script" thaw
echo
echo "mysql-quiesce bench: $(sql 'SELECT VERSION()'), $(nproc) cores, run_dir on tmpfs, $n connections in the 2000-idle column"
echo "(ms, medians. freeze: exec to exit of pre-freeze-script, 7 runs; locked after: the"
echo " same freezes' own log, from the start of freeze to the lock held; excess stall:"
echo " longest insert stall of a writer minus the time the lock was held, 7 runs each;"
echo " hold overhead: time held beyond the ${HOLD_MS} ms snapshot)"
echo
F='%-20s %8s %8s %8s %9s %9s %9s %9s %9s\n'
printf "$F" "" "" "locked" "excess" "excess" "excess" "excess" "hold" "freeze"
printf "$F" method freeze after idle "+InnoDB" "+MyISAM" "+read" overhead "2000 idle"
for m in "${METHODS[@]}" recovery; do
	label=$m; [ "$m" = "$auto" ] && label="$m (auto)"
	printf "$F" "$label" "${R[$m,lat]}" "${R[$m,in]}" "${R[$m,idle]}" \
		"${R[$m,innodb]}" "${R[$m,myisam]}" "${R[$m,read]}" "${R[$m,over]}" "${R[$m,conns]}"
done
printf "$F" "  static build" "${R[static,lat]}" "${R[static,in]}" "" "" "" "" "" ""
printf "$F" "target for auto" "" "" "<= 3" "<= 3" "<= 3" "<= 3" "" ""
printf "$F" "target for recovery" "" "" "<= 2" "<= 2" "" "<= 2" "" ""
echo "(+read: a 2 s SELECT in flight at freeze. On MySQL it stalls FTWRL, whose flush"
echo " waits for every running statement while new ones queue behind it; on MariaDB"
echo " >= 10.4 FLUSH TABLES WITH READ LOCK does not wait for reads, so this column"
echo " shows no such stall here. MySQL's figure cannot be measured on this machine.)"
echo "(shared: $("$MQ" --version | sed -n 2p);"
echo " static: $linked; freeze time is reported, not a target)"
echo
a=$auto
met() { awk -v v="$1" -v t="$2" 'BEGIN { exit !(v != "-" && v <= t) }' && echo met || echo MISSED; }
echo "auto = $a: idle stall $(met "${R[$a,idle]}" 3), long InnoDB $(met "${R[$a,innodb]}" 3), long MyISAM $(met "${R[$a,myisam]}" 3), long read $(met "${R[$a,read]}" 3)"
echo "recovery (InnoDB only, sync_binlog = 1, no commit held): the writer's longest insert ${R[recovery,idle_raw]} / ${R[recovery,innodb_raw]} / ${R[recovery,read_raw]} ms"
echo " (idle / long InnoDB / long read) against ${R[base,idle]} / ${R[base,innodb]} / ${R[base,read]} ms with no freeze at all:"
echo " excess idle $(met "${R[recovery,idle]}" 2), long InnoDB $(met "${R[recovery,innodb]}" 2), long read $(met "${R[recovery,read]}" 2)"
echo
echo "thaw's parts (ms from thaw's exec, medians of the same 7 cycles; the release"
echo " statement is the holder's, writes through is when the writer's longest insert ended):"
P='%-28s %9s %9s %9s %9s %9s %9s\n'
printf "$P" "" "thaw's" "state" "holder" "SIGTERM" "release" "writes"
printf "$P" "method, load" "start" "read" "proven" "sent" "sent" "through"
for m in "${METHODS[@]}" recovery; do
	for l in idle innodb myisam read; do
		[ -n "${R[$m,parts_$l]:-}" ] || continue
		# shellcheck disable=SC2206
		p=(${R[$m,parts_$l]})
		# no commit waited: the writer's longest insert is not thaw's
		[ "$m" = recovery ] && p[5]=-
		printf "$P" "$m, $l" "${p[@]}"
	done
done
echo
echo "the caller's excess stall (the hooks run through bash -c, as vmtoolsd runs them: the"
echo " writer's longest insert minus the caller's own snapshot, from freeze's exit to thaw's"
echo " start, so the lock-to-exit and start-to-release times are in it; ms, medians; beside"
echo " it the excess above, which subtracts the hold itself):"
C='%-16s %12s %12s %12s %12s\n'
printf "$C" "method" "idle" "+InnoDB" "+MyISAM" "+read"
for m in "${METHODS[@]}"; do
	printf "$C" "$m caller's" "${R[$m,caller_idle]}" "${R[$m,caller_innodb]}" "${R[$m,caller_myisam]}" "${R[$m,caller_read]}"
	printf "$C" "$m excess" "${R[$m,idle]}" "${R[$m,innodb]}" "${R[$m,myisam]}" "${R[$m,read]}"
done
sig=${R[$a,parts_idle]}; sig=$(echo "$sig" | awk '{ print $4 }')
echo "target: thaw exec -> SIGTERM <= 1.5 ms (auto, idle): $sig, $(met "$sig" 1.5)"
echo
echo "several servers (backup-stage; freeze: exec to exit, 7 runs; excess stall idle, each"
echo " server's writer, 7 cycles, and its parts: (insert's start to lock granted + release"
echo " sent to insert's end); ms, medians):"
M='%-34s %8s %8s %8s   %s\n'
printf "$M" "" "" "CPU:" "CPU:" ""
printf "$M" "" "freeze" "freeze" "holders" "excess stall, each server"
# shellcheck disable=SC2086
printf "$M" "one server, [mysql] alone" "${R[backup-stage,lat]}" ${R[alone,cpu]} "${R[backup-stage,idle]}"
# shellcheck disable=SC2086
printf "$M" "one server, [mysql b1]" "${R[multi1,lat]}" ${R[multi1,cpu]} "${R[multi1,stall]}"
printf "$M" " the same, writers on all three" "" "" "" "${R[multi1w3,stall]}"
# shellcheck disable=SC2086
printf "$M" "three servers, [mysql b1..b3]" "${R[multi3,lat]}" ${R[multi3,cpu]} "${R[multi3,stall]}"
printf "$M" "three one-server hooks, in turn" "${R[serial,lat]}" "" "" ""
lim=$(awk -v a="${R[backup-stage,lat]}" 'BEGIN { printf "%.1f", a + 5 }')
echo "target: three <= one + 5 ms ($lim): ${R[multi3,lat]}, $(met "${R[multi3,lat]}" "$lim")"
# the floor this host puts under three: the CPU their freeze and
# holders used, spread over every core
echo "${R[multi3,cpu]}" | awk -v n="$(nproc)" -v l="$lim" '{
	printf "(three servers used %.1f ms of CPU (freeze + holders): on %d cores they cannot\n", $1 + $2, n
	printf " end sooner than %.1f ms, however parallel; the target asks %s)\n", ($1 + $2) / n, l }'
# what each holder's CPU is made of: with several servers a fork of
# its freeze, which loaded the client library; the exec'd one (one
# server alone) pays the binary's bare start (--help) and loading and
# initialising the client library (--version does both, as the
# holder's first connection does: libmariadb initialises OpenSSL even
# for a socket without TLS) before its own work
echo "${R[start,cpu]} ${R[lib,cpu]} ${R[multi3,cpu]} ${R[alone,cpu]}" | awk '{
	printf "(each holder of three: %.1f ms of CPU, forked from its freeze; the exec%cd holder of\n", $4 / 3, 39
	printf " one server alone: %.1f, of it %.1f the bare start of the binary (--help) and %.1f\n", $6, $1, $2 - $1
	printf " more loading and initialising the client library (--version), which the fork spares)\n" }'

# --- EBS: the frozen window against the API call, on a loop XFS
server_stop "$WORK/b"
. "$TOP/tests/aws.sh"
loop_mount xfs 320 "$WORK/ebs.img" "$WORK/ebsmnt"
DATA_AT=$WORK/ebsmnt server_start e
aws_world
ebs_capture cap raid1 "$DATADIR"
ebs_config "$WORK/e.conf" cap
"$MQ" -c "$WORK/e.conf" snapshot --ebs 2>/dev/null || bail "snapshot --ebs failed: $(tail -1 "$WORK/mq.log")"
: >"$WORK/mq.log"
for i in 1 2 3 4 5 6 7; do
	"$MQ" -c "$WORK/e.conf" snapshot --ebs 2>/dev/null || bail "snapshot --ebs failed: $(tail -1 "$WORK/mq.log")"
done
sed -n 's/.*filesystems frozen \([0-9]*\) ms.*/\1/p' "$WORK/mq.log" >"$WORK/frozen"
sed -n 's/.*CreateSnapshots took \([0-9]*\) ms.*/\1/p' "$WORK/mq.log" >"$WORK/api"
# the kernel's FIFREEZE of the one filesystem, as the log times it
sed -n 's/.*snapshot INFO froze .* in \([0-9]*\) ms$/\1/p' "$WORK/mq.log" >"$WORK/fifreeze"
[ "$(wc -l <"$WORK/frozen")" -eq 7 ] && [ "$(wc -l <"$WORK/api")" -eq 7 ] &&
	[ "$(wc -l <"$WORK/fifreeze")" -eq 7 ] || bail "the log does not time each of the 7 runs"
paste "$WORK/frozen" "$WORK/api" | awk '{ print $1 - $2 }' >"$WORK/over"
paste "$WORK/frozen" "$WORK/api" "$WORK/fifreeze" | awk '{ print $1 - $2 - $3 }' >"$WORK/ours"
fz=$(median <"$WORK/frozen") api=$(median <"$WORK/api") over=$(median <"$WORK/over")
fif=$(median <"$WORK/fifreeze") ours=$(median <"$WORK/ours")
worst=$(sort -n "$WORK/over" | tail -1) fifw=$(sort -n "$WORK/fifreeze" | tail -1)
oursw=$(sort -n "$WORK/ours" | tail -1)
echo
echo "snapshot --ebs against moto on 127.0.0.1, md RAID1 over two NVMe EBS volumes, 7 runs (ms, medians):"
printf '%-34s %8s\n' "filesystems frozen" "$fz" "CreateSnapshots call" "$api" \
	"frozen beyond the call" "$over" "  worst of 7" "$worst" \
	"  of it, the kernel's FIFREEZE" "$fif" "  worst of 7" "$fifw" \
	"  the rest (the tool's own)" "$ours" "  worst of 7" "$oursw"
echo "target: frozen <= call + 20 ms: $(met "$worst" 20) (worst run); beyond the call and the kernel's FIFREEZE: $(met "$oursw" 20) (worst run)"
