# tests/lib.sh - sourced by every test: TAP output, a throwaway MariaDB,
# and helpers that wait with bounds, never with bare sleeps.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MQ=$TOP/mysql-quiesce
BIN=$TOP/tests/bin             # the binary under its hook names
ntest=0
nfail=0

ok() { # ok CONDITION-STATUS DESCRIPTION...
	local st=$1; shift
	ntest=$((ntest + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $ntest - $*"
	else
		echo "not ok $ntest - $*"
		nfail=$((nfail + 1))
		# make mutants: the first failing check is enough, or the
		# one the mutant names (FAIL_AT, part of its line)
		[ -n "${FAIL_FAST:-}" ] && { echo "1..$ntest"; exit 1; }
		case "not ok $ntest - $*" in
		*"${FAIL_AT:-}"*) [ -n "${FAIL_AT:-}" ] && { echo "1..$ntest"; exit 1; } ;;
		esac
	fi
}

diag() { echo "# $*"; }

bail() { echo "Bail out! $*"; exit 1; }

done_testing() {
	echo "1..$ntest"
	[ "$nfail" -eq 0 ]
}

# now_ms: monotonic-enough milliseconds for measuring bounds.
now_ms() { date +%s%3N; }

# wait_for SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds
# or SECONDS pass; the status of the last run.
wait_for() {
	local limit=$(( $(now_ms) + $1 * 1000 )); shift
	while :; do
		"$@" && return 0
		[ "$(now_ms)" -ge "$limit" ] && return 1
		sleep 0.05
	done
}

# isolated CMD...: CMD in PID and mount namespaces of its own, seeing no
# process of this machine's but its own and an empty /etc/qemu,
# /etc/vmware-tools, /etc/google and /etc/azure: what check reports of
# the host (a running agent, a caller's wiring) is then the test's
# alone, whatever else runs here (another run's qemu-ga).
isolated() {
	unshare --pid --fork --mount --mount-proc --propagation private sh -c '
		for d in /etc/qemu /etc/vmware-tools /etc/google /etc/azure; do
			if [ -d "$d" ]; then mount -t tmpfs -o mode=0755 none "$d" || exit 125; fi
		done
		exec "$@"' sh "$@"
}

# bystander_agent: a QEMU guest agent of this machine's, outside the
# test's namespaces, wired to another hook (as another run's or the
# host's own would be): a test that reads the host through isolated
# must give the same verdict beside it.
bystander_agent() {
	mkdir -p "$WORK/bystander"
	setsid qemu-ga -m unix-listen -p "$WORK/bystander/qga.sock" -t "$WORK/bystander" \
		-f "$WORK/bystander/pid" -l "$WORK/bystander/log" -F/bin/true </dev/null >/dev/null 2>&1 &
	echo $! >>"$WORK/pids"
	wait_for 10 test -S "$WORK/bystander/qga.sock" || bail "the bystander qemu-ga did not start"
}

need() { # need CMD...: fail loudly if a tool is missing
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || bail "missing $c (run make check)"
	done
}

# record_lock FILE: python takes the holder's kind of lock (a POSIX
# record lock over the whole file) in its own process, then becomes
# sleep 300, keeping it: the lock's owner is the pid this starts
# (run it with &: it execs, so $! is the owner). record_locked FILE: 0
# while another process holds it.
record_lock() {
	exec python3 -c 'import fcntl, os, sys
f = open(sys.argv[1], "a"); fcntl.lockf(f, fcntl.LOCK_EX)
os.set_inheritable(f.fileno(), True); os.execvp("sleep", ["sleep", "300"])' "$1"
}
record_locked() {
	! python3 -c 'import fcntl, sys
fcntl.lockf(open(sys.argv[1], "a"), fcntl.LOCK_EX | fcntl.LOCK_NB)' "$1" 2>/dev/null
}

need mariadbd mariadb-install-db mariadb mariadb-admin pgrep pkill timeout

[ -x "$MQ" ] || bail "build mysql-quiesce first (make)"
mkdir -p "$BIN"
for n in mysql-quiesce pre-freeze-script post-thaw-script pre-freeze-mysql-lock; do
	ln -sf "$MQ" "$BIN/$n"
done

# server_start NAME [mariadbd options...]: a fresh server in $WORK/NAME,
# socket $WORK/NAME/sock, no TCP, binary log on. Sets SOCK and DATADIR.
# With DATA_AT=DIR set, the data directory is DIR/data instead.
server_start() {
	local name=$1; shift
	local dir=$WORK/$name data
	data=${DATA_AT:+$DATA_AT/data}
	data=${data:-$dir/data}
	mkdir -p "$dir"
	echo "$data" >"$dir/datadir"
	if [ ! -d "$data/mysql" ]; then
		install_db "$data" "$dir/install.log" || {
			# once more, saying why: seen once with three suites'
			# servers on the machine at the same time
			diag "mariadb-install-db failed, trying once more: $(install_errors "$dir/install.log")"
			rm -rf "$data"
			install_db "$data" "$dir/install.log" ||
				bail "mariadb-install-db failed: $(install_errors "$dir/install.log")"
		}
	fi
	server_run "$dir" "$@"
}

install_db() { # install_db DATA LOG
	mariadb-install-db --no-defaults --user=root --datadir="$1" \
		--auth-root-authentication-method=socket --skip-test-db >"$2" 2>&1
}
# install_errors LOG: its ERROR lines, else its last lines, on one line
install_errors() {
	{ grep -i 'error' "$1" || tail -5 "$1"; } 2>/dev/null | tail -5 | tr '\n' ' '
}

# server_run DIR [options...]: start mariadbd on DIR's data directory.
server_run() {
	local dir=$1; shift
	DATADIR=$(cat "$dir/datadir" 2>/dev/null || echo "$dir/data")
	SOCK=$dir/sock
	mariadbd --no-defaults --user=root --datadir="$DATADIR" \
		--socket="$SOCK" --skip-networking --pid-file="$dir/pid" \
		--log-error="$dir/error.log" --log-bin=mysql-bin --server-id=1 \
		--innodb-buffer-pool-size=32M --innodb-log-file-size=16M \
		--max-connections=500 "$@" >/dev/null 2>&1 &
	echo $! >"$dir/mariadbd.pid"
	wait_for 60 mariadb-admin --no-defaults -S "$SOCK" -uroot ping \
		>/dev/null 2>&1 || bail "server in $dir did not start: $(tail -5 "$dir/error.log")"
}

# server_stop DIR: clean shutdown, bounded: the shutdown statement may
# wait 10 s, the server 20 s more to exit, then SIGKILL. (A server stuck
# behind a frozen filesystem never exits on its own: cleanup thaws first.)
server_stop() {
	local dir=$1 pid
	pid=$(cat "$dir/mariadbd.pid" 2>/dev/null) || return 0
	timeout -k 1 10 mariadb-admin --no-defaults -S "$dir/sock" -uroot \
		--connect-timeout=5 shutdown >/dev/null 2>&1 || kill "$pid" 2>/dev/null
	wait_for 20 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	rm -f "$dir/mariadbd.pid"
}

# sql [mariadb options...] STATEMENT: run as root on $SOCK.
sql() {
	local q=${*: -1}
	mariadb --no-defaults -S "$SOCK" -uroot -N -B "${@:1:$#-1}" -e "$q"
}

# write_config FILE [extra ini lines]: a config for $SOCK in $WORK.
write_config() {
	local f=$1; shift
	{
		echo "[mysql]"
		echo "socket = $SOCK"
		echo "user = root"
		echo "[lock]"
		echo "wait_timeout = ${WAIT_TIMEOUT:-3}"
		echo "max_lock_time = ${MAX_LOCK_TIME:-30}"
		echo "snapshot_timeout = ${SNAPSHOT_TIMEOUT:-20}"
		echo "long_query_threshold = ${LONG_QUERY:-10}"
		echo "method = ${METHOD:-auto}"
		echo "[files]"
		echo "run_dir = $WORK/run"
		echo "log_file = ${LOG_FILE:-$WORK/mq.log}"
		echo "binlog_info_file = ${INFO_FILE:-$DATADIR/binlog_info.txt}"
		printf '%s\n' "$@"
	} >"$f"
	chmod 600 "$f"
}

# Each file's own directory, under the run's root when tests/run gives
# one (MQ_TEST_ROOT): the runner checks it for leftovers after the file.
WORK=$(mktemp -d "${MQ_TEST_ROOT:-/tmp}/mq-test.XXXXXX")
# reachable DIR: DIR and every directory above it searchable by others,
# as verify's server, run as its own unprivileged user, needs its
# --scratch or --copy directory to be
reachable() {
	local d=$1
	while [ -n "$d" ] && [ "$d" != / ]; do
		chmod o+x "$d" || return 1
		d=$(dirname "$d")
	done
}
cleanup() {
	local d m
	# thaw first, bounded: a frozen filesystem stalls every writer and
	# any server or shutdown behind it
	if [ -f "$WORK/mounts" ]; then
		tac "$WORK/mounts" | while read -r m; do
			timeout 5 fsfreeze -u "$m" 2>/dev/null
		done
	fi
	# any holder we started must not outlive us, nor any peer
	pkill -KILL -f "pre-freeze-mysql-lock -c $WORK" 2>/dev/null
	[ -f "$WORK/pids" ] && xargs -r kill -9 <"$WORK/pids" 2>/dev/null
	for d in "$WORK"/*/; do
		[ -f "$d/mariadbd.pid" ] && server_stop "$d"
	done
	# filesystems we mounted, innermost first
	if [ -f "$WORK/mounts" ]; then
		tac "$WORK/mounts" | while read -r m; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		done
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# --- helpers for the hook tests -------------------------------------

# can_write: 0 if an InnoDB insert commits within 1 s of lock wait.
can_write() {
	sql "SET SESSION lock_wait_timeout = 1, SESSION innodb_lock_wait_timeout = 1;
	     INSERT INTO t.inno (v) VALUES (1)" >/dev/null 2>&1
}
cannot_write() { ! can_write; }

# primary_start PASSWORD: a replication primary on a free TCP port of
# 127.0.0.1 (PORT), row-based binlog, its socket in PRIM and SOCK, and
# an account repl@127.0.0.1 with PASSWORD that may replicate from it.
primary_start() {
	local _
	for _ in $(seq 1 50); do
		PORT=$(( 20000 + RANDOM % 20000 ))
		(echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
	done
	server_start prim --skip-networking=0 --bind-address=127.0.0.1 \
		--port="$PORT" --binlog-format=ROW
	PRIM=$SOCK
	sql "CREATE USER repl@'127.0.0.1' IDENTIFIED BY '$1';
	     GRANT REPLICATION SLAVE ON *.* TO repl@'127.0.0.1'" ||
		bail "cannot make the primary's replication account"
}

# replica_start PASSWORD TABLE [mariadbd options...]: a replica of the
# primary_start primary by GTID, its data on a loop XFS of its own
# ($WORK/mnt), its socket in REP and SOCK, its data directory in
# REP_DATA; returns once TABLE has reached it.
replica_start() {
	local pw=$1 table=$2; shift 2
	loop_mount xfs 320 "$WORK/rep.img" "$WORK/mnt"
	DATA_AT=$WORK/mnt server_start rep --server-id=2 "$@"
	REP=$SOCK REP_DATA=$DATADIR
	sql "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PORT,
	       MASTER_USER='repl', MASTER_PASSWORD='$pw', MASTER_USE_GTID=slave_pos;
	     START SLAVE" || bail "cannot start replication"
	wait_for 30 sh -c "mariadb --no-defaults -S '$REP' -uroot -N -e 'SELECT 1 FROM $table LIMIT 0' >/dev/null 2>&1" ||
		bail "the replica did not catch up: $(sql 'SHOW SLAVE STATUS\G' | grep -i error)"
}

# replica_field NAME: a column of SHOW SLAVE STATUS on the replica.
replica_field() {
	mariadb --no-defaults -S "$REP" -uroot -e 'SHOW SLAVE STATUS\G' |
		sed -n "s/^ *$1: //p"
}

# make_tables: an InnoDB and a MyISAM table in database t.
make_tables() {
	sql "CREATE DATABASE IF NOT EXISTS t;
	     CREATE TABLE IF NOT EXISTS t.inno (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
	     CREATE TABLE IF NOT EXISTS t.isam (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=MyISAM;
	     INSERT INTO t.isam (v) VALUES (1)"
}

# spin_start: a writer committing InnoDB inserts into t.inno on $SOCK
# one after another, for coordinates to be read under; spin_stop ends
# it. binlog_moving: the binary log grows within 200 ms.
spin_start() {
	rm -f "$WORK/spin.stop"
	( while [ ! -e "$WORK/spin.stop" ]; do echo "INSERT INTO t.inno (v) VALUES (9);"; done |
		mariadb --no-defaults -S "$SOCK" -uroot ) >/dev/null 2>&1 &
	SPIN=$!
}
spin_stop() { touch "$WORK/spin.stop"; wait "$SPIN"; }
binlog_pos() { sql "SHOW MASTER STATUS" | cut -f2; }
binlog_moving() { local a; a=$(binlog_pos); sleep 0.2; [ "$(binlog_pos)" != "$a" ]; }

# holders: how many holders of this test run are alive.
holders() { pgrep -f "^pre-freeze-mysql-lock -c $WORK/" | wc -l; }

# no_holder: no holder of this test run is alive.
no_holder() { [ "$(holders)" -eq 0 ]; }

# phase_is PHASE: the state file says PHASE.
phase_is() { [ "$(state_field phase)" = "$1" ]; }

# holder_waiting: the server shows the holder's connection (the one the
# state names) waiting in a statement that carries the holder's marker.
holder_waiting() {
	local c; c=$(state_field conn_id)
	[ -n "$c" ] && [ "$c" -gt 0 ] &&
		[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = $c AND INFO LIKE '/* mysql-quiesce holder pid=%' AND STATE LIKE 'Waiting%'")" -gt 0 ]
}

# running PATTERN: a statement LIKE 'PATTERN%' is in the process list.
running() {
	[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND (INFO LIKE '$1%' OR INFO LIKE '/* mysql-quiesce holder pid=%*/ $1%')")" -gt 0 ]
}

# SLEEPER: sleep under a name in this test's directory, so a check for
# "the command was killed" matches only this test's processes.
SLEEPER=$WORK/sleeper
ln -s "$(command -v sleep)" "$SLEEPER"
# sleepers: how many of this test's sleepers are alive.
sleepers() { pgrep -f "^$SLEEPER " | wc -l; }
no_sleeper() { [ "$(sleepers)" -eq 0 ]; }

# state_field KEY: a value from the state file.
state_field() { sed -n "s/^$1=//p" "$WORK/run/state" 2>/dev/null; }

# info_field KEY: a value from the binlog info file.
info_field() { sed -n "s/^$1 = //p" "${INFO_FILE:-$DATADIR/binlog_info.txt}"; }

# log_has TEXT: the log file holds TEXT.
log_has() { grep -qsF -- "$1" "$WORK/mq.log"; }

# dead PID: the process has exited (a zombie not yet reaped counts). No
# pid at all is a broken test, not a dead process.
dead() {
	local s
	[ -n "${1:-}" ] || bail "dead: no pid given"
	s=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$s" ] || [ "$s" = Z ] || [ "$s" = X ]
}

# loop_mount TYPE SIZE_MB IMAGE DIR: make a TYPE filesystem in IMAGE and
# mount it on DIR (unmounted again by cleanup).
loop_mount() {
	local type=$1 size=$2 img=$3 dir=$4
	need "mkfs.$type" fsfreeze losetup
	truncate -s "${size}M" "$img" || bail "cannot create $img"
	"mkfs.$type" -q "$img" >/dev/null 2>&1 || bail "mkfs.$type $img failed"
	mkdir -p "$dir"
	mount -o loop "$img" "$dir" || bail "cannot loop-mount $img (root and loop devices needed)"
	echo "$dir" >>"$WORK/mounts"
}

# mount_copy IMAGE DIR [options]: mount a copied image (XFS needs nouuid).
mount_copy() {
	mkdir -p "$2"
	mount -o "loop${3:+,$3}" "$1" "$2" || return 1
	echo "$2" >>"$WORK/mounts"
}
