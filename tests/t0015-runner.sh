#!/bin/bash
# tests/run is strict: a file without a plan, with a plan that is not
# its count, with no ok line, exiting non-zero, or running past its time
# limit fails; a good file passes. Synthetic files, run by tests/run.
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
run() { "$(dirname "$0")/run" "$D/$1.sh" >"$D/$1.out" 2>&1; }
run good; ok $? "a file with its plan and its ok lines passes"
for t in noplan wrongplan nook dies slow; do
	run $t; st=$?
	ok $(( st == 0 )) "$t: the runner fails it ($(grep -o "not ok - .*" "$D/$t.out" | head -1))"
done
grep -q "ran past its limit of 2 s" "$D/slow.out"; ok $? "the slow file is named as past its own limit"
! pgrep -f "^sleep 30$" -s "$(ps -o sid= $$ | tr -d ' ')" >/dev/null; ok $? "and its children were ended with it"
echo "1..$n"
[ "$bad" -eq 0 ]
