# A process ends while another of its threads lives (tests/lab/progs/
# kvm_exit): the other thread spins in the guest or is blocked in a host
# call made on its behalf (read, pause, a futex, nanosleep).  Linux ends
# every thread at once, on exit_group, on a fatal signal, and on a SIGKILL
# from another process (the last two in a forked child, whose parent
# prints its status): the kvm run must
# end too, with the status the native run has.  A hang is bounded by
# lib.sh's HANG and reported as a different status.
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-exit
cd /work || exit 1
P=$CABIN_BUILD/tests/lab/kvm_exit
T=/tmp/kx
mkdir -p "$T"

need_kvm "$SUITE: a process ends with all its threads"
. /lab/kvm_lib.sh

for how in exit fork fork-signal fork-kill; do
	for state in spin read pause futex nanosleep; do
		same "$how with a thread in $state" "$P" "$state" "$how"
	done
done
