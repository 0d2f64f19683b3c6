# Helpers for the lab tests (busybox sh): one TAP-like line per check.
# CABIN is the cabin binary, CABIN_BUILD the copied build directory.
: "${CABIN:=/cabin/cabin}" "${CABIN_BUILD:=/cabin}"

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1: $2"; }
skip() { echo "ok - $1 # SKIP $2"; }

# note TEXT...: a comment line, shown in the log.
note() { echo "# $*"; }

# oneline FILE: FILE's first 300 bytes on one line, for a failure message.
oneline() { head -c 300 "$1" | tr '\n' '|'; }

# run CMD...: run CMD with a 30 s limit, stdin /dev/null; sets rc, and
# leaves stdout in $O and stderr in $E.
O=/tmp/lab.out
E=/tmp/lab.err
run() {
	timeout -s KILL 30 "$@" </dev/null >"$O" 2>"$E"
	rc=$?
}

# what: a short account of the last run, for a failure message.
what() {
	echo "exit $rc; stdout: $(oneline "$O"); stderr: $(oneline "$E")"
}

# show: the last run's stderr as comment lines.
show() { sed 's/^/#   /' "$E"; }

# kvm_verdict: cabin's own verdict on this VM's KVM (cabin info --json,
# which runs its canary guest), not /dev/kvm's existence: kvm_ok is yes or
# no, kvm_why the verdict's reason; KVM_UNSAFE switches off what the
# guest lacks of the proxy kernel's SMEP and SMAP (cabin refuses runs that
# ask for them), empty when it has both.
kvm_verdict() {
	"$CABIN" info --json >/tmp/lab.info 2>&1
	kvm_ok=no
	grep -q '^  "kvm_platform": true,$' /tmp/lab.info && kvm_ok=yes
	kvm_why=$(sed -n 's/^  "kvm_verdict": "\(.*\)",$/\1/p' /tmp/lab.info)
	KVM_UNSAFE=
	for f in smep smap; do
		grep -q "^  \"kvm_guest_$f\": true,\$" /tmp/lab.info ||
			KVM_UNSAFE="${KVM_UNSAFE:+$KVM_UNSAFE,}$f"
	done
	[ -n "$KVM_UNSAFE" ] && KVM_UNSAFE="--unsafe-disable=$KVM_UNSAFE"
}

# need_kvm NAME [any]: where cabin says --platform kvm cannot work in this
# VM, NAME is skipped with cabin's reason and the test file ends here; so
# too where the guest lacks SMEP or SMAP (cabin refuses a run that does
# not switch them off), unless "any": the test then runs with KVM_UNSAFE.
need_kvm() {
	kvm_verdict
	if [ "$kvm_ok" != yes ]; then
		skip "$1" "cabin info: --platform kvm unavailable: $kvm_why"
		exit 0
	fi
	if [ -n "$KVM_UNSAFE" ] && [ "${2:-}" != any ]; then
		skip "$1" "the kvm guest lacks what $KVM_UNSAFE names: cabin refuses runs with it"
		exit 0
	fi
	return 0
}
