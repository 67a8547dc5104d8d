#!/bin/bash
# MySQL, live: the proof in t0400's form. Four writers move money in
# InnoDB and MyISAM on a MySQL data directory on a loop-mounted XFS
# image; each ftwrl cycle (freeze, FIFREEZE, copy, FITHAW, thaw) and
# each snapshot-mode cycle takes a block copy, and each copy, verified
# with this server's binary and recovered by a second mysqld, must hold
# exactly the transfers up to its recorded coordinates: rows, balances,
# the GTID set and the binary log agree. The negative control (the
# coordinates read with no lock held) must be caught by the same checks.
# timeout: 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mysql.sh"
. "$(dirname "$0")/proof.sh"

CYCLES=${CYCLES:-4}
METHOD=ftwrl SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
hook_cycles ftwrl "MySQL ftwrl" "$CYCLES"
snapshot_cycles snapshot "MySQL snapshot mode" "${SNAP_CYCLES:-2}"

# The negative control: coordinates read, no lock held, then the copy.
unlocked_control

done_testing
