# Signals on the kvm platform come from the host into the guest as Linux
# would deliver them: a SIGINT sent to cabin interrupts a blocked call and
# ends the program with 130; a timer's SIGALRM wakes pause() in a
# handler (a repeating timer: one that fired before pause() would leave
# it asleep); writing to a closed pipe raises SIGPIPE (141); the time
# limit ends it with 124.
. /lab/lib.sh
PY=/usr/bin/python3
need_kvm "kvm-signals"
K="$CABIN run --platform kvm"

# SIGINT once the program has said it is about to sleep (not after some
# seconds): it lands in the sleep, or just before it, and either way the
# program dies of it.
int_on_line $K -- /bin/dash -c 'echo sleeping; exec /bin/sleep 100000'
if [ "$rc" = 130 ]; then
	ok "kvm-signals: SIGINT to cabin ends a sleeping program with 130"
else
	fail "kvm-signals: SIGINT to cabin ends a sleeping program with 130" "$(what)"
fi

run $K --timeout 2 -- /bin/sleep 100000
if [ "$rc" = 124 ]; then
	ok "kvm-signals: --timeout ends the program with 124"
else
	fail "kvm-signals: --timeout ends the program with 124" "$(what)"
fi

if [ -x "$PY" ]; then
	run $K -- $PY -S -c 'import signal
got = []
def h(s, f):
    if not got:
        print("alarm", s)
    got.append(s)
signal.signal(signal.SIGALRM, h)
signal.setitimer(signal.ITIMER_REAL, 1, 1)
signal.pause()
signal.setitimer(signal.ITIMER_REAL, 0)
print("after")'
	if [ "$rc" = 0 ] && [ "$(tr '\n' ' ' <"$O")" = "alarm 14 after " ]; then
		ok "kvm-signals: SIGALRM wakes pause() through the program's handler"
	else
		fail "kvm-signals: SIGALRM wakes pause() through the program's handler" "$(what)"
	fi
fi

if [ -x /usr/gnu/bin/cat ]; then
	head -c 300000 /dev/zero >/work/ks.big
	sh -c "$K -- /usr/gnu/bin/cat /work/ks.big 2>/tmp/ks.err; echo \$? >/tmp/ks.rc" </dev/null | head -c 10 >/dev/null
	if [ "$(cat /tmp/ks.rc)" = 141 ]; then
		ok "kvm-signals: writing into a closed pipe dies of SIGPIPE (141), as natively"
	else
		fail "kvm-signals: writing into a closed pipe dies of SIGPIPE (141)" "exit $(cat /tmp/ks.rc); $(head -c 300 /tmp/ks.err)"
	fi
fi

if [ -x "$PY" ]; then
	# A loop that makes no syscall: the signal reaches it between two
	# instructions, as on Linux (python turns SIGINT into KeyboardInterrupt).
	# SIGINT once python says it is at the loop.
	int_on_line $K -- $PY -S -c 'print("spin", flush=True)
while True: pass'
	if [ "$rc" = 130 ] && grep -q KeyboardInterrupt "$E"; then
		ok "kvm-signals: SIGINT reaches a loop without syscalls (KeyboardInterrupt, 130)"
	else
		fail "kvm-signals: SIGINT reaches a loop without syscalls" "$(what)"
	fi

	# The time limit still leaves a whole report that says so.
	rm -f /work/ks.json
	run $K --timeout 2 --report /work/ks.json -- $PY -S -c 'import signal
signal.pthread_sigmask(signal.SIG_BLOCK, range(1, 65))
signal.pause()'
	if [ "$rc" = 124 ] && grep -q '"timed_out": *true' /work/ks.json; then
		ok "kvm-signals: --timeout ends a program blocking every signal; the report says timed_out"
	else
		fail "kvm-signals: --timeout with a report" "$(what); report: $(head -c 200 /work/ks.json 2>&1)"
	fi

	# A shared mapping longer than its file: the monitor reads zeros, it
	# does not die of SIGBUS.
	printf 'short' >/work/ks.short
	run $K -- $PY -c 'import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
fd = os.open("/work/ks.short", os.O_RDONLY)
p = libc.mmap(None, 8192, 1, 1, fd, 0)
null = os.open("/dev/null", os.O_WRONLY)
libc.write(null, ctypes.c_void_p(p + 4096), 16)
print(ctypes.string_at(p, 5).decode())'
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = short ]; then
		ok "kvm-signals: a shared mapping past the end of its file does not bring the monitor down"
	else
		fail "kvm-signals: a shared mapping past the end of its file" "$(what)"
	fi
fi
