#!/bin/bash
# mysql-quiesce.conf(5) documents every config key of include/config.h
# (and the shipped config shows it); mysql-quiesce(8) and the README
# (the front door) every exit code of include/exits.h and every verb and
# program name of the dispatch table: a missing one fails here. The
# README stays a quick start: at most 300 lines.
. "$(dirname "$0")/lib.sh"

keys=$(sed -n 's/^[[:space:]]*X(\([a-z]*\), \([a-z_]*\),.*/\1 \2/p' "$TOP/include/config.h")
codes=$(sed -n 's/^[[:space:]]*X(MQ_[A-Z]*, \([0-9]*\),.*/\1/p' "$TOP/include/exits.h")
names=$(sed -n 's/^[[:space:]]*{ "\([a-zA-Z-]*\)", [a-z_]*,.*/\1/p' "$TOP/src/main.c"
	sed -n 's/^#define WATCHDOG_NAME "\(.*\)"$/\1/p' "$TOP/include/fsfreeze.h")
[ "$(echo "$keys" | wc -l)" -ge 25 ] && [ "$(echo "$codes" | wc -l)" -ge 15 ] &&
	[ "$(echo "$names" | wc -l)" -ge 10 ] || bail "cannot read the keys, codes or names from the sources"

# missing MAN README CONF MAN5: what any of them fails to document, one
# a line
missing() {
	local man=$1 readme=$2 conf=$3 man5=$4 sec key c n
	while read -r sec key; do
		grep -q "\\b$key\\b" "$man5" || echo "man5: key [$sec] $key"
		grep -q "^;\\?$key =" "$conf" || echo "config: key [$sec] $key"
	done <<<"$keys"
	for c in $codes; do
		grep -qx "\\.B $c" "$man" || echo "man: exit code $c"
		grep -q "^| $c |" "$readme" || echo "README: exit code $c"
	done
	for n in $names; do
		grep -q "$n" "$man" || echo "man: $n"
		grep -q "$n" "$readme" || echo "README: $n"
	done
}

missing "$TOP/man/mysql-quiesce.8" "$TOP/README.md" "$TOP/etc/mysql-quiesce.conf" "$TOP/man/mysql-quiesce.conf.5" >"$WORK/missing"
[ ! -s "$WORK/missing" ]; ok $? "every key in mysql-quiesce.conf(5) and the shipped config, every exit code and verb in mysql-quiesce(8) and the README"
sed 's/^/# /' "$WORK/missing"

# negative control: the same check on copies with one of each removed
grep -vx '\.B 13' "$TOP/man/mysql-quiesce.8" | sed 's/freezeFail/freeze-fail/g' >"$WORK/man"
grep -v 'imds_endpoint' "$TOP/man/mysql-quiesce.conf.5" >"$WORK/man5"
grep -v '^| 14 |' "$TOP/README.md" >"$WORK/readme"
grep -v '^;\?metrics_file =' "$TOP/etc/mysql-quiesce.conf" >"$WORK/conf"
missing "$WORK/man" "$WORK/readme" "$WORK/conf" "$WORK/man5" >"$WORK/missing2"
grep -q "man5: key \[ebs\] imds_endpoint" "$WORK/missing2" && grep -q "man: exit code 13" "$WORK/missing2" &&
	grep -q "man: freezeFail" "$WORK/missing2" && grep -q "README: exit code 14" "$WORK/missing2" &&
	grep -q "config: key \[files\] metrics_file" "$WORK/missing2"
ok $? "negative control: a key, a code and a verb taken out are each found missing"
[ "$(wc -l <"$TOP/README.md")" -le 300 ]; ok $? "the README is a front door: at most 300 lines ($(wc -l <"$TOP/README.md"))"

done_testing
