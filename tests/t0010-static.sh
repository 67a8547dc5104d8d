#!/bin/bash
# Static checks: every source compiles with the project's warnings as
# errors, cppcheck finds nothing, and the calls between the built files
# follow the layers (src/'s folders) with no circle. (No server.)
. "$(dirname "$0")/lib.sh"
need cppcheck

# lint TARGET DESCRIPTION: make TARGET succeeds; its output if not.
lint() {
	local out st
	out=$(make -s -C "$TOP" "$1" 2>&1); st=$?
	ok $st "$2"
	[ $st -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
}
lint lint-cc "every source compiles without a warning (-Werror)"
lint lint-cppcheck "cppcheck finds nothing"
out=$(make -s -C "$TOP" all 2>&1 && python3 "$TOP/tests/layers.py" "$TOP" 2>&1); st=$?
ok $st "no file calls into a higher layer, and no circle of calls ($(echo "$out" | tail -1))"
[ $st -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'

done_testing
