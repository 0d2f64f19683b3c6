# The kvm proxy kernel answers time and identity calls itself (the paper's
# vDSO support) when the policy lets them pass unobserved: no VM exit for
# a loop of clock_gettime and getpid, the same answers as natively, bad
# pointers still EFAULT (kvm_hostile covers those), and a traced profile
# still sees every call.
. /lab/lib.sh
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then
	skip "kvm-local: in-guest syscalls" "no python3"
	exit 0
fi
need_kvm "kvm-local: in-guest syscalls"
K="$CABIN run --platform kvm --stats"

# exits FILE: the total VM exits --stats printed; local FILE: in-guest answers.
exits() { sed -n 's/^cabin: kvm exits: \([0-9]*\) total.*/\1/p' "$1"; }
local_calls() { sed -n 's/^cabin: kvm syscalls answered in the guest without an exit: \([0-9]*\)/\1/p' "$1"; }

run $K -- $PY -S -c pass
base=$(exits "$E")
LOOP='import time, os
t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
last = t0
for i in range(1000):
    t = time.clock_gettime(time.CLOCK_MONOTONIC)
    assert t >= last, (t, last)
    last = t
    os.getpid()
print("ok", os.getpid() == int(open("/proc/self/stat").read().split()[0]))'
run $K -- $PY -S -c "$LOOP"
n=$(exits "$E")
l=$(local_calls "$E")
note "kvm-local: python3 -S -c pass: $base exits; 1000 x (clock_gettime + getpid): $n exits, $l answered in the guest"
if [ "$rc" = 0 ] && [ "$(cat "$O")" = "ok True" ] && [ -n "$base" ] &&
   [ "$l" -ge 2000 ] && [ "$n" -lt $((base + 100)) ]; then
	ok "kvm-local: 1000 clock_gettime and getpid make no VM exit, monotonic, right pid"
else
	fail "kvm-local: 1000 clock_gettime and getpid make no VM exit" "base $base, loop $n exits, $l local; $(what)"
fi

# The wall clock agrees with the host's: the guest's time falls between
# the host's before and after the run (a second either way for the
# truncation to whole seconds), however long the run takes.
before=$(date +%s)
run $K -- $PY -S -c 'import time; print(int(time.time()))'
after=$(date +%s)
g=$(cat "$O")
if [ "$rc" = 0 ] && [ -n "$g" ] && [ "$g" -ge $((before - 1)) ] &&
   [ "$g" -le $((after + 1)) ]; then
	ok "kvm-local: time.time() in the guest matches the host clock"
else
	fail "kvm-local: time.time() in the guest matches the host clock" "host $before..$after; $(what)"
fi

# uname from the guest is the host's, byte for byte.
native=$(uname -a)
run $K -- /bin/uname -a
if [ "$rc" = 0 ] && [ "$(cat "$O")" = "$native" ]; then
	ok "kvm-local: uname -a as natively"
else
	fail "kvm-local: uname -a as natively" "native '$native'; $(what)"
fi

# Traced, the same calls reach the monitor and appear in the trace.
run $CABIN run --platform kvm --profile trace --trace=/tmp/kl.trace --stats -- $PY -S -c 'import os; os.getpid(); os.getppid()'
if [ "$rc" = 0 ] && grep -q 'getpid() = ' /tmp/kl.trace &&
   grep -q 'getppid() = ' /tmp/kl.trace && [ "$(local_calls "$E")" = 0 ]; then
	ok "kvm-local: under --profile trace nothing is answered unobserved"
else
	fail "kvm-local: under --profile trace nothing is answered unobserved" "$(what); $(grep -c . /tmp/kl.trace) trace lines"
fi
