# The kvm platform (cabin run --platform kvm): the program runs at CPL3 in
# a KVM guest behind a proxy kernel at CPL0, every syscall forwarded to
# the monitor.  Each program here runs natively and on kvm, with the same
# stdout, stderr (cabin's own "cabin: " lines aside) and exit status;
# CPU exceptions become the signals Linux gives (tests/lab/progs/kvm_exc),
# hostile pointers give EFAULT (tests/lab/progs/kvm_hostile), policy,
# --trace and --report work as on the process platform, and --stats
# prints VM exit counts (processes: t_kvm_procs.sh).
#
# The native halves and the process-platform references are checks of
# their own, so that they show what the kvm halves are compared with.
# The lab's CPU (QEMU's TCG) raises no #AC and no #XM: for kvm_exc ac and
# xm the native check is skipped and kvm must raise nothing either.
# Each run is bounded only against a hang (lib.sh's HANG); "t+N s" notes
# show where the time goes.
. /lab/lib.sh
# KVM_EXTRA: more options for every kvm run (t_kvm_ring.sh passes
# --forward=ring); TAG names them in each check.
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
cd /work || exit 1
X=$CABIN_BUILD/tests/lab/kvm_exc
H=$CABIN_BUILD/tests/lab/kvm_hostile
G=/usr/gnu/bin
PY=/usr/bin/python3.11
D=/work/kp           # fixtures: the working directory is writable under
                     # the default profile, /tmp is private there
T=/tmp/kp            # the harness's own files
mkdir -p "$D" "$T"

kvm_verdict
if [ "$kvm_ok" != yes ]; then
	run "$CABIN" run --platform kvm -- /bin/true
	if [ "$rc" = 125 ] &&
	   grep -qF "cabin: --platform kvm cannot work on this host: $kvm_why; see 'cabin info'" "$E"; then
		ok "kvm-platform$TAG: where cabin's verdict is no, exits 125 with its reason"
	else
		fail "kvm-platform$TAG: where cabin's verdict is no, exits 125 with its reason" "$(what)"
	fi
	for c in "programs natively and on kvm" "CPU exceptions (kvm_exc)" \
		"hostile pointers (kvm_hostile)" "policy, --trace, --report" \
		"--stats"; do
		skip "kvm-platform$TAG: $c" "cabin info: --platform kvm unavailable: $kvm_why"
	done
	exit 0
fi
need_kvm "kvm-platform$TAG"

. /lab/kvm_lib.sh

# --- Fixtures --------------------------------------------------------------
printf 'pear\napple\nfig\nbanana\napple\n' >"$D/in.txt"
mkdir -p "$D/tree/a/b" "$D/tree/c"
echo one >"$D/tree/a/b/f1"
echo two >"$D/tree/c/f2"
: >"$D/tree/a/empty"
echo 'trace me' >"$D/somefile"

# since NAME: a note of the seconds spent so far, before section NAME.
since() { note "t+$(($(now) - T0)) s: $*"; }

# --- The simplest first ----------------------------------------------------
same "busybox echo" /bin/echo hello kvm
same "busybox true" /bin/true
if [ -x "$PY" ]; then
	same "python3 -S -c 'print(1)'" "$PY" -S -c 'print(1)'
else
	skip "kvm-platform$TAG: python3" "$PY not in the image (no python3.11 on the build host)"
fi

# --- Busybox applets ---------------------------------------------------------
since "busybox"
# (Applets live in /bin or /usr/bin, as busybox --list-full puts them.)
bb() { command -v "$1"; }
same "busybox ls" "$(bb ls)" -la "$D/tree"
same "busybox cat" "$(bb cat)" "$D/in.txt"
same "busybox cat of a missing file (exit 1, stderr)" "$(bb cat)" "$D/missing"
same "busybox sha256sum" "$(bb sha256sum)" "$D/in.txt"
same "busybox sort" "$(bb sort)" -u -r "$D/in.txt"
same "busybox wc" "$(bb wc)" "$D/in.txt"
same "busybox grep" "$(bb grep)" -n apple "$D/in.txt"
same "busybox grep without a match (exit 1)" "$(bb grep)" -q cherry "$D/in.txt"
same "busybox find" "$(bb find)" "$D/tree"
same "busybox head" "$(bb head)" -n 2 "$D/in.txt"
same_in "$D/in.txt" "busybox sort from stdin" "$(bb sort)"

# --- GNU coreutils -----------------------------------------------------------
since "coreutils"
if [ -x "$G/ls" ]; then
	same "coreutils ls" "$G/ls" -la "$D/tree"
	same "coreutils cat" "$G/cat" "$D/in.txt"
	same "coreutils cat of a missing file (exit 1, stderr)" "$G/cat" "$D/missing"
	same "coreutils sort" "$G/sort" "$D/in.txt"
	same "coreutils wc" "$G/wc" "$D/in.txt"
	same "coreutils sha256sum" "$G/sha256sum" "$D/in.txt"
	same "coreutils head" "$G/head" -n 2 "$D/in.txt"
	same_in "$D/in.txt" "coreutils tr from stdin" "$G/tr" a-z A-Z
	same "coreutils env" "$G/env" -i A=1 B=2
	same "coreutils echo" "$G/echo" -e 'a\tb\\c'
else
	skip "kvm-platform$TAG: coreutils" "$G/ls not in the image (no GNU coreutils on the build host)"
fi

# --- dash, builtins only (no fork) ------------------------------------------
since "dash"
if [ -x /bin/dash ]; then
	same "dash -c builtins and redirects" /bin/dash -c 'echo a >/tmp/kp-dash; read l </tmp/kp-dash; echo $l; printf "%s-%d\n" x 3'
	same "dash exit status 3" /bin/dash -c 'echo bye; exit 3'
	# The program starts with descriptors 0-2 only, as natively: nothing
	# of the monitor's (the VM, /dev/kvm, its own files) is reachable.
	same "dash: no descriptor but 0-2 at start" /bin/dash -c 'echo x >&3; echo x >&4; echo x >&5; echo x >&6; read l <&7; read l <&8; echo done'
else
	skip "kvm-platform$TAG: dash" "/bin/dash not in the image"
fi

# --- python3 -----------------------------------------------------------------
since "python3"
if [ -x "$PY" ]; then
	same "python3 -c json, re, hashlib, file I/O" "$PY" -c 'import json, re, hashlib
p = "/tmp/kp-py.json"
d = {"h": hashlib.sha256(b"kvm").hexdigest(), "m": re.findall(r"\d+", "a1b22c333")}
with open(p, "w") as f:
    json.dump(d, f)
with open(p) as f:
    e = json.load(f)
print(e == d, e["m"], e["h"][:16])'
	same "python3 exit status 7" "$PY" -c 'import sys; print("bye"); sys.exit(7)'
fi

# --- CPU exceptions -----------------------------------------------------------
since "CPU exceptions"
signum() {
	case $1 in
	SIGILL) echo 4 ;; SIGTRAP) echo 5 ;; SIGBUS) echo 7 ;;
	SIGFPE) echo 8 ;; SIGSEGV) echo 11 ;;
	esac
}
# faultline FILE: cabin's fault line for kvm_exc, with the pid and the
# load-dependent addresses (at/ip of 0x100000 and up: the program, its
# mmaps) made neutral; small addresses (0x0, 0x1000, 0x10000) and the
# offset in the file stay.
faultline() {
	sed -nE 's/^cabin: pid [0-9]+ /cabin: pid N /; s/(at|ip) 0x[0-9a-f]{6,}/\1 ADDR/g; /^cabin: pid N \(kvm_exc\): SIG/p' "$1" | head -n 1
}

# Every vector with the handler, in one process (kvm_exc all handler):
# natively, then on kvm; exc below checks each vector's line of both.
if [ -x "$X" ]; then
	nrun "$X" all handler
	cp "$O" "$T/xall.n"
	note "kvm_exc all handler natively: exit $rc"
	krun -- "$X" all handler
	cp "$O" "$T/xall.k"
	xall_k=$(kwhat)
fi

# exc VECTOR SIGNAL CODE HANDLER-LINE [h]: kvm_exc VECTOR natively, on
# the process platform and on kvm, without the handler (killed by SIGNAL,
# cabin's fault line naming SIGNAL (CODE)), and with it (HANDLER-LINE).
# With "h", the runs without the handler on the process platform and kvm
# are left out (another vector with the same signal and code has them):
# the time this file has is short.
exc() {
	v=$1 sig=$2 code=$3 want=$4 only_h=${5:-}
	n="kvm-platform$TAG: kvm_exc $v"
	st=$((128 + $(signum "$sig")))
	nline=$(grep "^$v: " "$T/xall.n")
	kline=$(grep "^$v: " "$T/xall.k")
	nrun "$X" "$v"
	if [ "$rc" = 3 ] && [ "$(cat "$O")" = "$v: no exception" ]; then
		exc_none
		return
	fi
	# Native: killed by the signal; with the handler, its line.
	if [ "$rc" = "$st" ] && [ "$nline" = "$v: $want" ]; then
		ok "$n natively: killed by $sig ($st); handler prints '$want'"
	else
		fail "$n natively: killed by $sig ($st); handler prints '$want'" \
			"without handler exit $rc; with handler '$nline'"
	fi
	if [ -n "$only_h" ]; then
		exc_handler
		return
	fi
	# The process platform: cabin's fault line, for reference.
	prun -- "$X" "$v"
	pline=$(faultline "$E")
	if [ "$rc" = "$st" ] &&
	   echo "$pline" | grep -q "^cabin: pid N (kvm_exc): $sig ($code) at "; then
		ok "$n on the process platform: exit $st, fault line '$sig ($code)'"
	else
		fail "$n on the process platform: exit $st, fault line '$sig ($code)'" "$(what)"
	fi
	# kvm: the same status and fault line; with the handler, the same line.
	krun -- "$X" "$v"
	fline=$(faultline "$E")
	if [ "$rc" = "$st" ] && [ -n "$fline" ] && [ "$fline" = "$pline" ]; then
		ok "$n on kvm: exit $st and the process platform's fault line"
	else
		fail "$n on kvm: exit $st and the process platform's fault line '$pline'" \
			"kvm fault line '$fline'; $(kwhat)"
	fi
	exc_handler
}

# exc_handler: $v's line of kvm_exc all handler, on kvm as natively.
exc_handler() {
	if [ -n "$kline" ] && [ "$kline" = "$nline" ]; then
		ok "$n handler on kvm: '${nline#*: }' as natively"
	else
		fail "$n handler on kvm: '${nline#*: }' as natively" \
			"kvm line '$kline' (kvm_exc all handler: $xall_k)"
	fi
}

# exc_none: the lab's emulated CPU (QEMU's TCG) does not raise $v's
# exception at all (#AC and #XM are not emulated): the native and process
# checks cannot be made; kvm, on the same emulated CPU, must behave as
# native does (no exception, exit 3), with and without the handler.
exc_none() {
	skip "$n natively: killed by $sig ($st)" "this CPU raises no exception for it: $(oneline "$O")"
	cp "$O" "$T/n.out"
	krun -- "$X" "$v"
	if [ "$rc" = 3 ] && cmp -s "$O" "$T/n.out"; then
		ok "$n on kvm: no exception either, as natively (exit 3)"
	else
		fail "$n on kvm: no exception either, as natively (exit 3)" "$(kwhat)"
	fi
	exc_handler
}

if [ -x "$X" ]; then
	exc de          SIGFPE  FPE_INTDIV  'sig=8 code=1 addr=ok ip=ok'
	exc ud          SIGILL  ILL_ILLOPN  'sig=4 code=2 addr=ok ip=ok'
	exc gp          SIGSEGV SI_KERNEL   'sig=11 code=128 addr=ok ip=ok'
	exc gp_cli      SIGSEGV SI_KERNEL   'sig=11 code=128 addr=ok ip=ok' h
	exc gp_out      SIGSEGV SI_KERNEL   'sig=11 code=128 addr=ok ip=ok' h
	exc gp_int      SIGSEGV SI_KERNEL   'sig=11 code=128 addr=ok ip=ok' h
	exc gp_noncanon SIGSEGV SI_KERNEL   'sig=11 code=128 addr=ok ip=ok' h
	exc pf          SIGSEGV SEGV_MAPERR 'sig=11 code=1 addr=ok ip=ok'
	exc pf_ro       SIGSEGV SEGV_ACCERR 'sig=11 code=2 addr=ok ip=ok'
	exc pf_exec     SIGSEGV SEGV_ACCERR 'sig=11 code=2 addr=ok ip=ok'
	exc pf_low      SIGSEGV SEGV_MAPERR 'sig=11 code=1 addr=ok ip=ok' h
	exc pf_kernel   SIGSEGV SEGV_MAPERR 'sig=11 code=1 addr=ok ip=ok'
	exc bp          SIGTRAP SI_KERNEL   'sig=5 code=128 addr=ok ip=ok resumed'
	exc ac          SIGBUS  BUS_ADRALN  'sig=7 code=1 addr=ok ip=ok'
	exc db          SIGTRAP TRAP_TRACE  'sig=5 code=2 addr=ok ip=ok resumed'
	exc xm          SIGFPE  FPE_FLTDIV  'sig=8 code=3 addr=ok ip=ok'
else
	fail "kvm-platform$TAG: kvm_exc built" "$X missing"
fi

# --- Hostile pointers --------------------------------------------------------
since "hostile pointers"
if [ -x "$H" ]; then
	nrun "$H"
	if [ "$rc" = 0 ] && grep -q '^all [0-9]* EFAULT$' "$O"; then
		ok "kvm-platform$TAG: kvm_hostile natively: $(tail -n 1 "$O")"
	else
		fail "kvm-platform$TAG: kvm_hostile natively: every case EFAULT" \
			"exit $rc: $(grep -v ': EFAULT$' "$O" | tr '\n' '|')"
	fi
	cp "$O" "$T/h.out"
	krun -- "$H"
	if [ "$rc" = 0 ] && cmp -s "$O" "$T/h.out"; then
		ok "kvm-platform$TAG: kvm_hostile on kvm: the same, exit 0"
	else
		fail "kvm-platform$TAG: kvm_hostile on kvm: the same, exit 0" \
			"exit $rc: $(diff "$T/h.out" "$O" | grep '^[-+][^-+]' | head -n 12 | tr '\n' '|') $(kwhat)"
	fi
else
	fail "kvm-platform$TAG: kvm_hostile built" "$H missing"
fi

# --- Policy, trace, report -----------------------------------------------------
since "policy, trace, report"
if [ -x "$PY" ]; then
	printf 'profile default\nsyscall deny(EACCES) uname\n' >"$D/deny-uname.policy"
	UN='import os
try:
    print("uname: ok", os.uname().sysname)
except OSError as e:
    print("uname:", e.errno, e.strerror)'
	n="kvm-platform$TAG: policy 'syscall deny(EACCES) uname'"
	# --best-effort: 'profile default' asks for more Landlock than this
	# kernel (ABI 2) has, and a policy file makes that an error.
	prun --best-effort --policy "$D/deny-uname.policy" -- "$PY" -S -c "$UN"
	pden=$(grep -m1 '^cabin: denied uname by pid' "$E" | sed -E 's/pid [0-9]+/pid N/')
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = "uname: 13 Permission denied" ] &&
	   [ -n "$pden" ]; then
		ok "$n on the process platform: EACCES, reported"
	else
		fail "$n on the process platform: EACCES, reported" "$(what)"
	fi
	krun --best-effort --policy "$D/deny-uname.policy" -- "$PY" -S -c "$UN"
	kden=$(grep -m1 '^cabin: denied uname by pid' "$E" | sed -E 's/pid [0-9]+/pid N/')
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = "uname: 13 Permission denied" ] &&
	   [ -n "$kden" ] && [ "$kden" = "$pden" ]; then
		ok "$n on kvm: the same failure and report line"
	else
		fail "$n on kvm: the same failure and report line" \
			"process: '$pden'; kvm $(kwhat)"
	fi
fi

# trace_ok: the trace in $E shows GNU cat opening the file, reading it
# from the descriptor that openat returned, and writing it to stdout.
trace_ok() {
	tfd=$(sed -nE 's/^(\[pid [0-9]+\] )?openat\(AT_FDCWD, "\/work\/kp\/somefile", O_RDONLY\) = ([0-9]+)$/\2/p' "$E" | head -n 1)
	[ -n "$tfd" ] &&
	grep -qE "(^|\\] )read\\($tfd, \"trace me\\\\n\", [0-9]+\\) = 9\$" "$E" &&
	grep -qE '(^|\] )write\(1, "trace me\\n", 9\) = 9$' "$E"
}
CAT=$G/cat
[ -x "$CAT" ] || CAT=
if [ -n "$CAT" ]; then
	n="kvm-platform$TAG: --profile trace --trace of coreutils cat"
	prun --profile trace --trace -- "$CAT" "$D/somefile"
	if [ "$rc" = 0 ] && trace_ok; then
		ok "$n on the process platform: openat, read, write lines"
	else
		fail "$n on the process platform: openat, read, write lines" "$(what)"
	fi
	krun --profile trace --trace -- "$CAT" "$D/somefile"
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = 'trace me' ] && trace_ok; then
		ok "$n on kvm: openat, read, write lines as on the process platform"
	else
		fail "$n on kvm: openat, read, write lines as on the process platform" \
			"exit $rc; stdout: $(oneline "$O"); trace: $(grep -E 'somefile|trace me' "$E" | head -n 4 | tr '\n' '|')"
	fi
else
	skip "kvm-platform$TAG: --trace of cat" "no GNU cat (busybox cat uses sendfile)"
fi

# report_ok FILE: FILE lists /work/kp/somefile among the files read.
report_ok() {
	[ -s "$1" ] && grep -q '"exit_code": 0,' "$1" &&
	sed -n '/"read": \[/,/\]/p' "$1" | grep -q '"path": "/work/kp/somefile", "type": "file"'
}
n="kvm-platform$TAG: --report of cat"
rm -f "$D/p.json" "$D/k.json"
prun --report "$D/p.json" -- /bin/cat "$D/somefile"
if [ "$rc" = 0 ] && report_ok "$D/p.json"; then
	ok "$n on the process platform lists the file read"
else
	fail "$n on the process platform lists the file read" "$(what)"
fi
krun --report "$D/k.json" -- /bin/cat "$D/somefile"
if [ "$rc" = 0 ] && report_ok "$D/k.json"; then
	ok "$n on kvm lists the file read"
else
	fail "$n on kvm lists the file read" \
		"$(kwhat); report: $(sed -n '/"read": \[/,/\]/p' "$D/k.json" 2>/dev/null | head -c 300 | tr '\n' '|')"
fi

# --- --stats --------------------------------------------------------------------
since "--stats"
n="kvm-platform$TAG: --stats prints 'cabin: kvm exits:' lines"
krun --stats -- /bin/true
if [ "$rc" = 0 ] && grep -q '^cabin: kvm exits:' "$E"; then
	ok "$n"
else
	fail "$n" "$(kwhat)"
fi
# stats LABEL CMD...: the exit counts of CMD on kvm, as a note.
stats() {
	label=$1
	shift
	krun --stats -- "$@"
	note "kvm exits, $label (exit $rc): $(grep '^cabin: kvm exits' "$E" | sed 's/^cabin: kvm exits: *//' | tr '\n' ' ')"
}
if [ -x "$PY" ]; then
	stats "python3 -S -c pass" "$PY" -S -c pass
	stats "python3 -S, 1000 getppid" "$PY" -S -c 'import os
for _ in range(1000): os.getppid()'
	stats "python3 -S, 1000 writes to /dev/null" "$PY" -S -c 'import os
fd = os.open("/dev/null", os.O_WRONLY)
for _ in range(1000): os.write(fd, b"x")'
fi
note "t_kvm_platform: $(($(now) - T0)) s"
