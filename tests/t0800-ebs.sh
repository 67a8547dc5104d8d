#!/bin/bash
# snapshot --ebs against moto_server with signature checking on, an
# IMDSv2 stand-in and a fault-injecting proxy: the plan and DryRun; one
# CreateSnapshots of the data's volumes (md RAID1 over two NVMe EBS
# volumes, the third attached volume excluded) while frozen, tagged with
# the coordinates; retention after unlock, across pages; every refusal
# before anything is locked; a hanging call bounded; throttling retried;
# no duplicate set after a timed-out call; secrets in no output.
# (The recovery proof of EBS sets is in t0400.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws.sh"
need curl fsfreeze

loop_mount xfs 320 "$WORK/main.img" "$WORK/mnt"
DATA_AT=$WORK/mnt server_start src
make_tables
aws_world
ebs_capture raid1 raid1 "$DATADIR"
ebs_config "$WORK/c.conf" raid1
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

snap() { # snap ARGS...: run snapshot mode; status in ST, ms in EL
	local t0; t0=$(now_ms)
	"$MQ" snapshot "$@" >"$WORK/out" 2>"$WORK/err"; ST=$?
	EL=$(( $(now_ms) - t0 ))
	cat "$WORK/out" "$WORK/err" >>"$WORK/all-output"
}
fs_writable() {
	( echo x >"$WORK/mnt/probe" ) & local p=$!
	wait_for 3 dead $p
}
# nothing_held: no holder, no lock, nothing frozen, and no real call made
nothing_held() {
	no_holder && [ "$(state_field phase)" != locked ] && can_write && fs_writable
}
real_creates() { requests CreateSnapshots | grep -vc '"DryRun": "true"'; }
iso_s() { date -d "$1" +%s.%3N; }

diag "--dry-run: the plan, and EC2's DryRun answer; nothing locked"
rm -rf "$WORK/run"; : >"$AWS_DIR/requests.log"
snap --ebs --dry-run
ok $ST "dry-run exits 0"
grep -q "^instance: *$INSTANCE (db1) in eu-west-1$" "$WORK/out"; ok $? "it names the instance, its Name tag and region"
grep -q "^credentials: *the instance role snap-role$" "$WORK/out"; ok $? "credentials from the instance role (IMDSv2)"
grep -q "^volume: *$VOL1 /dev/sdf = /dev/nvme1n1$" "$WORK/out" &&
	grep -q "^volume: *$VOL2 /dev/sdg = /dev/nvme2n1$" "$WORK/out"
ok $? "both NVMe members of md0 map to their EBS volumes by serial"
grep -q "^volume: *$VOL3 /dev/sdh (not involved: excluded)$" "$WORK/out"; ok $? "the third attached volume is excluded"
grep -q "^dry run: *CreateSnapshots would be allowed$" "$WORK/out"; ok $? "EC2 says the call would be allowed"
[ "$(requests CreateSnapshots | grep -c '"DryRun": "true"')" -eq 1 ] && [ "$(real_creates)" -eq 0 ]
ok $? "one DryRun call and no real one was made"
[ ! -e "$WORK/run/state" ] && no_holder && fs_writable; ok $? "nothing was locked or frozen"

diag "a snapshot: one CreateSnapshots while frozen, tagged with the coordinates"
: >"$AWS_DIR/requests.log"
snap --ebs
ok $ST "snapshot --ebs exits 0"
set=$(last_set)
[ -n "$set" ]; ok $? "the log names the set ($set)"
[ "$(real_creates)" -eq 1 ]; ok $? "exactly one CreateSnapshots was made"
req=$(requests CreateSnapshots | grep -v '"DryRun"')
echo "$req" | grep -q "\"InstanceSpecification.InstanceId\": \"$INSTANCE\"" &&
	echo "$req" | grep -q '"InstanceSpecification.ExcludeBootVolume": "true"' &&
	echo "$req" | grep -q "\"InstanceSpecification.ExcludeDataVolumeId.1\": \"$VOL3\"" &&
	! echo "$req" | grep -q "ExcludeDataVolumeId.2"
ok $? "for this instance, boot volume and $VOL3 excluded, nothing else"
snapshots_of "$set" >"$WORK/set"
file=$(info_field binlog_file) pos=$(info_field binlog_pos) gtid=$(info_field gtid_binlog_pos)
[ -n "$file" ] && [ "$(wc -l <"$WORK/set")" -ge 2 ] &&
	! grep -v "\"mysql-quiesce:binlog-file\": \"$file\", \"mysql-quiesce:binlog-pos\": \"$pos\", \"mysql-quiesce:config\": \"cfg-[0-9a-f]\{16\}\", \"mysql-quiesce:coordinates\": \"exact\", \"mysql-quiesce:gtid\": \"$gtid\"" "$WORK/set"
ok $? "every snapshot of the set is tagged $file:$pos, gtid $gtid, as in the info file, exact, and with its config's tag"
! grep -v " mysql-quiesce binlog:$file@$pos gtid:$gtid set:$set " "$WORK/set"; ok $? "and its description carries them"
grep -q "\"Name\": \"[0-9]\{8\}_[0-9]\{6\}_db1\"" "$WORK/set" && grep -q '"mysql-quiesce:lock-method": "backup-stage"' "$WORK/set"
ok $? "Name is YYYYmmdd_HHMMSS_db1, the lock method is tagged"
t_call=$(awk '$2 == "CreateSnapshots" && !/DryRun/ { print $1 }' "$AWS_DIR/requests.log" | tail -1)
t_froze=$(iso_s "$(sed -n "s/ \[.*snapshot INFO froze $(echo "$WORK/mnt" | sed 's|/|\\/|g') in [0-9]* ms$//p" "$WORK/mq.log" | tail -1)")
t_thawed=$(iso_s "$(sed -n "s/ \[.*snapshot INFO thawed $(echo "$WORK/mnt" | sed 's|/|\\/|g')$//p" "$WORK/mq.log" | tail -1)")
awk -v a="$t_froze" -v b="$t_call" -v c="$t_thawed" 'BEGIN { exit !(a > 0 && a <= b && b <= c) }'
ok $? "the call reached EC2 while the filesystem was frozen ($t_froze <= $t_call <= $t_thawed)"
frozen=$(sed -n 's/.*filesystems frozen \([0-9]*\) ms.*/\1/p' "$WORK/mq.log" | tail -1)
api=$(sed -n 's/.*CreateSnapshots took \([0-9]*\) ms.*/\1/p' "$WORK/mq.log" | tail -1)
diag "frozen $frozen ms for a call of $api ms (make bench measures this)"
[ -n "$frozen" ] && [ -n "$api" ] && [ "$frozen" -ge "$api" ]; ok $? "the frozen window contains the call ($frozen >= $api ms)"
can_write && no_holder && fs_writable; ok $? "thawed and unlocked"

diag "check reports the EBS side"
isolated "$MQ" check >"$WORK/out" 2>&1; st=$?
ok $st "check exits 0"
grep -q "^ok    EBS: CreateSnapshots would be allowed$" "$WORK/out" &&
	grep -q "^volume: *$VOL1 /dev/sdf = /dev/nvme1n1$" "$WORK/out" &&
	grep -q "^credentials: *the instance role snap-role$" "$WORK/out" &&
	grep -q "^instance: *$INSTANCE (db1) in eu-west-1$" "$WORK/out"
ok $? "it names the instance, region, credentials' source, the mapping and the DryRun answer"
AWS_ACCESS_KEY_ID=$(world weak.id) AWS_SECRET_ACCESS_KEY=$(world weak.secret) isolated "$MQ" check >"$WORK/out" 2>&1; st=$?
ok $(( st != 5 )) "check with a user lacking ec2:CreateSnapshots: exit 5 (got $st)"
grep -q "^FAIL  EBS: EBS CreateSnapshots: AccessDenied: .*ec2:CreateSnapshots" "$WORK/out" && grep -q "^NOT READY$" "$WORK/out"
ok $? "and says which action is denied"

diag "off EC2 (no instance metadata answers): check says so, not a failure"
sed "s|^imds_endpoint = .*|imds_endpoint = http://127.0.0.1:1|" "$WORK/c.conf" >"$WORK/noec2.conf"; chmod 600 "$WORK/noec2.conf"
isolated "$MQ" -c "$WORK/noec2.conf" check >"$WORK/out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q "^--    EBS: not on EC2 (.*): snapshot --ebs cannot run on this host" "$WORK/out" && ! grep -q "^FAIL" "$WORK/out"
ok $? "check: not on EC2 is a note, ready (exit $st: $(grep EBS "$WORK/out" | head -1))"

diag "a Xen-named device maps by its attachment"
ebs_capture xen xen "$DATADIR"
ebs_config "$WORK/xen.conf" xen
"$MQ" -c "$WORK/xen.conf" snapshot --ebs --dry-run >"$WORK/out" 2>&1
grep -q "^volume: *$VOL1 /dev/sdf = /dev/xvdf$" "$WORK/out"; ok $? "xvdf is $VOL1, attached as /dev/sdf"

diag "retention after unlock: keep = 2"
ebs_config "$WORK/keep.conf" raid1 "keep = 2"
for k in 1 2 3; do
	: >"$AWS_DIR/requests.log"
	"$MQ" -c "$WORK/keep.conf" snapshot --ebs 2>>"$WORK/all-output"; ok $? "keep = 2: run $k exits 0"
done
keep_owner=$(owner_of "$(last_set)")
[ -n "$keep_owner" ] && [ "$(owner_of "$set")" != "$keep_owner" ]
ok $? "each set carries its config's tag (mysql-quiesce:config = $keep_owner; c.conf's is $(owner_of "$set"))"
n=$(sets "$keep_owner" | wc -l)
[ "$n" -eq 2 ]; ok $? "two of its sets are left ($n)"
sets "$keep_owner" | grep -qx "$(last_set)"; ok $? "the newest set is among them"
sets | grep -qx "$set"; ok $? "and the set c.conf took ($set) is untouched: retention counts only its own config's sets"
grep -q "retention: deleted snap-" "$WORK/mq.log"; ok $? "each deletion is logged"
t_del=$(awk '$2 == "DeleteSnapshot" { print $1; exit }' "$AWS_DIR/requests.log")
t_rel=$(iso_s "$(grep 'holder INFO lock released' "$WORK/mq.log" | tail -1 | cut -d' ' -f1)")
t_thawed=$(iso_s "$(grep "snapshot INFO thawed" "$WORK/mq.log" | tail -1 | cut -d' ' -f1)")
awk -v d="$t_del" -v r="$t_rel" -v t="$t_thawed" 'BEGIN { exit !(d > 0 && r > 0 && d >= r && d >= t) }'
ok $? "the first DeleteSnapshot came after the thaw and the unlock ($t_thawed, $t_rel < $t_del)"

diag "retention across pages (DescribeSnapshots answers one snapshot a page)"
mode "page 1"
: >"$AWS_DIR/requests.log"
ebs_config "$WORK/keep.conf" raid1 "keep = 1"
"$MQ" -c "$WORK/keep.conf" snapshot --ebs 2>>"$WORK/all-output"; ok $? "keep = 1, paged: exits 0"
mode
[ "$(sets "$keep_owner" | wc -l)" -eq 1 ] && sets "$keep_owner" | grep -qx "$(last_set)"; ok $? "only the newest set of its config is left"
[ "$(requests DescribeSnapshots | grep -c NextToken)" -ge 3 ]; ok $? "every page was read ($(requests DescribeSnapshots | grep -c NextToken) with NextToken)"

diag "role credentials near their end are fetched again before retention"
role_creds "$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)"
n0=$(wc -l <"$WORK/mq.log")
"$MQ" -c "$WORK/keep.conf" snapshot --ebs 2>>"$WORK/all-output"; ok $? "snapshot --ebs with role credentials expiring in 2 minutes"
tail -n +$((n0 + 1)) "$WORK/mq.log" | grep -q "the instance role's credentials expire at .*: fetching them again" &&
	tail -n +$((n0 + 1)) "$WORK/mq.log" | grep -q "retention: 1 set kept"
ok $? "they were fetched again after unlock, and retention ran"
role_creds "2099-01-01T00:00:00Z"

diag "two configs on one instance, same volumes, no name_suffix, keep = 2 each"
ebs_config "$WORK/other.conf" raid1 "keep = 2"
mine=$(sets "$keep_owner")
for k in 1 2 3; do
	"$MQ" -c "$WORK/other.conf" snapshot --ebs 2>>"$WORK/all-output"; ok $? "the other config: run $k exits 0"
done
other_owner=$(owner_of "$(last_set)")
[ "$other_owner" != "$keep_owner" ]; ok $? "its sets carry another tag ($other_owner)"
[ "$(sets "$other_owner" | wc -l)" -eq 2 ]; ok $? "it keeps two of its own sets"
[ "$(sets "$keep_owner")" = "$mine" ] && [ -n "$mine" ]; ok $? "and the first config's set is untouched ($mine)"

diag "refused before anything is locked"
# refused WHAT CODE TEXT: the last run exited CODE, said TEXT, held
# nothing, and made no real call (the request log is emptied after)
refused() {
	ok $(( ST != $2 )) "$1: exit $2 (got $ST)"
	grep -qF -- "$3" "$WORK/err"; ok $? "$1: says \"$3\""
	[ "$(real_creates)" -eq 0 ] && nothing_held; ok $? "$1: nothing locked or frozen, no snapshot made"
	: >"$AWS_DIR/requests.log"
}
: >"$AWS_DIR/requests.log"; rm -rf "$WORK/run"
AWS_ACCESS_KEY_ID=$(world quiesce.id) AWS_SECRET_ACCESS_KEY=Wrong-Secret-7q2 snap --ebs
refused "a wrong secret" 5 "EBS DescribeInstances: AuthFailure"
AWS_ACCESS_KEY_ID=$(world weak.id) AWS_SECRET_ACCESS_KEY=$(world weak.secret) snap --ebs
refused "a user without ec2:CreateSnapshots" 5 "EBS CreateSnapshots: AccessDenied: User: arn:aws:iam::123456789012:user/weak is not authorized to perform: ec2:CreateSnapshots"
AWS_ACCESS_KEY_ID=$(world quiesce.id) AWS_SECRET_ACCESS_KEY=$(world quiesce.secret) snap --ebs
ok $ST "the right keys in the environment: exit 0"
: >"$AWS_DIR/requests.log"
grep -q "credentials from the environment" "$WORK/mq.log"; ok $? "and the log says where they came from"
role_creds "2020-01-01T00:00:00Z"
snap --ebs
refused "expired instance-role credentials" 5 "instance role snap-role: instance metadata served credentials that expired at"
role_creds "2099-01-01T00:00:00Z" "Not-The-Role-Secret-4k"
snap --ebs
refused "a role secret that does not match its session" 5 "EBS DescribeInstances: AuthFailure"
# malformed JSON, broken just where the secret stands: the error names
# the line, never the text the parser stopped at
printf '{"Code": "Success", "AccessKeyId": "%s", "SecretAccessKey": Leak-Me-9xq7, "Token": "t"}\n' "$(world role.id)" >"$AWS_DIR/role.json"
snap --ebs
refused "instance-role credentials that are not JSON" 3 "instance role snap-role: credentials are not JSON (line 1)"
! grep -q "Leak" "$WORK/err" "$WORK/out" "$WORK/mq.log"; ok $? "and no part of the answer is quoted"
role_creds "2099-01-01T00:00:00Z"
mkdir -p "$WORK/home/.aws"
printf '[other]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$(world quiesce.id)" "$(world quiesce.secret)" >"$WORK/home/.aws/credentials"
chmod 600 "$WORK/home/.aws/credentials"
ebs_config "$WORK/prof.conf" raid1 "profile = other"
"$MQ" -c "$WORK/prof.conf" snapshot --ebs --dry-run >"$WORK/out" 2>&1
grep -q "^credentials: *the shared files, profile other$" "$WORK/out"; ok $? "[ebs] profile reads ~/.aws/credentials"
ebs_config "$WORK/prof.conf" raid1 "profile = missing"
"$MQ" -c "$WORK/prof.conf" snapshot --ebs >"$WORK/out" 2>"$WORK/err"; ST=$?
refused "a profile that does not exist" 3 "AWS profile missing: not found in the shared credentials or config file"

diag "temporary credentials in the shared files: session tokens past libinih's line"
# the role's own (moto checks it byte for byte: $(world role.token | wc -c) bytes with the newline)
printf '[tmp]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n' \
	"$(world role.id)" "$(world role.secret)" "$(world role.token)" >"$WORK/home/.aws/credentials"
ebs_config "$WORK/prof.conf" raid1 "profile = tmp"
"$MQ" -c "$WORK/prof.conf" snapshot --ebs --dry-run >"$WORK/out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q "^dry run: *CreateSnapshots would be allowed$" "$WORK/out"
ok $? "the role's $(( $(world role.token | wc -c) - 1 ))-character token from ~/.aws/credentials: EC2 accepts it (exit $st)"
# a 1,016-character one ending in ==, as STS hands out: the proxy, as
# EC2 does, refuses any request whose token is not this one exactly
long=$(python3 -c 'print("IQoJb3JpZ2luX2VjE" + "Ab9+/" * 199 + "Ab==")')
printf '%s' "$long" >"$AWS_DIR/long.token"
printf '[tmp]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n' \
	"$(world quiesce.id)" "$(world quiesce.secret)" "$long" >"$WORK/home/.aws/credentials"
mode "token $AWS_DIR/long.token"
"$MQ" -c "$WORK/prof.conf" snapshot --ebs --dry-run >"$WORK/out" 2>&1; st=$?
mode
[ $st -eq 0 ] && grep -q "^dry run: *CreateSnapshots would be allowed$" "$WORK/out"
ok $? "a ${#long}-character token is sent whole (exit $st: $(grep -m1 -i "fail\|error\|dry run" "$WORK/out"))"
! grep -qF "${long:0:40}" "$WORK/out" "$WORK/mq.log"; ok $? "and never printed"
rm -rf "$WORK/home/.aws"
for c in store:"/dev/nvme1n1 is instance storage (Amazon EC2 NVMe Instance Storage): EBS cannot snapshot it" \
	 foreign:"/dev/nvme1n1 is vol-0123456789abcdef0, which is not attached to $INSTANCE" \
	 bare:"/dev/sda maps to no EBS volume attached to $INSTANCE"; do
	ebs_capture "${c%%:*}" "${c%%:*}" "$DATADIR"
	ebs_config "$WORK/x.conf" "${c%%:*}"
	"$MQ" -c "$WORK/x.conf" snapshot --ebs >"$WORK/out" 2>"$WORK/err"; ST=$?
	refused "device ${c%%:*}" 11 "${c#*:}"
done

diag "a hanging call: thawed and unlocked at the deadline"
mode hang
EBS_TIMEOUT=30 ebs_config "$WORK/hang.conf" raid1
: >"$AWS_DIR/requests.log"
t0=$(now_ms); "$MQ" -c "$WORK/hang.conf" snapshot --ebs --timeout 3 >"$WORK/out" 2>"$WORK/err"; ST=$?; EL=$(( $(now_ms) - t0 ))
mode
ok $(( ST != 6 )) "exit 6 (got $ST)"
[ "$EL" -ge 3000 ] && [ "$EL" -le 6000 ]; ok $? "at the deadline: 3 s <= ${EL} ms <= 6 s"
grep -q "EBS CreateSnapshots: no answer by the deadline" "$WORK/err"; ok $? "it names the call"
no_holder && can_write && fs_writable; ok $? "thawed and unlocked"

diag "throttling is retried inside the bound"
mode "throttle 2"
: >"$AWS_DIR/requests.log"
snap --ebs
mode
ok $ST "two RequestLimitExceeded, then success: exit 0"
[ "$(grep -c "EBS CreateSnapshots: RequestLimitExceeded: .*trying again in" "$WORK/mq.log")" -ge 2 ]; ok $? "each retry is logged"
[ "$(real_creates)" -eq 3 ] && [ "$(snapshots_of "$(last_set)" | wc -l)" -ge 2 ]; ok $? "three calls, one set"

diag "a call that timed out after EC2 made the set: no second set"
mode hang-after
EBS_TIMEOUT=2 ebs_config "$WORK/dup.conf" raid1
: >"$AWS_DIR/requests.log"
"$MQ" -c "$WORK/dup.conf" snapshot --ebs --timeout 10 >"$WORK/out" 2>"$WORK/err"; ST=$?
mode
ok $ST "exit 0: the set was made"
grep -q "but the set $(last_set) was made: not trying again" "$WORK/mq.log"; ok $? "it looked the set up instead of trying again"
[ "$(real_creates)" -eq 1 ] && [ "$(requests DescribeSnapshots | grep -c "tag:mysql-quiesce:set-id")" -eq 1 ]
ok $? "one CreateSnapshots, one lookup by set id"
n=$(snapshots_of "$(last_set)" | wc -l)
[ "$n" -eq 3 ]; ok $? "one set of $n snapshots (moto snapshots all three attached volumes)"

diag "a server error: the set looked up, not made, made once more"
mode "error500 1"
: >"$AWS_DIR/requests.log"
snap --ebs
mode
ok $ST "exit 0"
[ "$(real_creates)" -eq 2 ] && [ "$(snapshots_of "$(last_set)" | wc -l)" -eq 3 ]; ok $? "two calls, one set"

diag "a call EC2 made, answered with a server error: looked up, not made twice"
mode made500
: >"$AWS_DIR/requests.log"
snap --ebs
mode
ok $ST "exit 0: the set was made"
[ "$(real_creates)" -eq 1 ] && [ "$(requests DescribeSnapshots | grep -c "tag:mysql-quiesce:set-id")" -eq 1 ] &&
	grep -q "but the set $(last_set) was made: not trying again" "$WORK/mq.log"
ok $? "one CreateSnapshots, one lookup that found it, no second set"

diag "the same, and the look-up fails too: never a blind second call"
printf 'made500\ndescribe500\n' >"$AWS_DIR/mode"
: >"$AWS_DIR/requests.log"
snap --ebs
mode
ok $(( ST == 0 )) "not called a success (exit $ST)"
[ "$(real_creates)" -eq 1 ]; ok $? "one CreateSnapshots only ($(real_creates)): a set EC2 may have made is not made again"
no_holder && can_write && fs_writable; ok $? "thawed and unlocked"

diag "a failed snapshot: retention deletes nothing"
ebs_config "$WORK/keepfail.conf" raid1 "keep = 1"
"$MQ" -c "$WORK/keepfail.conf" snapshot --ebs 2>>"$WORK/all-output"; ok $? "keep = 1: a good run"
mode "error500 99"
: >"$AWS_DIR/requests.log"
"$MQ" -c "$WORK/keepfail.conf" snapshot --ebs --timeout 3 >"$WORK/out" 2>"$WORK/err"; ST=$?
mode
[ "$ST" -ne 0 ] && [ "$(requests DeleteSnapshot | wc -l)" -eq 0 ]; ok $? "a run whose CreateSnapshots failed (exit $ST) sends no DeleteSnapshot"

diag "throttled until the deadline: the backoff never sleeps past it"
mode "throttle 99"
t0=$(now_ms); "$MQ" snapshot --ebs --timeout 3 >"$WORK/out" 2>"$WORK/err"; ST=$?; EL=$(( $(now_ms) - t0 ))
mode
t_fr=$(iso_s "$(grep 'snapshot INFO froze ' "$WORK/mq.log" | tail -1 | cut -d' ' -f1)")
t_th=$(iso_s "$(grep 'snapshot INFO thawed' "$WORK/mq.log" | tail -1 | cut -d' ' -f1)")
fz=$(awk -v a="$t_fr" -v b="$t_th" 'BEGIN { printf "%d", (b - a) * 1000 }')
# It gives up once the next backoff (at most 2 s) would end past the
# deadline: no sooner than 1 s in, never after 3 s.
[ "$ST" -ne 0 ] && [ "$fz" -ge 1000 ] && [ "$fz" -le 3050 ] && [ "$(real_creates)" -ge 4 ]
ok $? "exit $ST after $(real_creates) calls; the filesystems were frozen $fz ms, within the 3 s deadline (+ 50 ms; a backoff slept past it overruns by its own length)"
no_holder && can_write && fs_writable; ok $? "thawed and unlocked"

diag "the data on the boot volume: the boot volume is in the set"
ebs_capture bootcap boot "$DATADIR"
ebs_config "$WORK/boot.conf" bootcap
: >"$AWS_DIR/requests.log"
"$MQ" -c "$WORK/boot.conf" snapshot --ebs --dry-run >"$WORK/out" 2>&1; st=$?
[ $st -eq 0 ] && requests CreateSnapshots | grep -q '"InstanceSpecification.ExcludeBootVolume": "false"'
ok $? "ExcludeBootVolume = false when the data is on it (exit $st)"

diag "the signer's clock is UTC whatever TZ says"
for tz in Pacific/Kiritimati America/Los_Angeles; do
	TZ=$tz "$MQ" snapshot --ebs --dry-run >"$WORK/out" 2>&1; st=$?
	[ $st -eq 0 ] && grep -q "^dry run: *CreateSnapshots would be allowed$" "$WORK/out"
	ok $? "TZ=$tz: EC2 takes the request's date (exit $st)"
done

diag "no secret in any output"
"$MQ" status >>"$WORK/all-output" 2>&1
"$MQ" status --json >>"$WORK/all-output" 2>&1
printf '%s\n' Wrong-Secret-7q2 Not-The-Role-Secret-4k "$(world quiesce.secret)" "$(world role.secret)" \
	"$(world role.token)" "$(world weak.secret)" >"$WORK/secrets"
while read -r s; do
	# the check can fail: the same grep finds each in the file it came from
	[ -n "$s" ] && grep -qF -- "$s" "$WORK/secrets" || bail "the secret check looks for nothing"
	! grep -qF -- "$s" "$WORK/mq.log" "$WORK/all-output" "$AWS_DIR/requests.log"
	ok $? "secret ${s:0:4}... is in no log line, output or request parameter"
done <"$WORK/secrets"

done_testing
