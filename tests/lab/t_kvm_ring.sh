# Asynchronous forwarding (--forward=ring, the paper's HotCalls): the same
# programs give the same results as with a VM exit per syscall, a loop of
# 10 000 writes to /dev/null makes under 1 % of the exits it makes with
# --forward=exit, and a call blocked in the ring's worker still hears
# SIGINT.
. /lab/lib.sh
PY=/usr/bin/python3
need_kvm "kvm-ring"
K="$CABIN run --platform kvm --stats"
D=/work/kr
mkdir -p "$D"
printf 'pear\napple\nfig\n' >"$D/in.txt"

# same NAME CMD...: natively and with --forward=ring.
same() {
	n="kvm-ring: $1"
	shift
	run "$@"
	nrc=$rc
	cp "$O" /tmp/kr.native
	run $K --forward=ring -- "$@"
	if [ "$rc" = "$nrc" ] && cmp -s "$O" /tmp/kr.native; then
		ok "$n: same output and exit $rc"
	else
		fail "$n: same output and exit status" "native exit $nrc: $(oneline /tmp/kr.native); $(what)"
	fi
}
same "busybox cat" /bin/cat "$D/in.txt"
same "busybox sort" /bin/busybox sort "$D/in.txt"
same "busybox sha256sum" /bin/busybox sha256sum "$D/in.txt"
same "busybox ls" /bin/ls "$D"
[ -x /usr/gnu/bin/sort ] && same "coreutils sort" /usr/gnu/bin/sort -r "$D/in.txt"
if [ -x "$PY" ]; then
	same "python3 json, re, hashlib, files" $PY -c 'import json, re, hashlib
p = "/work/kr/out.json"
open(p, "w").write(json.dumps({"h": hashlib.sha256(b"ring").hexdigest()}))
print(json.load(open(p))["h"][:16], re.sub("a", "b", "banana"))'

	exits() { sed -n 's/^cabin: kvm exits: \([0-9]*\) total.*/\1/p' "$1"; }
	LOOP='import os
fd = os.open("/dev/null", os.O_WRONLY)
for i in range(10000): os.write(fd, b"x")'
	run $K --forward=exit -- $PY -S -c pass
	e0=$(exits "$E")
	run $K --forward=exit -- $PY -S -c "$LOOP"
	e1=$(exits "$E")
	run $K --forward=ring -- $PY -S -c pass
	r0=$(exits "$E")
	run $K --forward=ring -- $PY -S -c "$LOOP"
	r1=$(exits "$E")
	ringline=$(grep '^cabin: kvm ring:' "$E")
	note "kvm-ring: 10 000 writes to /dev/null: --forward=exit $((e1 - e0)) exits ($e0 -> $e1); --forward=ring $((r1 - r0)) exits ($r0 -> $r1); $ringline"
	if [ "$rc" = 0 ] && [ -n "$e1" ] && [ -n "$r1" ] &&
	   [ $(( (r1 - r0) * 100 )) -lt $((e1 - e0)) ]; then
		ok "kvm-ring: 10 000 writes make under 1 % of --forward=exit's VM exits"
	else
		fail "kvm-ring: 10 000 writes make under 1 % of --forward=exit's VM exits" "exit $((e1 - e0)), ring $((r1 - r0)); $(what)"
	fi
fi

# A call blocked on the host in the worker: SIGINT still ends it.
int_on_line $K --forward=ring -- /bin/dash -c 'echo sleeping; exec /bin/sleep 100000'
if [ "$rc" = 130 ]; then
	ok "kvm-ring: SIGINT ends a sleep blocked in the worker (130)"
else
	fail "kvm-ring: SIGINT ends a sleep blocked in the worker" "$(what)"
fi

# Every program, exception, hostile pointer, policy, trace, report and
# process check of the kvm platform again, with the ring.
for t in t_kvm_platform.sh t_kvm_procs.sh; do
	if [ -f "/lab/$t" ]; then
		KVM_EXTRA=--forward=ring sh "/lab/$t"
	else
		skip "kvm-ring: $t with the ring" "not in this lab run (LAB_TESTS)"
	fi
done
