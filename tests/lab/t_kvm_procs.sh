# Processes and threads on the kvm platform: fork, vfork and clone make a
# new guest with a copy-on-write copy of the parent's memory (the monitor
# forks with it), exec replaces the program in the same guest, wait and
# signals work between them; a thread is a vCPU on a host thread of its
# own.  Each program runs natively and on kvm with the same output and
# status: C programs (tests/lab/progs/kvm_procs, kvm_threads), dash
# pipelines, python3 subprocess, os.fork, multiprocessing and threading.  The trace
# and the report cover every process; when the program ends, the
# processes it left behind are ended too, with their records kept.
. /lab/lib.sh
KVM_EXTRA=${KVM_EXTRA:-}
TAG=${KVM_EXTRA:+ $KVM_EXTRA}
SUITE=kvm-procs
cd /work || exit 1
PY=/usr/bin/python3.11
P=$CABIN_BUILD/tests/lab/kvm_procs
TH=$CABIN_BUILD/tests/lab/kvm_threads
D=/work/kf
T=/tmp/kf
mkdir -p "$D" "$T"

need_kvm "$SUITE: processes on kvm"
. /lab/kvm_lib.sh

# same_through NAME LAST CMD...: same, and the kvm run got as far as its
# last line, which starts with LAST (a native failure would match too).
same_through() {
	name=$1
	last=$2
	shift 2
	same "$name" "$@"
	if [ "$rc" = 0 ] && tail -n 1 "$O" | grep -q "^$last"; then
		ok "$SUITE$TAG: $name: ran to its end"
	else
		fail "$SUITE$TAG: $name: ran to its end" "$(kwhat)"
	fi
}

same "C: fork, exec, wait, signals, posix_spawn (kvm_procs)" "$P"
same "C: threads, join, pthread_kill, fork from a thread (kvm_threads)" "$TH"
same "C: exit with a thread still blocked" "$TH" exit-from-thread

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
	same_through "python3: subprocess, os.fork, multiprocessing" \
		'multiprocessing exitcode: 0' "$PY" "$D/procs.py"
else
	skip "$SUITE: python3" "$PY not in the image"
fi

if [ -x "$PY" ]; then
	cat >"$D/threads.py" <<'PYEOF'
import queue, threading
from concurrent.futures import ThreadPoolExecutor

def square(n):
    return n * n

with ThreadPoolExecutor(max_workers=4) as pool:
    print("pool:", sum(pool.map(square, range(100))))

q = queue.Queue()
def produce(n):
    for i in range(n):
        q.put(i)
    q.put(None)
t = threading.Thread(target=produce, args=(1000,))
t.start()
got = 0
while (item := q.get()) is not None:
    got += item
t.join()
print("queue:", got)

lock = threading.Lock()
count = [0]
def bump():
    for _ in range(10000):
        with lock:
            count[0] += 1
ts = [threading.Thread(target=bump) for _ in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print("locked count:", count[0], "threads now:", threading.active_count())
PYEOF
	same_through "python3: threading, ThreadPoolExecutor, queue" \
		'locked count: 40000 ' "$PY" "$D/threads.py"
fi

# --- the process platform's own process and thread checks ------------------
# (tests/integration/run.sh), here on kvm against the native runs.
I=$CABIN_BUILD/tests/integration
same "integration's forkexec (fork, exec, pthreads, wait)" "$I/forkexec"
same "integration's vfork + exec" "$I/exitcode" vfork /bin/sh -c 'echo in vfork child; exit 6'
same "integration's posix_spawn" "$I/exitcode" spawn /bin/echo spawned
same "integration's setsid + setpgid" "$I/exitcode" setsid
for sig in TERM:143 KILL:137; do
	n="$SUITE$TAG: dash: kill -${sig%:*} \$\$ exits ${sig#*:} as natively"
	krun -- /bin/dash -c "kill -${sig%:*} \$\$"
	if [ "$rc" = "${sig#*:}" ]; then ok "$n"; else fail "$n" "$(kwhat)"; fi
done
if [ -x "$PY" ]; then
	same "integration's python3 multiprocessing Pool(2).map" "$PY" -c "$(cat /lab/mp_pool.py)"
fi

# --- trace and report across processes --------------------------------------
echo 'read by a child' >"$D/child-reads"
n="$SUITE$TAG: --trace and --report cover the children"
krun --trace --report "$D/r.json" -- /bin/dash -c "cat $D/child-reads | tr a-z A-Z"
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

# --- threads in the report, and a time limit with threads spinning ------------
n="$SUITE$TAG: the report counts the threads"
krun --report "$D/t.json" -- "$TH"
threads=$(grep -o '"threads": *[0-9]*' "$D/t.json" | grep -o '[0-9]*$' | sort -n | tail -n 1)
if [ "$rc" = 0 ] && [ "${threads:-0}" -ge 111 ]; then
	ok "$n: $threads threads"
else
	fail "$n" "$(kwhat); threads: ${threads:-none}"
fi
cat >"$D/spin.py" <<'PYEOF'
import threading
def spin():
    while True:
        pass
print("spinning", flush=True)
for _ in range(3):
    threading.Thread(target=spin, daemon=True).start()
threading.Event().wait()
PYEOF
n="$SUITE$TAG: --timeout ends a program whose threads spin"
# The check is that the spinning threads end, not how fast python starts:
# a limit that comes before python spins proves nothing, and the run is
# made again with twice the limit (up to 120 s, below HANG).
if [ -x "$PY" ]; then
	limit=15
	while :; do
		krun --timeout "$limit" -- "$PY" "$D/spin.py"
		[ "$rc" = 124 ] && [ ! -s "$O" ] && [ "$limit" -lt 120 ] || break
		note "$n: python had not started spinning within --timeout $limit: again"
		limit=$((limit * 2))
	done
	if [ "$rc" = 124 ] && [ "$(cat "$O")" = spinning ]; then
		ok "$n (124, --timeout $limit)"
	else
		fail "$n" "--timeout $limit: $(kwhat)"
	fi
fi

# --- leftovers --------------------------------------------------------------
n="$SUITE$TAG: processes left running end with the program"
# The sleep never ends by itself: only its end by cabin lets it go.
krun --report "$D/left.json" -- /bin/dash -c 'sleep 100000 & echo started'
if [ "$rc" = 0 ] && [ "$(cat "$O")" = started ] && gone 'sleep 100000'; then
	ok "$n: cabin exits 0, no sleep left"
else
	fail "$n: cabin exits 0, no sleep left" "$(kwhat); $(pgrep -fa 'sleep 100000' | head -n 2 | tr '\n' '|')"
fi
if grep -q '"signal": *"SIGKILL"' "$D/left.json"; then
	ok "$n: the report shows the child ended by SIGKILL"
else
	fail "$n: the report shows the child ended by SIGKILL" "$(tr -d '\n' <"$D/left.json" | head -c 600)"
fi
