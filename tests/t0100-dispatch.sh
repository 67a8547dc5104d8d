#!/bin/bash
# Dispatch on argv[0] and verbs, usage and exit codes, and config errors:
# each bad config gets one clear line naming file and line, exit 3.
. "$(dirname "$0")/lib.sh"
need qemu-ga unshare
# another agent of this machine's runs beside this test: its verdicts
# must not change (check reads the host through isolated)
bystander_agent

out=$("$MQ" --version); ok $? "--version exits 0"
echo "$out" | grep -q '^mysql-quiesce [0-9]'; ok $? "--version prints the version"
# the client library is linked in (LINK=static), or opened with dlopen
linked=dynamic; nm "$MQ" 2>/dev/null | grep -q ' T mysql_real_connect$' && linked=static
if [ $linked = dynamic ]; then
	! ldd "$MQ" | grep -q 'libmariadb\|libmysqlclient\|libcrypto\|libcurl'
	ok $? "the default build links no client library, libcrypto or libcurl: each is opened when first needed"
fi
case $linked in
static) want='^libmariadb [0-9.]* (linked statically), TLS library: OpenSSL [0-9]' ;;
*) want='^libmariadb [0-9.]* (shared), TLS library: OpenSSL [0-9]' ;;
esac
echo "$out" | grep -q "$want"; ok $? "--version names the client library, how it is linked ($linked) and its TLS library"
"$MQ" --help | grep -q 'freezeFail'; ok $? "--help lists the verbs"
"$MQ" bogus 2>"$WORK/err"; ok $(( $? != 2 )) "an unknown verb exits 2"
[ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -qx 'mysql-quiesce: unknown command bogus (see: mysql-quiesce --help)' "$WORK/err"
ok $? "an unknown verb: one line naming it and where the usage is ($(cat "$WORK/err"))"
"$MQ" verify --bogus 2>"$WORK/err"; st=$?
[ $st -eq 2 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q '^mysql-quiesce verify: .*bogus.*(see: mysql-quiesce help verify)$' "$WORK/err"
ok $? "a verb's bad option: exit 2, one line naming the verb's help ($(cat "$WORK/err"))"
"$MQ" help seed >"$WORK/out"; st=$?
[ $st -eq 0 ] && grep -q '^usage: mysql-quiesce \[-c FILE\] seed --source HOST:PORT' "$WORK/out" && ! grep -q verify "$WORK/out"
ok $? "help VERB prints that verb's usage alone (exit $st)"
"$MQ" help nosuch 2>/dev/null; ok $(( $? != 2 )) "help of no verb: exit 2"
# not root: said first, before what would name something else
printf '[mysql]\nuser = root\n' >"$WORK/mine.conf"; chmod 644 "$WORK/mine.conf"
for v in status check freeze thaw "snapshot -- true" "verify $WORK" "seed --source 127.0.0.1:1 --source-credentials /x"; do
	# shellcheck disable=SC2086
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$MQ" -c "$WORK/mine.conf" $v >/dev/null 2>"$WORK/err"; st=$?
	[ $st -eq 5 ] && [ "$(cat "$WORK/err")" = "mysql-quiesce ${v%% *}: must run as root" ]
	ok $? "${v%% *} as another user: exit 5, 'must run as root' first and alone (got $st: $(head -1 "$WORK/err"))"
done
setpriv --reuid=nobody --regid=nogroup --clear-groups "$MQ" help status >/dev/null; ok $? "negative control: help needs no root"
"$MQ" 2>/dev/null; ok $(( $? != 2 )) "mysql-quiesce with no verb exits 2"
ln -s "$MQ" "$WORK/some-other-name"
"$WORK/some-other-name" 2>/dev/null; ok $(( $? != 2 )) "an unknown name with no verb exits 2"
"$MQ" --frobnicate status 2>/dev/null; ok $(( $? != 2 )) "an unknown option exits 2"
"$BIN/pre-freeze-mysql-lock" 2>/dev/null; ok $(( $? != 2 )) "the holder run by hand exits 2"

# A run_dir that does not exist: thaw has nothing to release.
cat >"$WORK/ok.conf" <<EOC
[files]
run_dir = $WORK/norun
log_file = $WORK/mq.log
EOC
chmod 600 "$WORK/ok.conf"
"$BIN/post-thaw-script" -c "$WORK/ok.conf" thaw; ok $? "post-thaw-script thaw with nothing to release exits 0"
"$BIN/pre-freeze-script" -c "$WORK/ok.conf" THAW; ok $? "the first argument selects the action, in any case"
log_has "thaw INFO nothing to release"; ok $? "that thaw logged with role thaw"
"$BIN/post-thaw-script" -c "$WORK/ok.conf" freezeFail; ok $? "freezeFail with nothing to release exits 0"
log_has "freezeFail"; ok $? "freezeFail is logged as such"
MYSQL_QUIESCE_CONFIG=$WORK/ok.conf "$BIN/post-thaw-script"; ok $? "MYSQL_QUIESCE_CONFIG names the config"
MYSQL_QUIESCE_CONFIG=$WORK/missing.conf "$BIN/post-thaw-script" -c "$WORK/ok.conf"
ok $? "-c wins over MYSQL_QUIESCE_CONFIG"
"$WORK/some-other-name" -c "$WORK/ok.conf" thaw; ok $? "any name works with a verb (QEMU hook.d links)"

# bad_config NAME TEXT WANT: freeze refuses it with exit 3 and WANT on stderr.
bad_config() {
	local f=$WORK/$1.conf
	printf '%b' "$2" >"$f"; chmod "${4:-600}" "$f"
	timeout 10 "$BIN/pre-freeze-script" -c "$f" freeze 2>"$WORK/err" >/dev/null
	local st=$?
	ok $(( st != 3 )) "$1: exit 3"
	grep -qF -- "$3" "$WORK/err"; ok $? "$1: says \"$3\""
	[ "$(wc -l <"$WORK/err")" -eq 1 ]; ok $? "$1: one line"
}
bad_config unknown-key '[lock]\nwait_timout = 5\n' "line 2: unknown key \"wait_timout\" in [lock]"
bad_config unknown-section '[mysql]\nuser = a\n[locks]\nx = 1\n' "line 4: unknown section [locks]"
bad_config bad-number '[lock]\nmax_lock_time = sixty\n' "line 2: max_lock_time must be a whole number from 1 to 86400"
bad_config bad-method '\n[lock]\nmethod = lvm\n' "line 3: method must be one of auto|backup-stage|ftwrl|percona-backup-locks"
bad_config no-key '[lock]\n= 5\n' "line 2: no key name before '='"
bad_config not-ini '[lock]\nwait_timeout\n' "line 2: not a [section]"
bad_config world-writable '[lock]\n' "writable by group or others" 666
bad_config group-writable '[lock]\n' "writable by group or others" 620
bad_config password-readable "[mysql]\npassword = s3cret\n[files]\nlog_file = $WORK/refused.log\n" "holds a password but group or others may read it" 644
! grep -q s3cret "$WORK/err"; ok $? "password-readable: the password is not on its stderr"
grep -q ' freeze ERROR config file .*holds a password but group or others may read it' "$WORK/refused.log" &&
	! grep -q s3cret "$WORK/refused.log"
ok $? "password-readable: the hook's refusal is in the config's own log, where a DBA looks (stderr is discarded by VMware and QEMU), without the password"
bad_config password-bad-line '[mysql]\npassword s3cret\n' "line 2: not a [section]"
! grep -q s3cret "$WORK/err"; ok $? "password-bad-line: the password is not on its stderr"
bad_config server-named-lock '[mysql]\nuser = root\n[mysql lock]\nsocket = /x\n' "[mysql lock]: the name of a file of run_dir's own (run_dir/lock)"
isolated "$MQ" -c "$WORK/server-named-lock.conf" check >/dev/null 2>&1; st=$?
[ $st -eq 3 ]; ok $? "server-named-lock: check refuses it too, as freeze does (exit $st)"
bad_config server-named-state '[mysql]\nuser = root\n[mysql state]\nsocket = /x\n' "[mysql state]: the name of a file of run_dir's own"
mkdir -p "$WORK/a" "$WORK/b" "$WORK/ln"; ln -s "$WORK/a" "$WORK/ln/a"
bad_config info-spelt-apart "[mysql]\nuser = root\n[mysql a]\nsocket = /x\nbinlog_info_file = $WORK/a/./binlog_info.txt\n[mysql b]\nsocket = /y\nbinlog_info_file = $WORK//a/binlog_info.txt\n" "[mysql a] and [mysql b] share binlog_info_file"
bad_config info-through-dotdot "[mysql]\nuser = root\n[mysql a]\nsocket = /x\nbinlog_info_file = $WORK/b/../a/binlog_info.txt\n[mysql b]\nsocket = /y\nbinlog_info_file = $WORK/ln/a/binlog_info.txt\n" "[mysql a] and [mysql b] share binlog_info_file"
bad_config run-dir-spelt-apart "[mysql]\nuser = root\n[mysql a]\nsocket = /x\nrun_dir = $WORK/r/./x\n[mysql b]\nsocket = /y\nrun_dir = $WORK/r/x/\n" "[mysql a] and [mysql b] share run_dir"
printf "[mysql]\nuser = root\n[mysql a]\nsocket = /x\nbinlog_info_file = $WORK/a/binlog_info.txt\n[mysql b]\nsocket = /y\nbinlog_info_file = $WORK/b/binlog_info.txt\n[files]\nrun_dir = $WORK/norun\nlog_file = $WORK/mq.log\n" >"$WORK/apart.conf"
chmod 600 "$WORK/apart.conf"
"$MQ" -c "$WORK/apart.conf" status >"$WORK/out" 2>&1; st=$?
! grep -q "share" "$WORK/out"; ok $? "negative control: two info files in two directories are not shared (status exit $st)"
bad_config missing-defaults "[mysql]\ndefaults_file = $WORK/nope.cnf\n" "defaults_file $WORK/nope.cnf: No such file"

# Long lines and NUL bytes: refused with the true line number, never
# split into a second line and misread.
long=$(printf '%0300d' 0)
bad_config long-comment "[lock]\n; $long\n" "line 2: longer than 198 bytes (302)"
bad_config long-password "[mysql]\npassword = a${long:0:211}\n" "line 2: longer than 198 bytes"
printf '[mysql]\npassword = ab\0cd\n' >"$WORK/nul.conf"; chmod 600 "$WORK/nul.conf"
"$BIN/pre-freeze-script" -c "$WORK/nul.conf" freeze 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "line 2: holds a NUL byte" "$WORK/err"; ok $? "a NUL byte in a value: exit 3, line 2 named"
bad_config relative-log "[files]\nlog_file = mq.log\n" "run_dir, log_file, binlog_info_file and metrics_file must be absolute paths"
bad_config relative-info "[files]\nbinlog_info_file = data/binlog_info.txt\n" "must be absolute paths"

# defaults_file gets the config file's rules, and so does what it includes.
opt() { # opt NAME MODE TEXT: an option file
	printf '%b' "$3" >"$WORK/$1"; chmod "$2" "$WORK/$1"
}
opt good.cnf 600 '[client]\nuser = root\n'
opt w.cnf 666 '[client]\nplugin-dir = /tmp\ndefault-auth = evil\n'
bad_config defaults-666 "[mysql]\ndefaults_file = $WORK/w.cnf\n" "w.cnf: writable by group or others; refusing it"
opt gw.cnf 620 '[client]\nuser = root\n'
bad_config defaults-620 "[mysql]\ndefaults_file = $WORK/gw.cnf\n" "gw.cnf: writable by group or others; refusing it"
opt other.cnf 644 '[client]\nuser = root\n'; chown 12345 "$WORK/other.cnf"
bad_config defaults-foreign "[mysql]\ndefaults_file = $WORK/other.cnf\n" "other.cnf: owned by uid 12345, neither root nor us"
opt pw.cnf 644 '[client]\npassword = s3cret\n'
bad_config defaults-password-readable "[mysql]\ndefaults_file = $WORK/pw.cnf\n" "pw.cnf: holds a password but group or others may read it"
# every spelling the client library takes for the password
for k in pass passw passwo passwor loose-password loose-pass; do
	opt pw-$k.cnf 644 "[client]\n$k = s3cret\n"
	bad_config defaults-$k-readable "[mysql]\ndefaults_file = $WORK/pw-$k.cnf\n" "pw-$k.cnf: holds a password but group or others may read it"
done
opt inc.cnf 600 "[client]\n!include $WORK/w.cnf\n"
bad_config defaults-include "[mysql]\ndefaults_file = $WORK/inc.cnf\n" "w.cnf: writable by group or others"
mkdir -p "$WORK/incdir"; chmod 755 "$WORK/incdir"; cp "$WORK/w.cnf" "$WORK/incdir/x.cnf"; chmod 666 "$WORK/incdir/x.cnf"
opt incd.cnf 600 "[client]\n!includedir $WORK/incdir\n"
bad_config defaults-includedir "[mysql]\ndefaults_file = $WORK/incd.cnf\n" "incdir/x.cnf: writable by group or others"
mkfifo "$WORK/fifo.cnf"
t0=$(now_ms)
bad_config defaults-fifo "[mysql]\ndefaults_file = $WORK/fifo.cnf\n" "fifo.cnf: not a regular file"
[ $(( $(now_ms) - t0 )) -lt 3000 ]; ok $? "a FIFO is refused at once, not waited on"
bad_config defaults-zero "[mysql]\ndefaults_file = /dev/zero\n" "/dev/zero: not a regular file"
bad_config defaults-dir "[mysql]\ndefaults_file = $WORK\n" "$WORK: not a regular file"
ln -s "$WORK/good.cnf" "$WORK/link.cnf"
printf '[mysql]\ndefaults_file = %s\n[files]\nrun_dir = %s/norun\nlog_file = %s/mq.log\n' "$WORK/link.cnf" "$WORK" "$WORK" >"$WORK/link.conf"
chmod 600 "$WORK/link.conf"
"$MQ" -c "$WORK/link.conf" status >/dev/null 2>"$WORK/err"; ok $? "a symlink to an option file that passes is accepted"
ln -sf "$WORK/w.cnf" "$WORK/link.cnf"
"$MQ" -c "$WORK/link.conf" status >/dev/null 2>"$WORK/err"; st=$?
[ "$st" -eq 3 ] && grep -q "link.cnf: writable by group or others" "$WORK/err"; ok $? "a symlink to one that fails is refused (the target is checked)"

"$BIN/pre-freeze-script" -c "$WORK/absent.conf" freeze 2>"$WORK/err"
ok $(( $? != 3 )) "a missing config file exits 3"
grep -q "absent.conf: No such file" "$WORK/err"; ok $? "and names the file"
grep -q s3cret "$WORK/err" "$WORK/mq.log" 2>/dev/null; ok $(( $? == 0 )) "the refused password appears nowhere"

# check and status dump nothing secret either
"$MQ" -c "$WORK/ok.conf" status >"$WORK/out"; ok $? "status with no freeze exits 0"
grep -q "idle" "$WORK/out"; ok $? "status says idle"
"$MQ" -c "$WORK/ok.conf" status --json | grep -q '"phase":"idle"'; ok $? "status --json says idle"
"$MQ" -c "$WORK/ok.conf" status >/dev/full 2>"$WORK/err"
ok $(( $? != 1 )) "status that cannot write its output exits 1"
grep -q "cannot write standard output" "$WORK/err"; ok $? "and says so"
"$BIN/post-thaw-script" -c "$WORK/ok.conf" thaw >/dev/full
ok $? "a hook's exit code does not depend on its stdout"

# make install: DESTDIR, the hook names, a config never overwritten.
R=$WORK/root
make -s -C "$TOP" install DESTDIR="$R" >/dev/null; ok $? "make install DESTDIR=... succeeds"
[ -x "$R/usr/sbin/mysql-quiesce" ]; ok $? "the binary is in /usr/sbin"
for n in pre-freeze-script post-thaw-script pre-freeze-mysql-lock; do
	[ "$(readlink "$R/usr/sbin/$n")" = mysql-quiesce ]; ok $? "$n links to mysql-quiesce"
done
[ "$(stat -c %a "$R/etc/mysql-quiesce.conf")" = 600 ]; ok $? "the config is installed mode 600"
[ -f "$R/etc/logrotate.d/mysql-quiesce" ] && [ -f "$R/usr/share/man/man8/mysql-quiesce.8" ]
ok $? "the logrotate file and the man page are installed"
# status reads the config, then the machine's run_dir, whose last cycle
# sets its exit code: only a config error (3) says the sample is bad.
"$R/usr/sbin/mysql-quiesce" -c "$R/etc/mysql-quiesce.conf" status >/dev/null 2>"$WORK/err"; st=$?
[ "$st" -ne 3 ] && ! grep -q "config file" "$WORK/err"; ok $? "the sample config is valid (status exit $st, not 3)"
echo "; mine" >>"$R/etc/mysql-quiesce.conf"
make -s -C "$TOP" install DESTDIR="$R" >/dev/null
grep -q "; mine" "$R/etc/mysql-quiesce.conf"; ok $? "a second install keeps the existing config"
make -s -C "$TOP" install DESTDIR="$R" PREFIX=/usr/local SBINDIR=/opt/sbin >/dev/null
[ -x "$R/opt/sbin/mysql-quiesce" ] && [ -L "$R/opt/sbin/post-thaw-script" ]; ok $? "SBINDIR is honoured"

done_testing
