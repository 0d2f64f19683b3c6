# -q/--quiet on the kvm platform: the monitor's proxy says nothing but
# fatal errors and the warnings that a protection is off (here Landlock
# ABI 2's "not enforced" line; no fault line, no --timeout line), the
# program's output and status are the same; and a fault the program dies
# of prints its one line without -q (tests/lab/progs/kvm_exc).
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-quiet
cd /work || exit 1
X=$CABIN_BUILD/tests/lab/kvm_exc
T=/tmp/kq
mkdir -p "$T"

need_kvm "$SUITE: -q on the kvm platform"
. /lab/kvm_lib.sh

krun -- "$X" pf
if [ "$rc" = 139 ] && [ "$(grep -c '^cabin: pid [0-9]* (kvm_exc): SIGSEGV (SEGV_MAPERR) at 0x0, ' "$E")" = 1 ]; then
	ok "$SUITE$TAG: a fatal SIGSEGV: exit 139, one fault line"
else
	fail "$SUITE$TAG: a fatal SIGSEGV: exit 139, one fault line" "$(kwhat)"
fi
cp "$O" "$T/pf.out"
# quietE: stderr but for the warning -q keeps (Landlock ABI 2 here).
quietE() { grep -v '^cabin: warning: not enforced on this kernel' "$E"; }
krun -q -- "$X" pf
if [ "$rc" = 139 ] && [ -z "$(quietE)" ] && cmp -s "$O" "$T/pf.out"; then
	ok "$SUITE$TAG: -q, a fatal SIGSEGV: exit 139, stdout the same, nothing on stderr"
else
	fail "$SUITE$TAG: -q, a fatal SIGSEGV: exit 139, nothing on stderr" "$(kwhat)"
fi
krun -q --timeout 1 -- sleep 30
if [ "$rc" = 124 ] && [ -z "$(quietE)" ]; then
	ok "$SUITE$TAG: -q --timeout: exit 124, no line"
else
	fail "$SUITE$TAG: -q --timeout: exit 124, no line" "$(kwhat)"
fi
krun -q -v -- /bin/true
if [ "$rc" = 125 ] && [ "$(cat "$E")" = "cabin run: --quiet and --verbose cannot be combined" ]; then
	ok "$SUITE$TAG: -q with -v: one line, 125"
else
	fail "$SUITE$TAG: -q with -v: one line, 125" "$(kwhat)"
fi
