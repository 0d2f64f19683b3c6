#!/bin/bash
# The whole suite: unit tests and the architecture check, then the integration and adversarial suites
# as this user and (when run as root) as an unprivileged user, make install, the mutation
# suite (root), then all of it again with the AddressSanitizer + UBSan
# build of cabin.
# Usage: tests/run-all.sh BUILD [ASAN_BUILD]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
asan_build=${2:+$(cd "$2" && pwd)}
passed=0
failed=0
skipped=0
failures=()
unpriv_user=cabintest

# A suite that could not run counts as one failure, with its reason.
suite_failed() {
	echo "!! $1: $2"
	failed=$((failed + 1)); failures+=("$1 ($2)")
}

# Add up one suite's closing "N passed, N failed[, N skipped]" line; its
# exit status must agree, and a suite that passed nothing ran nothing.
tally() {
	local name=$1 log=$2 rc=$3 line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	if [ -z "$line" ]; then
		suite_failed "$name" "no result line, exit status $rc"
		return
	fi
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + ${s:-0}))
	if [ "$f" -ne 0 ]; then
		failures+=("$name")
	elif [ "$rc" -ne 0 ]; then
		suite_failed "$name" "exit status $rc"
	elif [ "$p" -eq 0 ]; then
		suite_failed "$name" "nothing passed (${s:-0} skipped)"
	fi
}

run_suite() {
	local name=$1; shift
	local log rc
	log=$(mktemp)
	echo "== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	tally "$name" "$log" "$rc"
	rm -f "$log"
}

# One meson suite of BUILD: unit (cmocka), arch (tools/check-architecture).
meson_suite() {
	local b=$1 suite=$2 out rc
	out=$(meson test -C "$b" --suite "$suite" --print-errorlogs 2>&1); rc=$?
	echo "$out" | grep -E '^ *[0-9]+/[0-9]+ |FAIL|ERROR' || true
	local ok fail
	ok=$(echo "$out" | sed -nE 's/^Ok: +([0-9]+).*/\1/p')
	fail=$(echo "$out" | sed -nE 's/^Fail: +([0-9]+).*/\1/p')
	[ $rc -eq 0 ] || [ "${fail:-0}" -gt 0 ] || fail=1
	echo "${ok:-0} passed, ${fail:-0} failed"
	return $rc
}

# An unprivileged user cannot be assumed to reach the checkout (it may sit
# under /root): give it a world-readable copy of the build and the tests.
unprivileged_copy() {
	local dir
	dir=$(mktemp -d /tmp/cabin-unpriv.XXXXXX)
	cp -a "$build" "$dir/build"
	cp -a "$top/tests" "$dir/tests"
	chmod -R a+rX "$dir"
	echo "$dir"
}

ensure_user() {
	id "$unpriv_user" >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /bin/bash "$unpriv_user"
}

suites() {
	local prefix=$1 tree=$2 cabin=$3; shift 3
	local s
	for s in integration adversarial policy trace report; do
		if [ ! -f "$tree/tests/$s/run.sh" ]; then
			suite_failed "$prefix $s" "tests/$s/run.sh missing"
			continue
		fi
		run_suite "$prefix $s" "$@" env CABIN_BUILD="$tree/build" \
			CABIN="$cabin" bash "$tree/tests/$s/run.sh"
	done
}

run_suite "unit" meson_suite "$build" unit
# The layers, circles, prefixes and file sizes of docs/architecture.md.
run_suite "arch" meson_suite "$build" arch

# The suites find programs under CABIN_BUILD; a tree layout keeps tests/ and
# build/ side by side as in the checkout.
tree=$(mktemp -d /tmp/cabin-tree.XXXXXX)
ln -s "$build" "$tree/build"
ln -s "$top/tests" "$tree/tests"
trap 'rm -rf "$tree" ${copy:+"$copy"}' EXIT

suites "$(id -un):" "$tree" "$build/cabin"

copy=""
if [ "$(id -u)" -eq 0 ]; then
	ensure_user
	copy=$(unprivileged_copy)
	suites "$unpriv_user:" "$copy" "$copy/build/cabin" runuser -u "$unpriv_user" --
fi

# make install into a staging DESTDIR with a PREFIX, then the installed
# cabin, man pages and bash completion.  Once, as the user who built: it
# installs from the source tree and sets (then restores) the build's prefix.
if [ ! -f "$top/tests/install/run.sh" ]; then
	suite_failed "install" "tests/install/run.sh missing"
else
	run_suite "install" env CABIN_BUILD="$build" CABIN="$build/cabin" \
		bash "$top/tests/install/run.sh"
fi

# Each protection switched off in turn, and cabin replaced by an unconfined
# stand-in: the containment tests must turn red (root only, see its top).
if [ "$(id -u)" -ne 0 ]; then
	suite_failed "mutate" "needs root: run make check as root"
elif [ ! -f "$top/tests/mutate/run.sh" ]; then
	suite_failed "mutate" "tests/mutate/run.sh missing"
else
	run_suite "mutate" env CABIN_BUILD="$tree/build" CABIN="$build/cabin" \
		bash "$tree/tests/mutate/run.sh"
fi

# Hardware this machine lacks (protection keys, ia32, KVM) and Debian 12's
# older kernel (Landlock ABI 2), in the emulated lab.  Only CABIN_NO_LAB,
# said out loud, leaves it out: a lab that cannot boot fails.
if [ -n "${CABIN_NO_LAB:-}" ]; then
	echo "== lab: left out (CABIN_NO_LAB)"
elif [ ! -f "$top/tests/lab/run.sh" ]; then
	suite_failed "lab" "tests/lab/run.sh missing"
else
	run_suite "lab" bash "$top/tests/lab/run.sh" "$build"
fi

# The parsers and decoders of hostile input, under libFuzzer, bounded.
# With an ASan build (make check, which installs clang) it must run.
if [ -n "$asan_build" ]; then
	if command -v clang >/dev/null; then
		run_suite "fuzz" env FUZZ_WORK="$asan_build/fuzz" bash "$top/tests/fuzz/run.sh" "${FUZZ_SECONDS:-30}"
	else
		suite_failed "fuzz" "clang not installed"
	fi
fi

if [ -n "$asan_build" ]; then
	export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	run_suite "asan unit" meson_suite "$asan_build" unit
	suites "asan $(id -un):" "$tree" "$asan_build/cabin"
fi

echo
echo "== summary"
for f in "${failures[@]}"; do echo "failed suite: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
