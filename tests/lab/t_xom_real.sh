# Real programs under sealed execute-only memory (--xom): GNU coreutils,
# Debian's dash and python3.11 (copied from the build host by run.sh)
# give the same stdout and exit status confined as natively; python3
# reading its own code through ctypes faults with SEGV_PKUERR and cabin
# reports an XOM violation.
. /lab/lib.sh
cd /work || exit 1
G=/usr/gnu/bin
PY=/usr/bin/python3.11

printf 'pear\napple\nfig\nbanana\napple\n' >/work/in.txt

# same NAME CMD...: CMD's stdout and exit status under cabin --xom are
# those of its native run.
same() {
	name=$1
	shift
	run "$@"
	nrc=$rc
	cp "$O" /tmp/xr.native
	run "$CABIN" run --xom -- "$@"
	if [ "$rc" = "$nrc" ] && cmp -s "$O" /tmp/xr.native; then
		ok "xom-real: $name: same stdout and exit $rc under --xom"
	else
		fail "xom-real: $name: same stdout and exit status under --xom" \
			"native exit $nrc, stdout: $(oneline /tmp/xr.native); --xom $(what)"
	fi
	grep -q '^cabin: XOM' "$E" && show
}

if [ -x "$G/ls" ]; then
	same "coreutils ls /" "$G/ls" /
	same "coreutils ls -l of a file" "$G/ls" -ln /work/in.txt
	same "coreutils sort" "$G/sort" /work/in.txt
	same "coreutils sort -u -r" "$G/sort" -u -r /work/in.txt
	same "coreutils wc" "$G/wc" /work/in.txt
	same "coreutils sha256sum" "$G/sha256sum" /work/in.txt
	same "coreutils head" "$G/head" -n 2 /work/in.txt
	same "coreutils cat of a missing file (exit 1)" "$G/cat" /work/missing
	same "coreutils env" "$G/env" -i A=1 B=2 "$G/env"
else
	skip "xom-real: coreutils" "$G/ls not in the image (no GNU coreutils on the build host)"
fi

if [ -x /bin/dash ] && [ -x "$G/sort" ]; then
	same "dash -c pipeline" /bin/dash -c "$G/cat /work/in.txt | $G/sort | $G/tr a-z A-Z | $G/head -n 3; $G/echo x > /work/out.txt; $G/wc -c < /work/out.txt; exit 3"
	same "dash -c with a subshell, a loop and a here-document" /bin/dash -c "for i in 1 2 3; do (echo \$i | $G/cat); done; $G/ls /work | $G/sha256sum; $G/sort <<EOF
b
a
EOF"
else
	skip "xom-real: dash" "/bin/dash or GNU coreutils not in the image"
fi

if [ ! -x "$PY" ]; then
	skip "xom-real: python3" "$PY not in the image (no python3.11 on the build host)"
	exit 0
fi
# libcrypto is refused under --xom only where its build happens to hold
# the bytes of a PKRU writer in its code (the scan counts them inside
# other instructions).  Where it holds none it maps, and OpenSSL's
# assembly reads the constant tables it keeps in its code: that faults
# (checked below).  Python then gets its builtin hashes as where
# libcrypto is refused: _hashlib is kept from importing.
LIBCRYPTO=$(ls /lib/x86_64-linux-gnu/libcrypto.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3 2>/dev/null | head -n 1)
crypto_marked=no
if [ -n "$LIBCRYPTO" ] && "$PY" - "$LIBCRYPTO" <<'EOF'
import re, struct, sys
d = open(sys.argv[1], "rb").read()
writer = re.compile(rb"\x0f\x01\xef|\x0f\xae[\x28-\x2f\x68-\x6f\xa8-\xaf]")
phoff, = struct.unpack_from("<Q", d, 32)
phentsize, phnum = struct.unpack_from("<HH", d, 54)
for i in range(phnum):
    kind, flags, off, _, _, size = struct.unpack_from("<IIQQQQ", d, phoff + i * phentsize)
    if kind == 1 and flags & 1 and writer.search(d, off, off + size):
        sys.exit(0)
sys.exit(1)
EOF
then
	crypto_marked=yes
fi
nohl=
[ -n "$LIBCRYPTO" ] && [ "$crypto_marked" = no ] &&
	nohl='import sys; sys.modules["_hashlib"] = None; '
note "libcrypto: ${LIBCRYPTO:-none}, holds a PKRU writer's bytes: $crypto_marked"
same "python3 json, re, hashlib" "$PY" -c "$nohl"'import json, re, hashlib; print(json.dumps({"h": hashlib.sha256(b"x").hexdigest(), "m": re.findall(r"\d+", "a1b22c333")}))'
same "python3 exit status" "$PY" -c 'import sys; print("bye"); sys.exit(7)'
printf '%s\n' "$nohl" >/work/thr.py
cat >>/work/thr.py <<'EOF'
import subprocess, threading, hashlib, sys
out = {}
def work(i):
    p = subprocess.run(["/usr/gnu/bin/echo", "echo", str(i)], stdout=subprocess.PIPE, check=True)
    out[i] = (p.stdout.decode().strip(), hashlib.sha256(str(i).encode()).hexdigest()[:12])
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in ts: t.start()
for t in ts: t.join()
for i in sorted(out): print(i, *out[i])
r = subprocess.run(["/usr/gnu/bin/sort"], input=b"b\na\n", stdout=subprocess.PIPE)
print(r.returncode, r.stdout.decode().split())
sys.exit(subprocess.call(["/bin/dash", "-c", "exit 5"]))
EOF
same "python3 threading and subprocess script" "$PY" /work/thr.py
if [ -n "$LIBCRYPTO" ] && [ "$crypto_marked" = no ]; then
	run "$CABIN" run --xom -- "$PY" -c 'import hashlib; print(hashlib.sha256(b"x").hexdigest())'
	if [ "$rc" != 0 ] && ! grep -q . "$O" &&
	   grep -q '^cabin: XOM violation: .*read of execute-only code at .* in .*libcrypto\.so\.3' "$E"; then
		ok "xom-real: libcrypto with no PKRU writer maps under --xom; reading its constants in code faults and is reported"
	else
		show
		fail "xom-real: libcrypto with no PKRU writer maps under --xom; reading its constants in code faults and is reported" "$(what)"
	fi
fi

# A library that reads its own code (OpenSSL's assembly keeps constant
# tables among its instructions) can be named in "memory readable-code":
# its code stays readable, said on stderr and in the report, while every
# other file's code stays execute-only (python3's own text still faults).
if [ -n "$LIBCRYPTO" ] && [ -x "$PY" ]; then
	{
		printf 'profile default\nmemory xom\nmemory readable-code %s\n' "$LIBCRYPTO"
		[ "$crypto_marked" = yes ] && printf 'memory trust %s\n' "$LIBCRYPTO"
	} >/work/readable.policy
	ossl='import _hashlib; print(_hashlib.openssl_sha256(b"x").hexdigest(), _hashlib.openssl_md5(b"y").hexdigest())'
	run "$PY" -c "$ossl"
	nrc=$rc
	cp "$O" /tmp/xr.native
	run "$CABIN" run --policy /work/readable.policy --best-effort \
		--report /work/readable.json -- "$PY" -c "$ossl"
	if [ "$nrc" = 0 ] && [ "$rc" = 0 ] && cmp -s "$O" /tmp/xr.native &&
	   grep -q '^cabin: XOM: code of .*libcrypto\.so\.3 stays readable, not execute-only (memory readable-code ' "$E" &&
	   "$PY" -c 'import json, sys; m = json.load(open(sys.argv[1]))["messages"]; sys.exit(not any("libcrypto.so.3 stays readable" in x for x in m))' /work/readable.json; then
		ok "xom-real: 'memory readable-code' lets OpenSSL run under --xom, as natively, and says so on stderr and in the report"
	else
		show
		fail "xom-real: 'memory readable-code' lets OpenSSL run under --xom, as natively, and says so on stderr and in the report" \
			"native exit $nrc, stdout: $(oneline /tmp/xr.native); $(what)"
	fi
else
	skip "xom-real: 'memory readable-code'" "no libcrypto.so.3 or python3 in the lab image"
fi

# Reading code: the address of a C function in python3.11's own text (the
# interpreter is libpython, linked statically and exporting its symbols),
# as ctypes finds it; /proc/self/maps is out of reach under --xom (cabin
# grants only system-wide /proc files there, see docs/security.md).
if [ ! -f /usr/lib/python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so ]; then
	skip "xom-real: python3 reading its code faults" "_ctypes not in the copied stdlib"
	exit 0
fi
cat >/work/peek.py <<'EOF'
import ctypes
print("ctypes: ok", flush=True)
addr = ctypes.cast(ctypes.pythonapi.Py_GetVersion, ctypes.c_void_p).value
print("call: ok", ctypes.pythonapi.Py_GetVersion() != 0, flush=True)
b = ctypes.string_at(addr, 16)
print("read: ok", len(b), flush=True)
EOF
run "$PY" /work/peek.py
if [ "$rc" = 0 ] && grep -q '^read: ok 16' "$O"; then
	ok "xom-real: python3 reads its own text natively"
else
	fail "xom-real: python3 reads its own text natively" "$(what)"
fi
run "$CABIN" run -- "$PY" /work/peek.py
if [ "$rc" = 0 ] && grep -q '^read: ok 16' "$O"; then
	ok "xom-real: python3 reads its own text without --xom"
else
	fail "xom-real: python3 reads its own text without --xom" "$(what)"
fi
run "$CABIN" run --xom -- "$PY" /work/peek.py
note "peek --xom: exit $rc: $(oneline "$O") / $(oneline "$E")"
if ! grep -q '^ctypes: ok' "$O"; then
	show
	fail "xom-real: python3 imports ctypes under --xom" "$(what)"
elif [ "$rc" != 0 ] && grep -q '^call: ok True' "$O" && ! grep -q '^read: ok' "$O" &&
     grep -q '^cabin: XOM violation: .*(python3.11).*read of execute-only code at' "$E" &&
     grep -q 'SEGV_PKUERR' "$E"; then
	ok "xom-real: python3 reading its own text faults (SEGV_PKUERR) and is reported"
else
	show
	fail "xom-real: python3 reading its own text faults (SEGV_PKUERR) and is reported" "$(what)"
fi

# Known limit, shown not judged: a program other than busybox that runs a
# busybox applet under --xom has it killed at exec (the static busybox
# holds XRSTOR and only the program, the loader and libc are trusted).
run "$CABIN" run --xom -- /bin/dash -c '/bin/echo hi; echo rc=$?'
note "dash running busybox's echo under --xom: $(oneline "$O") / $(grep '^cabin: XOM: .*killed' "$E" | head -n 1)"

# A policy may trust more files by name: libcrypto holds the bytes of
# WRPKRU inside another instruction, and busybox holds XRSTOR.  Trusted,
# they load and run under --xom; untrusted, they are refused.
# Where libcrypto holds no PKRU writer there is nothing to refuse: only
# the trusted half is judged (busybox shows the refusal above).
if [ -n "$LIBCRYPTO" ] && [ -x "$PY" ]; then
	# readable-code too, so that what OpenSSL reads of its code once
	# loaded cannot decide a test of loading.
	printf 'profile default\nmemory xom\nmemory trust %s /bin/busybox\nmemory readable-code %s\n' \
		"$LIBCRYPTO" "$LIBCRYPTO" >/work/trust.policy
	run "$CABIN" run --xom -- "$PY" -c 'import _hashlib; print("hashlib ok")'
	untrusted_rc=$rc
	untrusted_refused=no
	grep -q '^cabin: XOM: refused executable mapping of .*libcrypto' "$E" &&
		untrusted_refused=yes
	run "$CABIN" run --policy /work/trust.policy --best-effort -- \
		"$PY" -c 'import _hashlib; print("hashlib ok")'
	if { [ "$crypto_marked" = no ] ||
	     { [ "$untrusted_refused" = yes ] && [ "$untrusted_rc" != 0 ]; }; } &&
	   [ "$rc" = 0 ] && grep -q '^hashlib ok' "$O" &&
	   ! grep -q 'refused executable mapping' "$E"; then
		ok "xom-real: 'memory trust' lets a named library load under --xom"
	else
		show
		fail "xom-real: 'memory trust' lets a named library load under --xom" \
			"untrusted exit $untrusted_rc refused=$untrusted_refused; trusted $(what)"
	fi
	run "$CABIN" run --policy /work/trust.policy --best-effort -- \
		/bin/dash -c '/bin/echo hi'
	if [ "$rc" = 0 ] && grep -q '^hi' "$O"; then
		ok "xom-real: a trusted busybox runs from dash under --xom"
	else
		show
		fail "xom-real: a trusted busybox runs from dash under --xom" "$(what)"
	fi
else
	skip "xom-real: 'memory trust'" "no libcrypto.so.3 or python3 in the lab image"
fi

# The same policy: every other file's code stays execute-only.
if [ -f /work/readable.policy ]; then
	run "$CABIN" run --policy /work/readable.policy --best-effort -- "$PY" /work/peek.py
	if [ "$rc" != 0 ] && grep -q '^call: ok True' "$O" && ! grep -q '^read: ok' "$O" &&
	   grep -q 'SEGV_PKUERR' "$E"; then
		ok "xom-real: with libcrypto readable, python3's own text stays execute-only"
	else
		show
		fail "xom-real: with libcrypto readable, python3's own text stays execute-only" "$(what)"
	fi
fi
