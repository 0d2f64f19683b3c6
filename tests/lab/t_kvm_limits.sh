# The kvm platform's stated limits (tests/lab/progs/kvm_limits), as
# README and docs/cli-contract.md promise them: a process has at most 32
# threads at once (each is a vCPU; the main thread is one), a further
# clone fails with EAGAIN, and one more can start once one has ended;
# clone with CLONE_VM and neither CLONE_THREAD nor CLONE_VFORK fails with
# ENOSYS, reported once.  Natively and on the process platform neither
# limit exists: the same program runs all its threads and its child
# shares its memory, which shows the program reached each call.
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-limits
cd /work || exit 1
P=$CABIN_BUILD/tests/lab/kvm_limits
T=/tmp/kl
mkdir -p "$T"

need_kvm "$SUITE: the thread limit and CLONE_VM"
. /lab/kvm_lib.sh

# expect NAME OUT...: $O is exactly the lines OUT.
expect() {
	n=$1
	shift
	printf '%s\n' "$@" >"$T/want"
	if [ "$rc" = 0 ] && cmp -s "$O" "$T/want"; then
		ok "$n"
	else
		fail "$n" "$(kwhat)"
	fi
}

# --- 32 threads at once ------------------------------------------------
threads_all="threads: 40 of 40 created"
nrun "$P" threads 40
expect "$SUITE: natively 40 threads start, and one more after one ended" \
	"threads: calling" "$threads_all" \
	"threads: one more after one ended: created"
prun -- "$P" threads 40
expect "$SUITE: the process platform starts 40 threads too" \
	"threads: calling" "$threads_all" \
	"threads: one more after one ended: created"
krun -- "$P" threads 40
expect "$SUITE$TAG: kvm starts 31 threads beside the main one, the 32nd clone fails EAGAIN, one more starts after one ended" \
	"threads: calling" "threads: 31 of 40 created, then EAGAIN" \
	"threads: one more after one ended: created"
# Below the limit nothing is refused.
krun -- "$P" threads 31
expect "$SUITE$TAG: 31 threads beside the main one all start" \
	"threads: calling" "threads: 31 of 31 created" \
	"threads: one more after one ended: created"

# --- CLONE_VM without CLONE_THREAD --------------------------------------
shared="clone-vm: child shared the memory"
nrun "$P" clone-vm
expect "$SUITE: natively clone(CLONE_VM) makes a child that shares memory" \
	"clone-vm: calling" "$shared" "clone-vm: calling" "$shared"
prun -- "$P" clone-vm
expect "$SUITE: the process platform runs it as Linux does" \
	"clone-vm: calling" "$shared" "clone-vm: calling" "$shared"
line="cabin: pid [0-9]* (kvm_limits): clone: processes sharing memory are not supported on the kvm platform (ENOSYS)"
krun -- "$P" clone-vm
expect "$SUITE$TAG: kvm refuses clone(CLONE_VM) without CLONE_THREAD with ENOSYS, twice" \
	"clone-vm: calling" "clone-vm: ENOSYS" \
	"clone-vm: calling" "clone-vm: ENOSYS"
if [ "$(grep -c "^$line\$" "$E")" = 1 ]; then
	ok "$SUITE$TAG: the refusal is reported once"
else
	fail "$SUITE$TAG: the refusal is reported once" "$(kwhat)"
fi
