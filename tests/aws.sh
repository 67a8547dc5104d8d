# tests/aws.sh - sourced after lib.sh by the EBS tests: an AWS world on
# 127.0.0.1 (moto_server checking every signature, an IMDSv2 stand-in,
# a fault-injecting proxy), and captured sysfs trees that put the data's
# filesystem on NVMe EBS volumes.

need moto_server python3 curl timeout

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# aws_world: start it all. Sets AWS_DIR, EC2_URL, IMDS_URL, INSTANCE,
# VOL1..VOL3, BOOT_VOL, and world KEY reads world.json.
aws_world() {
	local port
	AWS_DIR=$WORK/aws
	mkdir -p "$AWS_DIR" "$WORK/home"
	port=$(free_port)
	moto_server -H 127.0.0.1 -p "$port" >"$AWS_DIR/moto.log" 2>&1 &
	echo $! >>"$WORK/pids"
	MOTO_URL=http://127.0.0.1:$port
	wait_for 30 curl -sf -o /dev/null "$MOTO_URL/moto-api/" ||
		bail "moto_server did not start: $(tail -3 "$AWS_DIR/moto.log")"
	python3 "$TOP/tests/aws-setup.py" "$MOTO_URL" "$AWS_DIR" >"$AWS_DIR/setup.log" 2>&1 ||
		bail "aws-setup.py failed: $(tail -3 "$AWS_DIR/setup.log")"
	# from now on moto checks every request's signature and permissions
	curl -sf -X POST -H "Content-Type: text/plain" -d 0 "$MOTO_URL/moto-api/reset-auth" >/dev/null ||
		bail "cannot turn moto's authentication on"
	INSTANCE=$(world instance)
	VOL1=$(world 'volumes[0]') VOL2=$(world 'volumes[1]') VOL3=$(world 'volumes[2]')
	BOOTVOL=$(world boot)
	BOOT_VOL=$(world boot)
	echo "$INSTANCE" >"$AWS_DIR/instance-id"
	world region >"$AWS_DIR/region"
	echo db1 >"$AWS_DIR/name"
	role_creds "2099-01-01T00:00:00Z"
	port=$(free_port)
	python3 "$TOP/tests/aws-stub.py" imds "$port" "$AWS_DIR" 2>"$AWS_DIR/imds.log" &
	echo $! >>"$WORK/pids"
	IMDS_URL=http://127.0.0.1:$port
	port=$(free_port)
	python3 "$TOP/tests/aws-stub.py" proxy "$port" "$MOTO_URL" "$AWS_DIR" 2>"$AWS_DIR/proxy.log" &
	echo $! >>"$WORK/pids"
	EC2_URL=http://127.0.0.1:$port
	wait_for 10 curl -sf -o /dev/null -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" \
		"$IMDS_URL/latest/api/token" || bail "the IMDS stand-in did not start"
	wait_for 10 sh -c "curl -s -o /dev/null -X POST '$EC2_URL/'" || bail "the EC2 proxy did not start"
	: >"$AWS_DIR/mode"
	export HOME=$WORK/home   # no ~/.aws of the machine's
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE \
		AWS_SHARED_CREDENTIALS_FILE AWS_CONFIG_FILE AWS_REGION AWS_DEFAULT_REGION
}

# world PATH: a value of world.json (a.b or a[0]).
world() {
	python3 -c "import json,sys; w = json.load(open('$AWS_DIR/world.json')); print(eval('w' + ''.join('[%r]' % p if not p.endswith(']') else '[%r][%s' % (p.split('[')[0], p.split('[')[1]) for p in sys.argv[1].split('.'))))" "$1"
}

# role_creds EXPIRATION [SECRET]: the instance role's credentials as
# IMDS serves them.
role_creds() {
	echo snap-role >"$AWS_DIR/role"
	printf '{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "%s", "SecretAccessKey": "%s", "Token": "%s", "Expiration": "%s"}\n' \
		"$(world role.id)" "${2:-$(world role.secret)}" "$(world role.token)" "$1" >"$AWS_DIR/role.json"
}

# mode LINE...: the proxy's misbehaviour (empty: none).
mode() { printf '%s\n' "$@" >"$AWS_DIR/mode"; }

# requests ACTION: the logged requests of ACTION, one JSON object a line.
requests() { awk -v a="$1" '$2 == a { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$AWS_DIR/requests.log" 2>/dev/null; }

# snapshots_of SET: the snapshot ids of a set, from moto (signed by boto3).
snapshots_of() {
	python3 - "$1" <<EOF
import boto3, json, sys
w = json.load(open("$AWS_DIR/world.json"))
ec2 = boto3.client("ec2", endpoint_url="$MOTO_URL", region_name=w["region"],
                   aws_access_key_id=w["quiesce"]["id"], aws_secret_access_key=w["quiesce"]["secret"])
for s in ec2.describe_snapshots(Filters=[{"Name": "tag:mysql-quiesce:set-id", "Values": [sys.argv[1]]}])["Snapshots"]:
    print(s["SnapshotId"], s["VolumeId"], s["Description"], json.dumps({t["Key"]: t["Value"] for t in s.get("Tags", [])}, sort_keys=True))
EOF
}

# last_set: the id of the newest set the log names.
last_set() { sed -n 's/.*EBS CreateSnapshots: set \(mq-[0-9a-f]*\).*/\1/p' "$WORK/mq.log" | tail -1; }

# sets [OWNER]: the set ids of this instance in moto, one a line; with
# OWNER, only the sets whose mysql-quiesce:config tag is OWNER.
sets() {
	python3 - "${1:-}" <<EOF
import boto3, json, sys
w = json.load(open("$AWS_DIR/world.json"))
ec2 = boto3.client("ec2", endpoint_url="$MOTO_URL", region_name=w["region"],
                   aws_access_key_id=w["quiesce"]["id"], aws_secret_access_key=w["quiesce"]["secret"])
ids = set()
for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]:
    tags = {t["Key"]: t["Value"] for t in s.get("Tags", [])}
    if "mysql-quiesce:set-id" in tags and sys.argv[1] in ("", tags.get("mysql-quiesce:config")):
        ids.add(tags["mysql-quiesce:set-id"])
print("\n".join(sorted(ids)))
EOF
}

# owner_of SET: the mysql-quiesce:config tag of SET's snapshots.
owner_of() { snapshots_of "$1" | sed -n 's/.*"mysql-quiesce:config": "\([^"]*\)".*/\1/p' | sort -u; }

# ebs_capture NAME SCENARIO PATH: proc/self/mountinfo and a sys tree in
# $WORK/NAME in which PATH's filesystem (mounted at its real mount
# point) sits on SCENARIO's devices:
#   raid1     md0 over nvme1n1p1 + nvme2n1p1: EBS $VOL1 and $VOL2
#   single    nvme1n1: EBS $VOL1
#   xen       xvdf (attached as /dev/sdf: $VOL1)
#   store     nvme1n1: EC2 instance storage
#   foreign   nvme1n1: an EBS volume not attached to this instance
#   bare      sda: attached nowhere
#   boot      nvme0n1: the instance's boot volume $BOOTVOL
ebs_capture() {
	local r=$WORK/$1 s=$WORK/$1/sys devno mnt top src
	devno=$(stat -c '%Hd:%Ld' "$3")
	mnt=$(stat -c %m "$3")
	rm -rf "$r"; mkdir -p "$r/proc/self" "$s/class/block" "$s/dev/block"
	blk() { mkdir -p "$s/devices/$2/$1"; ln -s "../../devices/$2/$1" "$s/class/block/$1"; }
	nvme() { # nvme DISK CTRL MODEL SERIAL [PART]
		blk "$1" "pci/$2"
		mkdir -p "$s/devices/pci/$2/$1/device"
		echo "$3" >"$s/devices/pci/$2/$1/device/model"
		printf '%-20s\n' "$4" >"$s/devices/pci/$2/$1/device/serial"
		if [ -n "${5:-}" ]; then
			blk "$5" "pci/$2/$1"; touch "$s/devices/pci/$2/$1/$5/partition"
		fi
	}
	local ebs="Amazon Elastic Block Store"
	case $2 in
	raid1)	nvme nvme1n1 n1 "$ebs" "${VOL1/-/}" nvme1n1p1
		nvme nvme2n1 n2 "$ebs" "${VOL2/-/}" nvme2n1p1
		blk md0 virtual/block
		mkdir -p "$s/class/block/md0/slaves"
		ln -s ../../nvme1n1p1 "$s/class/block/md0/slaves/nvme1n1p1"
		ln -s ../../nvme2n1p1 "$s/class/block/md0/slaves/nvme2n1p1"
		top=md0 src=/dev/md0 ;;
	single)	nvme nvme1n1 n1 "$ebs" "${VOL1/-/}"; top=nvme1n1 src=/dev/nvme1n1 ;;
	store)	nvme nvme1n1 n1 "Amazon EC2 NVMe Instance Storage" AWS1234567890ABCDEF; top=nvme1n1 src=/dev/nvme1n1 ;;
	foreign) nvme nvme1n1 n1 "$ebs" vol0123456789abcdef0; top=nvme1n1 src=/dev/nvme1n1 ;;
	xen)	blk xvdf xen/vbd-51792; top=xvdf src=/dev/xvdf ;;
	bare)	blk sda pci/a0; top=sda src=/dev/sda ;;
	boot)	nvme nvme0n1 n0 "$ebs" "${BOOTVOL/-/}"; top=nvme0n1 src=/dev/nvme0n1 ;;
	esac
	ln -s "../../devices/x/$top" "$s/dev/block/$devno"
	echo "41 1 $devno / $mnt rw,relatime shared:1 - xfs $src rw" >"$r/proc/self/mountinfo"
}

# ebs_config FILE CAPTURE [extra lines]: a config for $SOCK with [ebs]
# pointed at the stubs and [snapshot] at a captured tree.
ebs_config() {
	local f=$1 cap=$WORK/$2; shift 2
	write_config "$f" "[snapshot]" "proc_root = $cap/proc" "sys_root = $cap/sys" \
		"[ebs]" "endpoint = $EC2_URL" "imds_endpoint = $IMDS_URL" \
		"timeout = ${EBS_TIMEOUT:-5}" "$@"
}
