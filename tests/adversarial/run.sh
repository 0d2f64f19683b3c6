#!/bin/bash
# Adversarial suite: every program tries one escape and prints one line,
# CONTAINED or ESCAPED (nothing when killed). For each we check that cabin
# contains it, and that the matching --unsafe-disable=NAME lets it escape
# (which proves the test can see an escape at all). Works as root or not.
# Env: CABIN_BUILD (build dir), CABIN (binary), CABIN_ADV (program dir).

set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"
ADV=${CABIN_ADV:-$CABIN_BUILD/tests/adversarial}
BASELINE=${CABIN_BASELINE:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/baseline.policy}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/cabin-adv.XXXXXX") || exit 1
BG_PIDS=()

# Kill what we started (by pid: our background jobs, then anything whose
# command line carries our unique temp dir), then remove the temp dir.
cleanup() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in $(pgrep -f -- "$TMP"); do
		[ "$p" != $$ ] && kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# As root, cabin drops every capability of the confined program; processes
# the runner starts for it to attack, and native probes, drop them too.
CAPLESS=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	CAPLESS=(setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all)
fi

note() {
	echo "# $*"
}

# Show cabin's own report lines (denials, kills) as TAP comments.
note_cabin() {
	grep -a '^cabin:' "$ERR" "$OUT" 2>/dev/null | head -n 3 | tr -d '\r' |
		sed 's/^[^:]*:/#   /'
}

# grab STATUS: sets RC, and LINE (first CONTAINED/ESCAPED line of OUT).
grab() {
	RC=$1
	LINE=$(grep -a -m1 -E '^(CONTAINED|ESCAPED)( |$)' "$OUT" | tr -d '\r')
}

# run_cabin TAG [CABIN-OPTIONS...] -- PROGRAM [ARGS...]
run_cabin() {
	local tag=$1
	shift
	OUT=$TMP/$tag.out ERR=$TMP/$tag.err
	# The subshell keeps bash's "Killed" job report (cabin killed by
	# kill_parent) off our stderr.
	(timeout -k 5 20 "$CABIN" run --policy "$BASELINE" "$@" </dev/null >"$OUT" 2>"$ERR"
	 exit $?) 2>/dev/null
	grab $?
}

# run_pty TAG [CABIN-OPTIONS...] -- PROGRAM: on a fresh controlling pty.
# stdout and stderr are mixed there, so ERR stays empty.
run_pty() {
	local tag=$1
	shift
	OUT=$TMP/$tag.out ERR=$TMP/$tag.err
	: >"$ERR"
	timeout -k 5 20 "$ADV/pty_run" "$CABIN" run --policy "$BASELINE" "$@" </dev/null >"$OUT" 2>&1
	grab $?
}

# run_native TAG PROGRAM [ARGS...]: no cabin, no capabilities.
run_native() {
	local tag=$1
	shift
	OUT=$TMP/$tag.out ERR=$TMP/$tag.err
	timeout -k 5 20 "${CAPLESS[@]}" "$@" </dev/null >"$OUT" 2>"$ERR"
	grab $?
}

# What happened, for a failure message.
what() {
	local why="exit $RC"
	[ "$RC" = 124 ] && why="timed out (exit 124)"
	[ -n "$LINE" ] && why="$why, said: $LINE"
	[ -z "$LINE" ] && [ -s "$OUT" ] && why="$why, stdout: $(head -c 200 "$OUT" | tr '\n' ' ')"
	[ -s "$ERR" ] && why="$why; stderr: $(head -c 300 "$ERR" | tr '\n' ' ')"
	echo "$why"
}

# check_contained NAME ERRNO: the program said CONTAINED ... ERRNO, exit 0.
check_contained() {
	local name=$1 errno=$2
	note "$name under cabin: exit $RC: ${LINE:-no output}"
	note_cabin
	if [ "$RC" = 0 ] && [[ $LINE == CONTAINED*"$errno"* ]]; then
		t_ok "$name: contained under cabin"
	elif [ "$RC" = 0 ] && [[ $LINE == CONTAINED* ]]; then
		t_fail "$name: contained under cabin" "contained, but not with $errno as the contract says: $(what)"
	else
		t_fail "$name: contained under cabin" "$(what)"
	fi
}

# check_escaped NAME OFF: the program said ESCAPED.
check_escaped() {
	local name=$1 off=$2
	note "$name with --unsafe-disable=$off: exit $RC: ${LINE:-no output}"
	if [[ $LINE == ESCAPED* ]]; then
		t_ok "$name: escapes with --unsafe-disable=$off"
	else
		t_fail "$name: escapes with --unsafe-disable=$off" "$(what)"
	fi
}

# check_killed NAME: killed by SIGSYS (159) before printing anything.
check_killed() {
	local name=$1
	note "$name under cabin: exit $RC: ${LINE:-no output}"
	note_cabin
	if [ "$RC" = 159 ] && [ ! -s "$OUT" ]; then
		t_ok "$name: contained under cabin"
	else
		t_fail "$name: contained under cabin" "expected SIGSYS (159): $(what)"
	fi
}

have() {
	if [ -x "$ADV/$1" ]; then
		return 0
	fi
	t_fail "$1: contained under cabin" "$ADV/$1 not built"
	t_fail "$1: escapes with --unsafe-disable=$2" "$ADV/$1 not built"
	return 1
}

# wait_file FILE SECONDS
wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	[ -s "$1" ]
}

test_x32() {
	have x32 abi || return
	run_cabin x32 -- "$ADV/x32"
	check_killed x32
	run_cabin x32-abi --unsafe-disable=abi -- "$ADV/x32"
	if [[ $LINE == *"kernel has no x32 ABI"* ]]; then
		note "x32 with --unsafe-disable=abi: $LINE"
		t_skip "x32: escapes with --unsafe-disable=abi" \
			"kernel has no x32 ABI (CONFIG_X86_X32_ABI off): the syscall returns ENOSYS natively"
	else
		check_escaped x32 abi
	fi
}

test_int80() {
	local native
	have int80 abi || return
	run_native int80-native "$ADV/int80"
	native=$LINE
	run_cabin int80 -- "$ADV/int80"
	if [ "$RC" != 159 ] && [[ $native == *"no ia32 emulation"* ]] &&
	   [[ $LINE == *"no ia32 emulation"* ]]; then
		note "int80 under cabin: exit $RC: $LINE"
		t_skip "int80: contained under cabin" \
			"int 0x80 never reaches the syscall path on this kernel (native: ${native#CONTAINED })"
	else
		check_killed int80
	fi
	run_cabin int80-abi --unsafe-disable=abi -- "$ADV/int80"
	if [[ $LINE == *"no ia32 emulation"* ]]; then
		note "int80 with --unsafe-disable=abi: $LINE"
		t_skip "int80: escapes with --unsafe-disable=abi" \
			"kernel has no ia32 emulation: ${LINE#CONTAINED }"
	else
		check_escaped int80 abi
	fi
}

test_clone_untraced() {
	local marker when
	have clone_untraced untraced || return
	marker=$TMP/clone_untraced.marker
	run_cabin clone_untraced -- "$ADV/clone_untraced" "$marker"
	check_contained clone_untraced EPERM

	marker=$TMP/clone_untraced-off.marker
	run_cabin clone_untraced-off --unsafe-disable=untraced -- \
		"$ADV/clone_untraced" "$marker"
	when="after cabin exited"
	[ -e "$marker" ] && when="before cabin exited"
	note "clone_untraced with --unsafe-disable=untraced: exit $RC: ${LINE:-no output}"
	if [[ $LINE != ESCAPED* ]]; then
		t_fail "clone_untraced: escapes with --unsafe-disable=untraced" "$(what)"
	elif wait_file "$marker" 4; then
		note "marker written $when: $(head -n1 "$marker")"
		t_ok "clone_untraced: escapes with --unsafe-disable=untraced"
	else
		t_fail "clone_untraced: escapes with --unsafe-disable=untraced" \
			"the untraced child wrote no marker after cabin exited: $(what)"
	fi
}

test_clone3() {
	have clone3 untraced || return
	run_cabin clone3 -- "$ADV/clone3"
	check_contained clone3 ENOSYS
	run_cabin clone3-off --unsafe-disable=untraced -- "$ADV/clone3"
	check_escaped clone3 untraced
}

# The program forges SECCOMP_RET_DATA with a filter of its own; cabin
# matches routes from the registers, so keyctl stays denied.  Without the
# deny list the same call runs: that is what the forgery was after.
test_route_forge() {
	have route_forge deny || return
	run_cabin route_forge -- "$ADV/route_forge"
	check_contained route_forge EPERM
	run_cabin route_forge-off --unsafe-disable=deny -- "$ADV/route_forge"
	check_escaped route_forge deny
}

test_io_uring() {
	have io_uring deny || return
	run_cabin io_uring -- "$ADV/io_uring"
	check_contained io_uring EPERM
	run_native io_uring-native "$ADV/io_uring"
	if [[ $LINE == CONTAINED* ]]; then
		t_skip "io_uring: escapes with --unsafe-disable=deny" \
			"io_uring is unavailable here even without cabin: $LINE (kernel.io_uring_disabled=$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null))"
		return
	fi
	run_cabin io_uring-off --unsafe-disable=deny -- "$ADV/io_uring"
	check_escaped io_uring deny
}

test_tiocsti() {
	local legacy
	have tiocsti deny || return
	run_pty tiocsti -- "$ADV/tiocsti"
	check_contained tiocsti EPERM
	legacy=$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null)
	if [ "$legacy" = 0 ]; then
		t_skip "tiocsti: escapes with --unsafe-disable=deny" \
			"dev.tty.legacy_tiocsti=0: the kernel refuses TIOCSTI without CAP_SYS_ADMIN"
		return
	fi
	run_pty tiocsti-off --unsafe-disable=deny -- "$ADV/tiocsti"
	check_escaped tiocsti deny
}

test_tioclinux() {
	have tioclinux deny || return
	run_pty tioclinux -- "$ADV/tioclinux"
	check_contained tioclinux EPERM
	run_pty tioclinux-off --unsafe-disable=deny -- "$ADV/tioclinux"
	if [[ $LINE == *"not a virtual console"* ]]; then
		note "tioclinux with --unsafe-disable=deny: $LINE"
		t_skip "tioclinux: escapes with --unsafe-disable=deny" \
			"TIOCLINUX only works on a virtual console, the test pty is not one (${LINE#CONTAINED })"
	else
		check_escaped tioclinux deny
	fi
}

# run_to_end TAG [CABIN-OPTIONS...] -- PROGRAM [ARGS...]: like run_cabin,
# but stdout is a pipe whose reader ends only when every process holding
# it, cabin and the program it outlives or not, is gone: the wait for the
# program's end is that event, bounded only against a hang.
run_to_end() {
	local tag=$1
	shift
	OUT=$TMP/$tag.out ERR=$TMP/$tag.err
	(timeout -k 5 20 "$CABIN" run --policy "$BASELINE" "$@" </dev/null 2>"$ERR" |
		timeout -k 5 60 cat >"$OUT"
	 exit "${PIPESTATUS[0]}") 2>/dev/null
	grab $?
}

test_kill_parent() {
	local marker left
	have kill_parent exitkill || return
	marker=$TMP/kill_parent.marker
	run_to_end kill_parent -- "$ADV/kill_parent" "$marker"
	left=$(pgrep -f -- "$marker" | tr '\n' ' ')
	note "kill_parent under cabin: exit $RC: ${LINE:-no output}${left:+, still running: $left}"
	if [ -n "$left" ]; then
		t_fail "kill_parent: contained under cabin" \
			"pids $left outlived cabin: $(what)"
	elif [ -e "$marker" ]; then
		t_fail "kill_parent: contained under cabin" \
			"survived cabin's death: $(head -n1 "$marker")"
	elif [[ $LINE == ESCAPED* ]]; then
		t_fail "kill_parent: contained under cabin" "$(what)"
	elif ! grep -q '^TRY kill(parent [0-9]*, SIGKILL)$' "$OUT" ||
		[ "$RC" != 137 ]; then
		t_fail "kill_parent: contained under cabin" \
			"the program did not reach its kill, or cabin was not killed (want exit 137): $(what)"
	else
		t_ok "kill_parent: contained under cabin"
	fi

	marker=$TMP/kill_parent-off.marker
	run_to_end kill_parent-off --unsafe-disable=exitkill -- \
		"$ADV/kill_parent" "$marker"
	if [ -s "$marker" ]; then
		note "kill_parent with --unsafe-disable=exitkill: $(head -n1 "$marker")"
		t_ok "kill_parent: escapes with --unsafe-disable=exitkill"
	else
		t_fail "kill_parent: escapes with --unsafe-disable=exitkill" \
			"no marker after cabin was killed: $(what)"
	fi
}

test_ptrace_traceme() {
	local native
	have ptrace_traceme deny || return
	run_cabin ptrace_traceme -- "$ADV/ptrace_traceme"
	check_contained ptrace_traceme EPERM
	run_native ptrace_traceme-native "$ADV/ptrace_traceme"
	native=$LINE
	run_cabin ptrace_traceme-off --unsafe-disable=deny -- "$ADV/ptrace_traceme"
	if [[ $LINE == *"already traced"* ]]; then
		note "ptrace_traceme with --unsafe-disable=deny: $LINE"
		t_skip "ptrace_traceme: escapes with --unsafe-disable=deny" \
			"the forked child is auto-traced by cabin and a process has one tracer only (native run: ${native:-no output})"
	else
		check_escaped ptrace_traceme deny
	fi
}

# The user namespace a program confined by cabin lives in.
cabin_userns() {
	timeout -k 5 20 "$CABIN" run --policy "$BASELINE" -- readlink /proc/self/ns/user \
		</dev/null 2>/dev/null
}

# start_victim: VICTIM is the pid of a fresh process outside the sandbox.
start_victim() {
	"${CAPLESS[@]}" "$ADV/victim" 15 "$TMP" </dev/null >/dev/null 2>&1 &
	VICTIM=$!
	BG_PIDS+=("$VICTIM")
	# Attacked only once it is the victim, not setpriv before its exec.
	local exe i
	exe=$(readlink -f "$ADV/victim")
	for ((i = 0; i < 200; i++)); do
		[ "$(readlink "/proc/$VICTIM/exe" 2>/dev/null)" = "$exe" ] && return
		kill -0 "$VICTIM" 2>/dev/null || break
		sleep 0.05
	done
	note "the victim did not start: $(readlink "/proc/$VICTIM/exe" 2>&1)"
}

# victim_status: waits up to 3 s, sets VSTATUS (exit status or "running").
victim_status() {
	local i
	for ((i = 0; i < 30; i++)); do
		kill -0 "$VICTIM" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$VICTIM" 2>/dev/null; then
		VSTATUS=running
		kill -KILL "$VICTIM" 2>/dev/null
		wait "$VICTIM" 2>/dev/null
	else
		wait "$VICTIM" 2>/dev/null
		VSTATUS=$?
	fi
}

test_ptrace_attach() {
	have ptrace_attach deny || return
	[ -x "$ADV/victim" ] || { t_fail "ptrace_attach" "victim not built"; return; }
	start_victim
	run_cabin ptrace_attach -- "$ADV/ptrace_attach" "$VICTIM"
	if kill -0 "$VICTIM" 2>/dev/null; then
		check_contained ptrace_attach EPERM
		kill -KILL "$VICTIM" 2>/dev/null
		wait "$VICTIM" 2>/dev/null
	else
		victim_status
		t_fail "ptrace_attach: contained under cabin" \
			"the victim outside died (status $VSTATUS): $(what)"
	fi

	start_victim
	run_cabin ptrace_attach-off --unsafe-disable=deny -- \
		"$ADV/ptrace_attach" "$VICTIM"
	victim_status
	note "ptrace_attach with --unsafe-disable=deny: exit $RC: ${LINE:-no output}; victim: $VSTATUS"
	if [[ $LINE == *"failed: EPERM"* ]] && [ "$VSTATUS" = running ] &&
	   [ "$(cabin_userns)" != "$(readlink /proc/self/ns/user)" ]; then
		t_skip "ptrace_attach: escapes with --unsafe-disable=deny" \
			"cabin runs the program in its own user namespace (unprivileged caller), so the kernel refuses to attach outside it even without the deny list"
	elif [[ $LINE == ESCAPED* ]] && [ "$VSTATUS" = 42 ]; then
		t_ok "ptrace_attach: escapes with --unsafe-disable=deny"
	else
		t_fail "ptrace_attach: escapes with --unsafe-disable=deny" \
			"victim status $VSTATUS (42 = hijacked): $(what)"
	fi
}

if [ ! -x "$CABIN" ]; then
	t_fail "cabin binary" "not found at $CABIN"
	t_done
	exit
fi

test_x32
test_int80
test_clone_untraced
test_clone3
test_io_uring
test_route_forge
test_tiocsti
test_tioclinux
test_kill_parent
test_ptrace_traceme
test_ptrace_attach
t_done
