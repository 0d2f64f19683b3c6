# A MAP_SHARED file cut short under its mapping (tests/lab/progs/
# kvm_sigbus): reading past the new end raises a SIGBUS the program
# catches (BUS_ADRERR, si_addr the address read), and an uncaught one
# kills, as natively; before, the run ended as cabin's failure
# ("KVM_RUN: Bad address", exit 125).  A syscall whose buffer lies in a
# cut page fails with EFAULT and the program goes on (before: the
# monitor met SIGBUS copying it and ended the program), whether the host
# kernel, the monitor or the proxy kernel touches the buffer, and with
# --forward=ring, where a worker thread of the monitor forwards; the
# file grown again, its pages are there again (before: SIGBUS forever).
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-sigbus
cd /work || exit 1
P=$CABIN_BUILD/tests/lab/kvm_sigbus
D=/work/kb
T=/tmp/kb
mkdir -p "$D" "$T"

need_kvm "$SUITE: SIGBUS past a shared file's end"
. /lab/kvm_lib.sh

same "a shared file cut short: SIGBUS caught and uncaught, EFAULT for syscalls, pages back when it grows" "$P" "$D"
if [ -z "$KVM_EXTRA" ]; then
	KVM_EXTRA=--forward=ring
	TAG=" $KVM_EXTRA"
	same "a shared file cut short, syscalls by the ring's worker" "$P" "$D"
fi
