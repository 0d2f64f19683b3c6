# /dev/kvm after loading irqbypass, kvm, ccp, kvm-amd (nested svm under TCG).
. /lab/lib.sh
if [ ! -e /dev/kvm ]; then
	why=$(grep -m1 -oE '\b(svm|vmx)\b' /proc/cpuinfo || true)
	skip "kvm: /dev/kvm present" "no /dev/kvm after the modules (cpu flag: ${why:-neither svm nor vmx}; see the insmod lines above)"
	exit 0
fi
ok "kvm: /dev/kvm present"
run "$CABIN" info
if grep -qE '^/dev/kvm +yes' "$O"; then
	ok "kvm: cabin info sees a usable /dev/kvm"
else
	fail "kvm: cabin info sees a usable /dev/kvm" "$(grep '^/dev/kvm' "$O")"
fi
