#!/usr/bin/env bash
# Policy suite: every kind of policy rule stops a real program, and a twin
# run with the rule relaxed shows that the same program otherwise works.
# Then the known gaps, each tried by an adversarial helper program
# (tests/policy/progs/) or a real tool: symlink swaps, truncate, chmod,
# utimes and xattrs, cross-directory rename and link, raw, UDP and unix
# sockets, TIOCSTI, the cabin binary, setuid, signals and /proc outside the
# tree, and a sockaddr rewritten under a connect or sendto in flight.
#
# Usage: tests/policy/run.sh   (CABIN_BUILD defaults to <repo>/build; CABIN
#        overrides the binary; POL_PROGS the helper directory, default
#        $CABIN_BUILD/tests/policy; POL_VERBOSE=1 shows every run's output)
# Works as root and as an unprivileged user; what needs root (a network
# namespace with a veth pair, a setuid binary owned by another user) is
# skipped with a reason otherwise.  Writes only under a mktemp -d directory
# in /var/tmp (the program's /tmp is private) and, for the /tmp tests, two
# files named after this run in /tmp; the only network traffic goes to
# listeners it starts on 127.0.0.1, ::1 and inside its own network
# namespace.  Every process and namespace it makes is removed on exit.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C
PROGS_SRC=${POL_PROGS:-$CABIN_BUILD/tests/policy}
PY=/usr/bin/python3
TO="timeout -k 5 $T_HANG"   # every cabin run: a hang bound
ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1

TMP=$(mktemp -d /var/tmp/cabin-pol.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
WORK=$TMP/work              # the program's working directory: all rights
OUT=$TMP/out                # outside every allowed tree
BIN=$TMP/bin                # executables outside every allowed tree
POL=$TMP/pol                # policy files (read by cabin, not the program)
P=$WORK/p                   # the helper programs, where the program may exec
MARK=$((RANDOM % 9000 + 1000))$$
HOSTTMP_IN=/tmp/cabin-pol-$MARK-host      # made by the test in the host's /tmp
HOSTTMP_OUT=/tmp/cabin-pol-$MARK-inside   # what the program writes in its /tmp
SECRET="SECRET-$MARK"
LPIDS=()
LTAGS=()
NETNS=""
VETH=""
IPC_KEYS=""	# SysV/POSIX IPC keys the IPC namespace tests make on the host

cleanup() {
	local p
	exec 2>/dev/null     # no "Killed" notices for our own listeners
	for p in "${LPIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
	for p in $(mark_pids); do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ -n "$NETNS" ]; then
		for p in $(ip netns pids "$NETNS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$NETNS" 2>/dev/null
	fi
	[ -n "$VETH" ] && ip link del "$VETH" 2>/dev/null
	rm -f "$HOSTTMP_IN" "$HOSTTMP_OUT"
	for p in $IPC_KEYS; do "$PY" "$P/ipc.py" remove "$p"; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- helpers

# Processes of this run, found by MARK in their command line.
mark_pids() { pgrep -f "(sleep ${MARK}[0-9]|forkbomb [a-z]+ [0-9]+ ${MARK})\$"; }

diag() { sed -n '1,15s/^/#   /p'; }
short() { printf '%s' "$1" | head -c 300 | tr '\n' '|'; }

# The bound is wall-clock time: a slow CMD (pgrep on a loaded machine)
# must not multiply it.
wait_until() { # wait_until SECONDS CMD... : poll every 50 ms; SECONDS bounds only a hang
	local end=$((SECONDS + $1)); shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.05
	done
	"$@"
}

# cr ARGS... : `cabin run ARGS...` in $WORK, stdin /dev/null.  Sets RC, O
# (stdout) and E (stderr).
cr() {
	local _
	RC_OK=""
	for _ in 1 2; do
		{ (cd "$WORK" && exec $TO "$CABIN" run "$@") </dev/null >"$TMP/o" 2>"$TMP/e"; } 2>/dev/null
		RC=$?
		# a build relinking cabin under us: once more
		grep -q '^timeout: failed to run command' "$TMP/e" || break
		sleep 1
	done
	O=$(cat "$TMP/o"); E=$(cat "$TMP/e")
}

# res NAME : ok when $why (filled by want) is empty, else fail with the
# last run's output.
res() {
	[ -n "$POL_VERBOSE" ] && printf 'status %s\nstdout: %s\nstderr: %s\n' "$RC" "$(short "$O")" "$(short "$E")" | diag
	# A refusal only counts if the program ran: cabin must not fail, crash
	# or hang (124 from timeout, 125 from cabin, 128+N from a signal),
	# unless the test asked for that status with rc.
	if [ "$RC" -ge 124 ] && ! [[ " $RC_OK " == *" $RC "* ]]; then
		why="${why:+$why; }cabin failed, crashed or hung (status $RC)"
	fi
	grep -q '^timeout: failed to run command' <<<"$E" && why="${why:+$why; }cabin did not start"
	if [ -z "$why" ]; then t_ok "$1"; return 0; fi
	t_fail "$1" "$why"
	printf 'status %s\nstdout: %s\nstderr: %s\n' "$RC" "$(short "$O")" "$(short "$E")" | diag
	return 1
}
# res_twin NAME PROBE-ARGS... : res, but when the probe run natively (no
# cabin, this user, same arguments) is refused too, with whatever errno,
# this user could not do it anyway: the contained result shows nothing of
# cabin, and is a counted skip that says so.  Only for probes whose native
# success does no harm.
res_twin() {
	local name=$1 n c
	shift
	if [ -z "$why" ]; then
		n=$(cd "$WORK" && "$P/probe" "$@" </dev/null 2>/dev/null | grep '^ERR ')
		if [ -n "$n" ]; then
			c=$(grep -m1 '^ERR ' <<<"$O")
			t_skip "$name" "$(id -un) is refused natively too (${n#ERR }; under cabin ${c#ERR }): the kernel's refusal, not cabin's"
			return 0
		fi
	fi
	res "$name"
}
why=
want() { # want DESCRIPTION CMD... : add DESCRIPTION to $why unless CMD succeeds
	local d=$1; shift
	"$@" || why="${why:+$why; }$d"
}
rc() { # rc STATUS... : the last run's status is one of these (124 and up too)
	local c
	RC_OK="$*"
	for c; do [ "$RC" = "$c" ] && return 0; done
	return 1
}
has() { grep -q -- "$2" <<<"$1"; }
hasx() { grep -qx -- "$2" <<<"$1"; }
is() { [ "$1" = "$2" ]; }
# refused ENAME... : the probe ran, reached the operation ("TRY" before
# it) and the operation failed with one of these errnos.
refused() {
	local e
	hasx "$O" "TRY .*" || return 1
	for e; do hasx "$O" "ERR $e" && return 0; done
	return 1
}
not() { ! "$@"; }
absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

policy() { # policy NAME : a policy file from stdin, prints its path
	cat >"$POL/$1.pol"
	printf '%s\n' "$POL/$1.pol"
}

# ---------------------------------------------------------------- setup

if [ ! -x "$CABIN" ]; then
	t_fail "cabin binary" "$CABIN not found or not executable"
	t_done; exit
fi
CABIN=$(readlink -f "$CABIN")
mkdir -p "$WORK" "$OUT" "$BIN" "$POL" "$P"
for prog in probe forkbomb symrace addrrace; do
	if [ ! -x "$PROGS_SRC/$prog" ]; then
		t_fail "helper programs" "$PROGS_SRC/$prog not built"
		t_done; exit
	fi
	# Copied under the working directory: the build may sit in /tmp (the
	# program's /tmp is private) or elsewhere the program may not exec.
	cp "$PROGS_SRC/$prog" "$P/$prog"
done
printf '%s\n' "$SECRET" >"$OUT/secret"
printf '%s\n' "$SECRET" >"$OUT/with space"
printf 'read-only\n' >"$OUT/ro"
printf 'truncate me\n' >"$OUT/tr"
cp /bin/true "$BIN/mytrue"

if ! "$CABIN" policy show default >/dev/null 2>&1; then
	echo "# this cabin has no policy support ('cabin policy show default' failed): expect failures"
fi

# Listeners: TCP and UDP on one port, counting what arrives into TAG.count
# as "tcp udp".  A line written to the FIFO TAG.ctl makes the listener take
# in everything already queued on its sockets and then write that line to
# TAG.synced: what a finished program sent is counted, without a sleep.
cat >"$TMP/listen.py" <<'EOF'
import os, select, socket, sys
addr, port, portfile, countfile, ctlfile, syncfile = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
ctl = os.open(ctlfile, os.O_RDWR | os.O_NONBLOCK)
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
t = socket.socket(fam, socket.SOCK_STREAM)
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((addr, port))
t.listen(512)
port = t.getsockname()[1]
u = socket.socket(fam, socket.SOCK_DGRAM)
u.bind((addr, port))
t.setblocking(False)
u.setblocking(False)
tcp = udp = 0
def save(path, text):
    with open(path + ".new", "w") as f:
        f.write(text)
    os.replace(path + ".new", path)
def drain():
    global tcp, udp
    while True:
        try:
            t.accept()[0].close()
            tcp += 1
        except BlockingIOError:
            break
    while True:
        try:
            u.recv(100)
            udp += 1
        except BlockingIOError:
            break
save(countfile, "0 0\n")
save(portfile, "%d\n" % port)
while True:
    r, _, _ = select.select([t, u, ctl], [], [])
    drain()
    save(countfile, "%d %d\n" % (tcp, udp))
    if ctl in r:
        line = os.read(ctl, 4096).decode().split()[-1]
        drain()
        save(countfile, "%d %d\n" % (tcp, udp))
        save(syncfile, line + "\n")
EOF

# listen TAG ADDR PORT [PREFIX...] : start a listener (PREFIX: ip netns
# exec NS); sets LPORT.  False if it did not come up.
listen() {
	local tag=$1 addr=$2 port=$3; shift 3
	rm -f "$TMP/$tag.port" "$TMP/$tag.ctl"
	mkfifo "$TMP/$tag.ctl" || return 1
	"$@" "$PY" "$TMP/listen.py" "$addr" "$port" "$TMP/$tag.port" "$TMP/$tag.count" \
		"$TMP/$tag.ctl" "$TMP/$tag.synced" </dev/null >/dev/null 2>"$TMP/$tag.lerr" &
	LPIDS+=($!)
	LTAGS+=("$tag")
	wait_until "$T_HANG" test -s "$TMP/$tag.port" || return 1
	LPORT=$(cat "$TMP/$tag.port")
}
tcpn() { cut -d' ' -f1 "$TMP/$1.count"; }
udpn() { cut -d' ' -f2 "$TMP/$1.count"; }
# settle : every listener has counted what reached it so far (the FIFO
# write and the wait are bounded only against a dead listener).
SYNC=0
settle() {
	local tag
	for tag in "${LTAGS[@]}"; do
		SYNC=$((SYNC + 1))
		timeout "$T_HANG" sh -c 'echo "$1" >"$2"' - "$SYNC" "$TMP/$tag.ctl" &&
			wait_until "$T_HANG" grep -qsx "$SYNC" "$TMP/$tag.synced" ||
			echo "# listener $tag did not answer"
	done
}

HAVE_V6=0
"$PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null && HAVE_V6=1

LO=""; LO2=""; LO6=""
listen lo 127.0.0.1 0 && LO=$LPORT
listen lo2 127.0.0.1 0 && LO2=$LPORT
[ $HAVE_V6 = 1 ] && listen lo6 ::1 0 && LO6=$LPORT

# A network namespace of our own, reached through a veth pair: the only
# non-loopback addresses this suite ever aims at.
NS_WHY="needs root (a network namespace and a veth pair)"
NSH=""; NSN=""; NSP=""; NSP_LO=""
if [ $ROOT = 1 ]; then
	NS_WHY="could not set up the network namespace"
	for sub in $(( $$ % 200 + 20 )) $(( RANDOM % 200 + 20 )) $(( RANDOM % 200 + 20 )); do
		ip -4 addr 2>/dev/null | grep -q "10\.213\.$sub\." && continue
		ip -4 route 2>/dev/null | grep -q "^10\.213\.$sub\." && continue
		break
	done
	ns=cabintest$$ vh=cbt$$h vn=cbt$$n
	if ip netns add "$ns" 2>"$TMP/ns.err"; then
		NETNS=$ns
		if ip link add "$vh" type veth peer name "$vn" netns "$ns" 2>>"$TMP/ns.err"; then
			VETH=$vh
			if ip addr add "10.213.$sub.1/30" dev "$vh" 2>>"$TMP/ns.err" &&
			   ip link set "$vh" up 2>>"$TMP/ns.err" &&
			   ip -n "$ns" addr add "10.213.$sub.2/30" dev "$vn" 2>>"$TMP/ns.err" &&
			   ip -n "$ns" link set "$vn" up 2>>"$TMP/ns.err" &&
			   ip -n "$ns" link set lo up 2>>"$TMP/ns.err" &&
			   listen ns "10.213.$sub.2" 0 ip netns exec "$ns"; then
				NSH=10.213.$sub.1 NSN=10.213.$sub.2 NSP=$LPORT
				# the same port on 127.0.0.1, for the sockaddr race
				listen race 127.0.0.1 "$NSP" || NSP_LO=no
			fi
		fi
	fi
	[ -z "$NSN" ] && diag <"$TMP/ns.err"
	if [ -n "$NSN" ]; then
		wait_until "$T_HANG" "$PY" -c "import socket; socket.create_connection(('$NSN', $NSP), 2).close()" 2>/dev/null ||
			{ NSN=""; NS_WHY="the namespace's listener is unreachable from the host"; }
	fi
fi
ns_base_tcp=0; ns_base_udp=0
ns_snap() { ns_base_tcp=$(tcpn ns); ns_base_udp=$(udpn ns); }

# ================================================================ files

cr -- cat "$OUT/secret"
why=; want "status $RC, want 1" is "$RC" 1; want "secret shown" not has "$O" "$SECRET"
want "cat did not report EACCES" has "$E" "^cat: $OUT/secret: Permission denied"
res "files: cat of a file outside the allowed tree fails"
cr --allow-read "$OUT/secret" -- cat "$OUT/secret"
why=; want "status $RC, want 0" is "$RC" 0; want "no secret" has "$O" "$SECRET"
res "files: ... and works with --allow-read FILE"
cr --allow-read "$OUT" -- "$P/probe" read "$OUT/secret"
why=; want "status $RC, want 0" is "$RC" 0; want "no secret" has "$O" "$SECRET"
res "files: ... and works with --allow-read DIR"
cr -- "$P/probe" read "$OUT/secret"
why=; want "want ERR EACCES" hasx "$O" "ERR EACCES"
res "files: open(O_RDONLY) outside the tree -> EACCES"

cr -- sh -c "echo x > '$OUT/new'"
why=; want "status $RC, want 2" is "$RC" 2; want "$OUT/new created" absent "$OUT/new"
want "sh did not report EACCES" has "$E" "cannot create $OUT/new: Permission denied"
res "files: writing a new file outside the allowed tree fails"
cr --allow-write "$OUT" -- sh -c "echo x > '$OUT/new'"
why=; want "status $RC, want 0" is "$RC" 0; want "file not written" is "$(cat "$OUT/new" 2>/dev/null)" x
res "files: ... and works with --allow-write DIR"
rm -f "$OUT/new"
cr --allow-read "$OUT" -- sh -c "echo y >> '$OUT/ro'"
why=; want "status $RC, want 2" is "$RC" 2; want "ro changed" is "$(cat "$OUT/ro")" read-only
want "sh did not report EACCES" has "$E" "cannot create $OUT/ro: Permission denied"
res "files: appending to a file allowed read-only fails"

cr -- sh -c "'$BIN/mytrue'"
why=; want "status $RC, want 126 from sh" rc 126
res "files: exec of a binary outside the tree -> 126"
cr -- "$P/probe" exec "$BIN/mytrue"
why=; want "want ERR EACCES" hasx "$O" "ERR EACCES"
res "files: ... execve() fails with EACCES"
# The program named on the command line is granted read+exec on itself
# (src/cabin.c grant_program), and on nothing next to it.
cp /bin/true "$BIN/mytrue2"
cr -- "$BIN/mytrue"
why=; want "status $RC, want 0" is "$RC" 0
res "files: twin: the command-line program itself may run from outside the tree"
cp /bin/sh "$BIN/mysh"
cr -- "$BIN/mysh" -c "'$BIN/mytrue2'"
why=; want "status $RC, want 126" rc 126
res "files: ... but that grants nothing next to it"
cr --allow-read "$BIN" -- sh -c "'$BIN/mytrue'"
why=; want "status $RC, want 126 from sh" rc 126
res "files: exec from sh with read-only rights -> 126"
cr --allow-exec "$BIN" -- "$BIN/mytrue"
why=; want "status $RC, want 0" is "$RC" 0
res "files: ... and works with --allow-exec DIR"
cr --allow-exec "$BIN" -- sh -c "'$BIN/mytrue'"
why=; want "status $RC, want 0" is "$RC" 0
res "files: ... and works from sh with --allow-exec DIR"

F=$(policy files <<EOF
# a profile refined by file rules
profile default
files read $OUT/secret
files read ?/nonexistent-$MARK
EOF
)
cr --policy "$F" -- cat "$OUT/secret"
why=; want "status $RC, want 0" is "$RC" 0; want "no secret" has "$O" "$SECRET"
res "files: policy 'files read FILE' allows the read"
cr --policy "$F" -- sh -c "echo x > '$OUT/new2'"
why=; want "status $RC, want 2" is "$RC" 2; want "$OUT/new2 created" absent "$OUT/new2"
want "sh did not report EACCES" has "$E" "cannot create $OUT/new2: Permission denied"
res "files: ... but not a write next to it"
F=$(policy scratch <<EOF
# no profile: only what is listed
syscall default allow
files read,exec /usr /bin ?/lib ?/lib64 ?/lib32 ?/libx32
files read "$OUT/with space"
EOF
)
cr --policy "$F" -- cat "$OUT/with space"
why=; want "status $RC, want 0" is "$RC" 0; want "no secret" has "$O" "$SECRET"
res "files: policy from scratch: reading a quoted path works"
cr --policy "$F" -- cat /etc/passwd
why=; want "status $RC, want 1" is "$RC" 1; want "/etc/passwd shown" not has "$O" "root:"
want "cat did not report EACCES" has "$E" "^cat: /etc/passwd: Permission denied"
res "files: ... and nothing it does not list (/etc/passwd)"

# ---------------------------------------------------------------- files: gaps

cr --allow-read "$OUT" -- "$P/probe" truncate "$OUT/ro" 0
why=; want "truncate succeeded" refused EACCES; want "ro changed" is "$(cat "$OUT/ro")" read-only
res "gap: truncate() by path of a read-only-allowed file fails"
cr --allow-write "$OUT" -- "$P/probe" truncate "$OUT/tr" 0
why=; want "want OK" hasx "$O" OK; want "not truncated" not test -s "$OUT/tr"
res "gap: ... and works with --allow-write"

mkdir -p "$WORK/sub"
printf 'mine\n' >"$WORK/mv1"
cr --allow-read "$OUT" -- "$P/probe" rename "$WORK/mv1" "$OUT/mv1"
why=; want "rename succeeded" refused EACCES; want "moved out" absent "$OUT/mv1"; want "source gone" test -e "$WORK/mv1"
res "gap: rename out of the allowed tree fails"
cr --allow-read "$OUT" -- "$P/probe" link "$WORK/mv1" "$OUT/ln1"
why=; want "link succeeded" refused EACCES; want "link made" absent "$OUT/ln1"
res_twin "gap: hard link out of the allowed tree fails" link "$WORK/mv1" "$OUT/ln1"
rm -f "$OUT/ln1"
cr -- "$P/probe" link "$OUT/secret" "$WORK/stolen"
why=; want "link succeeded" refused EXDEV; want "link made" absent "$WORK/stolen"
res_twin "gap: hard link of a denied file into the tree fails" link "$OUT/secret" "$WORK/stolen"
rm -f "$WORK/stolen"
cr -- sh -c "ln '$OUT/secret' stolen2; cat stolen2"
why=; want "secret shown" not has "$O" "$SECRET"
want "ln did not report EXDEV or EACCES" has "$E" "^ln: failed to create hard link.*: \(Invalid cross-device link\|Permission denied\)"
res "gap: ... and the secret is not readable through it"
cr -- "$P/probe" rename "$OUT/secret" "$WORK/stolen3"
why=; want "rename succeeded" refused EACCES; want "secret moved" test -e "$OUT/secret"
res "gap: rename of a denied file into the tree fails"
cr -- "$P/probe" rename "$WORK/mv1" "$WORK/sub/mv1"
why=; want "want OK" hasx "$O" OK; want "not moved" test -e "$WORK/sub/mv1"
res "gap: ... while a cross-directory rename inside the tree works"
printf 'mine\n' >"$WORK/mv3"
cr --allow-write "$OUT" -- "$P/probe" rename "$WORK/mv3" "$OUT/mv3"
why=; want "want OK" hasx "$O" OK; want "not moved" test -e "$OUT/mv3"
res "gap: ... twin: and so does a rename out with --allow-write on the target"

printf 'mine\n' >"$OUT/mode"; chmod 644 "$OUT/mode"
touch -d '2020-01-02 03:04:05' "$OUT/mode"
# Mode 777, not 4777: a setuid mode is refused (EPERM) before the file
# guard looks at the path (tests/adversarial/setuid_plant.c).
cr -- chmod 777 "$OUT/mode"
why=; want "status $RC, want 1" is "$RC" 1; want "mode is now $(stat -c %a "$OUT/mode")" is "$(stat -c %a "$OUT/mode")" 644
want "chmod did not report EACCES" has "$E" "^chmod: changing permissions of '$OUT/mode': Permission denied"
res "gap: chmod 777 of a file outside the allowed tree fails"
cr --allow-read "$OUT" -- chmod 777 "$OUT/mode"
why=; want "status $RC, want 1" is "$RC" 1; want "mode is now $(stat -c %a "$OUT/mode")" is "$(stat -c %a "$OUT/mode")" 644
want "chmod did not report EACCES" has "$E" "^chmod: changing permissions of '$OUT/mode': Permission denied"
res "gap: chmod 777 of a read-only-allowed file fails"
chmod 644 "$OUT/mode"
cr -- touch -d '2001-01-01 00:00:00' "$OUT/mode"
why=; want "status $RC, want 1" is "$RC" 1; want "mtime is now $(stat -c %y "$OUT/mode")" is "$(stat -c %Y "$OUT/mode")" "$(date -d '2020-01-02 03:04:05' +%s)"
want "touch did not report EACCES" has "$E" "^touch: cannot touch '$OUT/mode': Permission denied"
res "gap: utimensat (touch -d) of a file outside the allowed tree fails"
XATTR_PY='import os, sys; print("ran"); os.setxattr(sys.argv[1], "user.cabin", b"1"); print("set")'
cr -- "$PY" -c "$XATTR_PY" "$OUT/mode"
why=; want "did not run" has "$O" ran; want "xattr set" not has "$O" set
# The twins: natively, as this user, the same calls on a file of the
# same kind beside it work; a call the kernel refuses here anyway makes
# its contained result a skip.
printf 'mine\n' >"$OUT/twin"; chmod 644 "$OUT/twin"
n=$("$PY" -c "$XATTR_PY" "$OUT/twin" 2>&1)
if has "$n" set; then
	res "gap: setxattr of a file outside the allowed tree fails"
	t_ok "gap: ... twin: natively, as $(id -un), setxattr there works"
else
	n="$(id -un) cannot set a user xattr there natively either ($(short "$n")): the kernel's refusal, not cabin's"
	if [ -z "$why" ]; then
		t_skip "gap: setxattr of a file outside the allowed tree fails" "$n"
	else
		res "gap: setxattr of a file outside the allowed tree fails"
	fi
	t_skip "gap: ... twin: natively, as $(id -un), setxattr there works" "$n"
fi
n=$( (chmod 777 "$OUT/twin" && touch -d '2001-01-01 00:00:00' "$OUT/twin" &&
      echo y >>"$OUT/twin" && echo done) 2>&1)
if [ "$n" = done ]; then
	t_ok "gap: ... twin: natively, as $(id -un), chmod, touch -d and an append there work"
else
	t_fail "gap: ... twin: natively, as $(id -un), chmod, touch -d and an append there work" "$(short "$n")"
fi
rm -f "$OUT/twin"
printf 'mine\n' >"$WORK/mode"; chmod 644 "$WORK/mode"
cr -- chmod 755 "$WORK/mode"
why=; want "status $RC, want 0" is "$RC" 0; want "mode not changed" is "$(stat -c %a "$WORK/mode")" 755
res "gap: ... twin: chmod in the working directory works"
cr --allow-read "$OUT" -- sh -c "ln '$OUT/ro' rolink; echo pwned >> rolink"
why=; want "ln did not report EXDEV or EACCES" has "$E" "^ln: failed to create hard link.*: \(Invalid cross-device link\|Permission denied\)"
want "wrote through a link: $(short "$(cat "$OUT/ro")")" is "$(cat "$OUT/ro")" read-only
res "gap: hard link of a read-only file into the tree gives no write access"

# The secret as made at the start: a gap above that let the program
# move it would leave this race nothing to find.
printf '%s\n' "$SECRET" >"$OUT/secret"
# symrace ends on its first breach, or once 200 opens were refused and
# 200 read the decoy (both sides of the swaps seen): counts, not time.
# Its twins: natively as this user, and under cabin with the secret
# allowed.  Where the kernel refuses this user the secret natively, the
# contained result proves nothing of cabin: a counted skip that says so.
SYMRACE_N=$(cd "$WORK" && $TO "$P/symrace" "$OUT/secret" "$SECRET" 200 </dev/null 2>&1)
SYMRACE_WHY=
has "$SYMRACE_N" "refused=[1-9][0-9]* breach=0\$" &&
	SYMRACE_WHY="$(id -un) cannot read the secret natively either ($(short "$SYMRACE_N")): the kernel's refusal, not cabin's"
cr -- "$P/symrace" "$OUT/secret" "$SECRET" 200
why=; want "status $RC, want 0" is "$RC" 0; want "breach" has "$O" "breach=0\$"
read -r nr nf <<<"$(sed -n 's/.* read=\([0-9]*\) refused=\([0-9]*\) .*/\1 \2/p' <<<"$O")"
want "the swaps were not both seen 200 times" test "${nr:-0}" -ge 200 -a "${nf:-0}" -ge 200
if [ -n "$SYMRACE_WHY" ] && [ -z "$why" ]; then
	t_skip "gap: symlink swapped by renameat2(RENAME_EXCHANGE) never reaches the secret" "$SYMRACE_WHY"
else
	res "gap: symlink swapped by renameat2(RENAME_EXCHANGE) never reaches the secret"
fi
if [ -n "$SYMRACE_WHY" ]; then
	t_skip "gap: ... twin: natively, as $(id -un), the same swaps read it" "$SYMRACE_WHY"
elif has "$SYMRACE_N" "breach=[1-9]"; then
	t_ok "gap: ... twin: natively, as $(id -un), the same swaps read it"
else
	t_fail "gap: ... twin: natively, as $(id -un), the same swaps read it" "got '$(short "$SYMRACE_N")'"
fi
cr --allow-read "$OUT" -- "$P/symrace" "$OUT/secret" "$SECRET" 200
why=; want "no breach with the secret allowed: the race is not exercised" has "$O" "breach=[1-9]"
res "gap: ... twin: with the secret allowed, the same swaps do read it"

# ================================================================ network

if [ -n "$LO" ]; then
	b=$(tcpn lo)
	cr --net none -- "$P/probe" tcp 127.0.0.1 "$LO"
	settle; why=; want "connect succeeded" refused EACCES; want "listener saw it" is "$(tcpn lo)" "$b"
	res "network: connect to 127.0.0.1 under --net none fails"
	b=$(tcpn lo)
	cr --net loopback -- "$P/probe" tcp 127.0.0.1 "$LO"
	settle; why=; want "want OK" hasx "$O" OK; want "listener did not see it" is "$(tcpn lo)" $((b + 1))
	res "network: ... and works under --net loopback"
	cr --net none -- "$PY" -c "
import errno, socket
print('TRY connect')
try:
    socket.create_connection(('127.0.0.1', $LO), 5)
    print('OK')
except OSError as e:
    print('ERR', errno.errorcode[e.errno])"
	why=; want "python connected" refused EACCES
	res "network: python3 cannot connect under --net none"
	cr -- "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $LO), 5); print('connected')"
	why=; want "python did not connect" has "$O" connected
	res "network: ... twin: and connects under the default profile"
	b=$(udpn lo)
	cr -- "$P/probe" udp 127.0.0.1 "$LO"
	settle; why=; want "want OK" hasx "$O" OK; want "datagram not received" is "$(udpn lo)" $((b + 1))
	res "network: UDP sendto 127.0.0.1 works under loopback"
	cr --net none -- "$P/probe" udp 127.0.0.1 "$LO"
	why=; want "sent" refused EACCES
	res "network: ... and fails under --net none"
else
	t_fail "network: 127.0.0.1 listener" "could not start: $(short "$(cat "$TMP/lo.lerr")")"
fi
if [ -n "$LO6" ]; then
	cr -- "$P/probe" tcp ::1 "$LO6"
	why=; want "want OK" hasx "$O" OK
	res "network: connect to ::1 works under loopback"
	cr --net none -- "$P/probe" tcp ::1 "$LO6"
	why=; want "connected" refused EACCES
	res "network: ... and fails under --net none"
else
	t_skip "network: ::1" "no IPv6 loopback"
fi

cr -- "$P/probe" raw4
why=; want "raw socket created" refused EACCES
res_twin "network: raw IPv4 socket refused" raw4
cr -- "$P/probe" raw6
why=; want "raw socket created" refused EACCES
res_twin "network: raw IPv6 socket refused" raw6
cr -- "$P/probe" packet
why=; want "packet socket created" refused EACCES
res_twin "network: AF_PACKET socket refused" packet
if [ $ROOT = 1 ]; then
	o=$("$P/probe" raw4)
	if [ "$o" = "$(printf 'TRY raw4\nOK')" ]; then t_ok "network: ... twin: root makes a raw socket natively"
	else t_fail "network: ... twin: root makes a raw socket natively" "got '$o'"; fi
else
	t_skip "network: ... twin: raw socket natively" "needs root"
fi

cr -- "$P/probe" bind 0.0.0.0 0
why=; want "bound" refused EACCES
res "network: bind 0.0.0.0 refused under loopback"
cr -- "$P/probe" bind 127.0.0.1 0
why=; want "want OK" hasx "$O" OK
res "network: ... bind 127.0.0.1 works"
cr --net host -- "$P/probe" bind 0.0.0.0 0
why=; want "want OK" hasx "$O" OK
res "network: ... bind 0.0.0.0 works under --net host"
if [ $HAVE_V6 = 1 ]; then
	cr -- "$P/probe" bind :: 0
	why=; want "bound" refused EACCES
	res "network: bind :: refused under loopback"
	cr -- "$P/probe" bind ::1 0
	why=; want "want OK" hasx "$O" OK
	res "network: ... bind ::1 works"
fi

if [ -n "$LO" ] && [ -n "$LO2" ]; then
	F=$(policy ports <<EOF
profile default
network connect tcp $LO
EOF
)
	cr --policy "$F" -- "$P/probe" tcp 127.0.0.1 "$LO"
	why=; want "want OK" hasx "$O" OK
	res "network: 'network connect tcp PORT' allows that port"
	cr --policy "$F" -- "$P/probe" tcp 127.0.0.1 "$LO2"
	why=; want "connected" refused EACCES
	res "network: ... and refuses another"
	# A port free a moment ago may be taken by the time the program binds
	# it: then another, a few times (no pause needed, only a new port).
	for _ in 1 2 3 4 5; do
		BP=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		F=$(policy bindports <<EOF
profile default
network bind tcp $BP
EOF
)
		cr --policy "$F" -- "$P/probe" listen 127.0.0.1 "$BP"
		hasx "$O" "ERR EADDRINUSE" || break
	done
	why=; want "want OK" hasx "$O" OK
	res "network: 'network bind tcp PORT' allows binding that port"
	cr --policy "$F" -- "$P/probe" listen 127.0.0.1 $((BP == 65535 ? BP - 1 : BP + 1))
	why=; want "bound" refused EACCES
	res "network: ... and refuses another"
fi

# ---------------------------------------------------------------- network: own namespace

if [ -n "$NSN" ]; then
	ns_snap
	cr -- "$P/probe" tcp "$NSN" "$NSP"
	settle; why=; want "connected" refused EACCES; want "listener saw it" is "$(tcpn ns)" "$ns_base_tcp"
	res "network: connect to a non-loopback address ($NSN) fails under loopback"
	ns_snap
	cr --net host -- "$P/probe" tcp "$NSN" "$NSP"
	settle; why=; want "want OK" hasx "$O" OK; want "listener did not see it" is "$(tcpn ns)" $((ns_base_tcp + 1))
	res "network: ... and works under --net host"
	cr -- "$P/probe" bind "$NSH" 0
	why=; want "bound" refused EACCES
	res "network: bind to a non-loopback local address ($NSH) fails under loopback"
	cr --net host -- "$P/probe" bind "$NSH" 0
	why=; want "want OK" hasx "$O" OK
	res "network: ... and works under --net host"

	ns_snap
	cr -- "$P/probe" udp "$NSN" "$NSP"
	settle; why=; want "sent" refused EACCES; want "datagram arrived" is "$(udpn ns)" "$ns_base_udp"
	res "network: UDP sendto a non-loopback address fails under loopback"
	ns_snap
	cr --net host -- "$P/probe" udp "$NSN" "$NSP"
	settle; why=; want "want OK" hasx "$O" OK; want "datagram did not arrive" is "$(udpn ns)" $((ns_base_udp + 1))
	res "network: ... twin: and arrives under --net host"
	for m in udp-connect udp-sendmsg udp-sendmmsg tcp-fastopen; do
		ns_snap
		cr -- "$P/probe" "$m" "$NSN" "$NSP"
		settle; why=; want "succeeded" refused EACCES
		want "listener saw it" is "$(tcpn ns) $(udpn ns)" "$ns_base_tcp $ns_base_udp"
		res "gap: $m to $NSN under loopback never arrives"
	done
	if [ $HAVE_V6 = 1 ]; then
		ns_snap
		cr -- "$P/probe" tcp "::ffff:$NSN" "$NSP"
		settle; why=; want "connected" refused EACCES; want "listener saw it" is "$(tcpn ns)" "$ns_base_tcp"
		res "gap: connect to the v4-mapped ::ffff:$NSN fails under loopback"
		cr --net host -- "$P/probe" tcp "::ffff:$NSN" "$NSP"
		why=; want "want OK" hasx "$O" OK
		res "gap: ... and works under --net host"
	fi
	# addrrace stops on counts, not time: see tests/policy/progs/addrrace.c
	if [ -z "$NSP_LO" ]; then
		ns_snap
		cr -- "$P/addrrace" tcp 127.0.0.1 "$NSN" "$NSP" 50
		why=; want "no connection to 127.0.0.1 succeeded" has "$O" "good=[1-9]"
		want "the program reached $NSN" has "$O" " bad=0 "
		want "the race was not run: fewer than 50 connects refused" has "$O" "refused=[5-9][0-9]\\|refused=[1-9][0-9][0-9]"
		settle; want "the namespace listener accepted $(( $(tcpn ns) - ns_base_tcp ))" is "$(tcpn ns)" "$ns_base_tcp"
		res "gap: sockaddr rewritten under connect: never reaches $NSN"
		ns_snap
		cr --net host -- "$P/addrrace" tcp 127.0.0.1 "$NSN" "$NSP" 50
		settle; why=; want "the race never reached $NSN even unconfined" not is "$(tcpn ns)" "$ns_base_tcp"
		res "gap: ... twin: under --net host the same race does reach it"
		ns_snap
		cr -- "$P/addrrace" udp 127.0.0.1 "$NSN" "$NSP" 50
		why=; want "no datagram to 127.0.0.1 was sent" has "$O" "good=[1-9]"
		want "the race was not run: fewer than 50 sends refused" has "$O" "refused=[5-9][0-9]\\|refused=[1-9][0-9][0-9]"
		settle; want "the namespace listener got $(( $(udpn ns) - ns_base_udp )) datagrams" is "$(udpn ns)" "$ns_base_udp"
		res "gap: sockaddr rewritten under sendto: no datagram reaches $NSN"
		ns_snap
		cr --net host -- "$P/addrrace" udp 127.0.0.1 "$NSN" "$NSP" 50
		settle; why=; want "no datagram reached $NSN even unconfined" not is "$(udpn ns)" "$ns_base_udp"
		res "gap: ... twin: under --net host datagrams do arrive"
	else
		t_skip "gap: sockaddr race" "port $NSP busy on 127.0.0.1"
	fi
else
	t_skip "network: non-loopback address (own netns)" "$NS_WHY"
fi

# ---------------------------------------------------------------- network: unix sockets

# A socket file in a directory the policy does not list at all.
"$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
open(sys.argv[1] + ".up", "w").close()
while True:
    s.accept()[0].close()
' "$OUT/sock" </dev/null >/dev/null 2>&1 &
LPIDS+=($!)
UXPY='import socket, sys; print("ran"); s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print("connected")'
if wait_until "$T_HANG" test -e "$OUT/sock.up"; then
	for net in loopback none; do
		cr --net $net -- "$PY" -c "$UXPY" "$OUT/sock"
		why=; want "did not run" has "$O" ran; want "connected to it" not has "$O" connected
		res "gap: connect to a unix socket in a denied directory fails (--net $net)"
	done
	cr --allow-write "$OUT" -- "$PY" -c "$UXPY" "$OUT/sock"
	why=; want "did not connect" has "$O" connected
	res "gap: ... twin: with --allow-write on it, it connects"
else
	t_fail "unix socket listener" "did not start"
fi
UXBIND='import socket; s = socket.socket(socket.AF_UNIX); s.bind("ux.sock"); print("bound")'
for net in loopback none; do
	rm -f "$WORK/ux.sock"
	cr --net $net -- "$PY" -c "$UXBIND"
	why=; want "could not bind" has "$O" bound
	res "network: twin: a unix socket can be made in the working directory (--net $net)"
done
rm -f "$WORK/ux.sock"

# ================================================================ limits

cr --rlimit-as 256M -- "$PY" -c 'b = bytearray(300 << 20); print("allocated")'
why=; want "status $RC, want 1" is "$RC" 1; want "allocated" not has "$O" allocated
want "no MemoryError" has "$E" MemoryError; want "no 'address-space limit reached' report" has "$E" "address-space limit reached (--rlimit-as 256M, per process)"
res "limits: python3 past --rlimit-as 256M: MemoryError, reported"
cr -- "$PY" -c 'b = bytearray(300 << 20); print("allocated")'
why=; want "status $RC, want 0" is "$RC" 0; want "not allocated" has "$O" allocated
res "limits: ... twin: and allocates without it"

# cabin's own timeout, not the outer one (which also exits 124): its line.
cr --timeout 1 -- sh -c "setsid sleep ${MARK}1 & sleep ${MARK}2"
no_marks() { [ -z "$(mark_pids)" ]; }
why=; want "status $RC, want 124" rc 124
want "no 'the program ran for 1 s' from cabin" has "$E" "^cabin: timeout: the program ran for 1 s"
want "left running: $(mark_pids | tr '\n' ' ')" wait_until "$T_HANG" no_marks
res "limits: --timeout 1 exits 124, nothing left"
# a program that ends on its own long before the bound (which is no
# shorter than the hang bound, so the machine's speed does not matter)
cr --timeout "$T_HANG" -- sleep 0.2
why=; want "status $RC, want 0" is "$RC" 0
res "limits: ... twin: a shorter program is not disturbed"
F=$(policy timeout <<EOF
profile default
limit timeout 1
EOF
)
cr --policy "$F" -- sleep "${MARK}3"
why=; want "status $RC, want 124" rc 124; want "left running" wait_until "$T_HANG" no_marks
want "no 'the program ran for 1 s' from cabin" has "$E" "^cabin: timeout: the program ran for 1 s"
res "limits: 'limit timeout 1' exits 124"

cr --max-procs 20 -- "$P/forkbomb" loop 40 "$MARK"
n=$(sed -n 's/^forked //p' <<<"$O")
why=; want "status $RC, want 0" is "$RC" 0; want "forked '$n', want < 20" test "${n:-99}" -lt 20
want "no EAGAIN" hasx "$O" "fork failed EAGAIN"; want "no 'process limit reached' report" has "$E" "process limit reached"
want "left running: $(mark_pids | tr '\n' ' ')" wait_until "$T_HANG" no_marks
res "limits: fork loop under --max-procs 20 stopped with EAGAIN, cleaned up"
cr -- "$P/forkbomb" loop 40 "$MARK"
why=; want "want forked 40" hasx "$O" "forked 40"; want "left running" wait_until "$T_HANG" no_marks
res "limits: ... twin: and forks 40 without it"
cr --max-procs 20 -- "$P/forkbomb" bomb 6 "$MARK"
why=; want "status $RC, want 0" is "$RC" 0; want "no EAGAIN" hasx "$O" "fork failed EAGAIN"
want "left running: $(mark_pids | wc -l) processes" wait_until "$T_HANG" no_marks
res "limits: fork bomb (every child forks) under --max-procs 20 contained, cleaned up"
F=$(policy procs <<EOF
profile default
limit procs 10
EOF
)
cr --policy "$F" -- "$P/forkbomb" loop 30 "$MARK"
n=$(sed -n 's/^forked //p' <<<"$O")
why=; want "forked '$n', want < 10" test "${n:-99}" -lt 10; want "no EAGAIN" hasx "$O" "fork failed EAGAIN"
want "left running" wait_until "$T_HANG" no_marks
res "limits: 'limit procs 10' in a policy file"

FILES_PY='fs = [open("/dev/null") for _ in range(40)]; print("opened", len(fs))'
F=$(policy files16 <<EOF
profile default
limit rlimit-nofile 16
EOF
)
cr --policy "$F" -- "$PY" -c "$FILES_PY"
why=; want "opened" not has "$O" opened; want "no EMFILE" has "$E" "Too many open files"
res "limits: 'limit rlimit-nofile 16': the 17th descriptor fails with EMFILE"
F=$(policy files100 <<EOF
profile default
limit rlimit-nofile 100
EOF
)
cr --policy "$F" -- "$PY" -c "$FILES_PY"
why=; want "not opened" has "$O" "opened 40"
res "limits: ... and 'limit rlimit-nofile 100' allows 40"

F=$(policy fsize1 <<EOF
profile default
limit fsize 1M
EOF
)
cr --policy "$F" -- dd if=/dev/zero of=big bs=64k count=32
sz=$(stat -c %s "$WORK/big" 2>/dev/null || echo 0)
why=; want "status $RC, want 153 (SIGXFSZ)" rc 153; want "size $sz, want 1M" is "$sz" 1048576
res "limits: 'limit fsize 1M': a 2M write fails at 1M"
F=$(policy fsize4 <<EOF
profile default
limit fsize 4M
EOF
)
cr --policy "$F" -- dd if=/dev/zero of=big bs=64k count=32
sz=$(stat -c %s "$WORK/big" 2>/dev/null || echo 0)
why=; want "status $RC, want 0" is "$RC" 0; want "size $sz, want 2M" is "$sz" 2097152
res "limits: ... and 'limit fsize 4M' allows it"
rm -f "$WORK/big"

F=$(policy cpu1 <<EOF
profile default
limit rlimit-cpu 1
EOF
)
cr --policy "$F" -- sh -c 'while :; do :; done'
why=; want "status $RC, want 152 (SIGXCPU) or 137 (SIGKILL)" rc 152 137
res "limits: 'limit rlimit-cpu 1' stops a busy loop"
F=$(policy cpu5 <<EOF
profile default
limit rlimit-cpu 5
EOF
)
cr --policy "$F" -- sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo done'
why=; want "status $RC, want 0" is "$RC" 0; want "not done" hasx "$O" "done"
res "limits: ... twin: 'limit rlimit-cpu 5' lets a short one finish"

# ================================================================ env

export CABIN_POL_VAR="visible-$MARK"
cr --clear-env -- /usr/bin/env
why=; want "status $RC, want 0" is "$RC" 0; want "environment not empty" is "$O" ""
res "env: --clear-env gives an empty environment"
cr -- /usr/bin/env
why=; want "CABIN_POL_VAR missing" hasx "$O" "CABIN_POL_VAR=visible-$MARK"
res "env: ... twin: without it the environment passes through"
cr --setenv FOO=bar -- /usr/bin/env
why=; want "no FOO=bar" hasx "$O" FOO=bar; want "lost CABIN_POL_VAR" hasx "$O" "CABIN_POL_VAR=visible-$MARK"
res "env: --setenv FOO=bar is visible"
cr --clear-env --setenv FOO=bar -- /usr/bin/env
why=; want "want exactly FOO=bar" is "$O" FOO=bar
res "env: --clear-env --setenv FOO=bar gives exactly FOO=bar"
F=$(policy env <<'EOF'
profile default
env clear
env keep PATH
env set GREETING="hello world"
EOF
)
cr --policy "$F" -- /usr/bin/env
why=; want "want exactly PATH and GREETING" is "$(sort <<<"$O")" "$(printf 'GREETING=hello world\nPATH=%s' "$PATH")"
res "env: 'env clear', 'env keep PATH', 'env set' in a policy file"
unset CABIN_POL_VAR

# ================================================================ isolation

# SPID: a process outside the tree, alive (a gap that let the program
# signal it must not leave the next check nothing to signal).
outside_alive() {
	kill -0 "$SPID" 2>/dev/null && return
	sleep "${MARK}9" &
	SPID=$!
	LPIDS+=("$SPID")
}
SPID=
outside_alive

cr -- sh -c 'ls /proc | grep -c "^[0-9]"'
why=; want "status $RC, want 0" is "$RC" 0; want "sees $O processes" test "${O:-99}" -le 5
res "isolation: /proc shows only the confined tree"
cr -- sh -c "kill -0 $SPID"
why=; want "status $RC, want 1" is "$RC" 1
want "kill did not report ESRCH or EPERM" has "$E" "kill: \(No such process\|Operation not permitted\)"
res "isolation: kill -0 of a process outside the tree fails"
cr -- "$P/probe" kill "$SPID" 15
why=; want "signal sent" refused ESRCH; want "the outside sleep died" kill -0 "$SPID"
res "gap: SIGTERM to a process outside the tree fails"
outside_alive
cr --profile none -- sh -c "kill -0 $SPID"
why=; want "status $RC, want 0" is "$RC" 0
res "isolation: ... twin: under --profile none kill -0 works"
F=$(policy noisolate <<EOF
profile default
isolate none
EOF
)
outside_alive
cr --policy "$F" -- "$P/probe" kill "$SPID" 0
# Every filtered run keeps its own PID namespace (ESRCH) and Landlock's
# signal scope where the kernel has it (EPERM).
why=; want "signal reached a process outside the tree" refused ESRCH EPERM
res "gap: with 'isolate none', signalling outside the tree still fails"
cr --policy "$F" -- "$P/probe" ppid-mem
why=; want "opened the parent's memory" refused EACCES
res "gap: with 'isolate none', /proc/<parent>/mem cannot be opened"
cr -- "$P/probe" ppid-mem
why=; want "opened the parent's memory" refused EACCES
res "gap: /proc/<parent>/mem cannot be opened (default)"
cr -- "$P/probe" read "/proc/$SPID/exe"
why=; want "read an outside process's exe" refused ENOENT; want "the outside process is gone (ENOENT proves nothing)" kill -0 "$SPID"
res "gap: /proc/<outside pid>/exe is not reachable"
cr -- "$P/probe" open-w /proc/1/exe
why=; want "opened /proc/1/exe for writing" refused EACCES
res_twin "gap: /proc/1/exe (the namespace's init) cannot be opened for writing" open-w /proc/1/exe

# ETXTBSY: cabin is running, and the kernel refuses a running binary
# before Landlock is asked (so this holds without cabin too); ENOENT: the
# run-all.sh copy under /tmp, hidden by the program's private /tmp.
cr -- "$P/probe" open-w "$CABIN"
why=; want "opened the cabin binary for writing" refused ETXTBSY EACCES ENOENT
res_twin "gap: the cabin binary cannot be opened for writing" open-w "$CABIN"
case $CABIN in
/tmp/*)	# the run-all.sh copy for an unprivileged user: hidden by the private /tmp
	t_skip "gap: ... not even with --allow-write on its directory" "cabin is under /tmp, which the program cannot see" ;;
*)	cr --allow-write "$(dirname "$CABIN")" -- "$P/probe" open-w "$CABIN"
	why=; want "opened the cabin binary for writing" refused ETXTBSY
	res_twin "gap: ... not even with --allow-write on its directory" open-w "$CABIN" ;;
esac

# The probe asks for the name the host already has: a sethostname that
# gets through says OK and still changes nothing (a mutated or missing
# cabin must not rename the machine the suite runs on).
before=$(uname -n)
cr -- "$P/probe" sethostname "$before"
why=; want "sethostname succeeded" refused EPERM; want "host name changed" is "$(uname -n)" "$before"
if [ $ROOT = 1 ]; then	# natively root would rename the host
	res "isolation: the host name cannot be changed"
else
	res_twin "isolation: the host name cannot be changed" sethostname "$before"
fi

printf 'host\n' >"$HOSTTMP_IN"
cr -- sh -c "cat '$HOSTTMP_IN'; echo inside > '$HOSTTMP_OUT'; cat '$HOSTTMP_OUT'"
why=; want "host /tmp file visible" not has "$O" host; want "could not write its /tmp" has "$O" inside
want "the program's /tmp file reached the host" absent "$HOSTTMP_OUT"
res "isolation: /tmp is private both ways"
F=$(policy tmpshared <<EOF
profile default
tmp shared
EOF
)
cr --policy "$F" -- sh -c "cat '$HOSTTMP_IN'; echo inside > '$HOSTTMP_OUT'"
why=; want "host /tmp file not visible" has "$O" host; want "file not on the host" test -e "$HOSTTMP_OUT"
res "isolation: ... twin: with 'tmp shared' both are seen"
rm -f "$HOSTTMP_OUT"

cr -- grep NoNewPrivs /proc/self/status
why=; want "want NoNewPrivs 1" has "$O" "^NoNewPrivs:[[:space:]]*1\$"
res "isolation: no_new_privs is set"
cr -- grep ^Cap /proc/self/status
nz=$(grep -v '0000000000000000$' <<<"$O")
why=; want "want 5 Cap lines" is "$(grep -c . <<<"$O")" 5; want "nonzero: $(short "$nz")" is "$nz" ""
res "isolation: CapInh/CapPrm/CapEff/CapBnd/CapAmb all zero ($(id -un))"

if [ $ROOT = 1 ]; then
	cp /usr/bin/id "$BIN/suid-id"
	if chown nobody "$BIN/suid-id" && chmod 4755 "$BIN/suid-id"; then
		o=$("$BIN/suid-id" -u)
		if [ "$o" != 0 ] && [ -n "$o" ]; then t_ok "setuid: twin: natively the setuid binary runs as uid $o"
		else t_fail "setuid: twin: natively the setuid binary runs as nobody" "euid '$o'"; fi
		cr --allow-exec "$BIN" -- "$BIN/suid-id" -u
		why=; want "status $RC, want 0" is "$RC" 0; want "euid became '$O'" is "$O" 0
		res "gap: exec of a setuid binary gains nothing (euid stays 0)"
	else
		t_skip "setuid" "could not make a setuid copy of id"
	fi
else
	t_skip "gap: exec of a setuid binary" "needs root to make a binary setuid to another user"
fi

# ---------------------------------------------------------------- IPC namespace

# A SysV shared memory segment, a SysV message queue and a POSIX message
# queue (progs/ipc.py), made on the host: the default profile's IPC
# namespace hides them (ENOENT); --profile trace shares the host's, so
# there the same look finds them (the twin).  Then the other way: what the
# program makes stays in its namespace, which dies with the run (a POSIX
# queue through the Landlock rule on that namespace's own mqueue root,
# docs/security.md "Socket files and message queues").
cp "$HERE/progs/ipc.py" "$P/ipc.py"
ipc_say() { hasx "$O" "shm $1" && hasx "$O" "msg $2" && hasx "$O" "mq $3"; }
ipc_host() { O=$("$PY" "$P/ipc.py" "$@" 2>&1); }
K1=$(printf 'cab%05x' $(( ($$ * 2) & 0xfffff ))) K2=$(printf 'cab%05x' $(( ($$ * 2 + 1) & 0xfffff )))
IPC_KEYS="$K1 $K2"
ipc_host make "$K1"
if ! ipc_say OK OK OK; then
	t_fail "isolation: the host's SysV and POSIX IPC objects are not seen" "could not make them on the host: $(short "$O")"
else
	cr -- "$PY" "$P/ipc.py" look "$K1"
	why=; want "the program never looked" hasx "$O" "TRY look $K1"
	want "saw a host object (want shm, msg and mq ENOENT)" ipc_say ENOENT ENOENT ENOENT
	res "isolation: the host's SysV and POSIX IPC objects are not seen"
	cr --profile trace -- "$PY" "$P/ipc.py" look "$K1"
	why=; want "the program never looked" hasx "$O" "TRY look $K1"
	want "did not see the host's objects (want shm, msg and mq OK)" ipc_say OK OK OK
	res "isolation: ... twin: --profile trace (the host's IPC namespace) sees them"
fi
ipc_host remove "$K1"
cr -- "$PY" "$P/ipc.py" make "$K2"
why=; want "the program could not make its IPC objects (want shm, msg and mq OK)" ipc_say OK OK OK
ipc_host look "$K2"
want "an object the program made is on the host after the run" ipc_say ENOENT ENOENT ENOENT
res "isolation: SysV and POSIX IPC objects the program makes stay in its IPC namespace"
cr --profile trace -- "$PY" "$P/ipc.py" make "$K2"
why=; want "the program could not make them under trace" ipc_say OK OK OK
ipc_host look "$K2"
want "not on the host after a run under trace" ipc_say OK OK OK
res "isolation: ... twin: under --profile trace they are left on the host"
ipc_host remove "$K2"

# ---------------------------------------------------------------- terminal

if [ -x /usr/bin/script ]; then
	in_pty() { (cd "$WORK" && SHELL=/bin/sh exec timeout -k 5 $((T_HANG + 10)) script -qec "$1" /dev/null) </dev/null 2>&1 | tr -d '\r'; }
	for m in tiocsti tiocsti-hi tiocsti-tty; do
		o=$(in_pty "timeout -k 5 $T_HANG '$CABIN' run -- '$P/probe' $m")
		if grep -q 'ERR EPERM$' <<<"$o" && ! grep -q 'OK$' <<<"$o"; then t_ok "gap: ioctl TIOCSTI ($m) on the terminal refused"
		else t_fail "gap: ioctl TIOCSTI ($m) on the terminal refused" "got '$(short "$o")'"; fi
	done
	if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ] || [ $ROOT = 1 ]; then
		o=$(in_pty "'$P/probe' tiocsti")
		if grep -q 'OK$' <<<"$o"; then t_ok "gap: ... twin: natively TIOCSTI works"
		else t_fail "gap: ... twin: natively TIOCSTI works" "got '$(short "$o")'"; fi
	else
		t_skip "gap: ... twin: natively TIOCSTI" "dev.tty.legacy_tiocsti is 0"
	fi
else
	t_skip "gap: ioctl TIOCSTI" "script(1) not available"
fi

# ================================================================ syscall rules

F=$(policy mkdir <<EOF
profile default
syscall deny(EACCES) mkdir mkdirat
EOF
)
cr --policy "$F" -- mkdir x
why=; want "status 0" not is "$RC" 0; want "no 'Permission denied'" has "$E" "Permission denied"; want "x created" absent "$WORK/x"
res "syscall: 'deny(EACCES) mkdir' makes mkdir fail with EACCES"
cr --policy "$F" -- "$P/probe" mkdir y
why=; want "want ERR EACCES" hasx "$O" "ERR EACCES"
res "syscall: ... the errno is EACCES"
cr -- mkdir x
why=; want "status $RC, want 0" is "$RC" 0; want "x not created" test -d "$WORK/x"
res "syscall: ... twin: the default profile lets mkdir work"
rmdir "$WORK/x" 2>/dev/null

F=$(policy when <<EOF
profile default
syscall deny(EPERM) socket when arg0 == 2
EOF
)
cr --policy "$F" -- "$P/probe" socket 2 1
why=; want "want ERR EPERM" hasx "$O" "ERR EPERM"
res "syscall: 'deny socket when arg0 == 2' refuses AF_INET"
cr --policy "$F" -- "$P/probe" socket 1 1
why=; want "want OK" hasx "$O" OK
res "syscall: ... and allows AF_UNIX"
cr -- "$P/probe" socket 2 1
why=; want "want OK" hasx "$O" OK
res "syscall: ... twin: the default profile allows AF_INET"
F=$(policy whenmask <<EOF
profile default
syscall deny(EPERM) socket when arg0 == 2 and arg1 & 0xf == 2
EOF
)
cr --policy "$F" -- "$P/probe" socket 2 $((2 | 0x80000))
why=; want "want ERR EPERM" hasx "$O" "ERR EPERM"
res "syscall: 'when arg0 == 2 and arg1 & 0xf == 2': UDP with SOCK_CLOEXEC refused"
cr --policy "$F" -- "$P/probe" socket 2 1
why=; want "want OK" hasx "$O" OK
res "syscall: ... twin: TCP allowed"
F=$(policy whenge <<EOF
profile default
syscall deny(EPERM) socket when arg0 >= 10
EOF
)
cr --policy "$F" -- "$P/probe" socket 10 1
why=; want "want ERR EPERM" hasx "$O" "ERR EPERM"
res "syscall: 'when arg0 >= 10' refuses AF_INET6"
cr --policy "$F" -- "$P/probe" socket 2 1
why=; want "want OK" hasx "$O" OK
res "syscall: ... and allows AF_INET"

F=$(policy kill <<EOF
profile default
syscall kill getppid
EOF
)
cr --policy "$F" -- "$P/probe" getppid
why=; want "status $RC, want 159" rc 159
res "syscall: 'kill getppid' kills the program (159)"
cr -- "$P/probe" getppid
why=; want "status $RC, want 0" is "$RC" 0
res "syscall: ... twin: getppid works by default"

printf 'strict input\n' >"$WORK/strict.txt"
cr --profile strict -- cat "$WORK/strict.txt"
why=; want "status $RC, want 1" is "$RC" 1; want "file shown" not has "$O" "strict input"
want "cat did not report EACCES" has "$E" "^cat: $WORK/strict.txt: Permission denied"
res "profile strict: cat FILE fails"
{ (cd "$WORK" && exec $TO "$CABIN" run --profile strict -- cat) <"$WORK/strict.txt" >"$TMP/o" 2>"$TMP/e"; } 2>/dev/null
RC=$?; O=$(cat "$TMP/o"); E=$(cat "$TMP/e")
why=; want "status $RC, want 0" is "$RC" 0; want "stdin not copied" is "$O" "strict input"
res "profile strict: ... twin: cat < FILE works"

# ================================================================ bad input

# bad NAME LINE COL TEXT : a policy with an error at LINE:COL must be
# refused with "cabin: FILE:LINE:COL: ..." and exit 125, the program not run.
bad() {
	local name=$1 line=$2 col=$3 f=$POL/bad-$1.pol
	printf '%s' "$4" >"$f"
	rm -f "$WORK/marker"
	cr --policy "$f" -- sh -c "touch '$WORK/marker'"
	why=; want "status $RC, want 125" rc 125
	want "no 'cabin: $f:$line:$col: ' line" has "$E" "^cabin: $f:$line:$col: "
	want "the program ran" absent "$WORK/marker"
	res "bad policy: $name -> $line:$col, 125, not run"
	"$CABIN" policy check "$f" >"$TMP/o" 2>"$TMP/e"; RC=$?
	O=$(cat "$TMP/o"); E=$(cat "$TMP/e")
	why=; want "status $RC, want 125" rc 125; want "no '$f:$line:$col: '" has "$E" "$f:$line:$col: "
	res "policy check: $name -> $line:$col, 125"
}
bad "unknown syscall" 3 27 $'# a comment\nprofile default\nsyscall deny(EPERM) mkdir nosuchcall\n'
bad "bad errno" 2 9 $'profile default\nsyscall deny(EBOGUS) mkdir\n'
bad "unknown directive" 4 3 $'profile default\n\n# comment\n  frobnicate on\n'
bad "bad port" 2 24 $'profile default\nnetwork connect tcp 80 70000\n'
bad "unknown right" 2 12 $'profile default\nfiles read,wirte /x\n'
bad "bad condition" 2 33 $'profile default\nsyscall deny(EPERM) socket when arg9 == 2\n'

rm -f "$WORK/marker"
cr --profile no-such-profile -- sh -c "touch '$WORK/marker'"
why=; want "status $RC, want 125" rc 125; want "the program ran" absent "$WORK/marker"
res "bad input: --profile no-such-profile -> 125, not run"
cr --policy "$POL/does-not-exist.pol" -- sh -c "touch '$WORK/marker'"
why=; want "status $RC, want 125" rc 125; want "the program ran" absent "$WORK/marker"
res "bad input: missing policy file -> 125, not run"

F=$POL/mkdir.pol
"$CABIN" policy check "$F" >"$TMP/o" 2>"$TMP/e"; RC=$?; O=$(cat "$TMP/o"); E=$(cat "$TMP/e")
why=; want "status $RC, want 0" is "$RC" 0; want "normal form lacks the mkdir rule" has "$O" "deny(EACCES) mkdir"
res "policy check: a good file -> 0 and its normal form"
"$CABIN" policy check "$TMP/o" >"$TMP/o2" 2>"$TMP/e"; RC=$?
why=; want "status $RC, want 0" is "$RC" 0; want "normal form is not stable" cmp -s "$TMP/o" "$TMP/o2"
res "policy check: the normal form checks to itself"
for prof in default strict trace none; do
	"$CABIN" policy show "$prof" 2>"$TMP/e" | "$CABIN" policy check /dev/stdin >"$TMP/o" 2>>"$TMP/e"
	st=("${PIPESTATUS[@]}")
	"$CABIN" policy check "$TMP/o" >"$TMP/o2" 2>>"$TMP/e"; RC=$?
	O=$(cat "$TMP/o"); E=$(cat "$TMP/e")
	why=; want "show/check status ${st[*]}, want 0 0" is "${st[*]}" "0 0"; want "second check status $RC" is "$RC" 0
	want "normal form not stable" cmp -s "$TMP/o" "$TMP/o2"
	res "policy show $prof | policy check /dev/stdin round-trips"
done

# W^X, outside the lab too: an RWX mapping, an RW->RX flip, an RX->RW flip
# and making the text writable are refused under --wx (and by a policy
# that allows mmap and mprotect outright), and all work without it.
WXP=$CABIN_BUILD/tests/lab/wx_probe
if [ -x "$WXP" ]; then
	cp "$WXP" "$P/"
	for how in "--wx" "--profile strict --wx" "--policy-none"; do
		case $how in
		--policy-none) set -- ;;
		*) set -- $how ;;
		esac
		(cd "$WORK" && $TO "$CABIN" run "$@" -- "$P/wx_probe") >"$TMP/wx.out" 2>"$TMP/wx.err"
		n=$(grep -c ': EACCES$' "$TMP/wx.out")
		if [ "$how" = "--policy-none" ]; then
			if [ "$(grep -c ': ok$' "$TMP/wx.out")" = 4 ]; then
				t_ok "W^X: without --wx all four flips work (twin)"
			else
				t_fail "W^X: without --wx all four flips work (twin)" "$(cat "$TMP/wx.out")"
			fi
		elif [ "$n" = 4 ]; then
			t_ok "W^X: rwx, rw->rx, rx->rw, text->w refused ($how)"
		else
			t_fail "W^X: rwx, rw->rx, rx->rw, text->w refused ($how)" "$(cat "$TMP/wx.out" "$TMP/wx.err")"
		fi
	done
else
	t_skip "W^X probes" "no $WXP (tests/lab not built)"
fi

# --verbose names the first refused file access of each kind, once.
echo "$SECRET" >"$OUT/verbose-secret"
(cd "$WORK" && $TO "$CABIN" run -v -- sh -c "cat '$OUT/verbose-secret'; cat '$OUT/verbose-secret'") \
	>"$TMP/v.out" 2>"$TMP/v.err"
if [ "$(grep -c "cabin: file access refused: openat \"$OUT/verbose-secret\"" "$TMP/v.err")" = 1 ] &&
	! grep -q "$SECRET" "$TMP/v.out"; then
	t_ok "--verbose: the first refused file access is named, once"
else
	t_fail "--verbose: the first refused file access is named, once" "$(grep cabin: "$TMP/v.err" | head -3)"
fi
(cd "$WORK" && $TO "$CABIN" run -- cat "$OUT/verbose-secret") >/dev/null 2>"$TMP/q.err"
t_check "without --verbose a refused file access prints no cabin line" \
	sh -c "grep -q '^cat: $OUT/verbose-secret: Permission denied' '$TMP/q.err' &&
		! grep -q 'file access refused' '$TMP/q.err'"


# Issue 18: a path rule that fails at run time is named where it was
# written (FILE:LINE:COL, as the parser's errors) or by its option, and
# nothing runs; `policy check` only warns about it, stdout unchanged.
MISS=no-build-$MARK
F=$(policy missing <<EOF
profile default
# the build tree, not made yet
files  read,write   ./$MISS
EOF
)
mline=$(grep -n -- "$MISS" "$F" | cut -d: -f1)
mcol=$(awk -v l="$mline" -v w="./$MISS" 'NR == l { print index($0, w) }' "$F")
rm -f "$WORK/marker"
cr --policy "$F" -- sh -c "touch '$WORK/marker'"
why=; want "status $RC, want 125" rc 125; want "the program ran" absent "$WORK/marker"
want "no '$F:$mline:$mcol: path' line" hasx "$E" "cabin: $F:$mline:$mcol: path './$MISS': No such file or directory"
res "run: a missing path is named FILE:LINE:COL ($mline:$mcol), not run"
cr --allow-write "./$MISS" -- sh -c "touch '$WORK/marker'"
why=; want "status $RC, want 125" rc 125; want "the program ran" absent "$WORK/marker"
want "the option is not named" hasx "$E" "cabin: --allow-write ./$MISS: No such file or directory"
res "run: a missing --allow-write path is named by its option, not run"
(cd "$WORK" && "$CABIN" policy check "$F") >"$TMP/o" 2>"$TMP/e"; RC=$?
mkdir "$WORK/$MISS"
(cd "$WORK" && "$CABIN" policy check "$F") >"$TMP/o2" 2>"$TMP/e2"; RC2=$?
rmdir "$WORK/$MISS"
E=$(cat "$TMP/e"); O=$(cat "$TMP/o")
why=; want "status $RC and $RC2, want 0 0" is "$RC $RC2" "0 0"
want "stderr is not the one warning" is "$E" "$F:$mline:$mcol: warning: path './$MISS' does not exist"
want "a warning with the path there" is "$(cat "$TMP/e2")" ""
want "stdout differs from the check with the path there" cmp -s "$TMP/o" "$TMP/o2"
want "stdout lacks the rule" has "$O" "files read,write ./$MISS"
res "policy check: a missing path warns FILE:LINE:COL, exits 0, same normal form"
F=$(policy trustmissing <<EOF
profile default
memory xom
memory trust  /nonexistent-$MARK/x.so
EOF
)
tcol=$(awk 'NR == 3 { print index($0, "/nonexistent") }' "$F")
"$CABIN" policy check "$F" >"$TMP/o" 2>"$TMP/e"; RC=$?; E=$(cat "$TMP/e")
why=; want "status $RC, want 0" is "$RC" 0
want "stderr is not the one warning" is "$E" "$F:3:$tcol: warning: path '/nonexistent-$MARK/x.so' does not exist"
res "policy check: a missing 'memory trust' file warns FILE:LINE:COL (3:$tcol), exits 0"

# A syscall rule the seccomp filter cannot hold (two conditions on one
# argument: libseccomp takes one) is named where it was written too.
F=$(policy twoconds <<EOF
profile default
syscall   deny(EPERM) socket when arg0 == 2 and arg0 != 3
EOF
)
scol=$(awk 'NR == 2 { print index($0, "socket") }' "$F")
rm -f "$WORK/marker"
cr --policy "$F" -- sh -c "touch '$WORK/marker'"
if [ "$RC" = 0 ]; then
	t_skip "run: a syscall rule the filter cannot hold is named FILE:LINE:COL" "this libseccomp takes two conditions on one argument"
else
	why=; want "status $RC, want 125" rc 125; want "the program ran" absent "$WORK/marker"
	want "the rule is not named $F:2:$scol" has "$E" "^cabin: $F:2:$scol: syscall rule for socket: "
	res "run: a syscall rule the filter cannot hold is named FILE:LINE:COL (2:$scol), not run"
fi


# Issue 18: named syscall groups.  `deny(EPERM) @mount` refuses the whole
# mount family, old API and new, of real programs while the rest works;
# a later rule wins over a group's; an unknown group is one error line.
# The program has no capability here, so the kernel would say EPERM too:
# cabin's denial line (and, below, an errno of the policy's choosing)
# tells the rule's refusal from the kernel's.
F=$(policy mountgroup <<EOF
syscall default allow
syscall deny(EPERM) @mount
EOF
)
FT=$(policy mounttwin <<EOF
syscall default allow
EOF
)
cr --policy "$F" -- chroot / true
why=; want "status $RC, want 125 (chroot's own)" rc 125
want "chroot did not fail with EPERM" has "$E" "^chroot: .*Operation not permitted"
want "no cabin line naming the denied chroot" has "$E" "^cabin: .*denied.*chroot"
res "syscall group: 'deny(EPERM) @mount' refuses chroot(1) with EPERM"
cr --policy "$FT" -- chroot / true
why=; want "status $RC, want 125 (chroot's own)" rc 125
want "cabin says it denied chroot without the group" not has "$E" "^cabin: .*denied.*chroot"
res "syscall group: ... twin: without @mount the refusal is the kernel's, not cabin's"
F=$(policy mountgroup2 <<EOF
syscall default allow
syscall deny(ENOTBLK) @mount
EOF
)
for op in "fsopen" "umount /" "chroot /"; do
	cr --policy "$F" -- "$P/probe" $op
	why=; want "want ERR ENOTBLK" refused ENOTBLK
	res "syscall group: 'deny(ENOTBLK) @mount' covers ${op%% *}"
	cr --policy "$FT" -- "$P/probe" $op
	why=; want "twin refused with the group's errno" not hasx "$O" "ERR ENOTBLK"
	res "syscall group: ... twin: ${op%% *} is not ENOTBLK without the group"
done
cr --policy "$F" -- sh -c 'echo group-ok >g.txt && cat g.txt && rm g.txt'
why=; want "status $RC, want 0" is "$RC" 0; want "output '$O'" is "$O" "group-ok"
res "syscall group: @mount's denial allows the other calls (works)"
F=$(policy netgroup <<EOF
profile default
syscall allow @network-io
syscall deny(EACCES) connect
EOF
)
FT=$(policy netgrouptwin <<EOF
profile default
syscall allow @network-io
EOF
)
cr --policy "$F" -- "$P/probe" tcp 127.0.0.1 1
why=; want "want ERR EACCES" refused EACCES
res "syscall group: 'allow @network-io' then 'deny(EACCES) connect': the later rule wins"
cr --policy "$F" -- "$P/probe" listen 127.0.0.1 0
why=; want "want OK" hasx "$O" OK
res "syscall group: the group still allows its other calls (bind, listen)"
cr --policy "$FT" -- "$P/probe" tcp 127.0.0.1 1
why=; want "want ERR ECONNREFUSED" refused ECONNREFUSED
res "syscall group: ... twin: without the carve-out connect reaches the port"
bad "unknown syscall group" 2 21 $'profile default\nsyscall deny(EPERM) @frob mount\n'
why=; want "message '$E'" has "$E" "unknown syscall group '@frob' (known: @clock "
want "not one line" is "$(wc -l <<<"$E")" 1
res "policy check: an unknown group is one line naming the known ones"
"$CABIN" policy show @mount >"$TMP/o" 2>"$TMP/e"; RC=$?; O=$(cat "$TMP/o")
why=; want "status $RC, want 0" is "$RC" 0
for c in mount umount2 fsopen chroot pivot_root; do want "$c not listed" hasx "$O" "$c"; done
res "policy show @mount lists its syscalls"
"$CABIN" policy show @frob >"$TMP/o" 2>"$TMP/e"; RC=$?; E=$(cat "$TMP/e")
why=; want "status $RC, want 125" rc 125
want "stderr '$E'" has "$E" "^cabin policy: unknown syscall group '@frob'; known: @clock "
res "policy show @frob: unknown group, 125"
"$CABIN" policy check "$POL/mountgroup.pol" >"$TMP/o" 2>"$TMP/e"; RC=$?; O=$(cat "$TMP/o")
why=; want "status $RC, want 0" is "$RC" 0
want "normal form lost the group" hasx "$O" "syscall deny(EPERM) @mount"
res "policy check: the normal form keeps a group as written"

# Issue 18: rights taken away below a grant (--deny, --read-only, and in
# a policy `files none|read-only|no-exec` and a later text's rule that
# replaces the profile's), made as mounts in the program's namespace.
SH=$TMP/subhome; ST=$TMP/subtree
mkdir -p "$SH/secret" "$ST/src" "$ST/build" "$ST/bin"
echo "$SECRET" >"$SH/secret/key"; echo sib >"$SH/sib"; echo "$SECRET" >"$SH/lone"
echo f >"$ST/src/f"; chmod 644 "$ST/src/f"; cp /bin/true "$ST/bin/t"
deny_probe="cat ~/secret/key && echo CAT-OK; ls ~/secret/ && echo LS-OK;
	find ~/secret -name key | grep -q key && echo FIND-OK;
	cp -r ~/secret build/cp && echo CP-OK; cat ~/lone && echo LONE-OK;
	cat ~/sib && ls ~ >/dev/null && echo SIB-OK"
HOME=$SH cr --chdir "$ST" --allow-read "$SH" -- sh -c "$deny_probe"
why=; for w in CAT LS FIND CP LONE SIB; do want "no $w-OK" hasx "$O" "$w-OK"; done
res "--deny twin: without it cat, ls, find, cp of ~/secret and ~/lone work"
rm -rf "$ST/build/cp"
HOME=$SH cr --chdir "$ST" --allow-read "$SH" --deny '~/secret' --deny "$SH/lone" -- sh -c "$deny_probe"
why=; for w in CAT LS FIND CP LONE; do want "$w-OK" not hasx "$O" "$w-OK"; done
want "the secret was read" not has "$O" "$SECRET"; want "the sibling was not read" hasx "$O" "SIB-OK"
want "no Permission denied from cat" has "$E" "cat: .*/secret/key: Permission denied"
res "--deny ~/secret, --deny FILE: cat, ls, find, cp fail (EACCES), the sibling reads"
rm -rf "$ST/build/cp"	# the copy cp began, mode 0 as its source
cr --deny "$TMP/no-such-$MARK" -- true
why=; want "status $RC, want 125" rc 125
want "not named by its option" hasx "$E" "cabin: --deny $TMP/no-such-$MARK: No such file or directory"
res "--deny of a missing path refuses to run, naming the option"
cr --deny "?$TMP/no-such-$MARK" -- true
why=; want "status $RC, want 0" is "$RC" 0
res "--deny ?PATH: a missing optional path is skipped, the run works"
cr --chdir "$SH/secret" --deny "$SH/secret" -- true
why=; want "status $RC, want 125" rc 125; want "no line" has "$E" "^cabin: the working directory .* is hidden"
res "--deny of the working directory refuses to run"
cr --profile none --deny "$SH/secret" -- cat "$SH/secret/key"
why=; want "status $RC, want 125" rc 125; want "the secret was read" not has "$O" "$SECRET"
want "no one line" hasx "$E" "cabin: --deny $SH/secret: taking rights away is a mount, which needs the seccomp filter's deny list (this policy switches the filter off); nothing was run"
res "--deny under profile none (no filter: mount is the program's) refuses to run"
cr --platform kvm --deny "$SH/secret" -- true
why=; want "status $RC, want 125" rc 125
want "no one line" hasx "$E" "cabin: --deny, --read-only and 'files none/read-only/no-exec' are not supported on --platform kvm (they are mounts in a mount namespace on the host); nothing was run"
res "--deny on --platform kvm is refused before the probe"

ro_probe='echo x > src/x && echo CREATE-OK; rm src/f && echo RM-OK;
	mv src/f . && echo MV-OK; chmod 600 src/f && echo CHMOD-OK;
	touch src/f && echo TOUCH-OK; cat src/f >/dev/null && echo READ-OK;
	echo o > build/o && echo BUILD-OK'
cp -a "$ST" "$TMP/subtwin"
cr --chdir "$TMP/subtwin" -- sh -c "$ro_probe"
why=; for w in CREATE RM BUILD; do want "no $w-OK" hasx "$O" "$w-OK"; done
res "--read-only twin: without it src/ is written and removed"
cr --chdir "$TMP/subtwin" -- sh -c 'chmod 600 src/x && echo CHMOD-OK; touch src/x && echo TOUCH-OK; mv src/x . && echo MV-OK'
why=; for w in CHMOD TOUCH MV; do want "no $w-OK" hasx "$O" "$w-OK"; done
res "--read-only twin: without it src/ is chmod'ed, touched, renamed from"
cr --chdir "$ST" --read-only ./src -- sh -c "$ro_probe"
why=; for w in CREATE RM MV CHMOD TOUCH; do want "$w-OK" not hasx "$O" "$w-OK"; done
want "no READ-OK" hasx "$O" READ-OK; want "no BUILD-OK" hasx "$O" BUILD-OK
want "src changed on the host" is "$(ls "$ST/src") $(stat -c %a "$ST/src/f")" "f 644"
want "no Read-only file system" has "$E" "Read-only file system"
res "--read-only ./src under the default profile: no write, rm, mv, chmod, touch; reads; build/ writes"
rm -f "$ST/build/o"
cr --chdir "$ST" --read-only "$ST" -- sh -c 'echo x > top && echo TOP-OK; echo o > build/o && echo BUILD-OK; cat src/f >/dev/null && echo READ-OK'
why=; want "wrote ./top" not hasx "$O" TOP-OK; want "wrote ./build/o" not hasx "$O" BUILD-OK
want "no READ-OK" hasx "$O" READ-OK; want "./build/o exists" absent "$ST/build/o"
res "--read-only of the working directory holds below it, over the profile's files all ."

F=$(policy readtree <<EOF
profile default
files read .
files all ./build
EOF
)
rm -f "$ST/build/o"
cr --chdir "$ST" --policy "$F" -- sh -c 'cat src/f >/dev/null && echo READ-OK;
	echo x > top && echo TOP-OK; echo x > src/x && echo SRC-OK;
	echo o > build/o && echo BUILD-OK'
why=; want "no READ-OK" hasx "$O" READ-OK; want "no BUILD-OK" hasx "$O" BUILD-OK
want "wrote ./top" not hasx "$O" TOP-OK; want "wrote ./src/x" not hasx "$O" SRC-OK
want "./top exists" absent "$ST/top"
res "policy: profile default, files read ., files all ./build: reads the tree, writes only build/"
(cd "$ST" && "$CABIN" policy check "$F") >"$TMP/o" 2>"$TMP/e"; RC=$?; O=$(cat "$TMP/o")
why=; want "status $RC" is "$RC" 0
want "'.' not under 'files read'" has "$O" '^files read /etc .* \.$'
want "no 'files all ... ./build'" has "$O" '^files all .* \./build$'
want "'files all .' kept" not has "$O" '^files all \.\( \|$\)'
res "policy check: the narrowed profile prints normalised (files read ., files all ./build)"
F=$(policy narrowmix <<EOF
profile default
files read-only .
files all ./build
files none   ?~/.ssh
files no-exec ./bin
EOF
)
"$CABIN" policy check "$F" >"$TMP/o" 2>"$TMP/e"; RC=$?; O=$(cat "$TMP/o")
why=; want "status $RC" is "$RC" 0
want "no 'files read-only .'" hasx "$O" "files read-only ."
want "no 'files none ?~/.ssh'" hasx "$O" "files none ?~/.ssh"
want "no 'files no-exec ./bin'" hasx "$O" "files no-exec ./bin"
"$CABIN" policy check "$TMP/o" >"$TMP/o2" 2>/dev/null; want "the normal form does not read back the same" cmp -s "$TMP/o" "$TMP/o2"
res "policy check: files none, read-only, no-exec print as written and read back"
rm -f "$ST/build/o"
HOME=$SH cr --chdir "$ST" --policy "$F" -- sh -c 'cat src/f >/dev/null && echo READ-OK;
	echo x > top && echo TOP-OK; echo o > build/o && echo BUILD-OK;
	./bin/t && echo EXEC-OK; /bin/true && echo USR-OK'
why=; want "no READ-OK" hasx "$O" READ-OK; want "no BUILD-OK (given back below read-only)" hasx "$O" BUILD-OK
want "wrote ./top" not hasx "$O" TOP-OK; want "ran ./bin/t" not hasx "$O" EXEC-OK
want "no USR-OK" hasx "$O" USR-OK
res "policy: files read-only . then files all ./build gives build/ back; files no-exec ./bin"
F=$(policy belowhidden <<EOF
profile default
files none ~/secret
files read ~/secret/key
EOF
)
HOME=$SH cr --policy "$F" -- true
why=; want "status $RC, want 125" rc 125
want "no FILE:LINE:COL line" has "$E" "^cabin: $F:3:12: path '~/secret/key' lies below a hidden path"
res "policy: a rule below a hidden path refuses to run, named FILE:LINE:COL"
F=$(policy nonemissing <<EOF
profile default
files none ./gone-$MARK
EOF
)
(cd "$ST" && "$CABIN" policy check "$F") >/dev/null 2>"$TMP/e"; RC=$?; E=$(cat "$TMP/e")
why=; want "status $RC, want 0" is "$RC" 0
want "not the one warning" is "$E" "$F:2:12: warning: path './gone-$MARK' does not exist"
res "policy check: a missing 'files none' path warns FILE:LINE:COL, exits 0"

# Red-team 2, L3: a policy narrows a profile's path however it names the
# same place (the working directory as ".", "./", its absolute name, a
# trailing slash).
for form in ./ "$ST" "$ST/" "$ST/."; do
	F=$(policy narrowform <<EOF
profile default
files read $form
EOF
)
	rm -f "$ST/top"
	(cd "$ST" && $TO "$CABIN" run --policy "$F" -- sh -c 'cat src/f >/dev/null && echo READ-OK; echo x > top && echo TOP-OK') \
		</dev/null >"$TMP/o" 2>"$TMP/e"; RC=$?; O=$(cat "$TMP/o")
	why=; want "no READ-OK (status $RC)" hasx "$O" READ-OK
	want "wrote ./top" not hasx "$O" TOP-OK; want "./top exists" absent "$ST/top"
	res "policy: profile default, 'files read ${form/#$ST/CWD}' narrows the profile's 'files all .'"
done

t_done
