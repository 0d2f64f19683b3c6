# The kvm platform's first step: tests/lab/progs/kvm_hello, a standalone
# monitor, runs a hand-made guest in 64-bit long mode under the lab's
# nested KVM: ring 0 writes to port 0xE9, drops to ring 3 with iretq,
# and ring 3 writes through `syscall` to a ring-0 stub (LSTAR) that
# forwards the bytes by port I/O; hlt ends the run with exit 0.
. /lab/lib.sh
P=$CABIN_BUILD/tests/lab/kvm_hello
if [ ! -x "$P" ]; then
	fail "kvm_hello: built" "$P missing"
	exit 1
fi
if [ ! -e /dev/kvm ]; then
	run "$P"
	if [ "$rc" = 125 ] && grep -q '/dev/kvm' "$E"; then
		ok "kvm_hello: without /dev/kvm exits 125 naming /dev/kvm"
	else
		fail "kvm_hello: without /dev/kvm exits 125 naming /dev/kvm" "$(what)"
	fi
fi
need_kvm "kvm_hello: guest runs"
run "$P"
note "kvm_hello: $(what)"
if [ "$rc" = 0 ]; then
	ok "kvm_hello: guest halts, monitor exits 0"
else
	fail "kvm_hello: guest halts, monitor exits 0" "$(what)"
fi
if [ "$(sed -n 1p "$O")" = "hello from guest ring 0" ]; then
	ok "kvm_hello: ring 0 writes through port I/O"
else
	fail "kvm_hello: ring 0 writes through port I/O" "$(what)"
fi
if [ "$(sed -n 2p "$O")" = "hello from guest ring 3 via syscall" ] &&
   [ "$(wc -l <"$O")" = 2 ]; then
	ok "kvm_hello: ring 3 writes through syscall, LSTAR stub, port I/O"
else
	fail "kvm_hello: ring 3 writes through syscall, LSTAR stub, port I/O" "$(what)"
fi
