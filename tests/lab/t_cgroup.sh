# Whole-tree limits in a cgroup v2 of the run's own (--memory, --pids-max,
# --cpu-max): the kernel enforces them on every process of the tree, the
# program cannot raise them or leave the cgroup, and the cgroup is gone
# after the run.  The lab's /init mounts no cgroup2: this file does, at
# /sys/fs/cgroup, and unmounts it at the end.
. /lab/lib.sh
CG=/sys/fs/cgroup
FORKBOMB=$CABIN_BUILD/tests/policy/forkbomb
mounted=
if ! grep -q " $CG cgroup2 " /proc/mounts; then
	if ! mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$CG" 2>/tmp/cg.err; then
		skip "cgroup: whole-tree limits" "cannot mount cgroup2: $(oneline /tmp/cg.err)"
		exit 0
	fi
	mounted=1
fi
note "cgroup2 at $CG offers: $(cat $CG/cgroup.controllers)"

# leftovers: the run cgroups (cabin.PID, cabin.PID.self) still there.
leftovers() { find "$CG" -name 'cabin.*' -type d 2>/dev/null | tr '\n' ' '; }

run "$CABIN" info
line=$(grep '^whole-tree limits' "$O")
if [ "$rc" = 0 ] && echo "$line" | grep -q 'yes (cgroup v2): --memory, --pids-max, --cpu-max'; then
	ok "cgroup: cabin info says whole-tree limits are available"
else
	fail "cgroup: cabin info says whole-tree limits are available" "$(what)"
fi

# The limits as the program's own cgroup holds them, read back from
# inside; and whether it can raise memory.max, leave for the root or
# move into the cgroup with the limits.  Its /proc/self/cgroup is its
# cgroup namespace's: "/", the leaf below the limits.
PROBE='echo "ns $(sed -n "s/^0:://p" /proc/self/cgroup)";
p=$(cd /sys/fs/cgroup && ls -d cabin.[0-9]* | head -n 1); echo "cg /$p";
for f in memory.max memory.swap.max memory.oom.group pids.max cpu.max; do
	echo "$f $(cat /sys/fs/cgroup/$p/$f)"; done
echo max >/sys/fs/cgroup/$p/memory.max 2>/dev/null && echo raised
echo $$ >/sys/fs/cgroup/cgroup.procs 2>/dev/null && echo escaped
echo $$ >/sys/fs/cgroup/$p/cgroup.procs 2>/dev/null && echo moved
echo "after $(sed -n "s/^0:://p" /proc/self/cgroup) $(cat /sys/fs/cgroup/$p/memory.max)"'
run "$CABIN" run --memory 48M --pids-max 16 --cpu-max 50% -- sh -c "$PROBE"
show
cgpath=$(sed -n 's/^cg //p' "$O")
if [ "$rc" = 0 ] && echo "$cgpath" | grep -qE '^/cabin\.[0-9]+$' &&
   grep -qx 'ns /' "$O" &&
   grep -qx 'memory.max 50331648' "$O" &&
   grep -qx 'memory.swap.max 0' "$O" &&
   grep -qx 'memory.oom.group 1' "$O" &&
   grep -qx 'pids.max 16' "$O" &&
   grep -qx 'cpu.max 50000 100000' "$O"; then
	ok "cgroup: the program runs in a cgroup of its own (its namespace's /) with memory.max, swap 0, pids.max, cpu.max 50000 100000"
else
	fail "cgroup: the program runs in a cgroup of its own (its namespace's /) with memory.max, swap 0, pids.max, cpu.max 50000 100000" "$(what)"
fi
if [ "$rc" = 0 ] && ! grep -qE '^(raised|escaped|moved)' "$O" &&
   grep -qx "after / 50331648" "$O"; then
	ok "cgroup: the program can neither raise memory.max nor move to the root cgroup or its run's"
else
	fail "cgroup: the program can neither raise memory.max nor move to the root cgroup or its run's" "$(what)"
fi
# The same hierarchy mounted a second time, outside /sys: read-only in
# the program's mount namespace too (--profile trace: no file rules).
mkdir -p /mnt/cg2
if mount -t cgroup2 cgroup2 /mnt/cg2 2>/dev/null; then
	run "$CABIN" run --profile trace --memory 48M -- sh -c 'p=$(cd /mnt/cg2 && ls -d cabin.[0-9]* | head -n 1); echo max >/mnt/cg2/$p/memory.max && echo raised; cat /mnt/cg2/$p/memory.max'
	umount /mnt/cg2
	show
	if [ "$rc" = 0 ] && ! grep -q raised "$O" && grep -qx 50331648 "$O" &&
	   grep -q 'Read-only file system' "$E"; then
		ok "cgroup: a cgroup2 mounted at /mnt/cg2 too: read-only for the program (EROFS), memory.max unchanged"
	else
		fail "cgroup: a cgroup2 mounted at /mnt/cg2 too: read-only for the program (EROFS), memory.max unchanged" "$(what)"
	fi
fi
# A cgroup2 of its own (the deny list, which refuses mount, switched off
# to try the layer below): in a user, mount and cgroup namespace it makes,
# the mount's root is its cgroup, the leaf below the limits: no limit
# file there, and no controller to enable below it.  This lab's cgroup2
# has no nsdelegate, so root files would be writable were it the run's.
CGM=$CABIN_BUILD/tests/lab/cgroup_mount
run "$CABIN" run --profile trace --unsafe-disable=deny --memory 48M -- "$CGM" /tmp/cgm
show
if [ "$rc" = 0 ] && grep -qx mounted "$O" &&
   grep -qx 'memory.max open No such file or directory' "$O" &&
   grep -qx 'pids.max open No such file or directory' "$O" &&
   ! grep -q written "$O"; then
	ok "cgroup: a cgroup2 the program mounts in namespaces of its own: no limit file there, nothing written"
elif [ "$rc" = 0 ] && grep -qE '^(userns|mountns|mount) ' "$O" && ! grep -q written "$O"; then
	skip "cgroup: a cgroup2 the program mounts" "$(head -n 1 "$O")"
else
	fail "cgroup: a cgroup2 the program mounts in namespaces of its own: no limit file there, nothing written" "$(what)"
fi
if [ -z "$(leftovers)" ]; then
	ok "cgroup: the run's cgroup is removed after the run"
else
	fail "cgroup: the run's cgroup is removed after the run" "left: $(leftovers)"
fi

# Past memory.max the kernel kills the whole tree: the shell that started
# the allocation too (memory.oom.group), so "after" is never printed.
run "$CABIN" run --memory 16M -- sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo after'
show
if [ "$rc" = 137 ] && ! grep -q after "$O" &&
   [ "$(grep -c '^cabin: killed by the memory limit (--memory 16M' "$E")" = 1 ]; then
	ok "cgroup: a tree past --memory 16M is killed (137), said in one line"
else
	fail "cgroup: a tree past --memory 16M is killed (137), said in one line" "$(what)"
fi
# ... twin: the same under a limit it fits in.
run "$CABIN" run --memory 256M -- sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo after'
if [ "$rc" = 0 ] && grep -qx after "$O" && ! grep -q 'memory limit' "$E"; then
	ok "cgroup: ... twin: under --memory 256M it runs to the end"
else
	fail "cgroup: ... twin: under --memory 256M it runs to the end" "$(what)"
fi
# The report keeps the count.
run "$CABIN" run --report /tmp/cg-report.json --memory 16M -- dd if=/dev/zero of=/dev/null bs=64M count=1
if [ "$rc" = 137 ] && grep -q '"memory_max": 16777216' /tmp/cg-report.json &&
   grep -qE '"oom_kills": [1-9]' /tmp/cg-report.json; then
	ok "cgroup: the report has memory_max and oom_kills"
else
	fail "cgroup: the report has memory_max and oom_kills" "$(what); report: $(grep -A8 '"limits"' /tmp/cg-report.json | tr '\n' ' ')"
fi

# An error path: the program is not there (127): the cgroup goes too.
run "$CABIN" run --memory 64M -- /nonexistent/prog
if [ "$rc" = 127 ] && [ -z "$(leftovers)" ]; then
	ok "cgroup: a program not found (127): no cgroup left"
else
	fail "cgroup: a program not found (127): no cgroup left" "$(what); left: $(leftovers)"
fi

# pids.max: a loop of forks stops with EAGAIN at the limit; a fork bomb
# (every child forks) is contained.  The sleepers left go with the run.
run "$CABIN" run --pids-max 8 -- "$FORKBOMB" loop 40 cgmark1
show
n=$(sed -n 's/^forked //p' "$O")
if [ "$rc" = 0 ] && [ "${n:-99}" -lt 8 ] && grep -qx 'fork failed EAGAIN' "$O" &&
   [ "$(grep -c '^cabin: task limit reached (--pids-max 8' "$E")" = 1 ]; then
	ok "cgroup: a fork loop under --pids-max 8 stops with EAGAIN ($n forked), said in one line"
else
	fail "cgroup: a fork loop under --pids-max 8 stops with EAGAIN, said in one line" "$(what)"
fi
run "$CABIN" run --pids-max 8 -- "$FORKBOMB" bomb 6 cgmark2
if [ "$rc" = 0 ] && grep -qx 'fork failed EAGAIN' "$O" && gone cgmark; then
	ok "cgroup: a fork bomb under --pids-max 8 is contained, nothing left running"
else
	fail "cgroup: a fork bomb under --pids-max 8 is contained, nothing left running" "$(what)"
fi
if [ -z "$(leftovers)" ]; then
	ok "cgroup: no cgroup left after the killed and the limited runs"
else
	fail "cgroup: no cgroup left after the killed and the limited runs" "left: $(leftovers)"
fi

# A delegated cgroup holding cabin alone (as systemd-run --scope -p
# Delegate=yes makes): cabin, as nobody, moves itself into a leaf beside
# the run's, and back at the end.  Root moves the shell in, which then
# becomes cabin.
if command -v su >/dev/null && [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" != 0 ]; then
	echo "+memory +pids +cpu" >$CG/cgroup.subtree_control
	mkdir -p $CG/deleg
	chown -R 65534:65534 $CG/deleg
	run sh -c "echo \$\$ >$CG/deleg/cgroup.procs && exec su -s /bin/sh nobody -c 'cd /tmp && exec $CABIN run --memory 32M -- sh -c \"cat /proc/self/cgroup; ls -d $CG/deleg/cabin.*/program\"'"
	show
	if [ "$rc" = 0 ] && grep -qx '0::/' "$O" &&
	   grep -qE "^$CG/deleg/cabin\.[0-9]+/program\$" "$O" &&
	   [ -z "$(leftovers)" ]; then
		ok "cgroup: as nobody in a delegated cgroup of its own, the run gets a cgroup under it, removed after"
	else
		fail "cgroup: as nobody in a delegated cgroup of its own, the run gets a cgroup under it, removed after" "$(what); left: $(leftovers)"
	fi
	# Not alone there: refused before anything runs, one line.
	sleep 1000 &
	sleeper=$!
	echo "$sleeper" >$CG/deleg/cgroup.procs
	run sh -c "echo \$\$ >$CG/deleg/cgroup.procs && exec su -s /bin/sh nobody -c 'cd /tmp && exec $CABIN run --memory 32M -- echo ran'"
	kill "$sleeper"
	wait "$sleeper" 2>/dev/null
	if [ "$rc" = 125 ] && ! grep -q ran "$O" &&
	   [ "$(wc -l <"$E")" = 1 ] && grep -q 'holds other processes' "$E"; then
		ok "cgroup: ... with other processes in its cgroup: refused (125), one line"
	else
		fail "cgroup: ... with other processes in its cgroup: refused (125), one line" "$(what)"
	fi
	# Without user namespaces nobody gets no mount namespace, so no
	# read-only cgroupfs: its delegated cgroup, and the run's under it,
	# would be writable by the program (--profile trace: no file rules
	# either).  Refused before anything runs, one line.
	userns=$(cat /proc/sys/user/max_user_namespaces)
	echo 0 >/proc/sys/user/max_user_namespaces
	run sh -c "echo \$\$ >$CG/deleg/cgroup.procs && exec su -s /bin/sh nobody -c 'cd /tmp && exec $CABIN run --profile trace --memory 32M -- sh -c \"echo max >$CG/deleg/cabin.*/memory.max && echo raised; echo ran\"'"
	echo "$userns" >/proc/sys/user/max_user_namespaces
	show
	if [ "$rc" = 125 ] && ! grep -q ran "$O" && [ "$(wc -l <"$E")" = 1 ] &&
	   grep -q '^cabin: --memory would not hold: the program could write its cgroup.s files (no user namespaces for uid 65534' "$E" &&
	   [ -z "$(leftovers)" ]; then
		ok "cgroup: as nobody without user namespaces (--profile trace): refused (125), one line, nothing made"
	else
		fail "cgroup: as nobody without user namespaces (--profile trace): refused (125), one line, nothing made" "$(what); left: $(leftovers)"
	fi
	rmdir $CG/deleg 2>/dev/null
else
	skip "cgroup: as nobody in a delegated cgroup" "no su or no user namespaces"
fi

# Not delegated: nobody in the root cgroup is refused, with what instead.
if command -v su >/dev/null; then
	run su -s /bin/sh nobody -c "cd /tmp && $CABIN run --pids-max 4 -- echo ran"
	if [ "$rc" = 125 ] && ! grep -q ran "$O" &&
	   grep -q '^cabin: --pids-max needs a cgroup v2 pids controller cabin can write (.*not delegated to uid 65534.*); use --max-procs N' "$E"; then
		ok "cgroup: not delegated: refused (125) with what to use instead"
	else
		fail "cgroup: not delegated: refused (125) with what to use instead" "$(what)"
	fi
fi

# --platform kvm: the monitor is a host process in the run's cgroup, and
# the guest's memory is the monitor's, so --memory holds the guest too.
kvm_verdict
if [ "$kvm_ok" = yes ] && [ -z "$KVM_UNSAFE" ]; then
	run "$CABIN" run --platform kvm --memory 256M --pids-max 16 -- /bin/busybox echo inside
	if [ "$rc" = 0 ] && grep -qx inside "$O" && [ -z "$(leftovers)" ]; then
		ok "cgroup: kvm: a run under --memory and --pids-max, cgroup removed after"
	else
		fail "cgroup: kvm: a run under --memory and --pids-max, cgroup removed after" "$(what); left: $(leftovers)"
	fi
	run "$CABIN" run --platform kvm --memory 32M -- /bin/busybox dd if=/dev/zero of=/dev/null bs=64M count=1
	show
	if [ "$rc" = 137 ] && grep -q '^cabin: killed by the memory limit (--memory 32M' "$E" &&
	   [ -z "$(leftovers)" ]; then
		ok "cgroup: kvm: a guest allocating past --memory 32M is killed (137), said in one line"
	else
		fail "cgroup: kvm: a guest allocating past --memory 32M is killed (137), said in one line" "$(what)"
	fi
else
	skip "cgroup: kvm" "--platform kvm unavailable: ${kvm_why:-its guest lacks $KVM_UNSAFE}"
fi

[ -n "$mounted" ] && umount "$CG"
exit 0
