#!/bin/bash
# serial
# The Debian package: built with dpkg-buildpackage from debian/, lintian
# without an error or an unjustified warning, installed with dpkg -i on
# this machine, its check and a freeze/thaw through the installed hook
# names against the test server, then purged, leaving nothing behind.
. "$(dirname "$0")/lib.sh"
need dpkg-buildpackage dpkg-deb lintian dpkg git qemu-ga unshare

dpkg -s mysql-quiesce >/dev/null 2>&1 && bail "mysql-quiesce is installed as a package already: not touching it"
for f in /usr/sbin/mysql-quiesce /etc/mysql-quiesce.conf /etc/logrotate.d/mysql-quiesce; do
	[ -e "$f" ] && bail "$f exists (make install?): the package test would replace it"
done
# however the file ends (a failing check ends it early under make
# mutants), the package it installs goes with it
trap 'dpkg --purge mysql-quiesce >/dev/null 2>&1; cleanup' EXIT
server_start s1
make_tables
write_config "$WORK/c.conf"

DEB=$WORK/deb
make -s -C "$TOP" deb DEB_DIR="$DEB" >"$WORK/build.log" 2>&1; st=$?
ok $st "dpkg-buildpackage -us -uc -b builds it"
[ "$st" -eq 0 ] || { tail -20 "$WORK/build.log" | sed 's/^/# /'; bail "no package"; }
pkg=$(ls "$DEB"/mysql-quiesce_*_*.deb)
dpkg-deb -c "$pkg" >"$WORK/contents"
for f in usr/sbin/mysql-quiesce usr/sbin/pre-freeze-script usr/sbin/post-thaw-script \
	usr/sbin/pre-freeze-mysql-lock etc/logrotate.d/mysql-quiesce usr/lib/tmpfiles.d/mysql-quiesce.conf \
	usr/share/man/man8/mysql-quiesce.8.gz usr/share/man/man5/mysql-quiesce.conf.5.gz \
	usr/share/man/man8/mysql-quiesce-verify.8.gz usr/share/man/man8/mysql-quiesce-seed.8.gz \
	usr/share/man/man8/mysql-quiesce-snapshot.8.gz usr/share/doc/mysql-quiesce/README.md.gz \
	usr/share/doc/mysql-quiesce/examples/qemu-ga.conf; do
	grep -q " \./$f\( \|$\)" "$WORK/contents"; ok $? "the package has /$f"
done
grep -q '^-rw------- root/root .* \./etc/mysql-quiesce\.conf$' "$WORK/contents"; ok $? "/etc/mysql-quiesce.conf is root's, mode 0600"
dpkg-deb -e "$pkg" "$WORK/ctl"
grep -qx /etc/mysql-quiesce.conf "$WORK/ctl/conffiles"; ok $? "and a conffile"
deps=$(dpkg-deb -f "$pkg" Depends)
echo "$deps" | grep -q 'libc6 (>= ' && echo "$deps" | grep -q 'libinih1' &&
	echo "$deps" | grep -q 'libmariadb3, libssl3, libcurl4'
ok $? "its dependencies: the linked ones from dh_shlibdeps, and the three it opens with dlopen ($deps)"
[ "$(dpkg-deb -f "$pkg" Recommends)" = logrotate ]; ok $? "it recommends logrotate, whose file it ships"
for f in how-it-works callers verify-and-seed; do
	grep -q " \./usr/share/doc/mysql-quiesce/$f.md" "$WORK/contents" || echo "missing $f.md"
done >"$WORK/docs.missing"
[ ! -s "$WORK/docs.missing" ]; ok $? "the docs the README points to are installed ($(cat "$WORK/docs.missing"))"
lintian --fail-on error,warning "$DEB"/mysql-quiesce_*.changes >"$WORK/lintian" 2>&1
ok $? "lintian: no error, no warning that is not justified in debian/ ($(grep -c '^[EW]:' "$WORK/lintian"))"
grep '^[EW]:' "$WORK/lintian" | sed 's/^/# /'

dpkg -i "$pkg" >"$WORK/install.log" 2>&1; ok $? "dpkg -i installs it"
[ "$(readlink /usr/sbin/pre-freeze-script)" = mysql-quiesce ] && [ "$(stat -c %a /etc/mysql-quiesce.conf)" = 600 ]
ok $? "the hook names and the 0600 config are in place"
/usr/sbin/mysql-quiesce --version | grep -q "(shared)"; ok $? "the installed binary links the shared libraries"
# qemu-ga 7.2 reads only /etc/qemu/qemu-ga.conf: an /etc/qemu of our own
# in a private mount namespace, with the example installed as the README
# says.
mkdir -p "$WORK/etcq"
install -m 644 /usr/share/doc/mysql-quiesce/examples/qemu-ga.conf "$WORK/etcq/qemu-ga.conf"
unshare -m --propagation private sh -c 'mount --bind "$1" /etc/qemu && qemu-ga -D' sh "$WORK/etcq" >"$WORK/qga" 2>&1
grep -qx "fsfreeze-hook=/usr/sbin/mysql-quiesce" "$WORK/qga"; ok $? "qemu-ga itself reads the installed binary as its hook from the packaged qemu-ga.conf example"
MYSQL_QUIESCE_CONFIG=$WORK/c.conf isolated /usr/sbin/mysql-quiesce check >"$WORK/out" 2>&1
ok $? "the installed mysql-quiesce check: ready"
MYSQL_QUIESCE_CONFIG=$WORK/c.conf /usr/sbin/pre-freeze-script freeze; ok $? "the installed pre-freeze-script freezes"
cannot_write && phase_is locked; ok $? "the lock is held"
pid=$(state_field pid)
[ "$(readlink /proc/$pid/exe)" = /usr/sbin/mysql-quiesce ]; ok $? "by the installed binary's holder"
MYSQL_QUIESCE_CONFIG=$WORK/c.conf /usr/sbin/post-thaw-script thaw; ok $? "the installed post-thaw-script thaws"
can_write && no_holder; ok $? "released"
# Its exit code is the machine's last cycle's (run_dir is the default
# one); only a config error (3) would say the installed sample is bad.
/usr/sbin/mysql-quiesce status >/dev/null 2>"$WORK/err"; st=$?
[ "$st" -ne 3 ] && ! grep -q "config file" "$WORK/err"; ok $? "status with the installed sample config runs (exit $st, not 3)"
echo "2026-01-01T00:00:00.000+00:00 [1] freeze INFO a line" >>/var/log/mysql-quiesce.log

diag "removing the package while a lock is held: prerm thaws first"
# the packaged config and run_dir, pointed at the test server
mkdir -p "$WORK/metrics"
write_config /etc/mysql-quiesce.conf "metrics_file = $WORK/metrics/mq.prom"
sed -i "s|^run_dir = .*|run_dir = /run/mysql-quiesce|; s|^log_file = .*|log_file = /var/log/mysql-quiesce.log|" /etc/mysql-quiesce.conf
pkg_holder() { pgrep -f "^pre-freeze-mysql-lock -c /etc/mysql-quiesce.conf" >/dev/null; }
hold() { # hold: a freeze through the packaged config, holding
	/usr/sbin/pre-freeze-script freeze && pkg_holder && cannot_write &&
		pgrep -f "^pre-freeze-mysql-lock -c /etc/mysql-quiesce.conf" >>"$WORK/pids"
}
hold; ok $? "a freeze through the packaged config holds the lock"
dpkg -r mysql-quiesce >"$WORK/remove.log" 2>&1; ok $? "dpkg -r during the hold"
grep -q "mysql-quiesce: a lock is held; releasing it (thaw) before remove" "$WORK/remove.log" &&
	grep -qx "mysql-quiesce: released" "$WORK/remove.log"; ok $? "prerm says it released the lock: $(head -c 200 "$WORK/remove.log" | tr '\n' '|')"
can_write && ! pkg_holder; ok $? "writes go through afterwards, no holder left running"
[ ! -e "$WORK/metrics/mq.prom" ] && grep -qx "mysql-quiesce: removed $WORK/metrics/mq.prom" "$WORK/remove.log"
ok $? "the metrics file, written by that thaw, is removed with the program that kept it current"
dpkg -i "$pkg" >"$WORK/install.log" 2>&1; ok $? "dpkg -i again (the changed conffile kept)"
hold && /usr/sbin/post-thaw-script thaw && [ -s "$WORK/metrics/mq.prom" ]
ok $? "negative control: a cycle through the packaged config writes the metrics file again"
hold; ok $? "another hold"
# postrm purge by itself while the holder runs (as after a thaw that
# failed): run_dir, which the holder needs, stays
/var/lib/dpkg/info/mysql-quiesce.postrm purge >"$WORK/postrm.log" 2>&1
[ -f /run/mysql-quiesce/state ] && pkg_holder &&
	grep -q "holder pid [0-9]* still runs: /run/mysql-quiesce is left in place" "$WORK/postrm.log"
ok $? "postrm purge: run_dir is left in place under a live holder, and says so"

dpkg --purge mysql-quiesce >"$WORK/purge.log" 2>&1; ok $? "dpkg --purge removes it, during the hold"
grep -q "releasing it (thaw) before remove" "$WORK/purge.log"; ok $? "prerm released it first"
can_write && ! pkg_holder; ok $? "writes go through afterwards, no holder left running"
left=""
for f in /usr/sbin/mysql-quiesce /usr/sbin/pre-freeze-script /usr/sbin/post-thaw-script \
	/usr/sbin/pre-freeze-mysql-lock /etc/mysql-quiesce.conf /etc/logrotate.d/mysql-quiesce \
	/usr/lib/tmpfiles.d/mysql-quiesce.conf /usr/share/man/man8/mysql-quiesce.8.gz \
	/usr/share/man/man5/mysql-quiesce.conf.5.gz \
	/usr/share/doc/mysql-quiesce /var/log/mysql-quiesce.log /run/mysql-quiesce "$WORK/metrics/mq.prom"; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
[ -z "$left" ]; ok $? "nothing is left behind:${left:- nothing}"
! dpkg -s mysql-quiesce >/dev/null 2>&1; ok $? "dpkg no longer knows it"

done_testing
