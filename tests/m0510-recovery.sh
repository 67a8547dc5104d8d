#!/bin/bash
# MySQL, live: method recovery (LOCK INSTANCE FOR BACKUP, the position
# read from performance_schema.log_status) under four InnoDB writers.
# No commit is blocked under the hold; the info file marks its position
# a lower bound; each block copy, verified with this server's binary,
# yields exact coordinates (--write-info) that the restored server
# holds, with the transfers, balances, GTID set and binary log in
# agreement. Then the negative controls: a MyISAM table and
# innodb_flush_log_at_trx_commit = 0 are refused.
# timeout: 600
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mysql.sh"
M_ENGINE=InnoDB
. "$(dirname "$0")/proof.sh"

CYCLES=${CYCLES:-3}
METHOD=recovery SOCK=$SRC_SOCK DATADIR=$IMG_MNT/data write_config "$WORK/c.conf"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf
held_cycles recovery "MySQL recovery" "$CYCLES"
log_has "lock method recovery"; ok $? "the log names the method"

diag "negative controls"
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 0" || bail "cannot set the flush"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "innodb_flush_log_at_trx_commit and sync_binlog are 0 1, not 1 1" "$WORK/err" && no_holder
ok $? "innodb_flush_log_at_trx_commit = 0: refused, exit 3, nothing locked (got $st: $(head -c 200 "$WORK/err"))"
sql "SET GLOBAL innodb_flush_log_at_trx_commit = 1" || bail "cannot set the flush"
sql "ALTER TABLE bank.log_m ENGINE=MyISAM" || bail "cannot make a MyISAM table"
"$BIN/pre-freeze-script" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "tables that are not transactional: bank.log_m (MyISAM)" "$WORK/err" && no_holder
ok $? "a MyISAM table: refused, exit 3, named, nothing locked (got $st: $(head -c 200 "$WORK/err"))"
done_testing
