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

# run CMD...: run CMD with a 30 s limit, stdin /dev/null; sets rc, and
# leaves stdout in $O and stderr in $E.
O=/tmp/lab.out
E=/tmp/lab.err
run() {
	timeout -s KILL 30 "$@" </dev/null >"$O" 2>"$E"
	rc=$?
}

# what: a short account of the last run, for a failure message.
what() {
	echo "exit $rc; stdout: $(oneline "$O"); stderr: $(oneline "$E")"
}

# show: the last run's stderr as comment lines.
show() { sed 's/^/#   /' "$E"; }

# need_kvm NAME: without /dev/kvm in this VM, NAME is skipped and the test
# file ends here.
need_kvm() {
	[ -e /dev/kvm ] && return 0
	skip "$1" "no /dev/kvm in this VM"
	exit 0
}
