# Anonymous memory owned by the kvm proxy kernel: mmap, munmap, mprotect,
# madvise, brk and mremap of private anonymous memory are answered in the
# guest with no VM exit, pages are mapped at their first fault in the
# guest, and the guest asks the monitor for frames in batches of
# --kvm-batch pages (the paper's 512 and 1024).  tests/lab/progs/kvm_mm
# prints the same lines natively and on kvm; --stats gives the counts.
. /lab/lib.sh
M=$CABIN_BUILD/tests/lab/kvm_mm
need_kvm "kvm-mm: memory owned by the proxy kernel"
K="$CABIN run --platform kvm --stats"

# From --stats: total and syscall exits, guest faults, refills, guest calls.
exits() { sed -n 's/^cabin: kvm exits: \([0-9]*\) total.*/\1/p' "$1"; }
sysexits() { sed -n 's/^cabin: kvm exits: [0-9]* total: \([0-9]*\) syscall.*/\1/p' "$1"; }
faults() { sed -n 's/^cabin: kvm memory: \([0-9]*\) page faults.*/\1/p' "$1"; }
refills() { sed -n 's/^cabin: kvm memory: .*, \([0-9]*\) refills of.*/\1/p' "$1"; }
calls() { sed -n 's/^cabin: kvm memory: .* \([0-9]*\) mm syscalls answered.*/\1/p' "$1"; }

# The options are checked before anything runs.
run "$CABIN" run --platform kvm --kvm-batch=768 -- /bin/true
if [ "$rc" = 125 ] && grep -q 'power of two' "$E"; then
	ok "kvm-mm: --kvm-batch=768 is refused, naming powers of two"
else
	fail "kvm-mm: --kvm-batch=768 is refused" "$(what)"
fi

# The same lines natively and on kvm, whatever the batch, and with the
# ring, whose worker thread writes read(2)'s bytes into untouched pages.
run "$M" all
cp "$O" /tmp/km.native
nrc=$rc
for opt in --kvm-batch=512 --kvm-batch=1024 --forward=ring; do
	run $K $opt -- "$M" all
	if [ "$nrc" = 0 ] && [ "$rc" = 0 ] && cmp -s "$O" /tmp/km.native; then
		ok "kvm-mm: kvm_mm all as natively ($opt)"
	else
		fail "kvm-mm: kvm_mm all as natively ($opt)" "native exit $nrc: $(oneline /tmp/km.native); $(what)"
	fi
done
note "kvm-mm: kvm_mm all on kvm: $(grep '^cabin: kvm memory' "$E")"

# 1000 x (mmap + munmap) make no syscall exit; under --wx the monitor
# answers them (W^X is its own rule), which shows what the guest spares.
run $K -- "$M" loop 0
s0=$(sysexits "$E")
run $K -- "$M" loop 1000
s1=$(sysexits "$E") c1=$(calls "$E") out1=$(cat "$O")
run $K --wx -- "$M" loop 1000
s2=$(sysexits "$E") c2=$(calls "$E")
note "kvm-mm: syscall exits: loop 0: $s0; loop 1000: $s1 ($c1 answered in the guest); loop 1000 under --wx: $s2 ($c2 in the guest)"
if [ "$out1" = "loop 1000: ok" ] && [ -n "$s0" ] && [ -n "$s1" ] &&
   [ "$s1" -lt $((s0 + 20)) ] && [ "$c1" -ge 2000 ]; then
	ok "kvm-mm: 1000 mmap and munmap make no VM exit"
else
	fail "kvm-mm: 1000 mmap and munmap make no VM exit" "loop 0: $s0, loop 1000: $s1 exits, $c1 in the guest; $(what)"
fi
if [ -n "$s2" ] && [ "$s2" -ge $((s0 + 2000)) ] && [ "$c2" = 0 ]; then
	ok "kvm-mm: under --wx the monitor answers every memory call"
else
	fail "kvm-mm: under --wx the monitor answers every memory call" "loop 0: $s0, --wx loop 1000: $s2 exits, $c2 in the guest"
fi

# 64 MiB touched page by page: 16384 faults resolved in the guest; the
# refills are 64 MiB over the batch (32 runs of 512 pages, 16 of 1024),
# give or take a run the mapping straddles or shares with memory touched
# before, on top of what the program needs anyway (touch 0).
for b in 512 1024; do
	run $K --kvm-batch=$b -- "$M" touch 0
	r0=$(refills "$E") f0=$(faults "$E")
	run $K --kvm-batch=$b -- "$M" touch 64
	r=$(refills "$E") f=$(faults "$E") out=$(cat "$O")
	want=$((16384 / b))
	note "kvm-mm: --kvm-batch=$b: touch 0: $f0 faults, $r0 refills; touch 64 MiB: $f faults, $r refills ($((r - r0)) for the 64 MiB), $(exits "$E") exits"
	eval "r$b=\$((r - r0))"
	if [ "$out" = "touch 64 MiB: sum 2088960" ] && [ -n "$f" ] &&
	   [ $((f - f0)) -ge 16384 ] && [ $((r - r0)) -ge $((want - 2)) ] &&
	   [ $((r - r0)) -le $((want + 2)) ]; then
		ok "kvm-mm: 64 MiB with --kvm-batch=$b: 16384 faults in the guest, about $want refills"
	else
		fail "kvm-mm: 64 MiB with --kvm-batch=$b: 16384 faults in the guest, about $want refills" "touch 0: $f0 faults, $r0 refills; touch 64: $f faults, $r refills; $(what)"
	fi
done
if [ -n "$r512" ] && [ -n "$r1024" ] && [ "$r1024" -lt $((r512 * 3 / 4)) ]; then
	ok "kvm-mm: batches of 1024 pages take clearly fewer refills than of 512 ($r1024 against $r512)"
else
	fail "kvm-mm: batches of 1024 pages take fewer refills than of 512" "$r1024 against $r512"
fi
