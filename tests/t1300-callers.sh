#!/bin/bash
# The cloud agents that call pre- and post-snapshot scripts, each as its
# source shows it calls (tests/callers.py): Azure Backup's ScriptRunner,
# the GCE guest agent's snapshot handler, Nutanix Guest Tools. wire
# writes each one's wiring; each agent then locks and releases a live
# server through it; its failures show in status and the log; check
# reports each wiring, right or wrong; wire never touches a file it did
# not write. Everything runs with /etc and /usr/local as copy-on-write
# layers in a mount namespace of the test's own: the host's are never
# touched, and the host's own wiring is never seen.
# timeout: 300
. "$(dirname "$0")/lib.sh"
need python3 unshare

server_start s1
make_tables
MAX_LOCK_TIME=60 SNAPSHOT_TIMEOUT=20 write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
CALLERS=$TOP/tests/callers.py

# guest CMD...: CMD with /etc and /usr/local copy-on-write (the writes
# kept in $WORK/ov across calls), the host's agents' directories hidden
mkdir -p "$WORK/ov/eu" "$WORK/ov/ew" "$WORK/ov/lu" "$WORK/ov/lw" "$WORK/ov/du" "$WORK/ov/dw"
guest() {
	unshare --mount --propagation private sh -c '
		o=$1; shift
		mount -t overlay ov -o "lowerdir=/etc,upperdir=$o/eu,workdir=$o/ew" /etc &&
		mount -t overlay ov -o "lowerdir=/usr/local,upperdir=$o/lu,workdir=$o/lw" /usr/local &&
		mount -t overlay ov -o "lowerdir=/usr/share/doc,upperdir=$o/du,workdir=$o/dw" /usr/share/doc || exit 125
		exec "$@"' sh "$WORK/ov" "$@"
}
# hide the host's wiring from the layers once: whiteouts of what it has
for d in qemu vmware-tools google azure; do
	[ -e "/etc/$d" ] && mknod "$WORK/ov/eu/$d" c 0 0
done
[ -e /etc/default/instance_configs.cfg ] && mkdir -p "$WORK/ov/eu/default" &&
	mknod "$WORK/ov/eu/default/instance_configs.cfg" c 0 0
for f in pre_freeze post_thaw; do
	[ -e "/usr/local/sbin/$f" ] && mkdir -p "$WORK/ov/lu/sbin" && mknod "$WORK/ov/lu/sbin/$f" c 0 0
done
held() { phase_is locked && cannot_write; }
released() { no_holder && can_write; }
# gx FILE: the file in the guest's view
gx() { guest cat "$1" 2>/dev/null; }
mode_of() { guest stat -c '%a %U' "$1" 2>/dev/null; }

diag "Azure Backup"
guest "$MQ" wire azure --dry-run >"$WORK/out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "^would write /etc/azure/VMSnapshotScriptPluginConfig.json (mode 0600" "$WORK/out" &&
	! guest test -e /etc/azure/mysql-quiesce-pre.sh
ok $? "wire azure --dry-run prints the plan and writes nothing"
guest "$MQ" wire azure >"$WORK/out" 2>&1; st=$?
ok $st "wire azure: $(tr '\n' ' ' <"$WORK/out" | cut -c1-200)"
[ "$(mode_of /etc/azure/mysql-quiesce-pre.sh)" = "700 root" ] && [ "$(mode_of /etc/azure/mysql-quiesce-post.sh)" = "700 root" ] &&
	[ "$(mode_of /etc/azure/VMSnapshotScriptPluginConfig.json)" = "600 root" ]
ok $? "the scripts are root's 0700 and the config root's 0600, as ScriptRunner requires"
gx /etc/azure/VMSnapshotScriptPluginConfig.json >"$WORK/az.json"
python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))
assert c["pluginName"] == "ScriptRunner" and c["ScriptsExecutionPollTimeSeconds"] == 1
assert c["timeoutInSeconds"] > 20 and c["continueBackupOnFailure"] is False' "$WORK/az.json"
ok $? "its config: ScriptRunner, a 1 s poll, a timeout above snapshot_timeout, no backup past a failure (on_failure = fail)"
gx /etc/azure/mysql-quiesce-pre.sh | grep -qF "exec '$MQ' -c '$WORK/c.conf' freeze"
ok $? "the pre-script names the config wire was given"
guest python3 "$CALLERS" azure "" pre p1 p2 >"$WORK/az.out" 2>&1; st=$?
ok $st "Azure's ScriptRunner runs the pre-script: $(cat "$WORK/az.out")"
held; ok $? "the lock is held after it"
log_has "p1 p2"; ok $? "the agent's parameters are logged"
guest python3 "$CALLERS" azure "" post >"$WORK/az.out" 2>&1; st=$?
ok $st "and the post-script: $(cat "$WORK/az.out")"
released; ok $? "released"
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^ok    Azure Backup: /etc/azure/VMSnapshotScriptPluginConfig.json runs mysql-quiesce" "$WORK/check"
ok $? "check: the Azure wiring is right"
! grep -q "^warn  Azure Backup: max_lock_time" "$WORK/check"; ok $? "and max_lock_time (60 s) leaves the snapshot time"
sed -i 's/^max_lock_time = .*/max_lock_time = 15/' "$WORK/c.conf"
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^warn  Azure Backup: max_lock_time (15 s) leaves less than 20 s for the snapshot once the agent's two polls (1 s each)" "$WORK/check"
ok $? "check warns when max_lock_time is short for the agent's polls and a snapshot"
sed -i 's/^max_lock_time = .*/max_lock_time = 60/' "$WORK/c.conf"

diag "Azure: a pre-script that fails, and modes ScriptRunner refuses"
sql "UPDATE t.isam SET v = v + SLEEP(8)" >/dev/null 2>&1 & BP=$!
wait_for 5 running "UPDATE t.isam" || bail "the blocker did not start"
sleep 1.1   # a blocker at long_query_threshold = 1
sed -i 's/^snapshot_timeout = .*/snapshot_timeout = 2/; s/^long_query_threshold = .*/long_query_threshold = 1/' "$WORK/c.conf"
guest python3 "$CALLERS" azure "" pre >"$WORK/az.out" 2>&1; st=$?
[ "$st" -eq 1 ] && grep -q "failed: exit 6" "$WORK/az.out"; ok $? "a freeze that finds no safe moment fails the agent's pre step ($(cat "$WORK/az.out"))"
no_holder && can_write; ok $? "nothing is locked"
"$MQ" status >"$WORK/status" 2>&1; st=$?
[ "$st" -eq 14 ] && grep -q "no safe moment" "$WORK/status"; ok $? "status says the last freeze held no lock, and why (exit $st)"
wait "$BP"
sed -i 's/^snapshot_timeout = .*/snapshot_timeout = 20/; s/^long_query_threshold = .*/long_query_threshold = 10/' "$WORK/c.conf"
guest chmod 0750 /etc/azure/mysql-quiesce-pre.sh
guest python3 "$CALLERS" azure "" pre >"$WORK/az.out" 2>&1; st=$?
[ "$st" -eq 2 ]; ok $? "negative control: ScriptRunner refuses a script with group bits ($(cat "$WORK/az.out"))"
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^FAIL  Azure Backup: /etc/azure/mysql-quiesce-pre.sh is owned by uid 0, mode 0750: the caller refuses it" "$WORK/check"
ok $? "check names the mode the agent refuses"
guest "$MQ" wire azure >/dev/null 2>&1
[ "$(mode_of /etc/azure/mysql-quiesce-pre.sh)" = "700 root" ]; ok $? "wire again puts its own file right"

diag "wire never touches a file it did not write"
guest sh -c 'printf "{\"pluginName\": \"ScriptRunner\", \"preScriptLocation\": \"/opt/other/pre.sh\"}\n" >/etc/azure/VMSnapshotScriptPluginConfig.json'
sum=$(gx /etc/azure/VMSnapshotScriptPluginConfig.json | sha256sum)
guest "$MQ" wire azure >"$WORK/out" 2>&1; st=$?
[ "$st" -eq 15 ] && grep -q "^FAIL  /etc/azure/VMSnapshotScriptPluginConfig.json exists and was not written by mysql-quiesce wire; not touching it" "$WORK/out" &&
	grep -q '"preScriptLocation": "/etc/azure/mysql-quiesce-pre.sh"' "$WORK/out"
ok $? "wire over another's config: exit 15, saying what it would write ($st)"
[ "$(gx /etc/azure/VMSnapshotScriptPluginConfig.json | sha256sum)" = "$sum" ]; ok $? "that file is unchanged"
guest "$MQ" wire azure --remove >"$WORK/out" 2>&1
! guest test -e /etc/azure/mysql-quiesce-pre.sh && ! guest test -e /etc/azure/mysql-quiesce-post.sh &&
	[ "$(gx /etc/azure/VMSnapshotScriptPluginConfig.json | sha256sum)" = "$sum" ]
ok $? "--remove takes back wire's scripts and leaves the other config"

diag "Google Compute Engine"
guest "$MQ" wire gcp >"$WORK/out" 2>&1; st=$?
ok $st "wire gcp: $(tr '\n' ' ' <"$WORK/out" | cut -c1-160)"
[ "$(mode_of /etc/google/snapshots/pre.sh)" = "700 root" ] && [ "$(mode_of /etc/google/snapshots)" = "700 root" ]
ok $? "the scripts and their directory are root's 0700"
gx /etc/default/instance_configs.cfg | grep -qx "timeout_in_seconds = 50"
ok $? "the agent's config: [Snapshots] enabled, a timeout above snapshot_timeout (20 s)"
guest python3 "$CALLERS" gce "" pre "sda,sdb" >"$WORK/g.out" 2>&1; st=$?
ok $st "the guest agent execs pre.sh with the disk list, reads its stderr to the end: $(cat "$WORK/g.out")"
el=$(sed -n 's/.*after \([0-9]*\)\..*/\1/p' "$WORK/g.out")
[ -n "$el" ] && [ "$el" -lt 5 ]; ok $? "and returns at once: no process of ours keeps its stderr open (${el} s)"
held; ok $? "the lock is held"
log_has "sda,sdb"; ok $? "the disk list is logged"
guest python3 "$CALLERS" gce "" post "sda,sdb" >"$WORK/g.out" 2>&1; ok $? "post.sh: $(cat "$WORK/g.out")"
released; ok $? "released"
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^ok    GCE guest agent: " "$WORK/check"; ok $? "check: the GCE wiring is right"

diag "GCE: the agent's timeout kills a freeze still waiting"
guest sed -i 's/^timeout_in_seconds = .*/timeout_in_seconds = 2/' /etc/default/instance_configs.cfg
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^FAIL  GCE guest agent: timeout_in_seconds 2 is not above snapshot_timeout (20 s)" "$WORK/check"
ok $? "check: a timeout shorter than snapshot_timeout is named"
sql "UPDATE t.isam SET v = v + SLEEP(6)" >/dev/null 2>&1 & BP=$!
wait_for 5 running "UPDATE t.isam" || bail "the blocker did not start"
sed -i 's/^long_query_threshold = .*/long_query_threshold = 1/' "$WORK/c.conf"
guest python3 "$CALLERS" gce "" pre "sda" >"$WORK/g.out" 2>&1; st=$?
[ "$st" -eq 3 ]; ok $? "the agent SIGKILLs the freeze at its timeout ($(cat "$WORK/g.out"))"
wait "$BP"
wait_for 5 no_holder && can_write; ok $? "nothing is locked, no holder left"
"$MQ" status >"$WORK/status" 2>&1; st=$?
[ "$st" -eq 14 ] && grep -q "^phase: *failed" "$WORK/status"; ok $? "status: the last freeze held no lock (exit $st)"
grep -Eq "holder (WARN|INFO) .*(freeze is gone: killed|freeze ended or stopped us before the lock was taken; nothing was locked)" "$WORK/mq.log"
ok $? "the log says the holder ended with freeze, holding nothing"
sed -i 's/^long_query_threshold = .*/long_query_threshold = 10/' "$WORK/c.conf"
guest sed -i 's/^enabled = true/enabled = false/' /etc/default/instance_configs.cfg
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^FAIL  GCE guest agent: /etc/default/instance_configs.cfg has no \[Snapshots\] section with enabled = true" "$WORK/check"
ok $? "check: snapshots disabled in the agent's config is named"
guest "$MQ" wire gcp --remove >"$WORK/out" 2>&1
! guest test -e /etc/google/snapshots/pre.sh && ! gx /etc/default/instance_configs.cfg | grep -q "mysql-quiesce"
ok $? "--remove takes the scripts and wire's block back"

diag "AWS DLM: the SSM document, naming the config in use"
mkdir -p "$WORK/ov/du/mysql-quiesce/examples"
cp "$TOP/contrib/aws-dlm-mysql-quiesce.yml" "$WORK/ov/du/mysql-quiesce/examples/"
guest "$MQ" wire dlm >"$WORK/out" 2>&1; st=$?
[ "$st" -eq 0 ] && grep -q "register it: aws ssm create-document .*file:///etc/mysql-quiesce/aws-dlm-mysql-quiesce.yml" "$WORK/out"
ok $? "wire dlm writes the document and says how to register it (exit $st)"
gx /etc/mysql-quiesce/aws-dlm-mysql-quiesce.yml >"$WORK/dlm.yml"
# the document's body as the SSM agent runs it, for one command
ssm() {
	python3 - "$WORK/dlm.yml" "$1" >"$WORK/dlm.sh" <<'PY'
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
assert d["schemaVersion"] == "2.2"
print("".join(d["mainSteps"][0]["inputs"]["runCommand"]).replace("{{ command }}", sys.argv[2]), end="")
PY
	env -u MYSQL_QUIESCE_CONFIG sh "$WORK/dlm.sh" >"$WORK/dlm.out" 2>&1
}
ssm pre-script; ok $? "the written document's pre-script locks, with no config in the environment: $(tr '\n' ' ' <"$WORK/dlm.out")"
held; ok $? "held"
ssm post-script; ok $? "and its post-script releases"
released; ok $? "released"

diag "VMware Tools: backupScripts.d, run with freeze and thaw as vmtoolsd runs it"
guest "$MQ" wire vmware >"$WORK/out" 2>&1; ok $? "wire vmware"
[ "$(mode_of /etc/vmware-tools/backupScripts.d/50-mysql-quiesce)" = "755 root" ]; ok $? "its script is executable"
guest /etc/vmware-tools/backupScripts.d/50-mysql-quiesce freeze; ok $? "vmtoolsd's freeze call"
held; ok $? "held"
guest /etc/vmware-tools/backupScripts.d/50-mysql-quiesce thaw; ok $? "and its thaw"
released; ok $? "released"
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^ok    VMware: /etc/vmware-tools/backupScripts.d/50-mysql-quiesce runs mysql-quiesce" "$WORK/check"; ok $? "check: the VMware wiring is right"

diag "Nutanix"
guest "$MQ" wire nutanix >"$WORK/out" 2>&1; ok $? "wire nutanix"
[ "$(mode_of /usr/local/sbin/pre_freeze)" = "700 root" ]; ok $? "pre_freeze and post_thaw are root's 0700"
guest python3 "$CALLERS" nutanix "" pre >"$WORK/n.out" 2>&1; ok $? "Nutanix runs pre_freeze: $(cat "$WORK/n.out")"
held; ok $? "held"
guest python3 "$CALLERS" nutanix "" post >"$WORK/n.out" 2>&1; ok $? "and post_thaw: $(cat "$WORK/n.out")"
released; ok $? "released"
guest chmod 0755 /usr/local/sbin/pre_freeze
guest python3 "$CALLERS" nutanix "" pre >"$WORK/n.out" 2>&1; st=$?
[ "$st" -eq 2 ]; ok $? "negative control: Nutanix refuses a 0755 script ($(cat "$WORK/n.out"))"
guest "$MQ" check >"$WORK/check" 2>&1
grep -q "^FAIL  Nutanix: /usr/local/sbin/pre_freeze is owned by uid 0, mode 0755" "$WORK/check"; ok $? "check names it"
[ ! -e /usr/local/sbin/pre_freeze ] || [ "$(stat -c %i /usr/local/sbin/pre_freeze)" != "$(guest stat -c %i /usr/local/sbin/pre_freeze)" ]
ok $? "the host's /usr/local/sbin was never touched"

done_testing
