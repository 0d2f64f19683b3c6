# Shared helpers for the shell test suites: TAP-style lines, a closing
# "N passed, N failed" line, and the paths every suite needs.
# Usage: . tests/lib.sh; t_ok NAME; t_fail NAME WHY; t_skip NAME WHY; t_done

: "${CABIN_BUILD:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build}"
CABIN="${CABIN:-$CABIN_BUILD/cabin}"
# Suites change directory before running cabin: relative paths from here.
case $CABIN in /*) ;; */*) CABIN=$PWD/$CABIN ;; esac
case $CABIN_BUILD in /*) ;; *) CABIN_BUILD=$PWD/$CABIN_BUILD ;; esac
# T_HANG: seconds past which a run or a wait is a hang, not a slow
# machine.  Every wait is for an event (a line, a file, a process's end),
# never for time to pass; runs take seconds at most, so this bounds only
# a hang, and a check that reaches it says so.
T_HANG=${CABIN_TEST_HANG:-60}
T_PASSED=0
T_FAILED=0
T_SKIPPED=0
T_N=0

t_ok() {
	T_N=$((T_N + 1)); T_PASSED=$((T_PASSED + 1))
	echo "ok $T_N - $1"
}

t_fail() {
	T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $1${2:+: $2}"
}

t_skip() {
	T_N=$((T_N + 1)); T_SKIPPED=$((T_SKIPPED + 1))
	echo "ok $T_N - $1 # SKIP $2"
}

# t_check NAME CONDITION-COMMAND... : ok when the command succeeds.
t_check() {
	local name=$1; shift
	if "$@"; then t_ok "$name"; else t_fail "$name"; fi
}

# t_need_cabin OPTION : unless "$CABIN run --help" succeeds and names
# OPTION, fail loudly and end the suite: a missing or crashing cabin is a
# failure, never a skip.
t_need_cabin() {
	local out rc
	out=$("$CABIN" run --help 2>&1); rc=$?
	if [ "$rc" -ne 0 ]; then
		t_fail "cabin run --help" "$CABIN exits $rc: $(printf '%s' "$out" | head -c 200 | tr '\n' '|')"
	elif ! grep -q -- "$1" <<<"$out"; then
		t_fail "cabin run --help" "$CABIN has no $1 option"
	else
		return 0
	fi
	t_done
	exit 1
}

t_done() {
	echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	[ "$T_FAILED" -eq 0 ]
}
