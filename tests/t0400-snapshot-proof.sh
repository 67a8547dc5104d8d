#!/bin/bash
# The proof: a block-level snapshot taken between freeze and thaw restores
# to a consistent state that holds exactly the recorded coordinates.
#
# The data directory lives on a loop-mounted XFS image. Four writers move
# money between accounts, in InnoDB (in transactions) and in MyISAM (one
# statement per transfer), and log every transfer: two alternate the
# engines, two use InnoDB only; each copy must show both kinds' progress. Each cycle does what a
# hypervisor does: freeze, FIFREEZE, copy the image (the copy *is* the
# snapshot), FITHAW, thaw. Each copy is then mounted, checked, and
# recovered by a second server. A negative control takes a copy with the
# coordinates read but no lock held: the same checks must catch it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/proof.sh"

CYCLES=${CYCLES:-3}

# One method's cycles: freeze, FIFREEZE, copy, FITHAW, thaw.
for METHOD in backup-stage ftwrl; do
	SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data write_config "$WORK/c.conf"
	export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
	hook_cycles "$METHOD" "$METHOD" "$CYCLES"
done

# The same proof through snapshot mode: one command does lock, record,
# FIFREEZE, copy, FITHAW, unlock.
SNAP_CYCLES=${SNAP_CYCLES:-2}
METHOD=auto
SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data write_config "$WORK/c.conf"
snapshot_cycles snapshot "snapshot mode" "$SNAP_CYCLES"

# The same proof through snapshot --ebs, against moto: the EC2 proxy
# copies the image the moment CreateSnapshots reaches it, which is the
# point in time of an EBS snapshot. Each set's tags must equal the info
# file the copy carries.
. "$(dirname "$0")/aws.sh"
aws_world
ebs_capture cap single "$IMG_MNT/data"
SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data ebs_config "$WORK/c.conf" cap
EBS_CYCLES=${EBS_CYCLES:-2}
start_writers
for k in $(seq 1 "$EBS_CYCLES"); do
	mode "copy $WORK/main.img $WORK/ebs-$k.img"
	"$MQ" snapshot --ebs; st=$?
	[ -s "$WORK/ebs-$k.img" ] && [ "$st" -eq 0 ]
	ok $? "snapshot --ebs cycle $k: exit 0, the image copied at the call"
	info=$IMG_MNT/data/binlog_info.txt
	want="\"mysql-quiesce:binlog-file\": \"$(sed -n 's/^binlog_file = //p' "$info")\", \"mysql-quiesce:binlog-pos\": \"$(sed -n 's/^binlog_pos = //p' "$info")\", "
	want_gtid="\"mysql-quiesce:gtid\": \"$(sed -n 's/^gtid_binlog_pos = //p' "$info")\""
	snapshots_of "$(last_set)" >"$WORK/ebs-$k.set"
	[ -s "$WORK/ebs-$k.set" ] && ! grep -vF -- "$want" "$WORK/ebs-$k.set" &&
		! grep -vF -- "$want_gtid" "$WORK/ebs-$k.set"
	ok $? "snapshot --ebs cycle $k: every snapshot of set $(last_set) is tagged with the info file's coordinates"
	sleep 0.5
done
mode
stop_writers
verify_cycles ebs "snapshot --ebs" "$EBS_CYCLES"

# The negative control: coordinates read, no lock held, then the copy.
unlocked_control

done_testing
