# Memory the program frees goes back to the host (tests/lab/progs/
# kvm_release).  The monitor's process holds the program's memory, so
# its resident size is what the program costs the host.  For each way of
# freeing (munmap, MADV_DONTNEED, MADV_FREE, brk shrink, a thread's
# stack; one run each), MIB MiB are taken, touched and freed, ROUNDS times: while
# touched the monitor must have grown by most of MIB (so the measure
# sees the memory at all), and once freed it must be back within a
# quarter of MIB of where it started.  Before, freed memory stayed
# committed (the proxy kernel zeroed the frames): the monitor stayed a
# whole MIB above.  The bounds are fractions of the allocation, not
# times.  Natively, MADV_FREE frees only under memory pressure, so the
# native figures are shown, not checked.  Then what freed memory looks
# like must be what it looks like natively: zero after DONTNEED, SIGSEGV
# after munmap and brk shrink, zero when mapped again.
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-release
cd /work || exit 1
P=$CABIN_BUILD/tests/lab/kvm_release
T=/tmp/kr
mkdir -p "$T"
MIB=${KVM_RELEASE_MIB:-32}
ROUNDS=2

need_kvm "$SUITE: freed memory goes back to the host"
. /lab/kvm_lib.sh

KIB=$((MIB * 1024))
for way in munmap dontneed free brk thread-stack; do
	n="$SUITE$TAG: the monitor gives back what the program frees: $way"
	nrun "$P" rss "$MIB" "$ROUNDS" "$way"
	note "$SUITE: native: $(grep '^check' "$O")"
	krun -- "$P" rss "$MIB" "$ROUNDS" "$way"
	set -- $(grep '^check ' "$O")
	grew=${3:-0} left=${4:-$KIB}
	if [ "$rc" = 0 ] && [ "$#" = 4 ] && [ "$grew" -ge $((KIB * 3 / 4)) ] &&
	   [ "$left" -le $((KIB / 4)) ]; then
		ok "$n: grew by $grew KiB touched, $left KiB above the start freed (at most $((KIB / 4)))"
	else
		fail "$n: grows by at least $((KIB * 3 / 4)) KiB touched and stays at most $((KIB / 4)) KiB above the start freed" "$(kwhat)"
	fi
done

same "freed memory reads as on Linux" "$P" zero
