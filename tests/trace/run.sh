#!/usr/bin/env bash
# Trace suite: `cabin run --trace` against strace for the same commands
# (same syscalls in the same order with the same results, addresses and
# pids normalised), JSONL records that all parse, the timestamp and
# duration forms, the denial marker, and a trace that ends whole when the
# program is killed.
#
# Usage: tests/trace/run.sh   (CABIN_BUILD defaults to <repo>/build)

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"

TO="timeout -k 5 $T_HANG"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/cabin-trace.XXXXXX") || { echo "Bail out! mktemp"; exit 1; }
trap 'rm -rf "$TMP"' EXIT

diag() { sed -n '1,20s/^/#   /p'; }

t_need_cabin --trace-format

# only_stdio CMD... : CMD with descriptors 0, 1 and 2 alone, as a program
# under cabin has them.
only_stdio() {
	local f
	for f in /proc/$BASHPID/fd/*; do
		f=${f##*/}
		[ "$f" -gt 2 ] && eval "exec $f>&-" 2>/dev/null
	done
	exec "$@"
}

# compare NAME CMD... : cabin's trace and strace's agree.
compare() {
	local name=$1; shift
	if ! command -v strace >/dev/null; then
		t_skip "$name" "strace not installed"
		return
	fi
	(cd "$TMP" && $TO "$CABIN" run --profile trace --trace="$TMP/cabin.tr" \
		-- "$@" >"$TMP/c.out" 2>"$TMP/c.err")
	# The program under cabin holds 0, 1 and 2 only: so does strace's.
	(cd "$TMP" && only_stdio $TO strace -f -o "$TMP/strace.tr" -- "$@" \
		>"$TMP/s.out" 2>/dev/null)
	if ! cmp -s "$TMP/c.out" "$TMP/s.out"; then
		t_fail "$name" "outputs differ"
		diff "$TMP/c.out" "$TMP/s.out" | diag
	elif python3 "$HERE/compare.py" "$TMP/cabin.tr" "$TMP/strace.tr" \
		>"$TMP/cmp" 2>&1; then
		t_ok "$name"
	else
		t_fail "$name" "traces differ"
		diag <"$TMP/cmp"
	fi
}

compare "cat: same calls as strace" cat /etc/hostname
compare "ls: same calls as strace" ls /
compare "sh -c: same calls as strace" sh -c 'echo hi'
compare "sh, children: same calls as strace" \
	sh -c 'echo hi; ls / >/dev/null; cat /etc/hostname'

# Every JSONL line is one valid JSON object with the documented fields.
jsonl_ok() {
	python3 - "$1" <<'PY'
import json, sys
kinds = {"syscall", "exec", "spawn", "exit", "signal", "fault", "stop"}
n = 0
for line in open(sys.argv[1], encoding="ascii", errors="strict"):
    r = json.loads(line)
    assert r["kind"] in kinds, r
    for k in ("pid", "tid", "time"):
        assert isinstance(r[k], int), (k, r)
    if r["kind"] == "syscall":
        assert isinstance(r["syscall"], str) and isinstance(r["args"], list)
        assert all(isinstance(a, str) for a in r["args"])
        assert isinstance(r["denied"], bool)
        assert r["ret"] is None or isinstance(r["ret"], int)
    n += 1
assert n > 10, n
PY
}

$TO "$CABIN" run --profile trace --trace="$TMP/j.tr" --trace-format=jsonl \
	-- sh -c 'printf "\377\303\251\001\"\\\\\n" >/dev/null; ls / >/dev/null' \
	>/dev/null 2>&1
if jsonl_ok "$TMP/j.tr" 2>"$TMP/j.err"; then
	t_ok "jsonl: every record parses"
else
	t_fail "jsonl: every record parses"
	diag <"$TMP/j.err"
fi

$TO "$CABIN" run --profile trace --trace="$TMP/t.tr" --trace-timestamps \
	--trace-durations -- cat /etc/hostname >/dev/null 2>&1
t_check "text: timestamps and durations" grep -Eq \
	'^\[pid [0-9]+\] [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} close\(3\) = 0 <[0-9]+\.[0-9]{6}>$' \
	"$TMP/t.tr"

if [ -x /usr/bin/python3 ]; then
	$TO "$CABIN" run --profile trace --trace="$TMP/d.tr" -- /usr/bin/python3 \
		-c 'import ctypes; ctypes.CDLL(None).process_vm_readv(0, 0, 0, 0, 0, 0)' \
		>/dev/null 2>&1
	t_check "text: denied calls are marked" grep -q \
		'process_vm_readv(0, NULL, 0, NULL, 0, 0) = -1 EPERM (Operation not permitted) (denied by cabin)$' \
		"$TMP/d.tr"
else
	t_skip "text: denied calls are marked" "no python3"
fi

$TO "$CABIN" run --profile trace --trace="$TMP/k.tr" -- sh -c 'kill -9 $$' \
	>/dev/null 2>&1
t_check "text: a killed program's trace ends on its death" \
	sh -c "tail -n 1 '$TMP/k.tr' | grep -q '+++ killed by SIGKILL +++'"

# Like strace -y: descriptors name what they refer to, only when asked.
$TO "$CABIN" run --profile trace --trace="$TMP/y.tr" --trace-fds -- \
	cat /etc/hostname >/dev/null 2>&1
t_check "text: --trace-fds names the file behind a descriptor" \
	grep -Eq '^\[pid [0-9]+\] read\([0-9]+</etc/hostname>, ' "$TMP/y.tr"
$TO "$CABIN" run --profile trace --trace="$TMP/n.tr" -- \
	cat /etc/hostname >/dev/null 2>&1
t_check "text: without --trace-fds descriptors are plain numbers" \
	sh -c "grep -Eq '^\[pid [0-9]+\] read\([0-9]+, ' '$TMP/n.tr' &&
		! grep -q '</etc/hostname>' '$TMP/n.tr'"

t_done
