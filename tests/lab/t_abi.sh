# Syscalls through a foreign ABI. Here ia32 emulation is on, so int 0x80
# really reaches the kernel natively: cabin must kill it (SIGSYS, 159,
# naming the foreign ABI), and --unsafe-disable=abi must let it escape.
# Run as tests/adversarial/run.sh does, with its baseline policy.
. /lab/lib.sh
cd /work || exit 1
ADV=$CABIN_BUILD/tests/adversarial
BASE=/lab/baseline.policy

if [ ! -x "$ADV/int80" ]; then
	fail "int80: built" "$ADV/int80 missing"
	exit 1
fi
run "$ADV/int80"
note "int80 native: exit $rc: $(oneline "$O")"
if grep -q '^ESCAPED int 0x80 getpid returned' "$O"; then
	ok "int80: int 0x80 works natively (ia32 emulation on)"
else
	fail "int80: int 0x80 works natively (ia32 emulation on)" "$(what)"
fi

run "$CABIN" run --policy "$BASE" -- "$ADV/int80"
show
if [ "$rc" = 159 ] && [ ! -s "$O" ] && grep -q '^cabin: .*foreign ABI' "$E"; then
	ok "int80: killed under cabin (SIGSYS, 159, foreign ABI named)"
else
	fail "int80: killed under cabin (SIGSYS, 159, foreign ABI named)" "$(what)"
fi

run "$CABIN" run --policy "$BASE" --unsafe-disable=abi -- "$ADV/int80"
if grep -q '^ESCAPED' "$O"; then
	ok "int80: escapes with --unsafe-disable=abi"
else
	fail "int80: escapes with --unsafe-disable=abi" "$(what)"
fi

# x32: compiled in but off by default on Debian (syscall.x32 not given):
# ENOSYS natively, still killed by cabin.
if [ -x "$ADV/x32" ]; then
	run "$ADV/x32"
	note "x32 native: exit $rc: $(oneline "$O")"
	run "$CABIN" run --policy "$BASE" -- "$ADV/x32"
	show
	if [ "$rc" = 159 ] && [ ! -s "$O" ] && grep -q 'foreign ABI' "$E"; then
		ok "x32: killed under cabin (SIGSYS, 159)"
	else
		fail "x32: killed under cabin (SIGSYS, 159)" "$(what)"
	fi
fi
