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
start_writers
read -r file pos _ < <(sql "SHOW MASTER STATUS")
gtid=$(sql "SELECT @@gtid_executed" | tr -d '\n')
printf 'binlog_file = %s\nbinlog_pos = %s\ngtid_executed = %s\n' "$file" "$pos" "$gtid" >"$WORK/control.info"
sleep 0.3
snapshot control; ok $? "control: copy taken without a lock"
stop_writers
CAUGHT=()
verify control control
diag "the control was caught by: ${CAUGHT[*]:-nothing}"
[ "$VERIFY_ST" -eq 12 ]; ok $? "mysql-quiesce verify calls the control not consistent (exit $VERIFY_ST): $(grep '^FAIL' "$WORK/control.verify" | cut -c1-60 | tr '\n' ';')"
[ "${#CAUGHT[@]}" -gt 0 ]; ok $? "the negative control (no lock) is caught by the consistency checks (${#CAUGHT[@]} failed)"

done_testing
