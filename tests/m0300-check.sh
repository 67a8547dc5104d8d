#!/bin/bash
# MySQL, live: check and the hook for an account whose grants come
# through a default role, an account without BACKUP_ADMIN (ftwrl needs
# none; recovery does), and a server with performance_schema off,
# whose process list the tool must still read.
# timeout: 300
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mysql.sh"

server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
# conf USER [lines]: a config for USER with the password pw-Role-7x
conf() {
	local u=$1; shift
	rm -rf "$WORK/run" "$WORK/mq.log"
	write_config "$WORK/c.conf" "$@"
	sed -i "s/^user = root/user = $u\npassword = pw-Role-7x/" "$WORK/c.conf"
}

diag "grants held through a default role"
sql "CREATE ROLE quiesce_role;
     GRANT RELOAD, PROCESS, REPLICATION CLIENT, CONNECTION_ADMIN ON *.* TO quiesce_role;
     CREATE USER viarole@localhost IDENTIFIED BY 'pw-Role-7x';
     GRANT quiesce_role TO viarole@localhost;
     SET DEFAULT ROLE quiesce_role TO viarole@localhost;
     CREATE USER norole@localhost IDENTIFIED BY 'pw-Role-7x';
     GRANT quiesce_role TO norole@localhost"
conf viarole
"$MQ" check >"$WORK/check" 2>&1; st=$?
[ "$st" -eq 0 ]; ok $? "check passes for grants through a default role (exit $st): $(grep FAIL "$WORK/check" | head -2)"
grep -q "^ok    privilege RELOAD" "$WORK/check"; ok $? "check: RELOAD found through the role"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze as that account"
cannot_write; ok $? "held"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
can_write; ok $? "released"

diag "the same role granted but not a default one: check names what is missing"
conf norole
"$MQ" check >"$WORK/check" 2>&1; st=$?
[ "$st" -ne 0 ] && grep -q "FAIL  privilege RELOAD" "$WORK/check"
ok $? "check fails naming RELOAD (exit $st)"

diag "ftwrl needs no BACKUP_ADMIN; recovery does"
sql "REVOKE BACKUP_ADMIN ON *.* FROM root@localhost" 2>/dev/null
sql "CREATE USER nobackup@localhost IDENTIFIED BY 'pw-Role-7x';
     GRANT RELOAD, PROCESS, REPLICATION CLIENT, CONNECTION_ADMIN ON *.* TO nobackup@localhost"
METHOD=ftwrl conf nobackup
"$MQ" check >"$WORK/check" 2>&1; st=$?
[ "$st" -eq 0 ] && ! grep -q BACKUP_ADMIN "$WORK/check"
ok $? "check passes for ftwrl without BACKUP_ADMIN (exit $st)"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze with ftwrl without BACKUP_ADMIN"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
METHOD=recovery conf nobackup
"$MQ" check >"$WORK/check" 2>&1; st=$?
[ "$st" -ne 0 ] && grep -q "FAIL  privilege BACKUP_ADMIN missing" "$WORK/check"
ok $? "check fails for recovery without BACKUP_ADMIN, naming it (exit $st)"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -ne 0 ]; ok $? "freeze with recovery without BACKUP_ADMIN fails (exit $st)"
no_holder && can_write; ok $? "and nothing is held"
grep -qi "BACKUP_ADMIN\|access denied" "$WORK/mq.log"; ok $? "the log says why: $(grep ERROR "$WORK/mq.log" | tail -1 | cut -c1-200)"

diag "performance_schema = OFF: the process list is not blind"
server_stop "$WORK/s1"
server_run "$WORK/s1" --performance-schema=OFF
[ "$(sql 'SELECT @@performance_schema')" = 0 ]; ok $? "the server runs without performance_schema"
conf nobackup "[lock]" "kill_long_queries = no"
sed -i 's/^long_query_threshold = .*/long_query_threshold = 1/' "$WORK/c.conf"
sql "SELECT SLEEP(3) FROM t.inno LIMIT 1" >/dev/null 2>&1 & LP=$!
wait_for 5 running "SELECT SLEEP(3)" || bail "the read did not start"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze"
dead "$LP"; ok $? "the lock came after the read ended"
grep -q "waiting for a safe moment: connection .*SELECT SLEEP(3)" "$WORK/mq.log"; ok $? "freeze saw the read and waited for it"
grep -q "reading SHOW FULL PROCESSLIST instead" "$WORK/mq.log"; ok $? "the log says the process list was read another way"
"$BIN/post-thaw-script" thaw; ok $? "thaw"
conf nobackup "[lock]" "kill_long_queries = select"
sed -i 's/^long_query_threshold = .*/long_query_threshold = 1/' "$WORK/c.conf"
sql "SELECT SLEEP(30) FROM t.inno LIMIT 1" >/dev/null 2>&1 & LP=$!
wait_for 5 running "SELECT SLEEP(30)" || bail "the read did not start"
sleep 1.1
"$MQ" check >"$WORK/check" 2>&1
grep -q "^warn  privilege SYSTEM_USER missing: kill_long_queries cannot kill" "$WORK/check"
ok $? "check: without SYSTEM_USER, kill_long_queries cannot kill root's statements"
sed -i 's/^snapshot_timeout = .*/snapshot_timeout = 3/' "$WORK/c.conf"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
sed -i 's/^snapshot_timeout = .*/snapshot_timeout = 20/' "$WORK/c.conf"
[ "$st" -ne 0 ]; ok $? "freeze fails: root's read cannot be killed (exit $st)"
[ "$(grep -c "cannot kill connection" "$WORK/mq.log")" -eq 1 ]; ok $? "the refused kill is said once, not at every read"
sql "GRANT SYSTEM_USER ON *.* TO nobackup@localhost"
"$MQ" check >"$WORK/check" 2>&1
! grep -q "SYSTEM_USER" "$WORK/check"; ok $? "check: no warning with SYSTEM_USER"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; ok $? "freeze, kill_long_queries = select"
wait_for 5 dead "$LP"; ok $? "the long read was killed: the tool saw it"
"$BIN/post-thaw-script" thaw; ok $? "thaw"

done_testing
