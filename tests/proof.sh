# tests/proof.sh - sourced after lib.sh by the proof tests (t0400, t1000):
# a MariaDB data directory on a loop-mounted XFS image, four writers
# moving money (two alternating InnoDB and MyISAM, two in InnoDB only),
# and the checks that a copy of the image recovers consistent at exactly
# its recorded coordinates, with every writer's progress in each copy.
# M_ENGINE is the "_m" tables' engine: MyISAM unless a file sets another
# (method recovery's proof, t0530, needs every table transactional).
# A copy whose info file says "coordinates = lower-bound" is checked
# against the exact coordinates verify reads back (--write-info), which
# must be at or after the recorded ones.
need mariadb-binlog cp
M_ENGINE=${M_ENGINE:-MyISAM}

ACCOUNTS=100
START_BAL=1000
TOTAL=$((ACCOUNTS * START_BAL))

# MySQL (tests/mysql.sh sourced before): GTIDs on, its GTID variable
# and info key, and rows made without MariaDB's sequence engine
if [ -n "${MYSQLD:-}" ]; then
	PROOF_OPTS="--gtid-mode=ON --enforce-gtid-consistency=ON"
	GTID_VAR=gtid_executed
	SEQ="WITH RECURSIVE s (seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM s WHERE seq < $ACCOUNTS) SELECT seq, $START_BAL FROM s"
else
	PROOF_OPTS=
	GTID_VAR=gtid_binlog_pos
	SEQ="SELECT seq, $START_BAL FROM bank.seq_1_to_$ACCOUNTS"
fi

loop_mount xfs 320 "$WORK/main.img" "$WORK/mnt"
# shellcheck disable=SC2086
DATA_AT=$WORK/mnt server_start src --binlog-format=ROW --sync-binlog=1 \
	--innodb-flush-log-at-trx-commit=1 $PROOF_OPTS
SRC_SOCK=$SOCK
IMG_MNT=$WORK/mnt

sql "CREATE DATABASE bank;
     CREATE TABLE bank.acct_i (id INT PRIMARY KEY, bal INT NOT NULL) ENGINE=InnoDB;
     CREATE TABLE bank.acct_m (id INT PRIMARY KEY, bal INT NOT NULL) ENGINE=$M_ENGINE;
     CREATE TABLE bank.log_i (id BIGINT PRIMARY KEY, a INT, b INT, amt INT) ENGINE=InnoDB;
     CREATE TABLE bank.log_m (id BIGINT PRIMARY KEY, a INT, b INT, amt INT) ENGINE=$M_ENGINE;
     INSERT INTO bank.acct_i $SEQ;
     INSERT INTO bank.acct_m $SEQ;" ||
	bail "cannot create the bank"

# writer N: transfers until $WORK/stop exists, through one connection.
# Writers 1 and 2 alternate InnoDB and MyISAM; 3 and 4 use InnoDB only,
# so a lock that blocks MyISAM but lets InnoDB commit through is seen
# (a mixed writer stalls on its MyISAM turn and hides it). Both engines'
# transfers are single UPDATE statements (rows locked in index order: no
# deadlocks), each followed by its log row.
writer() {
	local n=$1 i=0 a b amt id
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		a=$((RANDOM % ACCOUNTS + 1)); b=$((RANDOM % ACCOUNTS + 1))
		[ "$a" -eq "$b" ] && continue
		amt=$((RANDOM % 50 + 1)); id=$((ROUND * 100000000 + n * 10000000 + i))
		if [ "$n" -ge 3 ] || [ $((i % 2)) -eq 0 ]; then
			echo "START TRANSACTION;
UPDATE bank.acct_i SET bal = bal + IF(id = $a, -$amt, $amt) WHERE id IN ($a, $b);
INSERT INTO bank.log_i VALUES ($id, $a, $b, $amt); COMMIT;"
		else
			echo "UPDATE bank.acct_m SET bal = bal + IF(id = $a, -$amt, $amt) WHERE id IN ($a, $b);
INSERT INTO bank.log_m VALUES ($id, $a, $b, $amt);"
		fi
	done | mariadb --no-defaults -S "$SRC_SOCK" -uroot
	echo $? >"$WORK/writer.$n.exit"
}

ROUND=0
start_writers() {
	local n
	ROUND=$((ROUND + 1))
	rm -f "$WORK/stop" "$WORK"/writer.*.exit
	WRITERS=()
	for n in 1 2 3 4; do writer $n & WRITERS+=($!); done
	# let them get going
	wait_for 10 sh -c "[ \$(mariadb --no-defaults -S '$SRC_SOCK' -uroot -N -e 'SELECT COUNT(*) FROM bank.log_i') -gt 20 ]"
}

stop_writers() {
	touch "$WORK/stop"
	wait "${WRITERS[@]}"
	local n bad=0
	for n in 1 2 3 4; do
		[ "$(cat "$WORK/writer.$n.exit" 2>/dev/null)" = 0 ] || bad=1
	done
	ok $bad "all four writers ran without an error"
}

# snapshot NAME: FIFREEZE the data filesystem, copy the image, FITHAW.
snapshot() {
	fsfreeze -f "$IMG_MNT" || return 1
	cp --sparse=always "$WORK/main.img" "$WORK/$1.img"
	local st=$?
	fsfreeze -u "$IMG_MNT" || return 1
	return $st
}

# binlog_xfers DATA FILE POS: the transfer ids logged in the binary logs
# of DATA up to FILE:POS, sorted.
binlog_xfers() {
	local data=$1 last=$2 pos=$3 f
	while read -r f; do
		f=$(basename "$f")
		if [ "$f" = "$last" ]; then
			mariadb-binlog --no-defaults --base64-output=DECODE-ROWS \
				--verbose --stop-position="$pos" "$data/$f"
			break
		fi
		mariadb-binlog --no-defaults --base64-output=DECODE-ROWS --verbose "$data/$f"
	done <"$data/mysql-bin.index" |
		awk '/^### INSERT INTO `bank`.`log_[im]`/ { want = 1; next }
		     want && /^###   @1=/ { sub(/^###   @1=/, ""); print; want = 0 }' |
		sort -n
}

# verify NAME MODE: check the copy NAME.img. MODE "assert" makes every
# check a test; "control" only counts failed checks into CAUGHT.
verify() {
	local name=$1 mode=$2 m=$WORK/m-$1 dir=$WORK/r-$1
	local file pos gtid size st
	# check: a consistency check; in the control only counted.
	# setup: what must hold for the checks to mean anything; a test in
	# both modes, never counted as the control being caught.
	check() {
		local s=$1; shift
		if [ "$mode" = assert ]; then ok "$s" "$name: $*"
		elif [ "$s" -ne 0 ]; then CAUGHT+=("$*"); fi
	}
	setup() { local s=$1; shift; ok "$s" "$name: $*"; }
	mount_copy "$WORK/$name.img" "$m" nouuid; setup $? "the copy mounts"
	local data=$m/data info=$m/data/binlog_info.txt
	[ "$mode" = control ] && info=$WORK/control.info
	# mysql-quiesce verify first, on the untouched copy; the checks
	# below are independent of it, so each checks the other
	local sum1 sum2 vst
	sum1=$(find "$data" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
	local exact=$WORK/$name.exact lower=
	grep -qx 'coordinates = lower-bound' "$info" && lower=1
	rm -f "$exact"
	"$MQ" verify "$data" --info "$info" ${lower:+--write-info "$exact"} \
		${MYSQLD:+--server-binary "$MYSQLD"} >"$WORK/$name.verify" 2>&1; vst=$?
	sum2=$(find "$data" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
	if [ "$mode" = assert ]; then
		ok $vst "$name: mysql-quiesce verify says consistent ($(grep -c '^ok' "$WORK/$name.verify") checks)"
		[ "$vst" -eq 0 ] || sed 's/^/# /' "$WORK/$name.verify"
	else
		VERIFY_ST=$vst
	fi
	[ "$sum1" = "$sum2" ]; setup $? "verify left the snapshot's bytes unchanged"
	file=$(sed -n 's/^binlog_file = //p' "$info")
	pos=$(sed -n 's/^binlog_pos = //p' "$info")
	gtid=$(sed -n "s/^$GTID_VAR = //p" "$info")
	[ -n "$file" ] && [ -n "$pos" ]; setup $? "the snapshot carries its coordinates ($file:$pos)"
	if [ -n "$lower" ]; then
		# a lower bound: the exact state is what verify read back,
		# which the checks below hold the copy to
		file=$(sed -n 's/^binlog_file = //p' "$exact")
		pos=$(sed -n 's/^binlog_pos = //p' "$exact")
		gtid=$(sed -n "s/^$GTID_VAR = //p" "$exact")
		[ -n "$file" ] && [ -n "$pos" ] && [ -n "$gtid" ] && grep -q '^ok    exact ' "$WORK/$name.verify"
		setup $? "a lower bound: verify read the exact coordinates back ($file:$pos, $gtid; $(sed -n 's/^ok    exact *//p' "$WORK/$name.verify" | cut -c1-60))"
	fi
	size=$(stat -c %s "$data/$file" 2>/dev/null)
	[ "$size" = "$pos" ]; check $? "binlog $file is exactly the recorded size ($size = $pos)"
	binlog_xfers "$data" "$file" "$pos" >"$WORK/$name.binlog"

	mkdir -p "$dir"; echo "$data" >"$dir/datadir"
	# shellcheck disable=SC2086
	server_run "$dir" --binlog-format=ROW $PROOF_OPTS
	sql "SELECT id FROM bank.log_i UNION ALL SELECT id FROM bank.log_m" | sort -n >"$WORK/$name.rows"
	XFERS=$(wc -l <"$WORK/$name.rows")
	# each kind of writer's transfers in the copy (the writer is the
	# id's eighth digit from the right)
	INNO_ONLY=$(sql "SELECT COUNT(*) FROM bank.log_i WHERE id DIV 10000000 % 10 >= 3")
	MIXED=$(sql "SELECT (SELECT COUNT(*) FROM bank.log_i WHERE id DIV 10000000 % 10 < 3) + (SELECT COUNT(*) FROM bank.log_m)")
	[ "$XFERS" -gt 0 ] && cmp -s "$WORK/$name.rows" "$WORK/$name.binlog"
	check $? "the $XFERS transfers in the copy are exactly those in the binlog up to the position ($(wc -l <"$WORK/$name.binlog") there)"
	[ "$(sql 'SELECT SUM(bal) FROM bank.acct_i')" = "$TOTAL" ]; check $? "InnoDB balances still sum to $TOTAL"
	[ "$(sql 'SELECT SUM(bal) FROM bank.acct_m')" = "$TOTAL" ]; check $? "MyISAM balances still sum to $TOTAL"
	st=$(sql "CHECK TABLE bank.acct_i, bank.acct_m, bank.log_i, bank.log_m" |
		awk -F'\t' '$3 == "error" || ($3 == "status" && $4 != "OK") { bad = 1 } END { print bad + 0 }')
	[ "$st" = 0 ]; check $? "CHECK TABLE is clean on all four tables"
	[ -n "$gtid" ] && [ "$(sql "SELECT @@$GTID_VAR" | tr -d '\n')" = "$gtid" ]
	check $? "the recovered @@$GTID_VAR equals the recorded GTID ($gtid)"
	server_stop "$dir"
	umount "$m"
}

# verify_cycles PREFIX LABEL N: verify copies PREFIX-1..N, report how
# many held and how many transfers each covered.
verify_cycles() {
	local prefix=$1 label=$2 n=$3 k held=0 failed_before pi=0 pm=0
	for k in $(seq 1 "$n"); do
		failed_before=$nfail
		SOCK=$SRC_SOCK
		verify "$prefix-$k" assert
		[ "$INNO_ONLY" -gt "$pi" ] && [ "$MIXED" -gt "$pm" ]
		ok $? "$label cycle $k: both kinds of writer made progress since the last copy (InnoDB-only $pi -> $INNO_ONLY, mixed $pm -> $MIXED)"
		pi=$INNO_ONLY pm=$MIXED
		[ "$nfail" -eq "$failed_before" ] && held=$((held + 1))
		diag "$label cycle $k: $XFERS transfers covered"
		SOCK=$SRC_SOCK
	done
	diag "$label: $held of $n cycles held"
	[ "$held" -eq "$n" ]; ok $? "$label: every cycle held ($held of $n)"
}

# hook_cycles PREFIX LABEL N: under the writers, N times what a
# hypervisor does (freeze, FIFREEZE, copy to PREFIX-K, FITHAW, thaw),
# then every copy verified (verify_cycles)
hook_cycles() {
	local prefix=$1 label=$2 n=$3 k st st2 st3
	start_writers
	for k in $(seq 1 "$n"); do
		"$BIN/pre-freeze-script" freeze; st=$?
		snapshot "$prefix-$k"; st2=$?
		"$BIN/post-thaw-script" thaw; st3=$?
		ok $(( st || st2 || st3 )) "$label cycle $k: freeze, FIFREEZE, copy, FITHAW, thaw"
		sleep 0.5
	done
	stop_writers
	verify_cycles "$prefix" "$label" "$n"
}

# snapshot_cycles PREFIX LABEL N: the same through snapshot mode, one
# command doing lock, record, FIFREEZE, copy, FITHAW, unlock
snapshot_cycles() {
	local prefix=$1 label=$2 n=$3 k
	start_writers
	for k in $(seq 1 "$n"); do
		"$MQ" snapshot -- cp --sparse=always "$WORK/main.img" "$WORK/$prefix-$k.img"
		ok $? "$label cycle $k: mysql-quiesce snapshot -- cp IMAGE COPY"
		sleep 0.5
	done
	stop_writers
	verify_cycles "$prefix" "$label" "$n"
}

# unlocked_control: the negative control. Under the writers the
# coordinates are read with no lock held, then the copy is taken; the
# same checks must catch it, and verify must call it not consistent.
unlocked_control() {
	local file pos gtid
	start_writers
	read -r file pos _ < <(sql "SHOW MASTER STATUS")
	gtid=$(sql "SELECT @@$GTID_VAR" | tr -d '\n')
	printf 'binlog_file = %s\nbinlog_pos = %s\n%s = %s\n' "$file" "$pos" "$GTID_VAR" "$gtid" >"$WORK/control.info"
	sleep 0.3   # what an unlocked hook's delay between reading and freezing looks like
	snapshot control; ok $? "control: copy taken without a lock"
	stop_writers
	CAUGHT=()
	verify control control
	diag "the control was caught by: ${CAUGHT[*]:-nothing}"
	[ "$VERIFY_ST" -eq 12 ]; ok $? "mysql-quiesce verify calls the control not consistent (exit $VERIFY_ST): $(grep '^FAIL' "$WORK/control.verify" | cut -c1-60 | tr '\n' ';')"
	[ "${#CAUGHT[@]}" -gt 0 ]; ok $? "the negative control (no lock) is caught by the consistency checks (${#CAUGHT[@]} failed)"
}

# counts: both logs' rows, "INNODB MYISAM-OR-SECOND" (the mixed writers
# alone write bank.log_m): a proof of a lock that blocks no commit is
# worth little if the hold stopped either kind of writer
counts() { sql "SELECT (SELECT COUNT(*) FROM bank.log_i), (SELECT COUNT(*) FROM bank.log_m)"; }

# held_cycles PREFIX LABEL N: hook_cycles for a method that blocks no
# commit (recovery): in half a second of each hold both kinds of writer
# must commit, and the info file must mark its position a lower bound
held_cycles() {
	local prefix=$1 label=$2 n=$3 k st st2 st3 i1 m1 i2 m2 lb
	start_writers
	for k in $(seq 1 "$n"); do
		"$BIN/pre-freeze-script" freeze; st=$?
		read -r i1 m1 < <(counts)
		sleep 0.5
		read -r i2 m2 < <(counts)
		lb=$(info_field coordinates)
		snapshot "$prefix-$k"; st2=$?
		"$BIN/post-thaw-script" thaw; st3=$?
		[ "$st" -eq 0 ] && [ "$st2" -eq 0 ] && [ "$st3" -eq 0 ] && [ "$i2" -gt "$i1" ] && [ "$m2" -gt "$m1" ]
		ok $? "$label cycle $k: freeze, FIFREEZE, copy, FITHAW, thaw; in half a second of the hold both kinds of writer committed ($((i2 - i1)) and $((m2 - m1)) transfers)"
		[ "$lb" = lower-bound ]; ok $? "$label cycle $k: the info file marks its position a lower bound ($lb)"
		sleep 0.5
	done
	stop_writers
	verify_cycles "$prefix" "$label" "$n"
}
