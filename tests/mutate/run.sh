#!/bin/bash
# Mutation suite: does every containment test fail when its protection
# goes?  (Issue 15: a green run must mean the tests could see an escape.)
#  1. For each switch `cabin run --help` lists, the adversarial tests that
#     declare it (protected_by, see tests/adversarial/run.sh) run with a
#     stand-in cabin that adds --unsafe-disable=SWITCH to every run: each
#     declared "contained under cabin" line must fail, while the test's
#     other lines (its controls) still pass: the weakened cabin works.  A
#     switch no test declares fails, unless tests/mutate/exceptions gives
#     the reason.
#  2. The whole adversarial and policy suites run once with a stand-in
#     that runs the program unconfined (no cabin at all): every
#     containment test must fail.  Controls (adversarial: every line that
#     is not "...: contained under cabin"; policy: twins, names with
#     "twin", "works" or "allows") may pass and are listed apart.
#  3. An adversarial containment test no switch turned red fails, unless
#     tests/mutate/exceptions gives the reason.
# Prints one TAP line per check, a summary, and the closing count line.
#
# Root only (run-all.sh runs it as root, not as cabintest): as root every
# escape the adversarial suite shows is open to a switch but two (listed
# there), while not root the kernel's own owner, mode and user-namespace
# checks refuse several attacks whatever cabin does, so those contained
# halves pass under the mutation as they should.  The switches act on the
# same code for both users; once is enough for the time CI has.
#
# Usage: tests/mutate/run.sh   (CABIN_BUILD, CABIN as the other suites;
#        MUTATE_SWITCHES="abi deny" checks only these switches, and then
#        leaves out the unconfined run and the checks that need them all)
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"
ADV_RUN=$HERE/../adversarial/run.sh
POL_RUN=$HERE/../policy/run.sh
EXCEPTIONS=$HERE/exceptions

if [ "$(id -u)" != 0 ]; then
	t_fail "mutation suite" "run it as root (see the top of $0)"
	t_done
	exit 1
fi
t_need_cabin --unsafe-disable
CABIN=$(readlink -f "$CABIN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cabin-mutate.XXXXXX") || exit 1
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP

# The switches as `cabin run --help` lists them: the words of the
# --unsafe-disable entry, up to the next option.
help_switches() {
	"$CABIN" run --help 2>&1 |
		sed -n '/--unsafe-disable=LIST/,/^ *--[a-z]/p' | sed '1s/.*://;$d' |
		sed 's/with --platform [a-z]* also//' | tr ',; ' '\n\n\n' |
		grep -E '^[a-z][a-z0-9-]*$'
}

# The switches cabin knows, from its refusal of an unknown one.
known_switches() {
	"$CABIN" run --unsafe-disable=no-such-switch -- true 2>&1 |
		sed -n 's/.*(known: \(.*\))$/\1/p' | tr ', ' '\n\n' | grep .
}

# The declarations, one per line: FUNCTION<TAB>SWITCHES<TAB>GLOB...
declarations() {
	bash -c 'protected_by() { local IFS=$'"'\t'"'; echo "$*"; }
		eval "$(grep -E "^protected_by[[:space:]]" "$1")"' sh "$ADV_RUN"
}

# A stand-in for cabin that adds --unsafe-disable=$1 to every run.
weakened() {
	cat >"$WORK/cabin-$1" <<-EOS
	#!/bin/sh
	if [ "\${1:-}" = run ]; then
		shift
		exec "$CABIN" run --unsafe-disable=$1 "\$@"
	fi
	exec "$CABIN" "\$@"
	EOS
	chmod 755 "$WORK/cabin-$1"
}

# A stand-in that runs the program unconfined (--help and the other
# commands still go to the real cabin, so the suites start).
unconfined() {
	cat >"$WORK/cabin-unconfined" <<-EOS
	#!/bin/bash
	if [ "\${1:-}" != run ]; then exec "$CABIN" "\$@"; fi
	for a; do [ "\$a" = --help ] && exec "$CABIN" "\$@"; done
	while [ \$# -gt 0 ] && [ "\$1" != -- ]; do shift; done
	[ \$# -gt 0 ] || exit 125
	shift
	exec "\$@"
	EOS
	chmod 755 "$WORK/cabin-unconfined"
}

# suite LOG CABIN RUN.SH [ENV...]: one suite run, its output into LOG.
suite() {
	local log=$1 cabin=$2 run=$3
	shift 3
	(cd /tmp && env CABIN_BUILD="$CABIN_BUILD" CABIN="$cabin" "$@" \
		timeout -k 10 900 bash "$run") >"$log" 2>&1 </dev/null
}

help_switches >"$WORK/switches"
known_switches >"$WORK/known"
declarations >"$WORK/declared" || exit 1
switches=${MUTATE_SWITCHES:-$(cat "$WORK/switches")}
: >"$WORK/timings"

for s in $switches; do
	weakened "$s"
	start=$SECONDS
	for f in $(awk -F '\t' -v s="$s" '
		{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == s) print $1 }' \
		"$WORK/declared" | sort -u); do
		suite "$WORK/run.$s.$f" "$WORK/cabin-$s" "$ADV_RUN" CABIN_ADV_ONLY="$f"
	done
	echo "$s $((SECONDS - start))" >>"$WORK/timings"
done

# Unconfined, the programs cabin would stop (a CPU limit, a timeout, a
# fork bomb's cap) run until the suites' hang bound: a short one here.
# Every containment line must turn red anyway, and controls that fail
# here are only listed.
if [ -z "${MUTATE_SWITCHES:-}" ]; then
	unconfined
	start=$SECONDS
	suite "$WORK/unconfined.adversarial" "$WORK/cabin-unconfined" "$ADV_RUN" \
		CABIN_TEST_HANG=20
	echo "unconfined-adversarial $((SECONDS - start))" >>"$WORK/timings"
	start=$SECONDS
	suite "$WORK/unconfined.policy" "$WORK/cabin-unconfined" "$POL_RUN" \
		CABIN_TEST_HANG=20
	echo "unconfined-policy $((SECONDS - start))" >>"$WORK/timings"
fi

python3 "$HERE/verdict.py" "$WORK" "$EXCEPTIONS" "${MUTATE_SWITCHES:+partial}"
