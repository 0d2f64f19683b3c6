# Descriptors cabin inherited, on kvm (tests/adversarial/inherited_fd):
# the monitor shares its descriptor table with the program, so what
# cabin's caller left open must be closed there as on the process
# platform (the child seals them, the monitor closes them below its
# floor); --pass-fd hands one over, and a directory is refused.
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-fds
cd /work || exit 1
P=$CABIN_BUILD/tests/adversarial/inherited_fd
D=/work/kf
T=/tmp/kf
mkdir -p "$D" "$T"
echo SECRET >"$D/secret"
echo through-fd-3 >"$T/data"
printf '%s\n' 'syscall default allow' \
	'files read,exec /usr /bin /sbin ?/lib ?/lib32 ?/lib64 /cabin' \
	'network host' >"$T/policy"

need_kvm "$SUITE: inherited descriptors do not reach the program"
DEADLINE=${KVM_FDS_DEADLINE:-150}
. /lab/kvm_lib.sh

# check NAME FD3 FD4 EXPECT CABIN-RUN-ARGS...: one kvm run with fd 3
# (and fd 4 unless "-") open on FD3 and FD4; ok when EXPECT (a function
# of the run's rc, $O and $E) holds.
check() {
	n="$SUITE$TAG: $1" f3=$2 f4=$3 expect=$4
	shift 4
	exec 3<"$f3"
	[ "$f4" = - ] || exec 4<"$f4"
	if krun "$@"; then
		if "$expect"; then ok "$n"; else fail "$n" "$(kwhat)"; fi
	else
		late "$n"
	fi
	exec 3<&- 4<&-
}

contained() { [ "$rc" = 0 ] && grep -q '^CONTAINED fd 3: EBADF, fd 4: EBADF' "$O"; }
escaped() { grep -q '^ESCAPED' "$O"; }
refused() { [ "$rc" = 125 ] && [ ! -s "$O" ] && grep -q 'pass-fd 3 refused' "$E"; }
handed() { [ "$rc" = 0 ] && [ "$(cat "$O")" = through-fd-3 ]; }

# --best-effort: the lab's Landlock (ABI 2) cannot enforce all of it.
RULES="--policy $T/policy --best-effort"
check "a directory and a file outside the rules are not there" \
	"$D" "$D/secret" contained $RULES -- "$P" rules
check "they reach it with --unsafe-disable=fds" \
	"$D" "$D/secret" escaped $RULES --unsafe-disable=fds -- "$P" rules
check "--pass-fd 3 with a directory exits 125 before the program runs" \
	"$D" - refused $RULES --pass-fd 3 -- "$P" rules
check "--pass-fd 3 hands a file over" \
	"$T/data" - handed --pass-fd 3 -- /bin/sh -c 'cat <&3'
