# /proc's magic links on kvm (tests/lab/progs/kvm_magic): the program
# shares the monitor's process, so /proc/self/exe, /proc/self/fd/N and
# their aliases (thread-self, the pid, /dev/fd, a symlink, a dirfd, "..",
# openat2) must reach only the program's own objects: never cabin's
# binary, records or log (at or above the descriptor floor), nor a
# descriptor the program does not hold.  Its own descriptors still
# reopen, for no more access than they were opened with.
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-magic
cd /work || exit 1
P=$CABIN_BUILD/tests/lab/kvm_magic
D=/work/km
T=/tmp/km
mkdir -p "$D" "$T"
# The lab's /dev is devtmpfs alone: /dev/fd as a system's udev makes it.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

need_kvm "$SUITE: magic links name the program's objects"
. /lab/kvm_lib.sh

n="$SUITE$TAG: no magic link reaches the monitor"
krun -- "$P" "$D"
note "$(grep -c ESCAPED "$O") escapes; $(tail -n 1 "$O")"
if [ "$rc" = 0 ] && [ "$(tail -n 1 "$O")" = "done 0" ] &&
   ! grep -q ESCAPED "$O"; then
	ok "$n"
else
	fail "$n" "$(kwhat)"
	sed 's/^/#   /' "$O"
fi
for own in "pipe reopened by /proc/self/fd: reads" \
	   "pipe reopened by /dev/fd: opens" \
	   "file reopened for writing: opens"; do
	if grep -qx "own: $own" "$O"; then
		ok "$SUITE$TAG: own descriptor: $own"
	else
		fail "$SUITE$TAG: own descriptor: $own" "$(kwhat)"
	fi
done
if grep -q '^widen: .*: refused$' "$O"; then
	ok "$SUITE$TAG: a read-only descriptor does not reopen read-write"
else
	fail "$SUITE$TAG: a read-only descriptor does not reopen read-write" "$(kwhat)"
fi
