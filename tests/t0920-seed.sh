#!/bin/bash
# mysql-quiesce seed: a block snapshot of a primary under writers, taken
# through the hook, restored, a new server started on it, made a replica
# by one command; it catches up to exactly the primary's tables and GTID
# state. The same from a snapshot of a replica (its old channel reset).
# Each refusal: coordinates stale, the source's server_id, the source
# itself, a wrong password, an account that may not replicate.
. "$(dirname "$0")/lib.sh"
need cp fsfreeze python3

REPL_PW="Seed-pw-4'x"   # a quote in it: statements must quote it
for _ in $(seq 1 50); do
	PORT=$(( 20000 + RANDOM % 20000 ))
	(echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
done
loop_mount xfs 320 "$WORK/p.img" "$WORK/pm"
DATA_AT=$WORK/pm server_start prim --skip-networking=0 --bind-address=127.0.0.1 \
	--port="$PORT" --binlog-format=ROW --sync-binlog=1 \
	--innodb-flush-log-at-trx-commit=1
PRIM=$SOCK PRIM_DATA=$DATADIR
sql "CREATE USER repl@'127.0.0.1' IDENTIFIED BY 'Seed-pw-4''x';
     GRANT REPLICATION SLAVE ON *.* TO repl@'127.0.0.1';
     CREATE USER norepl@'127.0.0.1' IDENTIFIED BY 'np-1';
     CREATE DATABASE s;
     CREATE TABLE s.i (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=InnoDB;
     CREATE TABLE s.m (id INT AUTO_INCREMENT PRIMARY KEY, v INT) ENGINE=MyISAM;
     CREATE TABLE s.k (id INT PRIMARY KEY, n BIGINT) ENGINE=InnoDB;
     INSERT INTO s.k VALUES (1, 0)" || bail "cannot prepare the primary"

# creds FILE USER PASSWORD: a replication option file, mode 600
creds() {
	printf '[client]\nuser = %s\npassword = "%s"\n' "$2" "$3" >"$1"
	chmod 600 "$1"
}
creds "$WORK/repl.cnf" repl "$REPL_PW"
creds "$WORK/wrong.cnf" repl "not-the-password"
creds "$WORK/norepl.cnf" norepl np-1

# the writer: InnoDB transactions, MyISAM inserts, a counter
writer() {
	local i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		echo "START TRANSACTION; INSERT INTO s.i (v) VALUES ($i); UPDATE s.k SET n = n + 1 WHERE id = 1; COMMIT;
INSERT INTO s.m (v) VALUES ($i);"
	done | mariadb --no-defaults -S "$PRIM" -uroot
}
start_writer() { rm -f "$WORK/stop"; writer & WP=$!; nap_rows 50; }
stop_writer() { touch "$WORK/stop"; wait "$WP"; }
nap_rows() {
	local n; n=$(SOCK=$PRIM sql "SELECT COUNT(*) FROM s.i")
	wait_for 20 sh -c "[ \$(mariadb --no-defaults -S '$PRIM' -uroot -N -e 'SELECT COUNT(*) FROM s.i') -gt $((n + $1)) ]"
}

# sums SOCK: every table's checksum, one line
sums() { SOCK=$1 sql "CHECKSUM TABLE s.i, s.m, s.k" | awk '{ print $2 }' | tr '\n' ' '; }

# restore NAME IMAGE SERVER-ID [OPTION...]: a new server on a copy of
# IMAGE, its own server_id, replication not started, the snapshot's
# server's options given; SOCK and DATADIR are its.
restore() {
	local name=$1 img=$2 id=$3
	shift 3
	cp --sparse=always "$img" "$WORK/$name.img" || bail "cannot copy $img"
	mount_copy "$WORK/$name.img" "$WORK/$name-m" nouuid || bail "cannot mount $name"
	mkdir -p "$WORK/$name"
	echo "$WORK/$name-m/data" >"$WORK/$name/datadir"
	server_run "$WORK/$name" --server-id="$id" --skip-slave-start \
		--binlog-format=ROW "$@"
	SOCK=$WORK/$name/sock DATADIR=$WORK/$name-m/data \
		write_config "$WORK/$name.conf"
}

# seed NAME [options]: seed NAME's server from the primary; output in
# $WORK/NAME.out (stdout and stderr), exit status in ST
seed() {
	local name=$1; shift
	"$MQ" -c "$WORK/$name.conf" seed --source "127.0.0.1:$PORT" \
		--source-credentials "${CREDS:-$WORK/repl.cnf}" --timeout 60 "$@" \
		>"$WORK/$name.out" 2>&1
	ST=$?
}

# caught_up SOCK: the replica applied everything the primary holds
caught_up() {
	local want; want=$(SOCK=$PRIM sql "SELECT @@gtid_binlog_pos")
	wait_for 60 sh -c "[ \"\$(mariadb --no-defaults -S '$1' -uroot -N -e 'SELECT @@gtid_slave_pos')\" = '$want' ]"
}
slave_field() {
	mariadb --no-defaults -S "$1" -uroot -e 'SHOW ALL SLAVES STATUS\G' | sed -n "s/^ *$2: //p"
}
no_replication() { [ -z "$(SOCK=$1 sql "SHOW ALL SLAVES STATUS")" ]; }

# --- the primary's snapshot, through the hook, under writers
SOCK=$PRIM DATADIR=$PRIM_DATA write_config "$WORK/p.conf"
start_writer
MYSQL_QUIESCE_CONFIG=$WORK/p.conf "$BIN/pre-freeze-script" freeze; ok $? "freeze the primary under writers"
fsfreeze -f "$WORK/pm" && cp --sparse=always "$WORK/p.img" "$WORK/snap.img"; st=$?
fsfreeze -u "$WORK/pm"
ok $st "FIFREEZE, copy the image, FITHAW"
MYSQL_QUIESCE_CONFIG=$WORK/p.conf "$BIN/post-thaw-script" thaw; ok $? "thaw"
recorded=$(sed -n 's/^gtid_binlog_pos = //p' "$PRIM_DATA/binlog_info.txt")
nap_rows 100
# the same filesystem again, without the lock: its info file is the
# earlier freeze's, its data later (a snapshot whose coordinates are stale)
fsfreeze -f "$WORK/pm" && cp --sparse=always "$WORK/p.img" "$WORK/stale.img"; st=$?
fsfreeze -u "$WORK/pm"
ok $st "a second image, without the lock: its coordinates are stale"

# --- seed from the primary's snapshot, writers going on
restore n1 "$WORK/snap.img" 11
N1=$SOCK
[ "$(sums "$N1")" != "$(sums "$PRIM")" ]
ok $? "negative control: before seed, the restored tables differ from the primary's (the comparison can fail)"
seed n1 --dry-run
[ "$ST" -eq 0 ] && grep -q "MASTER_PASSWORD = '\*\*\*\*\*\*\*\*'" "$WORK/n1.out" &&
	grep -q "^  SET GLOBAL gtid_slave_pos = '$recorded';" "$WORK/n1.out" &&
	grep -q "MASTER_USE_GTID = slave_pos;" "$WORK/n1.out" &&
	grep -q "^  START SLAVE;" "$WORK/n1.out"
ok $? "--dry-run prints the statements, the GTID state the snapshot's ($recorded), the password masked"
! grep -q "Seed-pw" "$WORK/n1.out" && ! grep -q "Seed-pw" "$WORK/mq.log"
ok $? "the password is in neither the output nor the log"
no_replication "$N1"; ok $? "--dry-run changed nothing: no replication configured"
seed n1
ok "$ST" "seed: exit 0"
grep -q "^ok  *gtid: recovered @@gtid_binlog_pos \"$recorded\", recorded \"$recorded\"" "$WORK/n1.out"
ok $? "it checked the recovered GTID against the snapshot's record"
grep -q "^replicating from 127.0.0.1:$PORT: IO Yes, SQL Yes" "$WORK/n1.out"
ok $? "it says the replica runs: $(grep '^replicating' "$WORK/n1.out" || tail -2 "$WORK/n1.out")"
[ "$(slave_field "$N1" Using_Gtid)" = Slave_Pos ]; ok $? "by GTID (Using_Gtid Slave_Pos)"
nap_rows 200
stop_writer
caught_up "$N1"; ok $? "the replica catches up with the primary's GTID state"
[ "$(sums "$N1")" = "$(sums "$PRIM")" ]
ok $? "every table equals the primary's (CHECKSUM TABLE: $(sums "$N1"))"
[ "$(slave_field "$N1" Last_SQL_Errno)" = 0 ] && [ "$(slave_field "$N1" Slave_SQL_Running)" = Yes ]
ok $? "no SQL error: nothing applied twice, nothing missing"

# --- a snapshot of a replica: its old channel reset, then seeded. A
# named connection whose name the server encodes in its file names
# (dc-east: rep-relay-bin-dc@002deast.000001), the relay logs' base its
# own (not after the pid file, as verify's throwaway server's would be)
loop_mount xfs 320 "$WORK/r.img" "$WORK/rm"
DATA_AT=$WORK/rm server_start rep --server-id=2 --binlog-format=ROW \
	--sync-binlog=1 --innodb-flush-log-at-trx-commit=1 --relay-log=rep-relay-bin
REP=$SOCK REP_DATA=$DATADIR
sql "CHANGE MASTER 'dc-east' TO MASTER_HOST='127.0.0.1', MASTER_PORT=$PORT,
       MASTER_USER='repl', MASTER_PASSWORD='Seed-pw-4''x', MASTER_USE_GTID=slave_pos;
     START SLAVE 'dc-east'" || bail "cannot start the replica"
caught_up "$REP" || bail "the replica did not catch up"
start_writer
SOCK=$REP DATADIR=$REP_DATA write_config "$WORK/r.conf"
MYSQL_QUIESCE_CONFIG=$WORK/r.conf "$BIN/pre-freeze-script" freeze; ok $? "freeze the replica under the primary's writers"
fsfreeze -f "$WORK/rm" && cp --sparse=always "$WORK/r.img" "$WORK/rsnap.img"; st=$?
fsfreeze -u "$WORK/rm"
MYSQL_QUIESCE_CONFIG=$WORK/r.conf "$BIN/post-thaw-script" thaw; ok $((st + $?)) "copy its image, thaw"
ls "$REP_DATA" | grep -q '^rep-relay-bin-dc@002deast\.0*1$'
ok $? "negative control: the server writes the connection's name encoded in its relay logs' names"
grep -qx "replica_1_relay_log_file = rep-relay-bin-dc@002deast.000001\|replica_1_relay_log_file = rep-relay-bin-dc@002deast.00000[0-9]" "$REP_DATA/binlog_info.txt" &&
	grep -qx "replica_relay_log_base = rep-relay-bin" "$REP_DATA/binlog_info.txt"
ok $? "the info file names the relay log as the server does, and its base"
mount_copy "$WORK/rsnap.img" "$WORK/rv" nouuid || bail "cannot mount the replica's snapshot"
cp "$WORK/rv/data/binlog_info.txt" "$WORK/rv-info.txt"
"$MQ" verify "$WORK/rv/data" >"$WORK/rv.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q "^ok    source " "$WORK/rv.out"
ok $? "verify of the multi-source replica's snapshot: its throwaway server finds the relay logs, consistent (exit $st: $(grep -m1 FAIL "$WORK/rv.out"))"
umount "$WORK/rv"
restore n2 "$WORK/rsnap.img" 12 --relay-log=rep-relay-bin
N2=$SOCK
[ "$(slave_field "$N2" Connection_name)" = dc-east ]
ok $? "the restored replica carries its old channel 'dc-east'"
# a connection named to drive a terminal (a window title, a bell), as
# a hostile snapshot could carry it: every report line shows it escaped
evil=$(printf 'x\033]0;pwn\007y')
SOCK=$N2 sql "CHANGE MASTER '$evil' TO MASTER_HOST='127.0.0.1', MASTER_PORT=1, MASTER_USER='u'" ||
	bail "cannot make the escape-named channel"
[ "$(slave_field "$N2" Connection_name | grep -c "$(printf '\033')")" = 1 ]
ok $? "negative control: the server shows the connection's name with its raw escape"
seed n2 --dry-run
[ "$ST" -eq 0 ] && ! grep -q "$(printf '[\033\007]')" "$WORK/n2.out" &&
	grep -q '^old channel .*x\\u001b\]0;pwn\\u0007y' "$WORK/n2.out"
ok $? "seed's text report prints the name escaped, no raw control character (exit $ST)"
SOCK=$N2 sql "RESET SLAVE '$evil' ALL" || bail "cannot drop the escape-named channel"
# more restored connections than the old limit of 16: every one reset
SOCK=$N2 sql "$(for i in $(seq 1 20); do printf "CHANGE MASTER 'c%d' TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='u'; " "$i" "$i"; done)" ||
	bail "cannot make twenty more channels"
[ "$(slave_field "$N2" Connection_name | grep -c .)" -eq 21 ]
ok $? "negative control: the restored server has 21 named connections"
seed n2
ok "$ST" "seed from the replica's snapshot: exit 0"
grep -q "^old channel 'dc-east' (source 127.0.0.1:$PORT, IO No, SQL No): stopped and reset" "$WORK/n2.out"
ok $? "it says which old channel it reset"
[ "$(slave_field "$N2" Connection_name | tr '\n' ,)" = "," ] &&
	[ "$(grep -c "^old channel 'c[0-9]*'.*: stopped and reset" "$WORK/n2.out")" -eq 20 ]
ok $? "every old channel is gone, the twenty past the old limit too: only the new default one stands"
nap_rows 100
stop_writer
caught_up "$N2"; ok $? "the replica's snapshot catches up with the primary"
[ "$(sums "$N2")" = "$(sums "$PRIM")" ]
ok $? "every table equals the primary's"

# --- refusals
restore n3 "$WORK/stale.img" 13
seed n3
[ "$ST" -eq 12 ] && grep -q "mysql-quiesce seed: not exact: gtid: recovered @@gtid_binlog_pos" "$WORK/n3.out"
ok $? "stale coordinates refused: exit 12, the GTID difference named (got $ST: $(tail -1 "$WORK/n3.out"))"
no_replication "$SOCK"; ok $? "and nothing configured"

# a replica's snapshot whose applied position is behind its record (as
# a copy taken without the lock would be): refused on gtid_slave_pos
cp "$WORK/rv-info.txt" "$WORK/ahead-info.txt"
sed -i "s/^replica_gtid_slave_pos = .*/replica_gtid_slave_pos = 0-1-999999/" "$WORK/ahead-info.txt"
restore n6 "$WORK/rsnap.img" 16 --relay-log=rep-relay-bin
seed n6 --info "$WORK/ahead-info.txt"
[ "$ST" -eq 12 ] && grep -q "replica: recovered @@gtid_slave_pos" "$WORK/n6.out" &&
	[ "$(slave_field "$SOCK" Connection_name | tr '\n' ,)" = "dc-east," ]
ok $? "a replica's snapshot whose gtid_slave_pos is behind the record: refused, exit 12, its restored channel left as it was (got $ST: $(tail -1 "$WORK/n6.out"))"
seed n6 --info "$WORK/rv-info.txt" --dry-run
[ "$ST" -eq 0 ]; ok $? "negative control: with its own record it would be seeded (exit $ST)"
server_stop "$WORK/n6"

# the first transaction from the source fails on the new server (a row
# already there): seed says replication failed, never "replicating"
restore n7 "$WORK/snap.img" 17
first=$(( $(sql "SELECT COALESCE(MAX(id), 0) FROM s.i") + 1 ))
sql "SET sql_log_bin = 0; INSERT INTO s.i (id, v) VALUES ($first, -1)" || bail "cannot plant the conflicting row"
[ "$(SOCK=$PRIM sql "SELECT COUNT(*) FROM s.i WHERE id = $first")" = 1 ]
ok $? "negative control: the source wrote row $first after the snapshot"
seed n7
[ "$ST" -eq 16 ] && grep -q "replication stopped: the SQL thread's error 1062" "$WORK/n7.out" &&
	! grep -q "^replicating" "$WORK/n7.out"
ok $? "the first applied transaction fails: exit 16, the SQL thread's error said, never 'replicating' (got $ST: $(tail -1 "$WORK/n7.out"))"
server_stop "$WORK/n7"

restore n4 "$WORK/snap.img" 1
N4=$SOCK
seed n4
[ "$ST" -eq 15 ] && grep -q "mysql-quiesce seed: refused: the new server's server_id 1 is the source's" "$WORK/n4.out"
ok $? "the source's server_id refused: exit 15 (got $ST: $(tail -1 "$WORK/n4.out"))"
no_replication "$N4"; ok $? "and nothing configured"

cp "$WORK/p.conf" "$WORK/self.conf"
"$MQ" -c "$WORK/self.conf" seed --source "127.0.0.1:$PORT" \
	--source-credentials "$WORK/repl.cnf" >"$WORK/self.out" 2>&1; st=$?
[ "$st" -eq 15 ] && grep -q "refused: the new server is the source itself" "$WORK/self.out"
ok $? "the source itself refused: exit 15 (got $st: $(tail -1 "$WORK/self.out"))"
no_replication "$PRIM"; ok $? "and nothing configured on the source"

server_stop "$WORK/n4"
server_run "$WORK/n4" --server-id=14 --skip-slave-start --binlog-format=ROW
CREDS=$WORK/wrong.cnf seed n4
[ "$ST" -eq 5 ] && grep -q "failed: the source 127.0.0.1:$PORT as repl: .*Access denied" "$WORK/n4.out"
ok $? "a wrong replication password: exit 5, a clear line (got $ST: $(tail -1 "$WORK/n4.out"))"
no_replication "$N4"; ok $? "and no replication started"
CREDS=$WORK/norepl.cnf seed n4
[ "$ST" -eq 16 ] && grep -q "failed: replication stopped: the IO thread's error" "$WORK/n4.out"
ok $? "an account that may not replicate: exit 16, the IO thread's error said (got $ST: $(tail -1 "$WORK/n4.out"))"
[ "$(slave_field "$N4" Slave_IO_Running)" = No ] && [ "$(slave_field "$N4" Slave_SQL_Running)" = No ]
ok $? "and replication stopped"
chmod 644 "$WORK/repl.cnf"
seed n4
[ "$ST" -eq 3 ] && grep -q "holds a password but group or others may read it" "$WORK/n4.out"
ok $? "a credentials file others may read: exit 3 (got $ST)"
chmod 620 "$WORK/repl.cnf"
seed n4
[ "$ST" -eq 3 ] && grep -q "writable by group or others" "$WORK/n4.out"
ok $? "a credentials file its group may write: exit 3 (got $ST)"
chmod 600 "$WORK/repl.cnf"
seed n4 --json --dry-run
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["result"] == "dry-run" and d["exit"] == 0 and d["by"] == "gtid", d
assert any("********" in s for s in d["statements"]), d
assert all(c["ok"] for c in d["checks"]), d' "$WORK/n4.out"
ok $? "--json: one object, the statements masked"
# a password the source takes but CHANGE MASTER cannot (96 at most)
LONG_PW=Lq7-$(printf 'x%.0s' $(seq 1 92))-Zt9w
SOCK=$PRIM sql "CREATE USER longpw@'127.0.0.1' IDENTIFIED BY '$LONG_PW';
     GRANT REPLICATION SLAVE ON *.* TO longpw@'127.0.0.1'" || bail "cannot make longpw"
creds "$WORK/long.cnf" longpw "$LONG_PW"
mariadb --no-defaults -h 127.0.0.1 -P "$PORT" -u longpw -p"$LONG_PW" -e 'SELECT 1' >/dev/null 2>&1
ok $? "negative control: the source takes the ${#LONG_PW}-character password"
SOCK=$N4 sql "STOP SLAVE; RESET SLAVE ALL" || bail "cannot clear n4's channel"
n_before=$(SOCK=$N4 sql "SELECT @@gtid_slave_pos")
CREDS=$WORK/long.cnf seed n4 --json
[ "$ST" -eq 3 ] && grep -q "the replication password is ${#LONG_PW} characters; MariaDB takes at most 96 in CHANGE MASTER: refused before any statement ran" "$WORK/n4.out"
ok $? "a password CHANGE MASTER cannot take: refused before any statement, exit 3 (got $ST: $(grep -o '"error":.*' "$WORK/n4.out" | head -c 300))"
! grep -q "Lq7-\|xxxx\|Zt9w" "$WORK/n4.out" "$WORK/mq.log" && no_replication "$N4" &&
	[ "$(SOCK=$N4 sql "SELECT @@gtid_slave_pos")" = "$n_before" ]
ok $? "no piece of it in the report or the log; no channel configured, gtid_slave_pos untouched"

# --- a snapshot exact by recovery (method recovery: no commit blocked;
# its coordinates a lower bound): seeded from what the restored server
# itself recovered to
SOCK=$PRIM sql "DROP TABLE s.m" || bail "cannot drop the MyISAM table"
rwriter() {
	local i=0
	while [ ! -e "$WORK/stop" ]; do
		i=$((i + 1))
		echo "START TRANSACTION; INSERT INTO s.i (v) VALUES ($i); UPDATE s.k SET n = n + 1 WHERE id = 1; COMMIT;"
	done | mariadb --no-defaults -S "$PRIM" -uroot
}
isums() { SOCK=$1 sql "CHECKSUM TABLE s.i, s.k" | awk '{ print $2 }' | tr '\n' ' '; }
rm -f "$WORK/stop"; rwriter & WP=$!
nap_rows 50
SOCK=$PRIM DATADIR=$PRIM_DATA METHOD=recovery write_config "$WORK/rec.conf"
MYSQL_QUIESCE_CONFIG=$WORK/rec.conf "$BIN/pre-freeze-script" freeze
ok $? "freeze the InnoDB-only primary with method recovery, writers committing on"
fsfreeze -f "$WORK/pm" && cp --sparse=always "$WORK/p.img" "$WORK/rec.img"; st=$?
fsfreeze -u "$WORK/pm"
MYSQL_QUIESCE_CONFIG=$WORK/rec.conf "$BIN/post-thaw-script" thaw; ok $((st + $?)) "copy its image, thaw"
grep -q '^coordinates = lower-bound' "$PRIM_DATA/binlog_info.txt"
ok $? "its info file says the coordinates are a lower bound"
restore n5 "$WORK/rec.img" 15
N5=$SOCK
seed n5
[ "$ST" -eq 0 ] && grep -q "^ok  *gtid: recovered @@gtid_binlog_pos .*, recorded lower bound .*: reached" "$WORK/n5.out"
ok $? "seed from it: exit 0, the recovered GTID at or after the lower bound (got $ST: $(grep gtid "$WORK/n5.out" | head -1))"
nap_rows 50
stop_writer
caught_up "$N5"; ok $? "the replica catches up with the primary"
[ "$(isums "$N5")" = "$(isums "$PRIM")" ] && [ "$(slave_field "$N5" Last_SQL_Errno)" = 0 ]
ok $? "every table equals the primary's, no SQL error: nothing applied twice"
done_testing
