# Sparse touches on kvm (tests/lab/progs/kvm_sparse): 64 one-byte writes
# 2 MiB apart (256 KiB of pages touched) must grow the monitor, which
# holds the program's memory, by about that, not by 2 MiB per touch (a
# whole --kvm-batch run committed per grant, or a transparent huge page
# behind each touch, as before: 128 MiB).  The bound is a factor 8 of
# what was touched (page tables and the like), 2 MiB; the native figure
# is shown for comparison (a THP "always" kernel grows natively too).
. /lab/lib.sh
need_kvm "kvm-sparse: the monitor grows by what the program touches"
P=$CABIN_BUILD/tests/lab/kvm_sparse
N="kvm-sparse"
LIMIT_KIB=2048

run "$P"
note "$N: native: $(head -n 1 "$O")"
for batch in 512 1; do
	run $CABIN run --platform kvm --kvm-batch=$batch -- "$P"
	grew=$(sed -n 's/^grew //p' "$O")
	note "$N: kvm, --kvm-batch=$batch: $(head -n 1 "$O"), grew ${grew:-?} KiB"
	if [ "$rc" = 0 ] && [ -n "$grew" ] && [ "$grew" -le "$LIMIT_KIB" ]; then
		ok "$N: --kvm-batch=$batch: 64 touches grow the monitor by $grew KiB (at most $LIMIT_KIB)"
	else
		fail "$N: --kvm-batch=$batch: 64 touches grow the monitor by at most $LIMIT_KIB KiB" "$(what)"
	fi
done
