#!/bin/bash
# snapshot --ebs with several servers ([mysql NAME] sections) against
# moto_server with signature checking on: both servers' data on one
# filesystem on md RAID1 over two NVMe EBS volumes; one CreateSnapshots
# for all of them while frozen and both locked, every snapshot of the
# set tagged with each server's coordinates as its info file holds them;
# retention counts the set once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/aws.sh"
need fsfreeze

loop_mount xfs 400 "$WORK/main.img" "$WORK/mnt"
DATA_AT=$WORK/mnt/a server_start a
A=$SOCK A_DATA=$DATADIR
make_tables || bail "cannot make a's tables"
DATA_AT=$WORK/mnt/b server_start b --server-id=2
B=$SOCK B_DATA=$DATADIR
make_tables || bail "cannot make b's tables"
aws_world
ebs_capture raid1 raid1 "$A_DATA"

# conf FILE [lines]: the EBS world's config, with the two servers
conf() {
	local f=$1; shift
	ebs_config "$f" raid1 "$@"
	sed -i '/^binlog_info_file = /d; /^socket = /d' "$f"
	printf '[mysql a]\nsocket = %s\n[mysql b]\nsocket = %s\n' "$A" "$B" >>"$f"
}
conf "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
real_creates() { requests CreateSnapshots | grep -vc '"DryRun": "true"'; }
pos_of() { sed -n 's/^binlog_pos = //p' "$1/binlog_info.txt"; }
file_of() { sed -n 's/^binlog_file = //p' "$1/binlog_info.txt"; }
gtid_of() { sed -n 's/^gtid_binlog_pos = //p' "$1/binlog_info.txt"; }

"$MQ" snapshot --ebs --dry-run >"$WORK/dry.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q '^\[mysql a\]' "$WORK/dry.out" && grep -q '^\[mysql b\]' "$WORK/dry.out" &&
	grep -q "^volume: *$VOL1 /dev/sdf = /dev/nvme1n1$" "$WORK/dry.out" &&
	grep -q "^dry run: *CreateSnapshots would be allowed$" "$WORK/dry.out"
ok $? "--dry-run: each server's plan, their one filesystem's two volumes, EC2's DryRun allowed (exit $st)"

: >"$AWS_DIR/requests.log"
# a writer on each server throughout
writer() { while [ ! -e "$WORK/stop" ]; do mariadb --no-defaults -S "$1" -uroot -e "INSERT INTO t.inno (v) VALUES (1)" 2>/dev/null; done; }
writer "$A" & W1=$!
writer "$B" & W2=$!
"$MQ" snapshot --ebs >"$WORK/out" 2>&1; st=$?
touch "$WORK/stop"; wait "$W1" "$W2"
ok $st "snapshot --ebs with two servers: exit 0 ($(tail -1 "$WORK/out"))"
[ "$(real_creates)" -eq 1 ]; ok $? "one CreateSnapshots for both servers"
set=$(last_set)
snapshots_of "$set" >"$WORK/set"
[ "$(wc -l <"$WORK/set")" -ge 2 ] &&
	! grep -v "\"mysql-quiesce:a:binlog-file\": \"$(file_of "$A_DATA")\", \"mysql-quiesce:a:binlog-pos\": \"$(pos_of "$A_DATA")\", \"mysql-quiesce:a:coordinates\": \"exact\", \"mysql-quiesce:a:gtid\": \"$(gtid_of "$A_DATA")\"" "$WORK/set" &&
	! grep -v "\"mysql-quiesce:b:binlog-file\": \"$(file_of "$B_DATA")\", \"mysql-quiesce:b:binlog-pos\": \"$(pos_of "$B_DATA")\", \"mysql-quiesce:b:coordinates\": \"exact\", \"mysql-quiesce:b:gtid\": \"$(gtid_of "$B_DATA")\"" "$WORK/set"
ok $? "every snapshot of the set carries each server's coordinates, as its info file holds them"
! grep -v "\"mysql-quiesce:servers\": \"a b\"" "$WORK/set" && ! grep -v " mysql-quiesce servers:a b set:$set " "$WORK/set"
ok $? "and the servers' names, in a tag and the description"
! grep -q '"mysql-quiesce:binlog-pos"' "$WORK/set"
ok $? "no single-server coordinates tag that could be read as both's"
[ "$(pos_of "$A_DATA")" != "$(pos_of "$B_DATA")" ] || [ "$(gtid_of "$A_DATA")" != "$(gtid_of "$B_DATA")" ] ||
	[ "$(file_of "$A_DATA")" != "$(file_of "$B_DATA")" ]
ok $? "negative control: the two servers' coordinates differ, so a swap would be seen"

# retention counts the set once
conf "$WORK/keep.conf" "keep = 1"
"$MQ" -c "$WORK/keep.conf" snapshot --ebs >/dev/null 2>&1; ok $? "keep = 1: a first run"
first=$(last_set)
"$MQ" -c "$WORK/keep.conf" snapshot --ebs >/dev/null 2>&1; ok $? "keep = 1: a second run"
second=$(last_set)
[ -n "$first" ] && [ "$first" != "$second" ] && [ -z "$(snapshots_of "$first")" ] &&
	[ "$(snapshots_of "$second" | wc -l)" -ge 2 ]
ok $? "the first set deleted whole, the second kept whole: one set, counted once"
done_testing
