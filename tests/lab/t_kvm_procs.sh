# Processes on the kvm platform: fork, vfork and clone make a new guest
# with a copy-on-write copy of the parent's memory (the monitor forks with
# it), exec replaces the program in the same guest, wait and signals work
# between them.  Each program runs natively and on kvm with the same
# output and status: a C program (tests/lab/progs/kvm_procs), dash
# pipelines, python3 subprocess, os.fork and multiprocessing.  The trace
# and the report cover every process; when the program ends, the
# processes it left behind are ended too, with their records kept.
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-procs
cd /work || exit 1
PY=/usr/bin/python3.11
P=$CABIN_BUILD/tests/lab/kvm_procs
D=/work/kf
T=/tmp/kf
mkdir -p "$D" "$T"

if [ ! -e /dev/kvm ]; then
	skip "$SUITE: processes on kvm" "no /dev/kvm in this VM"
	exit 0
fi
DEADLINE=90
. /lab/kvm_lib.sh

same "C: fork, exec, wait, signals, posix_spawn (kvm_procs)" "$P"

# --- dash ------------------------------------------------------------------
printf 'pear\napple\nfig\nbanana\napple\n' >"$D/in.txt"
same "dash: a pipeline" /bin/dash -c "cat $D/in.txt | sort | uniq -c | sort -rn | head -n 2"
same "dash: command substitution and status" /bin/dash -c 'x=$(echo sub); echo "$x"; (exit 3); echo "status $?"; false || echo "or ran"'
same "dash: background job and wait" /bin/dash -c 'sleep 0.2 & echo started; wait $!; echo "waited $?"'
same "dash: a script that exits with a child's status" /bin/dash -c "/bin/sh -c 'exit 7'"

# --- python3 ---------------------------------------------------------------
if [ -x "$PY" ]; then
	cat >"$D/procs.py" <<'PYEOF'
import os, subprocess, sys, multiprocessing as mp

r = subprocess.run(["/bin/echo", "from subprocess"], capture_output=True, text=True)
print("subprocess.run:", r.returncode, r.stdout.strip())
print("check_output:", subprocess.check_output(["/bin/sh", "-c", "echo $((6*7))"], text=True).strip())
p = subprocess.Popen(["/bin/cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
out, _ = p.communicate("through a pipe\n")
print("Popen.communicate:", p.returncode, out.strip())
print("failing command:", subprocess.call(["/bin/sh", "-c", "exit 5"]))

pid = os.fork()
if pid == 0:
    os._exit(11)
_, st = os.waitpid(pid, 0)
print("os.fork child:", os.waitstatus_to_exitcode(st))

def work(conn, n):
    conn.send(sum(range(n)))
    conn.close()

if __name__ == "__main__":
    mp.set_start_method("fork")
    a, b = mp.Pipe()
    w = mp.Process(target=work, args=(b, 1000))
    w.start()
    print("multiprocessing result:", a.recv())
    w.join()
    print("multiprocessing exitcode:", w.exitcode)
PYEOF
	same "python3: subprocess, os.fork, multiprocessing" "$PY" "$D/procs.py"
	if [ "$rc" = 0 ] && tail -n 1 "$O" | grep -qx 'multiprocessing exitcode: 0'; then
		ok "$SUITE$TAG: python3 ran every case on kvm"
	else
		fail "$SUITE$TAG: python3 ran every case on kvm" "$(kwhat)"
	fi
else
	skip "$SUITE: python3" "$PY not in the image"
fi

# --- trace and report across processes --------------------------------------
echo 'read by a child' >"$D/child-reads"
n="$SUITE$TAG: --trace and --report cover the children"
if krun --trace --report "$D/r.json" -- /bin/dash -c "cat $D/child-reads | tr a-z A-Z"; then
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = "READ BY A CHILD" ]; then
		ok "$n: the pipeline's output"
	else
		fail "$n: the pipeline's output" "$(kwhat)"
	fi
	pids=$(grep -oE '^\[pid +[0-9]+\]' "$E" | sort -u | wc -l)
	if [ "$pids" -ge 2 ] && grep -qE 'execve\("[^"]*/cat"' "$E" &&
	   grep -qE 'execve\("[^"]*/tr"' "$E"; then
		ok "$n: the trace shows the children's execs ($pids pids)"
	else
		fail "$n: the trace shows the children's execs" \
			"$pids pids; $(grep -E 'execve|clone|fork' "$E" | head -n 5 | tr '\n' '|')"
	fi
	if grep -q "$D/child-reads" "$D/r.json" &&
	   grep -qE '"[^"]*/tr"' "$D/r.json" &&
	   [ "$(grep -o '"parent": *[0-9]*' "$D/r.json" | grep -vc '"parent": *0')" -ge 2 ]; then
		ok "$n: the report lists the child's file read and the processes with their parent"
	else
		fail "$n: the report lists the child's file read and the processes with their parent" \
			"$(tr -d '\n' <"$D/r.json" | head -c 600)"
	fi
else
	late "$n"
fi

# --- leftovers --------------------------------------------------------------
n="$SUITE$TAG: processes left running end with the program"
if krun --report "$D/left.json" -- /bin/dash -c 'sleep 60 & echo started'; then
	sleep 1
	if [ "$rc" = 0 ] && [ "$(cat "$O")" = started ] &&
	   ! pgrep -f 'sleep 60' >/dev/null 2>&1; then
		ok "$n: cabin exits 0 at once, no sleep left"
	else
		fail "$n: cabin exits 0 at once, no sleep left" "$(kwhat); $(pgrep -fa sleep | head -n 2 | tr '\n' '|')"
	fi
	if grep -q '"signal": *"SIGKILL"' "$D/left.json"; then
		ok "$n: the report shows the child ended by SIGKILL"
	else
		fail "$n: the report shows the child ended by SIGKILL" "$(tr -d '\n' <"$D/left.json" | head -c 600)"
	fi
else
	late "$n"
fi
