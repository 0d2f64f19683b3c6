#!/usr/bin/env bash
# Install suite: `make install` of the build CABIN_BUILD into a staging
# DESTDIR with a PREFIX, then the installed cabin, man pages and bash
# completion used as a user would.
#
# Usage: tests/install/run.sh      (CABIN_BUILD defaults to <repo>/build)
# Runs `make install` from the build's own source tree: it needs to write
# the build directory (meson sets the prefix there, and this suite puts the
# build's prefix back at the end), so tests/run-all.sh runs it once, as the
# user who built.  As root it also runs the installed cabin as cabintest.
# Writes only under a mktemp -d directory.

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/../lib.sh"

diag() { sed -n '1,25s/^/#   /p'; }
# make, free of what an outer make (make check) or the environment would
# pass down: PREFIX and DESTDIR are this suite's to give.
mk() { env -u PREFIX -u DESTDIR -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make "$@"; }

# The source tree the build was configured from: its Makefile installs.
src=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["directories"]["source"])' \
	"$CABIN_BUILD/meson-info/meson-info.json" 2>/dev/null)
old_prefix=$(meson introspect "$CABIN_BUILD" --buildoptions 2>/dev/null |
	python3 -c 'import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])' 2>/dev/null)
if [ -z "$src" ] || [ ! -f "$src/Makefile" ] || [ -z "$old_prefix" ]; then
	t_fail "source tree of $CABIN_BUILD" "no meson-info or Makefile (source '$src', prefix '$old_prefix')"
	t_done
	exit 1
fi

W=$(mktemp -d /tmp/cabin-install.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
cleanup() {
	meson configure "$CABIN_BUILD" -Dprefix="$old_prefix" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# --- make install PREFIX=... DESTDIR=...: installs where asked and only there.
# PREFIX lies inside the scratch directory, so an install that ignored
# DESTDIR would show up as $W/prefix.
prefix=$W/prefix
dest=$W/dest
root=$dest$prefix
if mk -C "$src" install BUILD="$CABIN_BUILD" PREFIX="$prefix" DESTDIR="$dest" \
	>"$W/make.log" 2>&1; then
	t_ok "make install PREFIX DESTDIR"
else
	t_fail "make install PREFIX DESTDIR" "exit $?"; diag <"$W/make.log"
fi

# The library's directory is meson's libdir (lib/x86_64-linux-gnu on
# Debian): shown as LIBDIR below.
libdir=$(meson introspect "$CABIN_BUILD" --buildoptions 2>/dev/null |
	python3 -c 'import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "libdir"][0])' 2>/dev/null)
expected="LIBDIR/libcabin-preload.so
LIBDIR/libcabin.so
LIBDIR/libcabin.so.0
LIBDIR/libcabin.so.0.1.0
LIBDIR/pkgconfig/cabin.pc
bin/cabin
include/cabin/cabin.h
include/cabin/info.h
include/cabin/policy.h
share/bash-completion/completions/cabin
share/doc/cabin/README.md
share/doc/cabin/cli-contract.md
share/doc/cabin/examples/policies/build-job.policy
share/doc/cabin/examples/policies/loopback-client.policy
share/doc/cabin/examples/policies/python-script.policy
share/doc/cabin/examples/policies/untrusted-tool.policy
share/doc/cabin/policy.md
share/doc/cabin/report.md
share/doc/cabin/security.md
share/doc/cabin/trace.md
share/man/man1/cabin.1
share/man/man3/cabin_enter.3
share/man/man3/cabin_error.3
share/man/man3/cabin_init.3
share/man/man3/libcabin.3
share/man/man5/cabin-policy.5"
got=$(cd "$root" 2>/dev/null && find . -type f -o -type l | sed "s|^\./||; s|^$libdir/|LIBDIR/|" | LC_ALL=C sort)
if [ "$got" = "$expected" ]; then
	t_ok "installed files under DESTDIR/PREFIX"
else
	t_fail "installed files under DESTDIR/PREFIX"
	diff <(echo "$expected") <(echo "$got") | diag
fi

# Nothing beside DESTDIR: the scratch directory holds only the log and the
# staged tree, and meson's install log names only staged paths.
others=$(cd "$W" && find . -mindepth 1 -maxdepth 1 ! -name dest ! -name make.log)
outside=$(grep -v '^#' "$CABIN_BUILD/meson-logs/install-log.txt" 2>/dev/null |
	grep -vx -e "$dest" -e "$dest/.*")
if [ ! -e "$prefix" ] && [ -z "$others" ] && [ -z "$outside" ] &&
	grep -qx "$root/bin/cabin" "$CABIN_BUILD/meson-logs/install-log.txt"; then
	t_ok "nothing written outside DESTDIR"
else
	t_fail "nothing written outside DESTDIR"
	{ echo "$others"; echo "$outside"; } | diag
fi

if [ -x "$root/bin/cabin" ] && [ ! -u "$root/bin/cabin" ] &&
	[ "$(stat -c %a "$root/share/man/man1/cabin.1")" = 644 ]; then
	t_ok "modes: cabin executable, not setuid; pages 0644"
else
	t_fail "modes: cabin executable, not setuid; pages 0644" \
		"$(stat -c '%a %n' "$root/bin/cabin" "$root/share/man/man1/cabin.1" 2>&1 | tr '\n' ' ')"
fi

# Installing again with the same PREFIX leaves the build's configuration
# alone (meson configure would rewrite it, and as root under sudo).
core=$CABIN_BUILD/meson-private/coredata.dat
inode=$(stat -c %i "$core")
if mk -C "$src" install BUILD="$CABIN_BUILD" PREFIX="$prefix" DESTDIR="$dest" \
	>"$W/make.log" 2>&1 && [ "$(stat -c %i "$core")" = "$inode" ] &&
	! grep -q 'meson configure' "$W/make.log"; then
	t_ok "make install again: build configuration untouched"
else
	t_fail "make install again: build configuration untouched"; diag <"$W/make.log"
fi

# The default prefix, without installing anything (make -n).
if mk -n -C "$src" install BUILD="$CABIN_BUILD" 2>&1 |
	grep -qE -- '-Dprefix=/usr/local([^/[:alnum:]_.-]|$)'; then
	t_ok "default PREFIX is /usr/local"
else
	t_fail "default PREFIX is /usr/local"
fi

# --- the installed cabin runs.
bin=$root/bin/cabin
ver=$("$bin" --version 2>&1)
if [ $? -eq 0 ] && [ "$ver" = "$("$CABIN_BUILD/cabin" --version 2>&1)" ] &&
	grep -q '[0-9]\.[0-9]' <<<"$ver"; then
	t_ok "installed cabin --version"
else
	t_fail "installed cabin --version" "$ver"
fi
"$bin" run -- /bin/true >"$W/run.log" 2>&1
rc_true=$?
"$bin" run -- /bin/false >>"$W/run.log" 2>&1
rc_false=$?
if [ "$rc_true" -eq 0 ] && [ "$rc_false" -eq 1 ]; then
	t_ok "installed cabin run -- /bin/true, /bin/false"
else
	t_fail "installed cabin run -- /bin/true, /bin/false" "exit $rc_true, $rc_false"
	diag <"$W/run.log"
fi
if [ "$(id -u)" -eq 0 ] && id cabintest >/dev/null 2>&1; then
	chmod a+rX "$W"
	out=$(runuser -u cabintest -- "$bin" run -- /usr/bin/id -un 2>&1)
	if [ $? -eq 0 ] && [ "$out" = cabintest ]; then
		t_ok "installed cabin runs for cabintest"
	else
		t_fail "installed cabin runs for cabintest" "$out"
	fi
fi

# --- the man pages render without a warning, and man finds them by name.
for page in man1/cabin.1 man5/cabin-policy.5; do
	err=$(MANWIDTH=80 man --warnings -l "$root/share/man/$page" 2>&1 >"$W/page.txt")
	if [ $? -eq 0 ] && [ -z "$err" ] && [ -s "$W/page.txt" ]; then
		t_ok "man -l $page renders without warnings"
	else
		t_fail "man -l $page renders without warnings"; echo "$err" | diag
	fi
done
if MANWIDTH=80 man -M "$root/share/man" 5 cabin-policy 2>/dev/null |
	grep -q 'EXIT STATUS' &&
	MANWIDTH=80 man -M "$root/share/man" 1 cabin 2>/dev/null | grep -q 'cabin run'; then
	t_ok "man -M PREFIX/share/man finds cabin(1), cabin-policy(5)"
else
	t_fail "man -M PREFIX/share/man finds cabin(1), cabin-policy(5)"
fi

# --- bash completion: the installed file, sourced into a plain bash, with
# the installed cabin first on PATH.  comp WORD... completes the last word
# as bash would, having split the line at COMP_WORDBREAKS.
comp() {
	PATH="$root/bin:$PATH" bash --norc --noprofile -c '
		. "$1" || exit 1; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_cabin; printf "%s\n" "${COMPREPLY[@]}"' \
		comp "$root/share/bash-completion/completions/cabin" "$@" 2>&1 |
		LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//'
}
# comp_is NAME EXPECTED WORD...
comp_is() {
	local name=$1 want=$2 got; shift 2
	got=$(comp "$@")
	if [ "$got" = "$want" ]; then
		t_ok "completion: $name"
	else
		t_fail "completion: $name" "got '$got', want '$want'"
	fi
}

reg=$(bash --norc --noprofile -c '. "$1" && complete -p cabin' sh \
	"$root/share/bash-completion/completions/cabin" 2>&1)
t_check "completion file sources and registers _cabin" \
	test "$reg" = "complete -F _cabin cabin"
comp_is "cabin r -> run" "run" cabin r
comp_is "cabin run --prof -> --profile" "--profile" cabin run --prof
comp_is "cabin run --trace-form -> --trace-format=" "--trace-format=" cabin run --trace-form
comp_is "cabin policy s -> show" "show" cabin policy s
comp_is "cabin run --net=l -> loopback" "loopback" cabin run --net = l
comp_is "cabin run --platform p -> process" "process" cabin run --platform p
comp_is "cabin policy show s -> strict" "strict" cabin policy show s
comp_is "program's name after --" "cabin" cabin run --profile strict -- cabi
comp_is "a word after the program is its own" "" cabin run true --prof

# --profile and --platform complete exactly the names the installed
# cabin's help lists, and every profile is one `cabin policy show` knows.
help=$("$bin" run --help 2>&1)
want=$(sed -nE 's/^ +--profile NAME +a built-in profile: //p' <<<"$help" |
	tr -d ',' | tr ' ' '\n' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
got=$(comp cabin run --profile '')
bad=""
for p in $got; do
	"$bin" policy show "$p" >/dev/null 2>&1 || bad="$bad $p"
done
if [ -n "$want" ] && [ "$got" = "$want" ] && [ -z "$bad" ]; then
	t_ok "completion: --profile names are cabin's ($got)"
else
	t_fail "completion: --profile names are cabin's" "got '$got', help '$want', unknown:$bad"
fi
got=$(comp cabin run --platform '')
phelp=$(sed -n '/--platform NAME/,/--stats/p' <<<"$help")
bad=""
for p in $got; do grep -qw -- "$p" <<<"$phelp" || bad="$bad $p"; done
if [ "$got" = "kvm process" ] && [ -z "$bad" ]; then
	t_ok "completion: --platform names ($got)"
else
	t_fail "completion: --platform names" "got '$got', not in help:$bad"
fi

# File paths after options that take one, not after those that do not.
mkdir "$W/files" && : >"$W/files/my.policy" && mkdir "$W/files/mydir"
comp_is "--policy completes a file" "$W/files/my.policy" cabin run --policy "$W/files/my.p"
comp_is "--allow-write completes a path" "$W/files/mydir" cabin run --allow-write "$W/files/myd"
comp_is "--report completes a file" "$W/files/my.policy" cabin run --report "$W/files/my.p"
comp_is "policy check completes a file" "$W/files/my.policy" cabin policy check "$W/files/my.p"
comp_is "--timeout takes no path" "" cabin run --timeout "$W/files/my.p"

# --- issue 20: libcabin.so with its soname, only the public API exported,
# a pkg-config file a program builds with, and that program confining
# itself (cabin_init, cabin_enter) against the installed library.
lib=$root/$libdir
soname=$(readelf -d "$lib/libcabin.so.0.1.0" 2>&1 | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = libcabin.so.0 ] && [ "$(readlink "$lib/libcabin.so")" = libcabin.so.0 ]; then
	t_ok "libcabin.so: soname libcabin.so.0, libcabin.so its link"
else
	t_fail "libcabin.so: soname libcabin.so.0, libcabin.so its link" "soname '$soname', link '$(readlink "$lib/libcabin.so")'"
fi
# Exported: exactly the functions the installed headers declare.
exported=$(nm -D --defined-only "$lib/libcabin.so.0.1.0" 2>&1 | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | LC_ALL=C sort)
declared=$(cat "$root/include/cabin/"*.h | tr '\n' ' ' | grep -oE '\bcabin_[a-z0-9_]+\(' | tr -d '(' | LC_ALL=C sort -u)
if [ -n "$exported" ] && [ "$exported" = "$declared" ] &&
	[ -z "$(nm -D --defined-only "$lib/libcabin.so.0.1.0" | awk '$2 ~ /^[BDRGS]$/')" ]; then
	t_ok "libcabin.so exports only the headers' functions ($(wc -l <<<"$exported"))"
else
	t_fail "libcabin.so exports only the headers' functions" \
		"$(diff <(echo "$declared") <(echo "$exported") | head -5 | tr '\n' '|')"
fi
pc() { PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config "$@"; }
flags=$(pc --cflags --libs cabin 2>&1)
if cc -o "$W/enter" "$src/tests/integration/progs/enter.c" $flags >"$W/cc.log" 2>&1; then
	t_ok "cc prog.c \$(pkg-config --cflags --libs cabin) builds against the install"
else
	t_fail "cc prog.c \$(pkg-config --cflags --libs cabin) builds against the install" "$flags"; diag <"$W/cc.log"
fi
# The program confines itself: the write outside refused after the entry,
# for the caller and its child; the report complete at its end.
mkdir -m 777 "$W/run"
outside=$(mktemp /var/tmp/cabin-install.XXXXXX); rm -f "$outside"
enter_acts() { # enter_acts [runuser -u USER --]
	(cd "$W/run" && LD_LIBRARY_PATH=$lib "$@" "$W/enter" acts "$outside" "$W/run/r.json") \
		>"$W/enter.out" 2>"$W/enter.err"
}
enter_check() {
	local rc=$1 why=
	[ "$rc" = 7 ] || why="status $rc, want 7"
	grep -qx "before: write $outside: ok" "$W/enter.out" &&
		grep -qx "after: write $outside: EACCES" "$W/enter.out" &&
		grep -qx "child: write $outside: EACCES" "$W/enter.out" &&
		grep -qx "after: ptrace: EPERM" "$W/enter.out" ||
		why="${why:+$why; }$(tr '\n' '|' <"$W/enter.out")"
	grep -q '"exit_code": 7' "$W/run/r.json" 2>/dev/null || why="${why:+$why; }no complete report"
	echo "$why"
}
enter_acts; why=$(enter_check $?)
rm -f "$outside" "$W/run/r.json" "$W/run/inside"
if [ -z "$why" ]; then t_ok "the installed library: a program's acts refused after cabin_enter"
else t_fail "the installed library: a program's acts refused after cabin_enter" "$why"; diag <"$W/enter.err"; fi
if [ "$(id -u)" -eq 0 ] && id cabintest >/dev/null 2>&1; then
	chmod -R a+rX "$W"
	enter_acts runuser -u cabintest --; why=$(enter_check $?)
	rm -f "$outside" "$W/run/r.json" "$W/run/inside"
	if [ -z "$why" ]; then t_ok "the installed library, as cabintest: acts refused after cabin_enter"
	else t_fail "the installed library, as cabintest: acts refused after cabin_enter" "$why"; diag <"$W/enter.err"; fi
fi
out=$(cd "$W/run" && LD_PRELOAD=$lib/libcabin-preload.so CABIN_PROFILE=default sh -c 'echo ran' 2>&1)
bad=$(cd "$W/run" && LD_PRELOAD=$lib/libcabin-preload.so CABIN_PROFILE=nope sh -c 'echo ran' 2>&1)
brc=$?
if [ "$out" = ran ] && [ "$brc" = 125 ] && [ "$(wc -l <<<"$bad")" = 1 ]; then
	t_ok "the installed libcabin-preload.so runs sh confined; a bad profile fails closed"
else
	t_fail "the installed libcabin-preload.so runs sh confined; a bad profile fails closed" "'$out', $brc '$bad'"
fi
err=$(MANWIDTH=80 man --warnings -l "$root/share/man/man3/libcabin.3" 2>&1 >"$W/page.txt")
if [ -z "$err" ] && grep -q cabin_enter "$W/page.txt" &&
	MANWIDTH=80 man -M "$root/share/man" 3 cabin_init 2>/dev/null | grep -q EBUSY; then
	t_ok "man 3 libcabin renders without warnings; man 3 cabin_init finds it"
else
	t_fail "man 3 libcabin renders without warnings; man 3 cabin_init finds it"; echo "$err" | diag
fi

# --- make uninstall removes what was installed.
if mk -C "$src" uninstall BUILD="$CABIN_BUILD" >"$W/make.log" 2>&1 &&
	[ ! -e "$root/bin/cabin" ] && [ -z "$(find "$dest" -type f 2>/dev/null)" ]; then
	t_ok "make uninstall removes the staged files"
else
	t_fail "make uninstall removes the staged files"; diag <"$W/make.log"
fi

t_done
