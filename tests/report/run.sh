#!/usr/bin/env bash
# Behaviour-report suite: real programs run under `cabin run --report FILE
# --summary`, each doing a known set of things (ground truth), and the JSON
# report must list exactly those; plus runs that end badly (timeout,
# segfault) must still leave a valid report.
#
# Usage: tests/report/run.sh      (CABIN_BUILD defaults to <repo>/build;
#        CABIN overrides the binary)
# Works as root and as an unprivileged user; writes only under a mktemp -d
# directory in /var/tmp (the default profile's /tmp is private); network
# only on 127.0.0.1; every process it starts is killed on exit.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"

PY=/usr/bin/python3
TO="timeout -k 5 $T_HANG"

TMP=$(mktemp -d /var/tmp/cabin-report.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
LISTENER=
cleanup() {
	[ -n "$LISTENER" ] && kill -KILL "$LISTENER" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

diag() { sed -n '1,25s/^/#   /p'; }

t_need_cabin --report
if [ ! -x "$PY" ]; then
	t_fail "report suite" "no $PY (scripts/install-deps.sh installs it)"
	t_done
	exit 1
fi

# crun NAME ARGS... : run `cabin run --report ... --summary ARGS` in a fresh
# working directory $TMP/NAME/work; the report is $TMP/NAME/report.json,
# stderr (the summary) $TMP/NAME/err, the status in $TMP/NAME/rc.
crun() {
	local name=$1 d=$TMP/$1; shift
	mkdir -p "$d/work"
	(cd "$d/work" && exec $TO "$CABIN" run --report "$d/report.json" \
		--summary "$@") >"$d/out" 2>"$d/err" </dev/null
	echo $? >"$d/rc"
}

# check NAME PYTHON : run PYTHON with r = the report of case NAME, rc its
# exit status, summary the text on stderr; ok when it raises nothing.
check() {
	local name=$1 code=$2 d=$TMP/$1 what=$3
	if [ -f "$d/report.json" ] &&
		"$PY" - "$d/report.json" "$(cat "$d/rc")" "$d/err" \
		>"$d/check" 2>&1 <<EOF
import json, os, sys
with open(sys.argv[1]) as f:
    r = json.load(f)
# Paths are absolute: the case's working directory, W, is taken off them.
W = os.path.join(os.path.dirname(sys.argv[1]), "work") + "/"
def rel(p):
    return p[len(W):] if p and p.startswith(W) else p
rc = int(sys.argv[2])
summary = open(sys.argv[3], encoding="latin-1").read()
files = r["files"]
# The program's processes; cabin's own (sandbox) ones come first.
prog = [p for p in r["processes"] if not p["sandbox"]]
main = prog[0] if prog else None
def paths(kind):
    return sorted(rel(e["path"]) for e in files[kind]
                  if e["path"].startswith(W))
$code
EOF
	then
		t_ok "$name: $what"
	else
		t_fail "$name: $what"
		[ -f "$d/check" ] && diag <"$d/check"
		diag <"$d/err"
	fi
}

valid_json() {
	local d=$TMP/$1
	if [ -f "$d/report.json" ] && "$PY" -m json.tool "$d/report.json" \
		>/dev/null 2>"$d/json.err"; then
		t_ok "$1: the report is valid JSON"
	else
		t_fail "$1: the report is valid JSON"
		[ -f "$d/json.err" ] && diag <"$d/json.err"
		diag <"$d/err"
	fi
	if ls "$d"/report.json.tmp.* >/dev/null 2>&1; then
		t_fail "$1: no temporary report left behind"
	fi
}

# ------------------------------------------------------------------ files

mkdir -p "$TMP/files/work"
echo old >"$TMP/files/work/old.txt"
cat >"$TMP/files/work/script.sh" <<'EOF'
: > c1.txt
echo gone > gone.txt
rm gone.txt
mv c1.txt c2.txt
chmod 700 c2.txt
mkdir dir1
echo more >> old.txt
cat old.txt > /dev/null
EOF
crun files sh script.sh
valid_json files
check files '
assert rc == 0, rc
assert paths("created") == ["c1.txt", "dir1", "gone.txt"], paths("created")
assert [e["type"] for e in files["created"] if rel(e["path"]) == "dir1"] == ["directory"]
assert paths("deleted") == ["gone.txt"], paths("deleted")
assert [(rel(e["from"]), rel(e["to"])) for e in files["renamed"]] == [("c1.txt", "c2.txt")], files["renamed"]
assert [(rel(e["path"]), e["mode"]) for e in files["chmod"]] == [("c2.txt", "0700")], files["chmod"]
assert paths("written") == ["old.txt"], paths("written")
assert "old.txt" in paths("read") and "script.sh" in paths("read"), paths("read")
assert files["denied"] == [], files["denied"]
' "created, deleted, renamed and chmod'ed files are exactly those"
check files '
for line in ("Files created (", "  " + W + "c1.txt ",
             "Files deleted (1):\n  " + W + "gone.txt ",
             "Files renamed (1):\n  " + W + "c1.txt -> " + W + "c2.txt ",
             "Files chmod'"'"'ed (1):\n  " + W + "c2.txt to 0700 (executable)"):
    assert line in summary, line
' "the summary lists them"

# A write the sandbox refuses is a denial, with its path: in a directory
# the user may write (so that the policy, not the mode, refuses it).
mkdir -p "$TMP/outside"
crun denied sh -c "echo x > $TMP/outside/cabin-report-test; exit 0"
check denied '
t = os.path.normpath(W + "../../outside/cabin-report-test")
d = [e for e in files["denied"] if e["path"] == t]
assert d and d[0]["errno"] in ("EACCES", "EPERM"), files
assert any(e["detail"] == t for e in r["denied"]), r["denied"]
' "a refused write is listed as denied, with its path"

# Hostile names: quotes, a newline, an escape sequence, invalid UTF-8.
crun hostile sh -c 'touch "$(printf "q\"uo\\\\te\nnl\033[31m\377")"'
valid_json hostile
check hostile '
assert any(p.startswith("q\"uo\\te\nnl\x1b[31m") for p in paths("created")), paths("created")
assert "\x1b" not in summary, "raw escape in the summary"
' "hostile file names survive JSON and do not reach the terminal"

# ---------------------------------------------------------------- network

port_file=$TMP/port
"$PY" -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1] + ".part", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".part", sys.argv[1])
while True:
    c, _ = s.accept(); c.close()
' "$port_file" &
LISTENER=$!
disown "$LISTENER"    # killed by cleanup, without a job notice
# the port is there once the listener listens; only a hang takes T_HANG
for _ in $(seq $((T_HANG * 20))); do [ -s "$port_file" ] && break; sleep 0.05; done
port=$(cat "$port_file" 2>/dev/null)
if [ -n "$port" ]; then
	crun net "$PY" -c "
import socket
s = socket.socket()
s.connect(('127.0.0.1', $port))
s.close()"
	valid_json net
	check net "
c = [e for e in r['network'] if e['op'] == 'connect' and e['family'] == 'inet']
assert rc == 0, rc
assert [(e['address'], e['port'], e['result']) for e in c] == [('127.0.0.1', $port, 'ok')], r['network']
" "a loopback connect is listed with its address and result"
else
	t_fail "network: the listener did not start"
fi

# Outside loopback: refused by cabin.  Only ever tried inside an empty
# network namespace, so that no packet could leave even if cabin erred.
if ! unshare --user --map-root-user --net true 2>"$TMP/unshare.err"; then
	t_skip "a connect outside loopback is listed as denied" \
		"no user+network namespace for it: $(head -c 200 "$TMP/unshare.err" | tr '\n' ' ')"
else
	TO="unshare --user --map-root-user --net $TO" crun net-refused "$PY" -c "
import socket
try:
    socket.create_connection(('192.0.2.1', 443), timeout=2)
except OSError:
    pass"
	check net-refused "
c = [e for e in r['network'] if e['op'] == 'connect' and e['family'] == 'inet']
assert [(e['address'], e['port'], e['result']) for e in c] == [('192.0.2.1', 443, 'denied')], r['network']
assert any(e['syscall'] == 'connect' and e['detail'] == '192.0.2.1:443' for e in r['denied']), r['denied']
" "a connect outside loopback is listed as denied"
fi

# ------------------------------------------------------ the process tree

crun tree sh -c 'sh -c "/bin/true; /bin/echo nested; exit 0"; exit 3'
valid_json tree
check tree '
assert rc == 3 and r["exit_code"] == 3, (rc, r["exit_code"])
assert len(prog) == 4 and main["exit_code"] == 3, r["processes"]
def argv0(p):
    return [e["argv"][0] for e in p["execs"] if e["argv"]]
assert argv0(main) == ["sh"], main
inner = [p for p in prog if p["parent"] == main["pid"]]
assert len(inner) == 1 and argv0(inner[0]) == ["sh"], prog
kids = sorted(x for p in prog if p["parent"] == inner[0]["pid"] for x in argv0(p))
assert kids == ["/bin/echo", "/bin/true"], kids
assert all(p["exited"] and p["exit_code"] == 0 for p in prog[1:]), prog
' "fork and exec build the tree, with each exit status"

# ------------------------------------------------------ runs that end badly

crun timeout --timeout 1 sleep 100000
valid_json timeout
check timeout '
assert rc == 124 and r["exit_code"] == 124 and r["timed_out"] is True, (rc, r["exit_code"], r["timed_out"])
assert main["signal"] == "SIGKILL" or not main["exited"], main
' "a run ended by --timeout: exit 124, timed_out"

crun segv "$PY" -c 'import ctypes; ctypes.string_at(0)'
valid_json segv
check segv '
assert rc == 139 and r["exit_code"] == 139 and r["timed_out"] is False, rc
f = r["faults"]
assert f and f[0]["signal"] == "SIGSEGV" and f[0]["addr"] == "0", f
assert f[0]["code"] == "SEGV_MAPERR", f
assert main["signal"] == "SIGSEGV", main
' "a segfault: exit 139, the fault and the killing signal"

# W+X memory, with the outcome: allowed by default, refused under --wx.
WXPROG='
import mmap
m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
print("mapped")'
crun wx "$PY" -c "$WXPROG"
check wx '
m = [e for e in r["memory"] if e["syscall"] == "mmap" and e["prot"] == "rwx"]
assert rc == 0, rc
assert len(m) == 1 and m[0]["length"] == 4096, r["memory"]
assert m[0]["refused"] is False, m
' "a read+write+execute mapping is listed"
crun wx-refused --wx "$PY" -c "$WXPROG"
check wx-refused '
m = [e for e in r["memory"] if e["syscall"] == "mmap" and e["prot"] == "rwx"]
assert rc == 1 and "PermissionError" in summary, (rc, summary)
assert len(m) == 1 and m[0]["length"] == 4096, r["memory"]
assert m[0]["refused"] is True and m[0]["errno"] == "EACCES", m
' "a read+write+execute mapping refused under --wx is listed as refused"

# Every line cabin printed to the user is kept, word for word.
crun messages "$PY" -c 'import ctypes; ctypes.CDLL(None).process_vm_readv(0, 0, 0, 0, 0, 0)'
check messages '
m = [s for s in r["messages"] if s.startswith("denied process_vm_readv by pid ")]
assert len(m) == 1 and m[0].endswith("(python3): EPERM"), r["messages"]
assert "cabin: " + m[0] in summary, summary
' "cabin's messages are in the report"


# Refusals (issue 18): the report counts what it lists.  Two reads the
# policy refuses (one twice), a file whose own mode refuses it, and a
# relative write in a subdirectory, recorded under its absolute path.
mkdir -p "$TMP/refusals/work/sub" "$TMP/other"
echo a >"$TMP/other/a"; echo b >"$TMP/other/b"; chmod a+rx "$TMP/other"; chmod a+r "$TMP/other/a" "$TMP/other/b"
echo z >"$TMP/refusals/work/zero"; chmod 000 "$TMP/refusals/work/zero"
crun refusals sh -c "cat $TMP/other/a; cat $TMP/other/a; cat ../other/b 2>/dev/null; cat $TMP/other/b; cat zero; cd sub && echo x > f.txt; exit 0"
check refusals '
assert rc == 0, rc
o = os.path.realpath(os.path.join(W, "..", "..", "other")) + "/"
d = files["denied"]
assert sorted((e["path"], e["count"]) for e in d) == [(o + "a", 2), (o + "b", 1)], d
assert r["denied_count"] == 3 == sum(e["count"] for e in r["denied"]), r["denied"]
assert all(e["by"] == "kernel" for e in r["denied"]), r["denied"]
assert "EACCES by the kernel (Landlock)" in summary, summary
assert [(e["path"], e["errno"]) for e in files["failed"] if e["path"] == W + "zero"] == [(W + "zero", "EACCES")], files["failed"]
assert W + "sub/f.txt" in [e["path"] for e in files["created"]], files["created"]
assert " syscall stops, 3 denied, " in summary, summary
assert "File access denied (2):" in summary and "Denied operations (3):" in summary, summary
' "denied_count, the denied lists and the header agree; paths are absolute"

# A file the program names "(unreadable 0x1)" is its own relative path,
# resolved like any other: never confused with cabin's marker for memory
# it could not read, which is left as it is (red-team finding 8).
crun forge sh -c ': > "(unreadable 0x1)"; cat "(unreadable 0x2)" 2>/dev/null; exit 0'
check forge '
assert rc == 0, rc
assert W + "(unreadable 0x1)" in [e["path"] for e in files["created"]], files["created"]
assert W + "(unreadable 0x2)" in [e["path"] for e in files["failed"]], files["failed"]
every = [e.get("path", "") for k in files for e in files[k]]
assert not [p for p in every if p.startswith("(unreadable")], every
' "a path that looks like cabin's unreadable marker is resolved"
t_done
