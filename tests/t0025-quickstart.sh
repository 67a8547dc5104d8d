#!/bin/bash
# serial
# The README's quick start, as written: its binary-logging lines, its
# config, check, the first freeze and thaw, and verify of the first
# snapshot, taken from the README itself and run against a throwaway
# server laid out as Debian's (data in var/lib/mysql, binary logs in
# var/log/mysql, the image's own my.cnf naming them) on a loop
# filesystem that stands for the root filesystem. Only the paths are
# changed: / becomes that filesystem, /mnt/snap (the README's "your
# path") the snapshot's copy, the package built in the test's own
# directory, and the log and run_dir the test's own. The package is
# built from the tree and installed as step 1 says, and purged after. A
# quick start that stops working fails here.
. "$(dirname "$0")/lib.sh"
need fsfreeze awk dpkg apt
dpkg -s mysql-quiesce >/dev/null 2>&1 && bail "mysql-quiesce is installed as a package already: not touching it"
[ -e /etc/mysql-quiesce.conf ] && bail "/etc/mysql-quiesce.conf exists (make install?): the package would take it"
trap 'dpkg --purge mysql-quiesce >/dev/null 2>&1; cleanup' EXIT

README=$TOP/README.md
# block N: the first fenced block after the README's step "**N."
block() {
	awk -v n="**$1." 'index($0, n) == 1 { s = 1; next }
		s && /^```/ { if (in_b) exit; in_b = 1; next }
		in_b { print }' "$README"
}
for n in 1 2 3 4 6 7; do [ -n "$(block $n)" ] || bail "the README has no step $n block"; done

# step 1: the build dependencies are make check's own already; the
# package built in this test's directory
block 1 | awk '/^apt-get / { skip = /\\$/; next } skip { skip = /\\$/; next } { print }' |
	sed "s|^make deb$|make -s -C '$TOP' deb DEB_DIR='$WORK/deb' >'$WORK/deb.log' 2>\&1|; s|/tmp/mysql-quiesce-deb|$WORK/deb|" >"$WORK/step1.sh"
grep -q "^apt install -y $WORK/deb/mysql-quiesce_" "$WORK/step1.sh"; ok $? "step 1 read from the README: the package built, then installed with apt"
bash -e "$WORK/step1.sh" >"$WORK/step1.out" 2>&1; st=$?
[ $st -eq 0 ] && dpkg -s mysql-quiesce >/dev/null 2>&1 && [ -x /usr/sbin/mysql-quiesce ]
ok $? "step 1 as written: the package from the tree is installed (exit $st: $(tail -1 "$WORK/step1.out"))"

R=$WORK/rootfs                      # stands for /
loop_mount xfs 320 "$WORK/root.img" "$R"
# step 2, its paths moved under R: the directory, the server's config
mkdir -p "$R/etc/mysql/mariadb.conf.d" "$R/var/lib"
printf '[mysqld]\n!includedir /etc/mysql/mariadb.conf.d/\n' >"$R/etc/mysql/my.cnf"
block 2 | grep -v '^systemctl ' | sed "s|/var/log/mysql|$R/var/log/mysql|g; s|>/etc/mysql|>$R/etc/mysql|; s|mysql:mysql|root:root|" >"$WORK/step2.sh"
bash -e "$WORK/step2.sh"; ok $? "step 2 as written: the binary logs' directory made, the server's config written"
# the image's own config names /var/log/mysql, as on the host it stands for
sed -i "s|$R/var/log/mysql|/var/log/mysql|" "$R/etc/mysql/mariadb.conf.d/60-binlog.cnf"
grep -qx "log_bin = /var/log/mysql/mysql-bin.log" "$R/etc/mysql/mariadb.conf.d/60-binlog.cnf"
ok $? "negative control: the written config names the README's log_bin"
mkdir -p "$WORK/srv"
echo "$R/var/lib/mysql" >"$WORK/srv/datadir"
install_db "$R/var/lib/mysql" "$WORK/srv/install.log" || bail "cannot install the server"
server_run "$WORK/srv" --log-bin="$R/var/log/mysql/mysql-bin" --server-id=1
make_tables

# step 3's config, its paths the test's
block 3 | awk '/^\[mysql\]/ { s = 1 } s' | sed "s|^socket = .*|socket = $SOCK|; s|/var/lib/mysql|$R/var/lib/mysql|" >"$WORK/c.conf"
printf 'run_dir = %s\nlog_file = %s\n' "$WORK/run" "$WORK/mq.log" >>"$WORK/c.conf"
chmod 600 "$WORK/c.conf"
grep -qx "user = root" "$WORK/c.conf" && grep -qx "binlog_info_file = $R/var/lib/mysql/binlog_info.txt" "$WORK/c.conf"
ok $? "step 3's config: root over the socket, the info file in the data directory"
export MYSQL_QUIESCE_CONFIG=$WORK/c.conf PATH=/usr/sbin:$PATH

# step 4
block 4 >"$WORK/step4.sh"
isolated bash "$WORK/step4.sh" >"$WORK/check.out" 2>&1; st=$?
[ $st -eq 0 ] && tail -1 "$WORK/check.out" | grep -qx ready
ok $? "step 4, check as written: ready (exit $st: $(grep -m1 'FAIL\|warn' "$WORK/check.out"))"

# step 6, the caller's snapshot taken between its freeze and its thaw
block 6 | sed "s|/var/log/mysql-quiesce.log|$WORK/mq.log|" >"$WORK/step6.sh"
head -1 "$WORK/step6.sh" >"$WORK/step6-freeze.sh"
tail -n +2 "$WORK/step6.sh" >"$WORK/step6-thaw.sh"
bash -e "$WORK/step6-freeze.sh" >"$WORK/step6.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q "^phase: *locked" "$WORK/step6.out"
ok $? "step 6: freeze && status as written: locked (exit $st)"
fsfreeze -f "$R" && cp --sparse=always "$WORK/root.img" "$WORK/snap.img"; st=$?
fsfreeze -u "$R"
ok $st "the caller's snapshot: the filesystem frozen and copied"
bash -e "$WORK/step6-thaw.sh" >>"$WORK/step6.out" 2>&1; st=$?
[ $st -eq 0 ] && grep -q "writes were blocked for" "$WORK/step6.out" && can_write
ok $? "step 6: thaw and the log's last lines as written: released, the stall said (exit $st)"

# step 7, /mnt/snap (the README's "your path") the snapshot's copy
mount_copy "$WORK/snap.img" "$WORK/snap" nouuid || bail "cannot mount the snapshot"
block 7 | sed "s|/mnt/snap|$WORK/snap|g" >"$WORK/step7.sh"
bash "$WORK/step7.sh" >"$WORK/step7.out" 2>&1; st=$?
[ $st -eq 0 ] && tail -1 "$WORK/step7.out" | grep -qx consistent
ok $? "step 7, verify as written: consistent (exit $st: $(grep -m1 FAIL "$WORK/step7.out"))"
grep -q "binary log in $WORK/snap/var/log/mysql" "$WORK/step7.out"
ok $? "and it found the binary logs where the image's config puts them"
server_stop "$WORK/srv"
dpkg --purge mysql-quiesce >/dev/null 2>&1; ok $? "the package purged"

done_testing
