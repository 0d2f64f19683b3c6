# The kvm proxy kernel's own protection: a fault at CPL0 stops the VM with
# a diagnostic and exit 125, never the host; SMAP stops the kernel reading
# a user page and SMEP stops it running one (cabin run --kvm-test-fault
# makes the kernel try, as a bug would), and each is shown to be what
# stops it: with --unsafe-disable=smap or smep the same access goes through.
. /lab/lib.sh
need_kvm "kvm-guard: proxy kernel faults" any
K="$CABIN run --platform kvm --stats"
# The checks that need no SMEP or SMAP: with what the guest lacks off.
KU="$K $KVM_UNSAFE"

# guard NAME FAULT VECTOR-TEXT FEATURE
guard() {
	run $K --kvm-test-fault="$2" -- /bin/true
	if ! grep -q "CR4.$4 on" "$E"; then
		skip "kvm-guard: $1" "this CPU offers no $4 to the guest ($(grep "kvm guest\|KVM offers" "$E"))"
		return
	fi
	if [ "$rc" = 125 ] &&
	   grep -q "^cabin: the kvm proxy kernel stopped: $3 (vector 14, error 0x[0-9a-f]*) at CPL0, rip 0x[0-9a-f]* (rip 0x[0-9a-f]*, cr2 0x[0-9a-f]*)" "$E"; then
		ok "kvm-guard: $1: stopped by a #PF at CPL0, diagnostic, exit 125"
	else
		fail "kvm-guard: $1: stopped by a #PF at CPL0" "$(what)"
	fi
	flag=$(echo "$4" | tr 'A-Z' 'a-z')
	run $K --unsafe-disable="$flag" --kvm-test-fault="$2" -- /bin/true
	if [ "$rc" = 0 ] && grep -q "CR4.$4 off" "$E"; then
		ok "kvm-guard: $1: without $4 the kernel's access goes through (exit 0)"
	else
		fail "kvm-guard: $1: without $4 the access goes through" "$(what)"
	fi
}

guard "kernel reads a user page (SMAP)" read-user "#PF page fault" SMAP
guard "kernel calls into a user page (SMEP)" exec-user "#PF page fault" SMEP

run $KU --kvm-test-fault=kernel-ud -- /bin/true
if [ "$rc" = 125 ] &&
   grep -q "^cabin: the kvm proxy kernel stopped: #UD invalid opcode (vector 6, error 0x0) at CPL0" "$E"; then
	ok "kvm-guard: invalid opcode in the kernel: diagnostic, exit 125"
else
	fail "kvm-guard: invalid opcode in the kernel: diagnostic, exit 125" "$(what)"
fi

# A malformed ELF file: a clear error, exit 125, nothing run.
printf '\177ELF\002\001\001\000garbage-after-the-ident' >/tmp/bad.elf
chmod +x /tmp/bad.elf
run $CABIN run --platform kvm $KVM_UNSAFE -- /tmp/bad.elf
if [ "$rc" = 125 ] && grep -q "not a runnable x86-64 ELF file" "$E"; then
	ok "kvm-guard: malformed ELF refused with 125 and the reason"
else
	fail "kvm-guard: malformed ELF refused with 125 and the reason" "$(what)"
fi
