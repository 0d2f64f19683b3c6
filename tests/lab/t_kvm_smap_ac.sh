# SMAP holds on every entry to the kvm proxy kernel, also one from CPL3
# with RFLAGS.AC set (tests/lab/progs/kvm_ac sets it, then raises #UD):
# an exception keeps AC, which would let the kernel's exception path read
# user pages.  With --kvm-test-fault=read-user (armed at the program's one
# syscall) the kernel reads the program's stack on that entry: a #PF at CPL0 stops it (exit 125), as on
# a syscall; with --unsafe-disable=smap the read goes through and the
# program dies of its SIGILL (exit 132), as it did before the entry
# cleared AC.
. /lab/lib.sh
need_kvm "kvm-smap-ac: SMAP with RFLAGS.AC set"
K="$CABIN run --platform kvm --stats"
P=$CABIN_BUILD/tests/lab/kvm_ac
N="kvm-smap-ac"

run $K -- "$P"
if [ "$rc" = 132 ]; then
	ok "$N: the program sets AC and dies of its #UD (SIGILL), as natively"
else
	fail "$N: the program sets AC and dies of its #UD (SIGILL)" "$(what)"
fi
run $K --kvm-test-fault=read-user -- "$P"
if ! grep -q "CR4.SMAP on" "$E"; then
	skip "$N: kernel read with AC set" "this CPU offers no SMAP to the guest"
	exit 0
fi
if [ "$rc" = 125 ] &&
   grep -q "^cabin: the kvm proxy kernel stopped: #PF page fault (vector 14, error 0x[0-9a-f]*) at CPL0" "$E"; then
	ok "$N: the kernel's read of a user page on an exception entered with AC set is stopped (#PF at CPL0, exit 125)"
else
	fail "$N: the kernel's read on an exception entered with AC set is stopped" "$(what)"
fi
run $K --unsafe-disable=smap --kvm-test-fault=read-user -- "$P"
if [ "$rc" = 132 ] && grep -q "CR4.SMAP off" "$E"; then
	ok "$N: without SMAP the same read goes through (the program dies of its SIGILL)"
else
	fail "$N: without SMAP the same read goes through" "$(what)"
fi
