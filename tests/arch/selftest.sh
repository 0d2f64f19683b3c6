#!/bin/bash
# The architecture check must fail on each kind of violation it knows:
# a small tree (two modules, a public header) that passes, then one
# violation planted at a time, each of which must fail with exactly its
# line; then the allowlist, which must let exactly what it names pass.
# Usage: selftest.sh CHECKER
set -u
checker=$1
cc=${CC:-cc}
passed=0
failed=0
work=$(mktemp -d /tmp/cabin-arch.XXXXXX)
trap 'rm -rf "$work"' EXIT

ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }

# A tree whose module src/a may use src/b and include/x, src/b only
# include/x: one.c calls two.c, which calls nothing back.
clean_tree() {
	rm -rf "$work/t"
	mkdir -p "$work/t/src/a" "$work/t/src/b" "$work/t/include/x" \
		"$work/t/docs" "$work/t/build"
	cat >"$work/t/docs/architecture.md" <<'DOC'
# Architecture
```layers
include/x ->
src/a     -> include/x src/b   # a comment
src/b     -> include/x
```
DOC
	cat >"$work/t/include/x/pub.h" <<'C'
int cabin_x_answer(void);
C
	cat >"$work/t/src/b/two.h" <<'C'
#include "x/pub.h"
int cabin_b_two(void);
C
	cat >"$work/t/src/b/two.c" <<'C'
#include "b/two.h"
int cabin_b_two(void) { return 2; }
C
	cat >"$work/t/src/a/one.h" <<'C'
int cabin_a_one(void);
C
	cat >"$work/t/src/a/one.c" <<'C'
#include "a/one.h"
#include "b/two.h"
int cabin_a_one(void) { return cabin_b_two(); }
C
}

# Compile every .c of src/ into build/ with a compile_commands.json.
build_tree() {
	local t=$work/t f o sep=""
	echo "[" >"$t/build/compile_commands.json"
	for f in src/a/one.c src/b/two.c; do
		o=obj_$(basename "$f").o
		(cd "$t/build" && $cc -Wall -I../include -I../src -c "../$f" -o "$o") || return 1
		printf '%s{"directory": "%s", "file": "../%s", "output": "%s", "command": "cc"}\n' \
			"$sep" "$t/build" "$f" "$o" >>"$t/build/compile_commands.json"
		sep=","
	done
	echo "]" >>"$t/build/compile_commands.json"
}

# expect NAME STATUS LINE [ALLOWLIST]: the check exits with STATUS, and
# prints LINE (a violation's key) as its only violation (none for "").
expect() {
	local name=$1 want=$2 line=$3 allow=${4:-} out rc got
	if ! build_tree; then bad "$name: the tree does not build"; return; fi
	out=$(python3 "$checker" "$work/t" "$work/t/build" $allow 2>&1); rc=$?
	got=$(echo "$out" | grep -v -e ': note: ' -e 'objects checked' |
		sed -nE 's/^check-architecture: (.*): [^:]*$/\1/p')
	if [ "$rc" -ne "$want" ]; then
		bad "$name: exit $rc, want $want"; echo "$out"
	elif [ "$got" != "$line" ]; then
		bad "$name: printed '$got', want '$line'"; echo "$out"
	else
		ok "$name"
	fi
}

clean_tree
expect "clean tree passes" 0 ""

clean_tree
for i in $(seq 800); do echo "/* $i */" >>"$work/t/src/b/two.c"; done
expect "a file over 800 lines fails" 1 "lines src/b/two.c"

clean_tree
cat >>"$work/t/src/b/two.c" <<'C'
int cabin_a_one(void);
int cabin_b_back(void) { return cabin_a_one(); }
C
expect "a circle of calls fails" 1 "cycle src/a/one.c src/b/two.c"

clean_tree
sed -i '1i #include "a/one.h"' "$work/t/src/b/two.c"
expect "an include against the layers fails" 1 "layer src/b/two.c -> src/a/one.h"

clean_tree
echo 'int helper(void) { return 1; }' >>"$work/t/src/a/one.c"
expect "a global without cabin_ fails" 1 "prefix src/a/one.c helper"

clean_tree
mkdir -p "$work/t/src/c"
echo 'int cabin_c_x(void);' >"$work/t/src/c/x.h"
expect "a file of no module fails" 1 "layer src/c/x.h"

clean_tree
echo 'int helper(void) { return 1; }' >>"$work/t/src/a/one.c"
echo 'prefix src/a/one.c help*  # pending: a reason' >"$work/allow"
expect "an allowed violation passes" 0 "" "$work/allow"
echo 'prefix src/a/one.c other  # pending: a reason' >"$work/allow"
expect "an allowlist naming something else does not" 1 "prefix src/a/one.c helper" "$work/allow"

clean_tree
cat >>"$work/t/src/b/two.c" <<'C'
int cabin_a_one(void);
int cabin_b_back(void) { return cabin_a_one(); }
C
echo 'cycle src/a/one.c src/b/two.c src/b/three.c  # pending: a reason' >"$work/allow"
expect "a circle inside an allowed circle passes" 0 "" "$work/allow"
echo 'cycle src/a/* src/b/t*.c  # pending: a reason' >"$work/allow"
expect "a circle whose files match an allowed one's patterns passes" 0 "" "$work/allow"
echo 'cycle src/a/one.c  # pending: a reason' >"$work/allow"
expect "a circle reaching past an allowed one fails" 1 "cycle src/a/one.c src/b/two.c" "$work/allow"

clean_tree
build_tree
rm -f "$work/t/build/compile_commands.json"
if python3 "$checker" "$work/t" "$work/t/build" >/dev/null 2>&1; then
	bad "no built objects: passed"
else
	ok "no built objects fails"
fi

clean_tree
sed -i '/```layers/,/```$/d' "$work/t/docs/architecture.md"
build_tree
if python3 "$checker" "$work/t" "$work/t/build" >/dev/null 2>&1; then
	bad "no layers block: passed"
else
	ok "no layers block fails"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
