# tests/mysql.sh - sourced after lib.sh by the MySQL suite (tests/m*.sh,
# make check-mysql MYSQL_BASE=DIR): server_start and its helpers start
# MySQL's mysqld from $MYSQL_BASE instead of MariaDB, on the same
# terms (a fresh data directory of the test's own, its own socket, no
# TCP unless asked, binary log on). Never skipped: without a server
# the file fails, saying what it needs.

[ -n "${MYSQL_BASE:-}" ] ||
	bail "no MySQL server: run make check-mysql MYSQL_BASE=DIR (DIR/bin/mysqld, DIR/share)"
_base=$(cd "$MYSQL_BASE" 2>/dev/null && pwd) ||
	bail "MYSQL_BASE=$MYSQL_BASE is not a directory (make check-mysql MYSQL_BASE=DIR)"
MYSQL_BASE=$_base
MYSQLD=$MYSQL_BASE/bin/mysqld
[ -x "$MYSQLD" ] || bail "no $MYSQLD: MYSQL_BASE must hold bin/mysqld and share/"
[ -d "$MYSQL_BASE/share/charsets" ] || bail "no $MYSQL_BASE/share/charsets"
MYSQL_VERSION=$("$MYSQLD" --no-defaults --version 2>/dev/null |
	sed -n 's/.* Ver \([0-9][0-9.]*\).*/\1/p')
[ -n "$MYSQL_VERSION" ] || bail "$MYSQLD does not run: $("$MYSQLD" --version 2>&1 | head -2 | tr '\n' ' ')"

# mysqld's own options, every start: where its files are, and small
mysqld_base_opts() {
	printf '%s\n' --no-defaults --user=root --basedir="$MYSQL_BASE" \
		--lc-messages-dir="$MYSQL_BASE/share" \
		--character-sets-dir="$MYSQL_BASE/share/charsets"
}

# A data directory initialised once per file and copied for each server
# (initialising takes seconds); DATA_AT as in lib.sh.
install_db() { # install_db DATA LOG
	local tmpl=$WORK/.mysql-template
	if [ ! -d "$tmpl/mysql" ]; then
		# shellcheck disable=SC2046
		"$MYSQLD" $(mysqld_base_opts) --initialize-insecure \
			--datadir="$tmpl" --innodb-redo-log-capacity=16M \
			--log-error="$2" >/dev/null 2>&1 || return 1
	fi
	mkdir -p "$1" && cp -a "$tmpl/." "$1/" && rm -f "$1/auto.cnf"
}

# server_run DIR [options...]: start mysqld on DIR's data directory.
server_run() {
	local dir=$1; shift
	DATADIR=$(cat "$dir/datadir" 2>/dev/null || echo "$dir/data")
	SOCK=$dir/sock
	# shellcheck disable=SC2046
	"$MYSQLD" $(mysqld_base_opts) --datadir="$DATADIR" \
		--socket="$SOCK" --skip-networking --pid-file="$dir/pid" \
		--log-error="$dir/error.log" --log-bin=mysql-bin --server-id=1 \
		--innodb-buffer-pool-size=32M --innodb-redo-log-capacity=16M \
		--max-connections=500 --loose-mysqlx=OFF "$@" >/dev/null 2>&1 &
	echo $! >"$dir/mariadbd.pid"
	wait_for 60 mariadb-admin --no-defaults -S "$SOCK" -uroot ping \
		>/dev/null 2>&1 || bail "mysqld in $dir did not start: $(grep -h ERROR "$dir/error.log" | tail -3)"
}

# server_stop DIR: MySQL has no COM_SHUTDOWN (mariadb-admin's): the
# SHUTDOWN statement, bounded as in lib.sh, then SIGKILL.
server_stop() {
	local dir=$1 pid
	pid=$(cat "$dir/mariadbd.pid" 2>/dev/null) || return 0
	timeout -k 1 10 mariadb --no-defaults -S "$dir/sock" -uroot \
		--connect-timeout=5 -e SHUTDOWN >/dev/null 2>&1 || kill "$pid" 2>/dev/null
	wait_for 20 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null
	rm -f "$dir/mariadbd.pid"
}
