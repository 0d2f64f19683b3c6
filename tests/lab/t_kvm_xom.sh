# Execute-only code on the kvm platform: the program's text, libc's, a
# dlopen'ed library's and a self-mapped code page are mapped with
# protection key 1 in the guest's page tables, which the program's PKRU
# keeps unread; the core's sealing (WRPKRU/XRSTOR scan, PKRU checked at
# every stop) is the process platform's.  The same adversarial programs
# as tests/lab/t_xom.sh fail to read code here too, and read it without
# --xom.
. /lab/lib.sh
cd /work || exit 1
L=$CABIN_BUILD/tests/lab
need_kvm "kvm-xom"
K="$CABIN run --platform kvm"

run $K --xom -- /bin/busybox true
if [ "$rc" = 0 ]; then
	ok "kvm-xom: busybox runs under --xom"
else
	fail "kvm-xom: busybox runs under --xom" "$(what)"
	exit 0
fi

faults() {
	if grep -qx 'read: SIGSEGV si_code 4' "$O" &&
	   grep -q '^cabin: XOM violation: .*read of execute-only code at' "$E"; then
		ok "kvm-xom: $1 faults (SEGV_PKUERR) and is reported"
	else
		fail "kvm-xom: $1 faults (SEGV_PKUERR) and is reported" "$(what)"
	fi
}

for m in self libc dlopen mapped; do
	run $K --xom -- "$L/xom_read" $m
	faults "a read of code ($m)"
	run $K -- "$L/xom_read" $m
	if grep -q '^read: ok' "$O"; then
		ok "kvm-xom: without --xom a read of code works ($m)"
	else
		fail "kvm-xom: without --xom a read of code works ($m)" "$(what)"
	fi
done

run $K --xom -- "$L/seal_wrpkru"
if grep -qx 'map: EPERM' "$O" &&
   grep -q '^cabin: XOM: refused executable mapping of .*seal_wrpkru.code .*WRPKRU at +0x6' "$E"; then
	ok "kvm-xom: a file holding WRPKRU is refused and reported"
else
	fail "kvm-xom: a file holding WRPKRU is refused and reported" "$(what)"
fi

# Each attack on the seal lifts execute-only memory natively (t_xom.sh);
# here it reads code without --xom and never with it (refused, killed,
# or its read faults).  seal_xrstor and seal_straddle run WRPKRU/XRSTOR
# themselves, which a guest without --xom has no protection keys for
# (#UD/#GP), so only their --xom half is checked.
for p in seal_xrstor seal_sigframe seal_straddle "seal_pkey pkey" \
	 "seal_pkey mprotect" "seal_pkey readonly" "seal_pkey alloc"; do
	set -- $p
	prog=$1
	shift
	run $K -- "$L/$prog" "$@"
	if [ "$prog" = seal_xrstor ] || [ "$prog" = seal_straddle ]; then
		:
	elif grep -q '^read: ok' "$O"; then
		ok "kvm-xom: $p reads its code without --xom"
	else
		fail "kvm-xom: $p reads its code without --xom" "$(what)"
	fi
	run $K --xom -- "$L/$prog" "$@"
	note "$p --xom: exit $rc: $(oneline "$O")"
	if grep -q '^read: ok' "$O"; then
		fail "kvm-xom: $p cannot read its code under --xom" "$(what)"
	else
		ok "kvm-xom: $p cannot read its code under --xom"
	fi
done

if [ -x /usr/bin/python3 ]; then
	# Python's builtin hashes, in both runs: OpenSSL's assembly reads the
	# constants it keeps in its code, which execute-only memory forbids
	# wherever libcrypto maps (t_xom_real.sh checks that fault).
	code='import sys; sys.modules["_hashlib"] = None; import json, hashlib; print(json.dumps({"h": hashlib.sha256(b"x").hexdigest()[:12]}))'
	native=$(/usr/bin/python3 -c "$code")
	run $K --xom -- /usr/bin/python3 -c "$code"
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = "$native" ]; then
		ok "kvm-xom: python3 json and hashlib under --xom as natively"
	else
		fail "kvm-xom: python3 json and hashlib under --xom as natively" "$(what)"
	fi
fi

# OpenSSL itself under --xom on kvm, its code left readable by name
# ("memory readable-code"), as the process platform does (t_xom_real.sh).
LIBCRYPTO=$(ls /lib/x86_64-linux-gnu/libcrypto.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3 2>/dev/null | head -n 1)
if [ -x /usr/bin/python3 ] && [ -n "$LIBCRYPTO" ]; then
	printf 'profile default\nmemory xom\nmemory trust %s\nmemory readable-code %s\n' \
		"$LIBCRYPTO" "$LIBCRYPTO" >/work/kvm-readable.policy
	code='import _hashlib; print(_hashlib.openssl_sha256(b"x").hexdigest())'
	native=$(/usr/bin/python3 -c "$code")
	run $K --policy /work/kvm-readable.policy --best-effort -- /usr/bin/python3 -c "$code"
	if [ -n "$native" ] && [ "$rc" = 0 ] && [ "$(cat "$O")" = "$native" ] &&
	   grep -q '^cabin: XOM: code of .*libcrypto\.so\.3 stays readable' "$E"; then
		ok "kvm-xom: 'memory readable-code' lets OpenSSL run under --xom as natively"
	else
		fail "kvm-xom: 'memory readable-code' lets OpenSSL run under --xom as natively" "native '$native'; $(what)"
	fi
else
	skip "kvm-xom: 'memory readable-code'" "no python3 or libcrypto.so.3 in the lab image"
fi
