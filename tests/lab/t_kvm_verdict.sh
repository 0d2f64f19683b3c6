# What cabin refuses on kvm, and what it blames on the proxy kernel rather
# than the program.  The guest features cabin info reports
# (KVM_GET_SUPPORTED_CPUID) decide the refusals: --xom without PKU, the
# proxy kernel's SMEP or SMAP without them (unless --unsafe-disable), each
# exit 125 naming the feature with nothing run; with the feature the same
# run goes through.  A fault at CPL3 in the proxy kernel's code (a PVM
# host's syscall lands at the entry still at CPL3; kvm_entry jumps there by
# hand) ends the run with 125 and "the kvm proxy kernel stopped", never a
# SIGSEGV blamed on the program.  The refusals are seen for real with a
# CPU that lacks the features: LAB_CPU=max,-smep,-smap,-pku tests/lab/run.sh.
. /lab/lib.sh
need_kvm "kvm-verdict" any
P=$CABIN_BUILD/tests/lab/kvm_entry

has() { grep -q "^  \"kvm_guest_$1\": true,$" /tmp/lab.info; }

# feature NAME FLAG CABIN-ARGS...: refused naming NAME without it, runs with it.
feature() {
	name=$1 flag=$2
	shift 2
	run "$CABIN" run --platform kvm "$@" -- /bin/echo ran
	if has "$flag"; then
		if [ "$rc" = 0 ] && grep -qx ran "$O"; then
			ok "kvm-verdict: the guest has $name: ${*:-a default run} runs"
		else
			fail "kvm-verdict: the guest has $name: ${*:-a default run} runs" "$(what)"
		fi
	elif [ "$rc" = 125 ] && [ ! -s "$O" ] &&
	     grep -q "^cabin: --platform kvm: this host's KVM offers the guest no.* $name " "$E"; then
		ok "kvm-verdict: no $name in the guest: ${*:-a default run} refused (125), nothing ran"
	else
		fail "kvm-verdict: no $name in the guest: ${*:-a default run} refused naming it" "$(what)"
	fi
}
feature PKU pku --xom
feature SMEP smep
feature SMAP smap
# Switched off by the user: never refused for them.
run "$CABIN" run --platform kvm --unsafe-disable=smep,smap -- /bin/echo ran
if [ "$rc" = 0 ] && grep -qx ran "$O"; then
	ok "kvm-verdict: --unsafe-disable=smep,smap runs whatever the guest has"
else
	fail "kvm-verdict: --unsafe-disable=smep,smap runs" "$(what)"
fi

# jump WHAT TEXT: kvm_entry WHAT ends with 125 and TEXT, after its marker.
jump() {
	run "$CABIN" run --platform kvm $KVM_UNSAFE -- "$P" "$1"
	if [ "$rc" = 125 ] && grep -q "^jumping to " "$O" &&
	   grep -q "^cabin: the kvm proxy kernel stopped: #PF page fault (vector 14, error 0x15) at CPL3 $2" "$E" &&
	   ! grep -qi 'SIGSEGV' "$E"; then
		ok "kvm-verdict: a fault at CPL3 $3: exit 125, the proxy kernel named, no SIGSEGV"
	else
		fail "kvm-verdict: a fault at CPL3 $3: exit 125, the proxy kernel named" "$(what)"
	fi
}
jump entry "at its syscall entry 0x10018: this host's KVM left a syscall at CPL3 (as PVM does; see 'cabin info')" \
	"at the syscall entry (PVM's symptom)"
jump code "in its code, rip 0x10100" "in the proxy kernel's code"
# Natively the same jump is the program's own SIGSEGV.
run "$P" entry
if [ "$rc" = 139 ] && grep -q "^jumping to " "$O"; then
	ok "kvm-verdict: natively the jump is the program's SIGSEGV (139)"
else
	fail "kvm-verdict: natively the jump is the program's SIGSEGV" "$(what)"
fi

# cabin info's text names what the guest lacks, as its JSON does.
lacks=$(sed -n 's/^  "kvm_guest_lacks": "\(.*\)",$/\1/p' /tmp/lab.info)
run "$CABIN" info
if [ -z "$lacks" ]; then
	want='^kvm guest +SMEP, SMAP and PKU offered \(KVM_GET_SUPPORTED_CPUID\)$'
else
	want="^kvm guest +lacks $lacks \\(KVM_GET_SUPPORTED_CPUID\\):"
fi
if [ "$rc" = 0 ] && grep -qE "$want" "$O"; then
	ok "kvm-verdict: cabin info names what the guest lacks (${lacks:-nothing})"
else
	fail "kvm-verdict: cabin info names what the guest lacks (${lacks:-nothing})" "$(grep '^kvm' "$O")"
fi
