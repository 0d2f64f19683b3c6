#!/bin/sh
# Fuzz for a bounded time each: the policy parser (tests/fuzz/fuzz_policy.c:
# crashes, leaks, round-trip mismatches), the syscall decoder
# (tests/fuzz/fuzz_decode.c: crashes, leaks, unprintable output) and the
# kvm platform's ELF loader (tests/fuzz/fuzz_elf.c: crashes, out-of-bounds
# reads, accepted plans that break their promises) and the --gdb stub's
# packet dispatcher (tests/fuzz/fuzz_stub.c: crashes, reads past a packet,
# against a fake process), built
# with libFuzzer, ASan and UBSan and seeded from tests/fuzz/corpus/.
#
#     tests/fuzz/run.sh [SECONDS]     (default 60, per target)
set -u
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${FUZZ_WORK:-$root/build/fuzz}
passed=0
failed=0

# fuzz NAME MAX_LEN SOURCES... : build fuzz_NAME and run it on corpus/NAME.
fuzz() {
	name=$1
	maxlen=$2
	shift 2
	mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
	if ! clang -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -D_GNU_SOURCE -std=gnu11 \
		-I"$root/include" -I"$root/src" -I"$root/tests/unit" "$@" \
		-lseccomp -o "$work/fuzz_$name"; then
		echo "fuzz: cannot build fuzz_$name" >&2
		failed=$((failed + 1))
		return
	fi
	# The seeds are kept in the repository; new inputs go to the work corpus.
	"$work/fuzz_$name" -max_total_time="$seconds" -max_len="$maxlen" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/$name/artifacts/" \
		"$work/$name/corpus" "$here/corpus/$name" >"$work/$name.log" 2>&1
	rc=$?
	tail -n 15 "$work/$name.log"
	if [ "$rc" != 0 ]; then
		echo "fuzz: $name failed, see $work/$name.log and $work/$name/artifacts/" >&2
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
}

fuzz policy 8192 "$here/fuzz_policy.c" \
	"$root/src/policy/parse.c" "$root/src/policy/format.c" \
	"$root/src/policy/lex.c" "$root/src/policy/parse_syscall.c" \
	"$root/src/policy/policy.c" "$root/src/policy/lang.c" \
	"$root/src/policy/error.c" "$root/src/policy/groups.c" \
	"$root/src/policy/profiles.c" "$root/src/core/names.c"

fuzz decode 16384 "$here/fuzz_decode.c" \
	"$root/src/trace/decode.c" "$root/src/trace/decode_fmt.c" \
	"$root/src/trace/decode_struct.c" "$root/src/trace/decode_tables.c" \
	"$root/src/syscall/table.c" "$root/src/core/umem.c" \
	"$root/src/core/names.c"

fuzz elf 4096 "$here/fuzz_elf.c" "$root/src/platform/kvm/linux/elf.c"

fuzz stub 4096 "$here/fuzz_stub.c" "$root/tests/unit/fake_debug_target.c" \
	"$root/src/debug/stub.c" "$root/src/debug/breaks.c" \
	"$root/src/debug/query.c" "$root/src/debug/libraries.c" \
	"$root/src/debug/regs.c" "$root/src/debug/packet.c" \
	"$root/src/debug/ids.c"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
