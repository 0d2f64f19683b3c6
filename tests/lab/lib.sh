# Helpers for the lab tests (busybox sh): one TAP-like line per check.
# CABIN is the cabin binary, CABIN_BUILD the copied build directory.
: "${CABIN:=/cabin/cabin}" "${CABIN_BUILD:=/cabin}"

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1: $2"; }
skip() { echo "ok - $1 # SKIP $2"; }

# note TEXT...: a comment line, shown in the log.
note() { echo "# $*"; }

# oneline FILE: FILE's first 300 bytes on one line, for a failure message.
oneline() { head -c 300 "$1" | tr '\n' '|'; }

# HANG: the bound of every run and wait, in seconds.  No check here
# waits for time to pass or needs a run to be fast: a run still going
# after HANG s (several times the slowest seen under emulation and load)
# is a hang, killed by SIGKILL.
HANG=${LAB_HANG:-200}

# run CMD...: run CMD bounded by HANG, stdin /dev/null; sets rc, and
# leaves stdout in $O and stderr in $E.
O=/tmp/lab.out
E=/tmp/lab.err
run() {
	timeout -s KILL "$HANG" "$@" </dev/null >"$O" 2>"$E"
	rc=$?
}

# rcwhy: the last status, saying that 137 may be the hang bound's kill.
rcwhy() {
	if [ "$rc" = 137 ]; then
		echo "137 (SIGKILL: by the program, or a hang killed after $HANG s)"
	else
		echo "$rc"
	fi
}

# what: a short account of the last run, for a failure message.
what() {
	echo "exit $(rcwhy); stdout: $(oneline "$O"); stderr: $(oneline "$E")"
}

# gone PATTERN: true once no process's command line matches PATTERN,
# polled every 0.1 s; HANG bounds only a hang.
gone() {
	i=$((HANG * 10))
	while pgrep -f "$1" >/dev/null 2>&1; do
		i=$((i - 1))
		[ "$i" -gt 0 ] || return 1
		sleep 0.1
	done
}

# int_on_line CMD...: CMD (cabin, running a program that prints a line
# once it is where the test wants the signal) gets SIGINT when that line
# arrives: an event, not a delay.  CMD runs in the foreground of a
# pipeline, since a background job would start with SIGINT ignored.
# Sets rc (or "hang" when no line came, or CMD did not end, within HANG
# s: then CMD is killed), $O (stdout) and $E (stderr).
int_on_line() {
	rm -f /tmp/int.pid /tmp/int.rc
	{ sh -c 'echo $$ >/tmp/int.pid; exec "$@"' - "$@" </dev/null 2>"$E"
	  echo $? >/tmp/int.rc; } |
	{ if IFS= read -r -t "$HANG" line; then
		echo "$line" >"$O"
		kill -INT "$(cat /tmp/int.pid)"
	  else
		echo hang >/tmp/int.hang
		kill -KILL "$(cat /tmp/int.pid)"
	  fi
	  timeout "$HANG" cat >>"$O" || { echo hang >/tmp/int.hang
		kill -KILL "$(cat /tmp/int.pid)"; }; }
	rc=$(cat /tmp/int.rc)
	[ -e /tmp/int.hang ] && rc=hang
	rm -f /tmp/int.hang
}

# show: the last run's stderr as comment lines.
show() { sed 's/^/#   /' "$E"; }

# kvm_verdict: cabin's own verdict on this VM's KVM (cabin info --json,
# which runs its canary guest), not /dev/kvm's existence: kvm_ok is yes or
# no, kvm_why the verdict's reason; KVM_UNSAFE switches off what the
# guest lacks of the proxy kernel's SMEP and SMAP (cabin refuses runs that
# ask for them), empty when it has both.
kvm_verdict() {
	"$CABIN" info --json >/tmp/lab.info 2>&1
	kvm_ok=no
	grep -q '^  "kvm_platform": true,$' /tmp/lab.info && kvm_ok=yes
	kvm_why=$(sed -n 's/^  "kvm_verdict": "\(.*\)",$/\1/p' /tmp/lab.info)
	KVM_UNSAFE=
	for f in smep smap; do
		grep -q "^  \"kvm_guest_$f\": true,\$" /tmp/lab.info ||
			KVM_UNSAFE="${KVM_UNSAFE:+$KVM_UNSAFE,}$f"
	done
	[ -n "$KVM_UNSAFE" ] && KVM_UNSAFE="--unsafe-disable=$KVM_UNSAFE"
}

# need_kvm NAME [any]: where cabin says --platform kvm cannot work in this
# VM, NAME is skipped with cabin's reason and the test file ends here; so
# too where the guest lacks SMEP or SMAP (cabin refuses a run that does
# not switch them off), unless "any": the test then runs with KVM_UNSAFE.
need_kvm() {
	kvm_verdict
	if [ "$kvm_ok" != yes ]; then
		skip "$1" "cabin info: --platform kvm unavailable: $kvm_why"
		exit 0
	fi
	if [ -n "$KVM_UNSAFE" ] && [ "${2:-}" != any ]; then
		skip "$1" "the kvm guest lacks what $KVM_UNSAFE names: cabin refuses runs with it"
		exit 0
	fi
	return 0
}
