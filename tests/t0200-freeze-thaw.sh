#!/bin/bash
# The hook, end to end, for each lock method MariaDB has: freeze blocks
# writers and records exactly SHOW MASTER STATUS; thaw releases; thaw is
# idempotent; freezeFail releases; the holder is detached and clean.
. "$(dirname "$0")/lib.sh"
need python3

server_start s1
make_tables
# An account with a password and least privileges, to prove the secret
# stays out of command lines, environments and logs.
sql "CREATE USER quiesce@localhost IDENTIFIED BY 'Pw-9f3kq-secret';
     GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN ON *.* TO quiesce@localhost"


for METHOD in ftwrl backup-stage; do
	diag "method $METHOD"
	rm -rf "$WORK/run"
	write_config "$WORK/c.conf"
	sed -i "s/^user = root/user = quiesce\npassword = Pw-9f3kq-secret/" "$WORK/c.conf"
	export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
	sql "INSERT INTO t.inno (v) VALUES (1), (2), (3)"
	spin_start
	wait_for 5 binlog_moving; ok $? "$METHOD: a writer commits one insert after another (the binlog grows)"

	t0=$(now_ms)
	"$BIN/pre-freeze-script" freeze; st=$?
	diag "freeze took $(( $(now_ms) - t0 )) ms"
	ok $st "$METHOD: freeze exits 0"
	! binlog_moving; ok $? "$METHOD: the binlog stands still while the lock is held"
	phase_is locked; ok $? "$METHOD: state says locked"
	[ "$(state_field method)" = "$METHOD" ]; ok $? "$METHOD: the configured method was used"
	cannot_write; ok $? "$METHOD: an InnoDB insert from another connection is blocked"
	sql "SET SESSION lock_wait_timeout = 1; INSERT INTO t.isam (v) VALUES (1)" 2>/dev/null
	ok $(( $? == 0 )) "$METHOD: a MyISAM insert is blocked"
	read -r file pos _ < <(sql "SHOW MASTER STATUS")
	[ -n "$file" ] && [ "$(info_field binlog_file)" = "$file" ] && [ "$(info_field binlog_pos)" = "$pos" ]
	ok $? "$METHOD: the binlog info file equals SHOW MASTER STATUS ($file:$pos)"
	[ "$(info_field gtid_binlog_pos)" = "$(sql 'SELECT @@gtid_binlog_pos')" ]
	ok $? "$METHOD: the binlog info file holds @@gtid_binlog_pos"
	[ "$(info_field lock_method)" = "$METHOD" ]; ok $? "$METHOD: the info file names the method"
	grep -q "^CHANGE MASTER TO MASTER_LOG_FILE='$file', MASTER_LOG_POS=$pos;" "$DATADIR/binlog_info.txt"
	ok $? "$METHOD: the info file has a ready CHANGE MASTER line"
	[ "$(stat -c %a "$DATADIR/binlog_info.txt")" = 640 ]; ok $? "$METHOD: the info file is mode 640"
	"$MQ" status --json | grep -q '"phase":"locked","holder_alive":true'
	ok $? "$METHOD: status --json shows a live holder"

	hp=$(state_field pid)
	[ "$(readlink /proc/$hp/fd/0)" = /dev/null ] && [ "$(readlink /proc/$hp/fd/1)" = /dev/null ] &&
		[ "$(readlink /proc/$hp/fd/2)" = /dev/null ]
	ok $? "$METHOD: the holder's stdio is /dev/null"
	nfd=$(ls /proc/$hp/fd | wc -l)
	# 0-2, the run dir, holder.lock, the signalfd, the server socket
	[ "$nfd" -le 7 ]; ok $? "$METHOD: the holder keeps only its own fds ($nfd)"
	[ "$(ps -o sid= -p "$hp" | tr -d ' ')" = "$hp" ]; ok $? "$METHOD: the holder leads its own session"
	tr '\0' '\n' </proc/$hp/environ | grep -qv '^PATH='; ok $(( $? == 0 )) "$METHOD: the holder's environment holds PATH only"
	grep -q "Pw-9f3kq" /proc/$hp/cmdline /proc/$hp/environ; ok $(( $? == 0 )) "$METHOD: the password is not in the holder's command line or environment"
	[ "$(python3 "$TOP/tests/memscan.py" "$hp" Pw-9f3kq-secret)" = absent ]
	ok $? "$METHOD: the holder's memory no longer holds the password while it holds the lock"
	hv=$(sql "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'quiesce'")
	[ -n "$hv" ]; ok $? "$METHOD: the holder's connection is on the server"

	t0=$(now_ms)
	"$BIN/post-thaw-script" thaw; st=$?
	el=$(( $(now_ms) - t0 ))
	ok $st "$METHOD: thaw exits 0"
	[ "$el" -lt 1000 ] && ! log_has "killing it"
	ok $? "$METHOD: the holder released on SIGTERM, thaw took ${el} ms (< 1000)"
	wait_for 5 binlog_moving; ok $? "$METHOD: the writer commits again"
	spin_stop
	can_write; ok $? "$METHOD: writes go through after thaw"
	[ "$(holders)" -eq 0 ]; ok $? "$METHOD: the holder is gone"
	log_has "writes were blocked for"; ok $? "$METHOD: thaw logged how long writes were blocked"
	"$BIN/post-thaw-script" thaw; ok $? "$METHOD: a second thaw exits 0"
	grep -q "Pw-9f3kq" "$WORK/mq.log"; ok $(( $? == 0 )) "$METHOD: the password is not in the log"
	grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2} \[[0-9]+\] (freeze|holder|thaw) (INFO|WARN|ERROR) ' "$WORK/mq.log" &&
		! grep -vqE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}[+-][0-9]{2}:[0-9]{2} \[[0-9]+\] (freeze|holder|thaw) (INFO|WARN|ERROR) ' "$WORK/mq.log"
	ok $? "$METHOD: every log line has ISO time with ms, pid, role, level"

	# freezeFail (VMware: the snapshot failed) releases too.
	"$BIN/pre-freeze-script" freeze; ok $? "$METHOD: freeze again"
	cannot_write; ok $? "$METHOD: writes blocked again"
	"$BIN/post-thaw-script" freezeFail; ok $? "$METHOD: freezeFail exits 0"
	can_write; ok $? "$METHOD: writes go through after freezeFail"

	# QEMU's agent reads the hook's output until EOF: freeze must not
	# hand its stdout to the holder.
	t0=$(now_ms)
	timeout 10 sh -c '"$1" freeze | cat >/dev/null' sh "$BIN/pre-freeze-script"
	el=$(( $(now_ms) - t0 ))
	[ "$el" -lt 5000 ] && phase_is locked
	ok $? "$METHOD: freeze with stdout on a pipe gives EOF at once (${el} ms) and the lock stays held"
	"$BIN/post-thaw-script" thaw; ok $? "$METHOD: thaw after the piped freeze"
	rm -f "$WORK/mq.log"
done

diag "a password given through defaults_file is zeroed in the holder too"
rm -rf "$WORK/run"
printf '[client]\nuser = quiesce\npassword = "Pw-9f3kq-secret"\n' >"$WORK/client.cnf"; chmod 600 "$WORK/client.cnf"
write_config "$WORK/d.conf"
sed -i "s|^user = root|defaults_file = $WORK/client.cnf|" "$WORK/d.conf"
"$BIN/pre-freeze-script" -c "$WORK/d.conf" freeze; ok $? "freeze with the user and password in defaults_file: exit 0"
hp=$(state_field pid)
[ "$(sql "SELECT USER FROM information_schema.PROCESSLIST WHERE ID = $(state_field conn_id)")" = quiesce ]
ok $? "the holder connected as defaults_file's user, with its password"
[ "$(python3 "$TOP/tests/memscan.py" "$hp" Pw-9f3kq-secret)" = absent ]
ok $? "no copy of defaults_file's password is left in the holder's memory while it holds"
"$BIN/post-thaw-script" -c "$WORK/d.conf" thaw; ok $? "thaw"
# a password in an !include'd file would be the client library's to
# read, its copies out of reach: refused, saying where to put it
printf '[client]\nuser = quiesce\n!include %s\n' "$WORK/client.cnf" >"$WORK/inc.cnf"; chmod 600 "$WORK/inc.cnf"
sed -i "s|^defaults_file = .*|defaults_file = $WORK/inc.cnf|" "$WORK/d.conf"
"$BIN/pre-freeze-script" -c "$WORK/d.conf" freeze 2>"$WORK/err"; st=$?
[ $st -eq 3 ] && grep -q "client.cnf: an included file holds a password; put it in the option file itself" "$WORK/err" && no_holder
ok $? "a password in a file defaults_file includes: refused, exit 3, saying where it belongs (got $st)"

diag "a config that became readable by its group after freeze: thaw still releases, and says so"
rm -rf "$WORK/run"
write_config "$WORK/p.conf"
sed -i "s/^user = root/user = quiesce\npassword = Pw-9f3kq-secret/" "$WORK/p.conf"
"$BIN/pre-freeze-script" -c "$WORK/p.conf" freeze; ok $? "freeze with the config at 0600"
chmod 640 "$WORK/p.conf"
"$BIN/pre-freeze-script" -c "$WORK/p.conf" status >/dev/null 2>&1
isolated "$MQ" -c "$WORK/p.conf" check >/dev/null 2>&1; st=$?
[ $st -eq 3 ]; ok $? "negative control: at 0640 the config is refused where the password is needed (check: exit $st)"
t0=$(now_ms)
"$BIN/post-thaw-script" -c "$WORK/p.conf" thaw 2>"$WORK/err"; st=$?
el=$(( $(now_ms) - t0 ))
[ $st -eq 0 ] && can_write && [ $el -lt 2000 ]
ok $? "thaw releases at once all the same (exit $st, $el ms)"
log_has "group or others may read it; refusing it (chmod 600 $WORK/p.conf); released all the same" &&
	! grep -q Pw-9f3kq "$WORK/mq.log" "$WORK/err"
ok $? "and the refusal is in the log, without the password"
chmod 600 "$WORK/p.conf"

# The memory scan can find a password: a process that has it.
env MQ_CONTROL=Pw-9f3kq-secret sleep 60 & sp=$!
wait_for 5 sh -c "tr '\\0' ' ' </proc/$sp/cmdline | grep -q '^sleep 60'"
[ "$(python3 "$TOP/tests/memscan.py" "$sp" Pw-9f3kq-secret)" = found ]
ok $? "negative control: the memory scan finds the password in a process that holds it"
kill $sp

# No core dump of a process that held a password: core files are on
# (ulimit -c, core_pattern "core" in the cwd), a dumpable process leaves
# one, the holder killed by SIGSEGV does not.
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || bail "core_pattern is not 'core'; the core test needs it"
mkdir -p "$WORK/cores"
( cd "$WORK/cores" && ulimit -c unlimited && exec sleep 60 ) & sp=$!
wait_for 5 sh -c "tr '\\0' ' ' </proc/$sp/cmdline | grep -q '^sleep 60'"
kill -SEGV $sp; wait $sp 2>/dev/null
ls "$WORK"/cores/core* >/dev/null 2>&1; ok $? "negative control: a dumpable process killed by SIGSEGV leaves a core here"
rm -f "$WORK"/cores/core*
( cd "$WORK/cores" && ulimit -c unlimited && "$BIN/pre-freeze-script" freeze ); ok $? "freeze, with core files on"
kill -SEGV "$(state_field pid)"
wait_for 5 no_holder; ok $? "the holder killed by SIGSEGV is gone"
! ls "$WORK"/cores/core* >/dev/null 2>&1; ok $? "and left no core file (it is not dumpable)"
"$BIN/post-thaw-script" thaw 2>/dev/null; ok $(( $? != 8 )) "thaw after it: exit 8, the lock was lost"

# defaults_file: credentials from a MySQL option file's [client] group.
rm -rf "$WORK/run"
printf '[client]\nuser = quiesce\npassword = Pw-9f3kq-secret\nsocket = %s\n' "$SOCK" >"$WORK/my.cnf"
chmod 600 "$WORK/my.cnf"
write_config "$WORK/c.conf"
sed -i "/^socket = /d; /^user = root/d; s|^\[mysql\]|[mysql]\ndefaults_file = $WORK/my.cnf|" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze; ok $? "defaults_file: freeze exits 0"
[ "$(state_field user)" = quiesce@localhost ]; ok $? "defaults_file: the holder connected as its [client] user"
"$BIN/post-thaw-script" thaw; ok $? "defaults_file: thaw exits 0"

# Without SLAVE MONITOR the replica status cannot be read: freeze still
# locks, and the info file and the log say what is missing.
rm -rf "$WORK/run"
sql "REVOKE SLAVE MONITOR ON *.* FROM quiesce@localhost"
"$BIN/pre-freeze-script" freeze; ok $? "no SLAVE MONITOR: freeze exits 0"
grep -q "^replica_status_error = .*denied" "$DATADIR/binlog_info.txt"
ok $? "no SLAVE MONITOR: the info file says the replica status was unreadable"
log_has "replica status: "; ok $? "no SLAVE MONITOR: so does the log"
"$BIN/post-thaw-script" thaw; ok $? "no SLAVE MONITOR: thaw exits 0"

# An account that authenticates with ed25519: the client side of that
# method is a plugin libmariadb loads at run time (dlopen), which must
# work from a binary linked with the client library statically too.
rm -rf "$WORK/run"
sql "INSTALL SONAME 'auth_ed25519'" 2>/dev/null
sql "CREATE USER edq@localhost IDENTIFIED VIA ed25519 USING PASSWORD('Ed-77q-secret');
     GRANT RELOAD, PROCESS, BINLOG MONITOR, SLAVE MONITOR, CONNECTION ADMIN ON *.* TO edq@localhost"
ok $? "an ed25519 account exists"
write_config "$WORK/c.conf"
sed -i "s/^user = root/user = edq\npassword = Ed-77q-secret/" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze; ok $? "ed25519: freeze exits 0"
[ "$(state_field user)" = edq@localhost ] && cannot_write; ok $? "ed25519: the holder connected as edq and holds the lock"
"$BIN/post-thaw-script" thaw; ok $? "ed25519: thaw exits 0"
isolated "$MQ" check | grep -q "connected as edq@localhost"; ok $? "ed25519: check connects too"
sed -i "s/^password = .*/password = wrong/" "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $(( $? != 5 )) "ed25519, a wrong password: freeze exits 5"
no_holder; ok $? "ed25519, a wrong password: no holder is left"

# VMware Tools, exactly as vmtoolsd calls: bash -c '"PATH" OP' or, with
# tools.conf [vmbackup] scriptArg set, bash -c '"PATH" OP "ARG"'; the
# legacy names, and a backupScripts.d entry under a name of its own.
write_config "$WORK/c.conf"
mkdir -p "$WORK/backupScripts.d"
ln -sf "$MQ" "$WORK/backupScripts.d/50-mysql"
vmw() { # vmw FREEZE-PATH THAW-PATH OP2 [ARG]: one quiesced cycle
	local fp=$1 tp=$2 op2=$3 arg=${4-} a="" what n0
	[ $# -ge 4 ] && a=" \"$arg\""
	n0=$(wc -l <"$WORK/mq.log")
	what="${fp##*/} freeze${a} -> ${tp##*/} $op2${a}"
	bash -c "\"$fp\" freeze$a"; ok $? "vmware $what: freeze exits 0"
	cannot_write; ok $? "vmware $what: commits are blocked"
	bash -c "\"$tp\" $op2$a"; ok $? "vmware $what: $op2 exits 0"
	if [ $# -ge 4 ]; then
		[ "$(tail -n +$((n0 + 1)) "$WORK/mq.log" | grep -cE "(freeze|thaw) INFO the caller's argument: \"$arg\"")" -eq 2 ]
		ok $? "vmware $what: the argument is logged by freeze and by $op2"
	fi
	can_write && no_holder; ok $? "vmware $what: released, no holder left"
}
for op2 in thaw freezeFail; do
	vmw "$BIN/pre-freeze-script" "$BIN/post-thaw-script" $op2
	vmw "$BIN/pre-freeze-script" "$BIN/post-thaw-script" $op2 nightly
	vmw "$BIN/pre-freeze-script" "$BIN/post-thaw-script" $op2 "backup run 7 of 'May'"
	d=$WORK/backupScripts.d/50-mysql
	vmw "$d" "$d" $op2
	vmw "$d" "$d" $op2 "with spaces"
done
vmw "$WORK/backupScripts.d/50-mysql" "$WORK/backupScripts.d/50-mysql" freezefail x
vmw "$WORK/backupScripts.d/50-mysql" "$WORK/backupScripts.d/50-mysql" FREEZEFAIL x
bash -c "\"$BIN/pre-freeze-script\" freeze \"a\" \"b\"" 2>"$WORK/err"
ok $(( $? != 2 )) "two arguments after the verb: exit 2"
grep -q "too many arguments" "$WORK/err"; ok $? "two arguments after the verb: says too many arguments"
no_holder; ok $? "two arguments: nothing was started"
"$MQ" status x 2>/dev/null; ok $(( $? != 2 )) "an argument after a non-hook verb (status): exit 2"

# Binary logging off: check warns (no coordinates, no seeding),
# freeze says so and still locks.
isolated "$MQ" -c "$WORK/c.conf" check >"$WORK/check.out" 2>&1
! grep -q "^warn  binary logging is off" "$WORK/check.out"
ok $? "negative control: with binary logging on, check does not warn of it"
server_stop "$WORK/s1"
server_run "$WORK/s1" --skip-log-bin
write_config "$WORK/c.conf"
isolated "$MQ" check >"$WORK/check.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q "^warn  binary logging is off: a snapshot carries no binary log coordinates, and seed cannot" "$WORK/check.out"
ok $? "binlog off: check warns, still ready (exit $st)"
"$BIN/pre-freeze-script" freeze; ok $? "binlog off: freeze exits 0"
log_has "binary logging is off"; ok $? "binlog off: the log says so"
grep -q "^binlog_file = $" "$DATADIR/binlog_info.txt"; ok $? "binlog off: the info file has no position"
"$BIN/post-thaw-script" thaw; ok $? "binlog off: thaw exits 0"

done_testing
