#!/bin/bash
# contrib/aws-dlm-mysql-quiesce.yml, the SSM document for AWS Data
# Lifecycle Manager: its script body run as the SSM agent runs it (the
# {{ command }} parameter substituted, the body run with sh) against the
# test server, for each of DLM's exit codes we promise.
. "$(dirname "$0")/lib.sh"
need python3 sh

DOC=$TOP/contrib/aws-dlm-mysql-quiesce.yml
server_start s1
make_tables
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
write_config "$WORK/c.conf"

python3 - "$DOC" <<'PY' || bail "the SSM document does not parse as one"
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["schemaVersion"] == "2.2"
assert d["parameters"]["command"]["allowedValues"] == ["pre-script", "post-script", "dry-run"]
assert d["mainSteps"][0]["action"] == "aws:runShellScript"
PY
ok 0 "the document is an SSM Command document with command = pre-script | post-script | dry-run"

# dlm COMMAND: run the document's body for COMMAND; exit status in ST
dlm() {
	python3 - "$DOC" "$1" "$BIN/mysql-quiesce" >"$WORK/dlm.sh" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
body = "".join(d["mainSteps"][0]["inputs"]["runCommand"])
body = body.replace("{{ command }}", sys.argv[2])
# the test's binary in place of the installed one
print(body.replace("MQ=/usr/sbin/mysql-quiesce", "MQ=" + sys.argv[3]), end="")
PY
	# dry-run runs check, which reads the host's agents and wiring:
	# in namespaces of its own, whatever else runs here (another run's
	# qemu-ga); the others leave a holder running, which a PID
	# namespace would end with them
	if [ "$1" = dry-run ]; then
		isolated sh "$WORK/dlm.sh" >"$WORK/dlm.out" 2>&1; ST=$?
	else
		sh "$WORK/dlm.sh" >"$WORK/dlm.out" 2>&1; ST=$?
	fi
}

dlm dry-run; ok $ST "dry-run: exit 0 (check says ready)"
dlm pre-script; ok $ST "pre-script: exit 0"
phase_is locked && cannot_write; ok $? "the lock is held"
dlm pre-script; ok $(( ST != 204 )) "pre-script again: 204, already frozen (got $ST)"
phase_is locked; ok $? "and the lock is still held"
dlm post-script; ok $ST "post-script: exit 0"
can_write && no_holder; ok $? "released"
dlm post-script; ok $(( ST != 205 )) "post-script again: 205, already thawed (got $ST)"

MAX_LOCK_TIME=2 write_config "$WORK/c.conf"
dlm pre-script; ok $ST "pre-script with max_lock_time = 2"
wait_for 5 phase_is expired; ok $? "the lock expired by itself"
dlm post-script; ok $(( ST != 203 )) "post-script after it: 203, auto-thaw happened (got $ST)"

write_config "$WORK/c.conf"
WAIT_TIMEOUT=1 SNAPSHOT_TIMEOUT=2 LONG_QUERY=60 METHOD=ftwrl write_config "$WORK/c.conf"
sql "UPDATE t.isam SET v = v + SLEEP(6) WHERE id = 1" >/dev/null 2>&1 & lw=$!
wait_for 5 running "UPDATE t.isam"
dlm pre-script; ok $(( ST != 201 )) "pre-script that cannot lock in time: 201 (got $ST)"
no_holder && can_write; ok $? "and nothing is locked"
wait $lw

diag "a user without RELOAD: freeze exits 5 (privilege), DLM's 206"
sql "CREATE USER weak@localhost; GRANT PROCESS ON *.* TO weak@localhost"
write_config "$WORK/c.conf"
sed -i 's/^user = root$/user = weak/' "$WORK/c.conf"
dlm pre-script; ok $(( ST != 206 )) "pre-script as a user without RELOAD: 206, not ready (got $ST)"
grep -q "database not ready (mysql-quiesce exit 5)" "$WORK/dlm.out"; ok $? "and names mysql-quiesce's exit 5"
no_holder && can_write; ok $? "nothing is locked"

write_config "$WORK/c.conf"
server_stop "$WORK/s1"
dlm pre-script; ok $(( ST != 206 )) "pre-script with the server down: 206, not ready (got $ST)"
dlm dry-run; ok $(( ST != 206 )) "dry-run with the server down: 206 (got $ST)"
grep -q "not ready (mysql-quiesce check exit 4)" "$WORK/dlm.out"; ok $? "and says why"

done_testing
