# Runners for the kvm platform's lab tests (t_kvm_platform.sh,
# t_kvm_procs.sh): native, process-platform and kvm runs of one command,
# compared; every run is bounded by lib.sh's HANG, which only a hang
# reaches (there is no budget for a whole test: a slow machine is slower,
# not wrong).
# Needs KVM_EXTRA, TAG and T (a scratch directory) set by the test.
# Time, only for notes of where it goes: no check depends on it.
now() { cut -d. -f1 /proc/uptime; }
T0=$(now)

# --- Runners ---------------------------------------------------------------
# IN is the standard input of the next run (see same_in).
IN=/dev/null

# nrun CMD...: CMD natively; rc, $O, $E as lib.sh's run.
nrun() {
	timeout -s KILL "$HANG" "$@" <"$IN" >"$O" 2>"$E"
	rc=$?
}

# prun CABIN-RUN-ARGS...: cabin on the process platform ($PROC below).
prun() {
	timeout -s KILL "$HANG" "$CABIN" run $PROC "$@" <"$IN" >"$O" 2>"$E"
	rc=$?
}

# krun CABIN-RUN-ARGS...: cabin run --platform kvm ARGS.
krun() {
	timeout -s KILL "$HANG" "$CABIN" run --platform kvm $KVM_EXTRA "$@" \
		<"$IN" >"$O" 2>"$E"
	rc=$?
}

# progerr FILE: FILE without cabin's own lines (the program's stderr).
progerr() { grep -v '^cabin: ' "$1"; }

# kwhat: what, without cabin's warning about what this kernel's Landlock
# cannot enforce (it would fill the 300 bytes shown).
kwhat() {
	echo "exit $(rcwhy); stdout: $(oneline "$O"); stderr: $(grep -v '^cabin: warning: not enforced on this kernel' "$E" | head -c 300 | tr '\n' '|')"
}

# same NAME CMD...: CMD natively and on kvm: same stdout, stderr (cabin's
# lines aside) and exit status.
same() {
	n="${SUITE:-kvm-platform}$TAG: $1"
	shift
	nrun "$@"
	nrc=$rc
	cp "$O" "$T/n.out"
	cp "$E" "$T/n.err"
	if [ "$nrc" -ge 124 ]; then
		fail "$n: runs natively" "$(what)"
		return
	fi
	krun -- "$@"
	progerr "$E" >"$T/k.err"
	if [ "$rc" = "$nrc" ] && cmp -s "$O" "$T/n.out" &&
	   cmp -s "$T/k.err" "$T/n.err"; then
		ok "$n: same stdout, stderr and exit $rc"
	else
		fail "$n: same stdout, stderr and exit status" \
			"native exit $nrc, stdout: $(oneline "$T/n.out") stderr: $(oneline "$T/n.err"); kvm $(kwhat)"
	fi
}

# same_in FILE NAME CMD...: same, with FILE on standard input.
same_in() {
	IN=$1
	shift
	same "$@"
	IN=/dev/null
}

# The process platform for references: --platform process once cabin
# knows the option, the default platform before.
PROC="--platform process"
prun -- /bin/true
if [ "$rc" != 0 ]; then
	note "cabin run --platform process: exit $rc, $(head -n 1 "$E"); using the default platform"
	PROC=
fi

