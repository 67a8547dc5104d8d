#!/bin/bash
# Static checks: every source compiles with the project's warnings as
# errors, and cppcheck finds nothing. (No server needed.)
cd "$(dirname "$0")/.." || exit 1
command -v cppcheck >/dev/null || { echo "Bail out! missing cppcheck (run make check)"; exit 1; }
n=0 fail=0
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	n=$((n + 1))
	if out=$("$@" 2>&1); then echo "ok $n - $d"
	else echo "not ok $n - $d"; printf '%s\n' "$out" | sed 's/^/# /'; fail=1; fi
}
check "every source compiles without a warning (-Werror)" make -s lint-cc
check "cppcheck finds nothing" make -s lint-cppcheck
echo "1..$n"
exit $fail
