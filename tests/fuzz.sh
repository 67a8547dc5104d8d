#!/bin/bash
# tests/fuzz.sh SECONDS - run tests/fuzz from the seed corpus for SECONDS.
# New inputs go to a scratch corpus, not into the repository; a crash
# leaves its input in tests/fuzz-crash-* and fails.
set -u
cd "$(dirname "$0")/.." || exit 1
secs=${1:-60}
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT
tests/fuzz -max_total_time="$secs" -max_len=4096 -timeout=5 \
	-artifact_prefix=tests/fuzz-crash- -print_final_stats=1 \
	"$scratch" tests/fuzz-corpus
