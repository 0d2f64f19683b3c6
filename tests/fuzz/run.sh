#!/bin/sh
# Fuzz the policy parser for a bounded time: builds tests/fuzz/fuzz_policy.c
# with libFuzzer, ASan and UBSan, seeds it with the profiles and examples,
# and fails on any crash, leak or round-trip mismatch.
#
#     tests/fuzz/run.sh [SECONDS]     (default 60)
set -u
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$root/build/fuzz}
mkdir -p "$work/corpus" "$work/artifacts"

verdict() {
	if [ "$1" = 0 ]; then
		echo "1 passed, 0 failed"
	else
		echo "0 passed, 1 failed"
	fi
	exit "$1"
}

if ! clang -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -std=gnu11 \
	-I"$root/include" -I"$root/src" \
	"$here/fuzz_policy.c" \
	"$root/src/policy/parse.c" "$root/src/policy/format.c" \
	"$root/src/policy/profiles.c" "$root/src/core/names.c" \
	-lseccomp -o "$work/fuzz_policy"; then
	echo "fuzz: cannot build fuzz_policy" >&2
	verdict 1
fi

# The seeds are kept in the repository; new inputs go to the work corpus.
"$work/fuzz_policy" -max_total_time="$seconds" -max_len=8192 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$work/artifacts/" \
	"$work/corpus" "$here/corpus/policy" >"$work/log" 2>&1
rc=$?
tail -n 15 "$work/log"
if [ "$rc" != 0 ]; then
	echo "fuzz: failure, see $work/log and $work/artifacts/" >&2
	verdict 1
fi
verdict 0
