#!/bin/bash
# tests/run is strict: a file without a plan, with a plan that is not
# its count, with no ok line, exiting non-zero, or running past its time
# limit fails; a good file passes; a file that leaves a process, or a
# frozen, mounted loop filesystem under its own root fails, and the
# runner undoes it. Synthetic files, run by tests/run.
set -u
n=0 bad=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=$((bad + 1)); fi; }
D=$(mktemp -d /tmp/mq-runner.XXXXXX)
trap 'rm -rf "$D"' EXIT
mk() { printf '#!/bin/bash\n%s\n' "$2" >"$D/$1.sh"; chmod +x "$D/$1.sh"; }
mk good 'echo "ok 1 - a"; echo "ok 2 - b"; echo "1..2"'
mk noplan 'echo "ok 1 - a"'
mk wrongplan 'echo "ok 1 - a"; echo "1..3"'
mk nook 'echo "1..0"'
mk dies 'echo "ok 1 - a"; echo "1..1"; exit 3'
mk slow '# timeout: 2
echo "ok 1 - a"; sleep 30 & wait; echo "1..1"'
# leaves a process that escaped its group (setsid), naming its root
cat >"$D/leaky.sh" <<'EOF'
#!/bin/bash
setsid bash -c "sleep 300; : $MQ_TEST_ROOT/x" </dev/null >/dev/null 2>&1 &
for i in $(seq 50); do pgrep -s 0 -f '^setsid' >/dev/null || break; sleep 0.1; done
ps -o sid= -p "$(pgrep -f "sleep 300; : $MQ_TEST_ROOT/x")" | tr -d ' ' >"$LEAKY_SID"
echo "ok 1 - a"; echo "1..1"
EOF
chmod +x "$D/leaky.sh"
export LEAKY_SID=$D/leaky.sid
# leaves a loop filesystem mounted and frozen under its root
mk frozen 'truncate -s 16M "$MQ_TEST_ROOT/img" && mkfs.ext4 -q "$MQ_TEST_ROOT/img" &&
mkdir "$MQ_TEST_ROOT/m" && mount -o loop "$MQ_TEST_ROOT/img" "$MQ_TEST_ROOT/m" &&
fsfreeze -f "$MQ_TEST_ROOT/m" && echo "ok 1 - a"; echo "1..1"'
run() { MQ_RUN_BASE=$D "$(dirname "$0")/run" "$D/$1.sh" >"$D/$1.out" 2>&1; }
run good; ok $? "a file with its plan and its ok lines passes"
for t in noplan wrongplan nook dies slow leaky frozen; do
	run $t; st=$?
	ok $(( st == 0 )) "$t: the runner fails it ($(grep -o "not ok - .*" "$D/$t.out" | head -1))"
done
grep -q "ran past its limit of 2 s" "$D/slow.out"; ok $? "the slow file is named as past its own limit"
! pgrep -f "^sleep 30$" -s "$(ps -o sid= $$ | tr -d ' ')" >/dev/null; ok $? "and its children were ended with it"
grep -q "left behind: process:[0-9]*:bash_-c_sleep_300" "$D/leaky.out"; ok $? "the leaky file is named with the process it left"
gone() { ! pgrep -f "sleep 300; : $D/" >/dev/null && ! pgrep -s "$(cat "$D/leaky.sid" 2>/dev/null || echo 0)" >/dev/null; }
for i in $(seq 40); do gone && break; sleep 0.05; done
gone
ok $? "and that process was ended, with its group's children (session $(cat "$D/leaky.sid" 2>/dev/null))"
grep -q "left behind: frozen:$D/mq-run\.[A-Za-z0-9]*/frozen/m mount:$D/mq-run\.[A-Za-z0-9]*/frozen/m" "$D/frozen.out"; ok $? "the frozen file is named with the frozen mount: $(grep -o 'left behind.*' "$D/frozen.out")"
! grep -q " $D/" /proc/self/mountinfo && ! losetup -nl -O BACK-FILE | grep -q "^$D/"; ok $? "and nothing of it is mounted or attached any more"
# the MySQL suite is never skipped: without a server it fails, saying
# what it needs
for base in "" "$D/no-such-mysql"; do
	MYSQL_BASE=$base MQ_RUN_BASE=$D "$(dirname "$0")/run" "$(dirname "$0")/m0100-hook.sh" >"$D/my.out" 2>&1; st=$?
	[ "$st" -ne 0 ] && grep -q "Bail out! .*MYSQL_BASE" "$D/my.out"
	ok $? "MYSQL_BASE='$base': the MySQL suite fails loudly ($(grep -o 'Bail out!.*' "$D/my.out" | head -1))"
done
make -s -C "$(dirname "$0")/.." check-mysql MYSQL_BASE= >"$D/my.out" 2>&1; st=$?
[ "$st" -ne 0 ] && grep -q "set MYSQL_BASE=DIR" "$D/my.out"; ok $? "make check-mysql without MYSQL_BASE fails, saying so"
echo "1..$n"
[ "$bad" -eq 0 ]
