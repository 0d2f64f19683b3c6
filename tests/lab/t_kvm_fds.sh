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
printf '%s\n' 'syscall default allow' \
	'files read,exec /usr /bin /sbin ?/lib ?/lib32 ?/lib64 /cabin' \
	'network host' >"$T/policy"

need_kvm "$SUITE: inherited descriptors do not reach the program"
DEADLINE=${KVM_FDS_DEADLINE:-150}
. /lab/kvm_lib.sh

# rules [OPTIONS...]: inherited_fd with fd 3 a directory, fd 4 a file,
# neither granted by the policy (--best-effort: the lab has Landlock ABI 2).
rules() {
	exec 3<"$D" 4<"$D/secret"
	krun --policy "$T/policy" --best-effort "$@" -- "$P" rules
	r=$?
	exec 3<&- 4<&-
	return $r
}

n="$SUITE$TAG: a directory and a file outside the rules are not there"
if rules; then
	if [ "$rc" = 0 ] && grep -q '^CONTAINED fd 3: EBADF, fd 4: EBADF' "$O"; then
		ok "$n"
	else
		fail "$n" "$(kwhat)"
	fi
else
	late "$n"
fi

n="$SUITE$TAG: they reach it with --unsafe-disable=fds"
if rules --unsafe-disable=fds; then
	if grep -q '^ESCAPED' "$O"; then
		ok "$n"
	else
		fail "$n" "$(kwhat)"
	fi
else
	late "$n"
fi

n="$SUITE$TAG: --pass-fd 3 with a directory exits 125 before the program runs"
exec 3<"$D"
if krun --policy "$T/policy" --pass-fd 3 -- "$P" rules; then
	if [ "$rc" = 125 ] && [ ! -s "$O" ] && grep -q 'pass-fd 3 refused' "$E"; then
		ok "$n"
	else
		fail "$n" "$(kwhat)"
	fi
else
	late "$n"
fi
exec 3<&-

n="$SUITE$TAG: --pass-fd 3 hands a file over"
echo through-fd-3 >"$T/data"
exec 3<"$T/data"
if krun --pass-fd 3 -- /bin/sh -c 'cat <&3'; then
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = through-fd-3 ]; then
		ok "$n"
	else
		fail "$n" "$(kwhat)"
	fi
else
	late "$n"
fi
exec 3<&-
