# cabin run --platform kvm --gdb: the VM monitor serves gdb's remote
# protocol from the guest's state, as the process platform does
# (tests/integration's --gdb block, mirrored): real gdb in batch mode
# breaks in a function of a dynamically linked PIE program, prints an
# argument and fs_base, backtraces into main, steps, finishes, continues
# to the exit code; three threads; ^C; detach, kill; a denied call still
# denied; signals shown to gdb, passed or suppressed; a breakpoint in read-only code
# gives the program no write of its own; none in a shared mapping.
# cabin's "waiting for gdb" line is read through a fifo: no sleep.
. /lab/lib.sh
D=$CABIN_BUILD/tests/integration/debugme
X=$CABIN_BUILD/tests/lab/kvm_gdbtext
if [ ! -x /usr/bin/gdb ]; then
	skip "kvm-gdb" "no gdb in the lab image (the host has none: package gdb)"
	exit 0
fi
if [ ! -x "$D" ] || [ ! -x "$X" ]; then
	fail "kvm-gdb: programs built" "$D or $X missing"
	exit 0
fi
need_kvm "kvm-gdb"
G=/tmp/kvm-gdb
mkdir -p "$G"

# cabin_bg PREFIX 'CABIN-ARGS' PROGRAM ARGS...: cabin --platform kvm
# --gdb in the background ($cpid), its "waiting for gdb" line read
# through a fifo ($where: gdb's target; empty when cabin ended without
# one); its other lines in PREFIX.err once cabin_bg_wait set $gc.
# GDB_AT: tcp (127.0.0.1:0) or, by default, a unix socket file.
cabin_bg() {
	pre=$1 ca=$2
	shift 2
	rm -f "$pre.fifo" "$pre.sock"
	mkfifo "$pre.fifo"
	at=unix:$pre.sock
	[ "${GDB_AT:-}" = tcp ] && at=127.0.0.1:0
	timeout -s KILL "$HANG" "$CABIN" run --platform kvm $ca --gdb="$at" \
		-- "$@" </dev/null >"$pre.out" 2>"$pre.fifo" &
	cpid=$!
	exec 3<"$pre.fifo"
	# Lines before it (this kernel's Landlock warning) go to PREFIX.err.
	: >"$pre.err0"
	line=
	while IFS= read -r line <&3; do
		case $line in
		"cabin: waiting for gdb on "*) break ;;
		esac
		echo "$line" >>"$pre.err0"
		line=
	done
	echo "$line" >"$pre.line"
	cat <&3 >"$pre.err1" &
	catpid=$!
	where=
	[ -n "$line" ] || return 0
	where=${line#*on }
	where=${where%% (*}
}
cabin_bg_wait() {
	wait $cpid
	gc=$?
	wait $catpid
	exec 3<&-
	cat "$1.err0" "$1.err1" >"$1.err"
}

# gdb_session PREFIX 'CABIN-ARGS' 'GDB-CMD;...' PROGRAM ARGS...: gdb's
# output in PREFIX.gdb, cabin's in PREFIX.out/.err (its first line in
# PREFIX.line), cabin's status in $gc.
gdb_session() {
	pre=$1 ca=$2 cmds=$3
	shift 3
	prog=$1
	: >"$pre.gdb"
	cabin_bg "$pre" "$ca" "$@"
	if [ -z "$where" ]; then
		# cabin ended without waiting for gdb: nothing to connect to.
		cabin_bg_wait "$pre"
		return
	fi
	set --
	old_ifs=$IFS
	IFS=';'
	for c in $cmds; do
		set -- "$@" -ex "$c"
	done
	IFS=$old_ifs
	# Everything here is emulated: gdb waits longer than its 2 s default
	# for the VM monitor's replies (only a hang reaches HANG).
	timeout -s KILL "$HANG" gdb -batch -nx -ex 'set remotetimeout 120' \
		-ex "target remote $where" \
		"$@" "$prog" </dev/null >"$pre.gdb" 2>&1
	cabin_bg_wait "$pre"
}

# check NAME PREFIX WHY: ok when WHY is empty, else the outputs shown.
check() {
	if [ -z "$3" ]; then
		ok "$1"
	else
		fail "$1" "$3"
		sed 's/^/#   gdb: /' "$2.gdb" | head -n 60
		sed 's/^/#   cabin: /' "$2.line" "$2.err" | head -n 20
	fi
}

gdb_session $G/g1 "" 'break add;continue;print a;print $fs_base != 0;bt;next;print sum;finish;continue' "$D"
why=
grep -q "^cabin: waiting for gdb on $G/g1.sock (target remote $G/g1.sock)" $G/g1.line || why="no 'waiting for gdb' line naming the socket"
grep -q '^Breakpoint 1, add (a=20, b=22)' $G/g1.gdb || why="$why; no stop in add(20, 22)"
grep -qx '\$1 = 20' $G/g1.gdb || why="$why; print a is not 20"
grep -qx '\$2 = 1' $G/g1.gdb || why="$why; fs_base reads 0"
grep -q '^#1  0x[0-9a-f]* in main (argc=1' $G/g1.gdb || why="$why; bt does not reach main"
grep -qx '\$3 = 42' $G/g1.gdb || why="$why; next then print sum is not 42"
grep -q '^Value returned is \$4 = 42' $G/g1.gdb || why="$why; finish returns no 42"
grep -q 'exited with code 03\]' $G/g1.gdb || why="$why; gdb does not see exit code 3"
[ "$gc" = 3 ] && grep -qx 'sum 42' $G/g1.out || why="$why; cabin status $gc (want 3) or no 'sum 42'"
check "kvm-gdb: break in a PIE program's function, print, fs_base, bt, next, finish, exit code" $G/g1 "${why#; }"

gdb_session $G/g2 "" 'break add;continue;set $a = $pc;stepi;print $pc != $a;stepi;stepi;continue' "$D"
why=
grep -qx '\$1 = 1' $G/g2.gdb || why="stepi did not move the pc"
grep -q 'received signal' $G/g2.gdb && why="$why; a signal reached gdb while stepping"
grep -q 'exited with code 03\]' $G/g2.gdb || why="$why; gdb does not see exit code 3"
check "kvm-gdb: single steps (TF) stop for gdb alone, the program runs on to its end" $G/g2 "${why#; }"

gdb_session $G/g3 "" 'break met;continue;info threads;continue;continue;continue' "$D" threads
why=
[ "$(grep -Ec '^[* ] +[0-9]+ +Thread [0-9]+(\.[0-9]+)? ' $G/g3.gdb)" = 3 ] || why="info threads does not list 3 threads"
[ "$(grep -c 'hit Breakpoint 1, met ()' $G/g3.gdb)" = 3 ] || why="$why; met() not hit once by each thread"
grep -q 'exited normally\]' $G/g3.gdb && [ "$gc" = 0 ] || why="$why; no normal end (cabin status $gc)"
check "kvm-gdb: a 3-thread program shows 3 threads, each hits the breakpoint, runs to its end" $G/g3 "${why#; }"

gdb_session $G/g4 "" 'break main;continue;set can-use-hw-watchpoints 0;watch watched;continue;continue;delete;continue' "$D" watch
why=
grep -A3 -x 'Old value = 0' $G/g4.gdb | grep -qx 'New value = 1' || why="the watchpoint did not see 0 -> 1"
grep -A3 -x 'Old value = 1' $G/g4.gdb | grep -qx 'New value = 2' || why="$why; the watchpoint did not see 1 -> 2"
[ "$gc" = 5 ] || why="$why; cabin status $gc, want 5"
check "kvm-gdb: a (single-stepped) watchpoint triggers on each write" $G/g4 "${why#; }"

gdb_session $G/g6 "" 'break add;continue;detach' "$D"
why=
grep -q 'detached\]' $G/g6.gdb || why="gdb did not detach"
[ "$gc" = 3 ] && grep -qx 'sum 42' $G/g6.out || why="$why; status $gc (want 3) or no 'sum 42'"
check "kvm-gdb: detach lets the program finish as natively" $G/g6 "${why#; }"

gdb_session $G/g7 "" 'break add;continue;kill' "$D"
why=
grep -q 'killed\]' $G/g7.gdb || why="gdb did not kill"
[ "$gc" = 137 ] || why="$why; cabin status $gc, want 137"
grep -q '^cabin: gdb killed the program' $G/g7.err || why="$why; cabin did not say gdb killed it"
check "kvm-gdb: kill ends the run with 137" $G/g7 "${why#; }"

gdb_session $G/g8 "" 'break add;continue;continue' "$D" deny
why=
[ "$gc" = 7 ] && grep -qx 'mount: EPERM' $G/g8.out || why="status $gc (want 7) or mount not refused"
grep -q 'exited with code 07\]' $G/g8.gdb || why="$why; gdb does not see exit code 7"
check "kvm-gdb: a denied syscall is still denied" $G/g8 "${why#; }"

gdb_session $G/g10 "" 'break add;continue;print a;continue' "$D" fork
why=
grep -qx '\$1 = 20' $G/g10.gdb || why="gdb did not stop in the parent's add(20, 22)"
grep -qx 'child status 0' $G/g10.out || why="$why; the child ran into the parent's int3"
[ "$gc" = 3 ] || why="$why; cabin status $gc, want 3"
check "kvm-gdb: a program that forks: gdb follows the parent, the child runs without the int3s" $G/g10 "${why#; }"

gdb_session $G/gs1 "" 'continue;continue' "$D" signal
why=
grep -q 'received signal SIGUSR1' $G/gs1.gdb || why="gdb did not see SIGUSR1"
grep -qx 'handled 1' $G/gs1.out || why="$why; continue did not pass the signal: $(oneline $G/gs1.out)"
check "kvm-gdb: a signal stops in gdb; continue passes it" $G/gs1 "${why#; }"
gdb_session $G/gs2 "" 'continue;signal 0' "$D" signal
why=
grep -q 'received signal SIGUSR1' $G/gs2.gdb || why="gdb did not see SIGUSR1"
grep -qx 'handled 0' $G/gs2.out || why="$why; 'signal 0' did not suppress it: $(oneline $G/gs2.out)"
check "kvm-gdb: 'signal 0' suppresses a signal" $G/gs2 "${why#; }"

# gdb's interrupt (^C, a 0x03 byte) while the program spins, from the
# integration tests' minimal client (gdb -batch cannot wait for it).
if [ -x /usr/bin/python3 ]; then
	cabin_bg $G/gi "" "$D" spin
	: >$G/gi.gdb
	[ -n "$where" ] && timeout -s KILL "$HANG" /usr/bin/python3 \
		/lab/gdb_client.py "$where" interrupt >$G/gi.gdb 2>&1
	cabin_bg_wait $G/gi
	why=
	grep -Eqx 'interrupted T02thread:[0-9a-f]+;' $G/gi.gdb || why="no SIGINT stop (T02) after ^C"
	[ "$gc" = 137 ] || why="$why; status $gc after k, want 137"
	check "kvm-gdb: ^C stops a running program (T02), k kills it" $G/gi "${why#; }"
else
	skip "kvm-gdb: ^C stops a running program" "no python3 in the lab image"
fi

# The int3 in target()'s page is gdb's; the program's own write there
# still faults (gdb sees the SIGSEGV first and passes it on).
run "$X"
native=$(cat "$O")
gdb_session $G/g11 "" 'break target;continue;print x;continue;continue' "$X"
why=
grep -qx '\$1 = 0' $G/g11.gdb || why="no stop in target(0)"
grep -q 'received signal SIGSEGV' $G/g11.gdb || why="$why; gdb did not see the program's SIGSEGV"
[ "$(cat $G/g11.out)" = "$native" ] && [ "$gc" = 0 ] ||
	why="$why; stdout '$(oneline $G/g11.out)' status $gc, natively '$native' status 0"
grep -qx 'text write: SIGSEGV' $G/g11.out || why="$why; the program wrote its own code"
check "kvm-gdb: a breakpoint in read-only code leaves it read-only for the program" $G/g11 "${why#; }"

# No int3 into a MAP_SHARED file: it would be the file's.  gdb reads
# the mapping, but its breakpoint there is refused.  (Not under /tmp,
# which is the sandbox's own.)
S=/work/kvm-gdb-shared
mkdir -p $S
printf '\303' >$S/code
gdb_session $G/g12 "--best-effort --allow-write $S" 'break target;continue;print/x *(unsigned char *)shared_at;break *shared_at;continue;continue' "$X" shared $S/code
why=
grep -qx 'mapped' $G/g12.out || why="the program did not map the file"
grep -qx '\$1 = 0xc3' $G/g12.gdb || why="$why; gdb could not read the mapping"
grep -q 'Cannot insert breakpoint 2' $G/g12.gdb || why="$why; gdb was not refused the breakpoint"
[ "$(od -An -tx1 $S/code | tr -d ' ')" = c3 ] || why="$why; the file changed"
check "kvm-gdb: no breakpoint in a shared mapping; the file is not modified" $G/g12 "${why#; }"

# Over TCP on loopback (the peer found with inet_diag), as by default.
ifconfig lo 127.0.0.1 up 2>/dev/null || ip link set lo up 2>/dev/null
GDB_AT=tcp gdb_session $G/g13 "" 'break add;continue;continue' "$D"
why=
grep -Eq '^cabin: waiting for gdb on 127\.0\.0\.1:[1-9][0-9]* ' $G/g13.line || why="no 'waiting for gdb on 127.0.0.1:PORT' line"
grep -q '^Breakpoint 1, add (a=20, b=22)' $G/g13.gdb || why="$why; no stop in add(20, 22)"
[ "$gc" = 3 ] || why="$why; cabin status $gc, want 3"
check "kvm-gdb: over TCP on 127.0.0.1, the peer checked" $G/g13 "${why#; }"

# No debugger comes: --timeout ends the wait, said, and the program runs
# on under what is left of the time limit (it may finish or be ended).
run "$CABIN" run --platform kvm --timeout 2 --gdb=unix:$G/gt.sock -- "$D"
why=
grep -q '^cabin: --gdb: the time limit ran out while waiting for gdb; the program runs on without it$' "$E" || why="no line saying the time limit ended the wait"
[ "$rc" = 124 ] || [ "$rc" = 3 ] || why="$why; status $rc, want 124 (or the program's 3)"
[ -e $G/gt.sock ] && why="$why; the socket file was left behind"
if [ -z "$why" ]; then
	ok "kvm-gdb: --timeout ends the wait for gdb; the program runs on"
else
	fail "kvm-gdb: --timeout ends the wait for gdb; the program runs on" "$why; $(what)"
fi
