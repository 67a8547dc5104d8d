# tests/bench-lib.sh - sourced after lib.sh by the make bench scripts
# (bench.sh, bench-scale.sh): the helper, run_dir on tmpfs, sleeps
# without a fork, medians, a config per method, one timed freeze.
HELPER=$TOP/tests/bench-helper
[ -x "$HELPER" ] || bail "build tests/bench-helper first (make bench)"
# run_dir on tmpfs, as /run is in production
RUN=$(mktemp -d /dev/shm/mq-bench.XXXXXX) || bail "no /dev/shm"
trap 'rm -rf "$RUN"; cleanup' EXIT
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
# sleeps without a fork: read with a timeout on a FIFO nobody writes
mkfifo "$WORK/never" && exec 7<>"$WORK/never" || bail "cannot make a FIFO"
nap() { read -r -t "$1" -u 7 || :; }

# median: of the numbers on stdin ("-" lines skipped), "-" if none; no
# newline, for $(...)
median() { grep -v '^-$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", v[int((NR + 1) / 2)]; else printf "-" }'; }
median2() { grep -v '^-$' | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f", v[int((NR + 1) / 2)]; else printf "-" }'; }
# columns MEDIAN FILE COL...: each column's MEDIAN (median or median2)
# of FILE's lines, each followed by a space
columns() {
	local m=$1 f=$2 c
	shift 2
	for c in "$@"; do
		printf '%s ' "$(awk -v c="$c" '{ print $c }' "$f" | "$m")"
	done
}

conf() { # conf METHOD
	METHOD=$1 LONG_QUERY=60 WAIT_TIMEOUT=10 write_config "$WORK/c.conf"
	sed -i "s|^run_dir = .*|run_dir = $RUN/run|" "$WORK/c.conf"
}

# held_ms: how long the last lock was held, granted to released (the
# state's locked_mono and release_us): the hold alone. blocked_ms also
# counts the lock statement's wait, which is part of what "excess"
# measures.
held_ms() { # held_ms [RUN_DIR]
	hold_ends "${1:-}" | awk '{ if ($1 > 0 && $2 > 0) printf "%d", $2 / 1000 - $1; else print "-" }'
}
# hold_ends [RUN_DIR]: the last hold's ends from its state, "LOCKED_MONO
# RELEASE_US" (ms, us; 0 for one not recorded)
hold_ends() {
	awk -F= '$1 == "locked_mono" { l = $2 } $1 == "release_us" { r = $2 }
		END { print l + 0, r + 0 }' "${1:-$RUN/run}/state"
}

HOOKS=$BIN   # where pre-freeze-script and post-thaw-script are
freeze_ms() { # one freeze, its wall time in ms on stdout; thaw after
	local t0 t1
	t0=$EPOCHREALTIME   # no fork: $(date) would add its own exec
	"$HOOKS/pre-freeze-script" freeze || bail "freeze failed: $(tail -1 "$WORK/mq.log")"
	t1=$EPOCHREALTIME
	"$HOOKS/post-thaw-script" thaw || bail "thaw failed: $(tail -1 "$WORK/mq.log")"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
}
