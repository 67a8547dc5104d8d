#!/bin/bash
# Static checks: every source compiles with the project's warnings as
# errors, and cppcheck finds nothing. (No server is started.)
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

done_testing
