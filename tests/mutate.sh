#!/bin/bash
# Mutation run: does each test see its protection go?  Runs the adversarial
# and policy suites (or those named) once with the real cabin, then once
# per --unsafe-disable switch (added to every `cabin run`), then once with
# an "unconfined" stand-in that runs the program with no sandbox at all.
# Prints, for every test that passes with the real cabin, the mutations
# that turned it red, and last the tests that no mutation turned red: the
# tests that would pass whatever cabin did.  Twins and escape halves (they
# show that a program works, or escapes, when it should: names with
# "escapes with", "twin", "works" or "allows") are listed apart as
# controls; a containment test in the first list proves nothing yet.
#
# Usage: tests/mutate.sh [BUILD [SUITE...]]   (default: build, adversarial policy)
# Env: MUTATIONS (space-separated switch names; default all that
#      `cabin run --help` lists for the process platform, then unconfined)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
shift $(($# > 0 ? 1 : 0))
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(adversarial policy)
cabin=$build/cabin
[ -x "$cabin" ] || { echo "mutate: $cabin not built" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cabin-mutate.XXXXXX") || exit 2
chmod 755 "$work"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

# The switches, as `cabin run --help` lists them: the words between
# "--unsafe-disable=LIST" and the ";" that ends the process platform's.
switches() {
	"$cabin" run --help 2>&1 |
		sed -n '/--unsafe-disable=LIST/,/;/p' | sed -n '2,$p' |
		sed 's/;.*//' | tr ',' '\n' | tr -d ' ' | grep -E '^[a-z-]+$'
}

# A stand-in for cabin that adds --unsafe-disable=NAME to every run.
weakened() {
	cat >"$work/cabin-$1" <<EOF
#!/bin/sh
if [ "\${1:-}" = run ]; then
	shift
	exec "$cabin" run --unsafe-disable=$1 "\$@"
fi
exec "$cabin" "\$@"
EOF
	chmod 755 "$work/cabin-$1"
}

# A stand-in that runs the program unconfined (help and the other
# commands still go to the real cabin, so the suites start).
unconfined() {
	cat >"$work/cabin-unconfined" <<EOF
#!/bin/bash
if [ "\${1:-}" != run ]; then exec "$cabin" "\$@"; fi
for a; do [ "\$a" = --help ] && exec "$cabin" "\$@"; done
while [ \$# -gt 0 ] && [ "\$1" != -- ]; do shift; done
[ \$# -gt 0 ] || exit 125
shift
exec "\$@"
EOF
	chmod 755 "$work/cabin-unconfined"
}

mutations=${MUTATIONS:-"$(switches | tr '\n' ' ') unconfined"}
for m in $mutations; do
	if [ "$m" = unconfined ]; then unconfined; else weakened "$m"; fi
done

# run LABEL CABIN SUITE : the suite's TAP lines into $work/SUITE.LABEL
run() {
	local label=$1 c=$2 s=$3
	(cd /tmp && CABIN_BUILD="$build" CABIN="$c" \
		timeout -k 10 900 bash "$top/tests/$s/run.sh") \
		>"$work/$s.$label" 2>&1 </dev/null
	echo "mutate: $s with $label: $(grep -E '^[0-9]+ passed, ' "$work/$s.$label" | tail -n 1)"
}

for s in "${suites[@]}"; do
	run real "$cabin" "$s"
	for m in $mutations; do
		run "$m" "$work/cabin-$m" "$s"
	done
done

python3 - "$work" "${#suites[@]}" "${suites[@]}" $mutations <<'EOF'
import re, sys
work, n = sys.argv[1], int(sys.argv[2])
suites, muts = sys.argv[3:3 + n], sys.argv[3 + n:]
TAP = re.compile(r'^(not ok|ok) \d+ - (.*)$')

def lines(path):
    out = []
    for l in open(path, errors='replace'):
        m = TAP.match(l.rstrip('\n'))
        if m:
            out.append((m.group(1) == 'ok', m.group(2)))
    return out

def status(name, tap):
    """red, skip or green for test NAME in one run (absent counts red:
    the suite did not get that far)."""
    for ok, text in tap:
        if text == name or text.startswith(name + ': ') or \
           text.startswith(name + ' # SKIP'):
            if not ok:
                return 'red'
            return 'skip' if ' # SKIP' in text else 'green'
    return 'red'

CONTROL = re.compile(r'escapes with|twin|works|allows')
never = []
for s in suites:
    base = [t for ok, t in lines('%s/%s.real' % (work, s))
            if ok and ' # SKIP' not in t]
    runs = {m: lines('%s/%s.%s' % (work, s, m)) for m in muts}
    print('\n== %s: %d tests pass with the real cabin' % (s, len(base)))
    for t in base:
        red = [m for m in muts if status(t, runs[m]) == 'red']
        print('%-24s %s' % (','.join(red) or '-', t))
        if not red:
            never.append('%s: %s' % (s, t))
tests = [t for t in never if not CONTROL.search(t)]
controls = [t for t in never if CONTROL.search(t)]
print('\n== no mutation turned these red (%d)' % len(tests))
for t in tests:
    print(t)
print('\n== controls no mutation turned red, as expected (%d)' % len(controls))
for t in controls:
    print(t)
EOF
