#!/bin/bash
# The proof for method recovery, in t0400's form: four writers move
# money between InnoDB accounts and log each transfer; every cycle takes
# a block-level copy under the method's hold (which lets them commit on),
# and each copy, recovered by a second server, must hold exactly the
# transfers up to the coordinates verify reads back from it: the rows,
# the balances, the GTID set and the binary log agree, and the recorded
# lower bound is reached, and under each hold both kinds of writer commit
# on. Then the negative controls: a MyISAM table and
# innodb_flush_log_at_trx_commit = 0 are refused; a build forced past the
# MyISAM refusal is caught by the same proof: its MyISAM writers wait for
# the whole hold (on MariaDB the lock keeps them out of the image's way).
# timeout: 600
. "$(dirname "$0")/lib.sh"
M_ENGINE=InnoDB
. "$(dirname "$0")/proof.sh"
need python3

CYCLES=${CYCLES:-3}
METHOD=recovery SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf

held_cycles recovery recovery "$CYCLES"

# snapshot mode with it, under the same writers
snapshot_cycles rsnap "snapshot mode, recovery" "${SNAP_CYCLES:-2}"

# snapshot --ebs with it, against moto: the proxy copies the image when
# CreateSnapshots reaches it; the set is tagged as a lower bound
. "$(dirname "$0")/aws.sh"
aws_world
ebs_capture cap single "$IMG_MNT/data"
METHOD=recovery SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data ebs_config "$WORK/c.conf" cap
EBS_CYCLES=${EBS_CYCLES:-2}
start_writers
for k in $(seq 1 "$EBS_CYCLES"); do
	mode "copy $WORK/main.img $WORK/rebs-$k.img"
	"$MQ" snapshot --ebs; st=$?
	info=$IMG_MNT/data/binlog_info.txt
	snapshots_of "$(last_set)" >"$WORK/rebs-$k.set"
	[ "$st" -eq 0 ] && [ -s "$WORK/rebs-$k.img" ] && [ -s "$WORK/rebs-$k.set" ] &&
		! grep -vF '"mysql-quiesce:coordinates": "lower-bound"' "$WORK/rebs-$k.set" &&
		! grep -vF "mysql-quiesce binlog:$(sed -n 's/^binlog_file = //p' "$info")@>=$(sed -n 's/^binlog_pos = //p' "$info") " "$WORK/rebs-$k.set"
	ok $? "snapshot --ebs with recovery, cycle $k: exit $st, every snapshot of the set tagged a lower bound, its description binlog:FILE@>=POS"
	sleep 0.5
done
mode
stop_writers
verify_cycles rebs "snapshot --ebs, recovery" "$EBS_CYCLES"
METHOD=recovery SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data write_config "$WORK/c.conf"

diag "negative controls"
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 0" || bail "cannot set the flush"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "innodb_flush_log_at_trx_commit and sync_binlog are 0 1, not 1 1" "$WORK/err" && no_holder
ok $? "innodb_flush_log_at_trx_commit = 0 without a freeze: refused, exit 3, nothing locked (got $st)"
"$MQ" snapshot -- true 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "are 0 1, not 1 1" "$WORK/err" && no_holder
ok $? "and in snapshot mode too (flush 0 leaves commits in the server's memory): exit 3 (got $st)"
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 1" || bail "cannot set the flush"

sql "ALTER TABLE bank.acct_m ENGINE=MyISAM; ALTER TABLE bank.log_m ENGINE=MyISAM" || bail "cannot make MyISAM tables"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "tables that are not transactional: bank.acct_m (MyISAM), bank.log_m (MyISAM)" "$WORK/err" && no_holder
ok $? "MyISAM tables written by the writers: refused, exit 3, both named, nothing locked (got $st)"

# A build forced past that refusal (the checks' conditions made false,
# before the wait and under the lock, as the mutants
# recovery-precondition-skipped and recovery-precondition-not-rechecked
# do): its cycles under
# writers of both engines, checked by the same proof.
FORCED=$WORK/forced
mkdir -p "$FORCED" && cp -a "$TOP/Makefile" "$TOP/src" "$TOP/include" "$FORCED/" &&
	sed -i 's/if (y->m->by_recovery &&/if (0 \&\& y->m->by_recovery \&\&/' "$FORCED/src/core/quiesce.c" &&
	grep -q 'if (0 && y->m->by_recovery &&' "$FORCED/src/core/quiesce.c" &&
	sed -i 's/if (h->m->by_recovery && recovery_tables/if (0 \&\& h->m->by_recovery \&\& recovery_tables/' "$FORCED/src/core/holder.c" &&
	grep -q 'if (0 && h->m->by_recovery && recovery_tables' "$FORCED/src/core/holder.c" &&
	make -s -C "$FORCED" mysql-quiesce >"$WORK/forced.log" 2>&1
ok $? "a build forced past the refusal ($(tail -c 200 "$WORK/forced.log"))"
start_writers
"$FORCED/mysql-quiesce" freeze; st=$?
read -r i1 m1 < <(counts)
sleep 0.5
read -r i2 m2 < <(counts)
snapshot forced-1; st2=$?
"$FORCED/mysql-quiesce" thaw; st3=$?
stop_writers
[ "$st" -eq 0 ] && [ "$st2" -eq 0 ] && [ "$st3" -eq 0 ]
ok $? "forced: freeze, FIFREEZE, copy, FITHAW, thaw with the MyISAM tables"
# the same check as each cycle's above, which must fail here
[ "$i2" -gt "$i1" ] && [ "$m2" -gt "$m1" ]; st=$?
ok $(( st == 0 )) "forced: caught, the MyISAM writers did not commit on under the hold ($m1 -> $m2; InnoDB's $i1 -> $i2): BACKUP STAGE FLUSH makes them wait for the whole hold, the stall the method exists to avoid"
# what that wait buys on MariaDB: the copy still holds exactly what the
# binary log says (on MySQL, LOCK INSTANCE FOR BACKUP lets MyISAM writes
# on, and nothing would keep them in step with the image)
verify_cycles forced "forced past the refusal" 1
done_testing
