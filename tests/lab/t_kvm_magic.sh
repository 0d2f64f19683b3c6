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
if [ "$rc" = 0 ] && grep -qx "done 0" "$O" &&
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

# Every other path call (stat, truncate, readlink, chmod, xattrs, rename,
# mkdir, ...) by the same names and the monitor's binary's aliases, in two
# runs (the low descriptors and the exe, then the floor's): natively
# first, where none reaches anything (the probe's own control), then on
# kvm, which must try them and reach nothing.
for part in low high; do
	n="$SUITE$TAG: no path call reaches the monitor's objects ($part)"
	nrun "$P" "$T" paths "$part"
	ntried=$(sed -n 's/^paths [0-9]* of \([0-9]*\)$/\1/p' "$O")
	if [ "$rc" != 0 ] || ! grep -qx "paths 0 of $ntried" "$O"; then
		fail "$n" "native control: $(what)"
	else
		krun -- "$P" "$D" paths "$part"
		note "kvm $part: $(grep -c '^REACHED' "$O") reaches; $(tail -n 1 "$O") (native: paths 0 of $ntried); $(grep '^own object' "$O" | tr '\n' ' ')"
		# The number of names may differ by the descriptors each inherits.
		if [ "$rc" = 0 ] && grep -qx 'paths 0 of [1-9][0-9]*' "$O"; then
			ok "$n"
		else
			fail "$n" "$(kwhat)"
			grep '^REACHED' "$O" |
				sed -E 's/ [^ ]*[0-9]+ \(/ N (/' |
				sort | uniq -c | sed 's/^/#   /'
			grep '^REACHED' "$O" | head -n 40 | sed 's/^/#   /'
		fi
	fi
done
