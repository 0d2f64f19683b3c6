# /dev/kvm after loading irqbypass, kvm, ccp, kvm-amd (nested svm under TCG),
# and cabin's verdict on it: this VM's KVM is hardware KVM (svm or vmx), so
# the canary guest must pass and cabin info must say --platform kvm works;
# a verdict of "unavailable" here is a failure, never a quiet skip of every
# kvm test.
. /lab/lib.sh
if [ ! -e /dev/kvm ]; then
	why=$(grep -m1 -oE '\b(svm|vmx)\b' /proc/cpuinfo || true)
	skip "kvm: /dev/kvm present" "no /dev/kvm after the modules (cpu flag: ${why:-neither svm nor vmx}; see the insmod lines above)"
	exit 0
fi
ok "kvm: /dev/kvm present"
run "$CABIN" info
show
if grep -qE '^/dev/kvm +yes' "$O"; then
	ok "kvm: cabin info sees a usable /dev/kvm"
else
	fail "kvm: cabin info sees a usable /dev/kvm" "$(grep '^/dev/kvm' "$O")"
fi
if ! grep -qwE 'svm|vmx' /proc/cpuinfo; then
	skip "kvm: cabin's verdict on hardware KVM" "no svm or vmx flag in this VM"
	exit 0
fi
if grep -qE "^kvm platform +available: a canary guest's syscall at CPL3 reached the proxy kernel at CPL0; hardware KVM \(vmx/svm in /proc/cpuinfo\)$" "$O"; then
	ok "kvm: cabin info: --platform kvm available, the canary reached CPL0"
else
	fail "kvm: cabin info: --platform kvm available, the canary reached CPL0" "$(grep '^kvm platform' "$O")"
fi
kvm_verdict
if [ "$kvm_ok" = yes ] && grep -q '^  "kvm_canary": "passed",$' /tmp/lab.info &&
   grep -q '^  "kvm_pvm": false,$' /tmp/lab.info; then
	ok "kvm: cabin info --json: kvm_platform true, canary passed, not PVM"
else
	fail "kvm: cabin info --json: kvm_platform true, canary passed" "$(grep kvm /tmp/lab.info | tr '\n' ' ')"
fi
