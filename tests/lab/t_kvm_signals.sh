# Signals on the kvm platform come from the host into the guest as Linux
# would deliver them: a SIGINT sent to cabin interrupts a blocked call and
# ends the program with 130; alarm() wakes pause() in a handler; writing
# to a closed pipe raises SIGPIPE (141); the time limit ends it with 124.
. /lab/lib.sh
PY=/usr/bin/python3
if [ ! -e /dev/kvm ]; then
	skip "kvm-signals" "no /dev/kvm"
	exit 0
fi
K="$CABIN run --platform kvm"

start=$(cut -d. -f1 /proc/uptime)
timeout -s INT 3 $K -- /bin/sleep 20 </dev/null >"$O" 2>"$E"
rc=$?
took=$(( $(cut -d. -f1 /proc/uptime) - start ))
if [ "$rc" = 130 ] && [ "$took" -lt 15 ]; then
	ok "kvm-signals: SIGINT to cabin ends a sleeping program with 130 (${took} s)"
else
	fail "kvm-signals: SIGINT to cabin ends a sleeping program with 130" "$(what), ${took} s"
fi

run $K --timeout 2 -- /bin/sleep 20
if [ "$rc" = 124 ]; then
	ok "kvm-signals: --timeout ends the program with 124"
else
	fail "kvm-signals: --timeout ends the program with 124" "$(what)"
fi

if [ -x "$PY" ]; then
	run $K -- $PY -S -c 'import signal
signal.signal(signal.SIGALRM, lambda s, f: print("alarm", s))
signal.alarm(1)
signal.pause()
print("after")'
	if [ "$rc" = 0 ] && [ "$(tr '\n' ' ' <"$O")" = "alarm 14 after " ]; then
		ok "kvm-signals: alarm() wakes pause() through the program's handler"
	else
		fail "kvm-signals: alarm() wakes pause() through the program's handler" "$(what)"
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
