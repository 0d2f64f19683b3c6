#!/usr/bin/env bash
# run.sh - Cabin's benchmarks: every workload natively and under cabin
# (default and trace profiles), strace, gVisor, bubblewrap and firejail,
# interleaved in one run after a warm-up. Writes bench/results/latest.md
# (tables), latest.json (every sample), latest.png (ratios, gnuplot) and
# latest.tsv (the raw samples: bench/report.py latest.tsv PREFIX redraws).
# Measurement only: there is no pass/fail threshold; the exit status is
# non-zero only when the benchmark cannot run at all.
#
# usage: bench/run.sh [--quick] [--rounds R] [--macro-rounds R]
#                     [--tools LIST] [--xz-mb N] [--no-install]
#   --quick          a smoke run in under two minutes
#   --rounds R       measured rounds of each micro and startup workload
#   --macro-rounds R measured rounds of each macro workload
#   --tools LIST     comma-separated subset of: native cabin cabin-trace
#                    strace gvisor bwrap firejail (native is always run)
#   --xz-mb N        size of the generated file xz compresses
#   --no-install     do not apt-get install missing tools
#   CABIN_BUILD      build directory holding cabin and bench/micro
#                    (default: build/ beside bench/)

set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build=${CABIN_BUILD:-$top/build}
cabin=$build/cabin
micro=$build/bench/micro
results=$here/results

all_tools=(native cabin cabin-trace strace gvisor bwrap firejail)
quick=0
rounds=
mrounds=
xz_mb=
install=1
want_tools=

usage() {
	sed -n '/^# usage:/,/^$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--rounds) [ $# -ge 2 ] || usage; rounds=$2; shift ;;
	--rounds=*) rounds=${1#*=} ;;
	--macro-rounds) [ $# -ge 2 ] || usage; mrounds=$2; shift ;;
	--macro-rounds=*) mrounds=${1#*=} ;;
	--tools) [ $# -ge 2 ] || usage; want_tools=$2; shift ;;
	--tools=*) want_tools=${1#*=} ;;
	--xz-mb) [ $# -ge 2 ] || usage; xz_mb=$2; shift ;;
	--xz-mb=*) xz_mb=${1#*=} ;;
	--no-install) install=0 ;;
	*) usage ;;
	esac
	shift
done

# Sizes. A budget (seconds) bounds the run: each workload has a share of
# it (share[], in thousandths, cumulative deadlines in plan order) and
# stops starting new rounds past its deadline, after at least one measured
# round; a workload that ends early leaves its time to the next ones.
declare -A iters
if [ "$quick" = 1 ]; then
	mode=quick
	: "${rounds:=2}" "${mrounds:=1}" "${xz_mb:=1}"
	warm=0
	budget=110
	iters=([getppid]=2000 [read1]=2000 [openclose]=500 [mmap64k]=500
	       [touch64m]=1 [pipe]=200 [forkwait]=20 [forkexec]=10)
	spawn_n=3
	py_n=3
	sql_rows=5000
	sql_small=50
	c_files=8
else
	mode=full
	: "${rounds:=5}" "${mrounds:=3}" "${xz_mb:=6}"
	warm=1
	budget=840
	iters=([getppid]=10000 [read1]=10000 [openclose]=2000 [mmap64k]=2000
	       [touch64m]=1 [pipe]=1000 [forkwait]=100 [forkexec]=40)
	spawn_n=10
	py_n=10
	sql_rows=30000
	sql_small=200
	c_files=20
fi
for v in "$rounds" "$mrounds" "$xz_mb"; do
	case $v in
	''|*[!0-9]*|0) echo "run.sh: counts must be positive integers" >&2
		       exit 2 ;;
	esac
done
micro_wl=(getppid read1 openclose mmap64k touch64m pipe forkwait forkexec)

[ -x "$micro" ] || { echo "run.sh: $micro not found (run make first)" >&2; exit 1; }
[ -x "$cabin" ] || { echo "run.sh: $cabin not found (set CABIN_BUILD)" >&2; exit 1; }

# Tools: peers are installed when missing (as root), else reported missing.
declare -A pkg=([strace]=strace [runsc]=runsc [bwrap]=bubblewrap
		[firejail]=firejail [gnuplot]=gnuplot-nox [sqlite3]=sqlite3
		[xz]=xz-utils [openssl]=openssl [python3]=python3 [make]=make
		[cc]=gcc)
missing=()
for c in "${!pkg[@]}"; do
	command -v "$c" >/dev/null 2>&1 || missing+=("${pkg[$c]}")
done
if [ ${#missing[@]} -gt 0 ] && [ "$install" = 1 ] && [ "$(id -u)" = 0 ]; then
	echo "run.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; } ||
		echo "run.sh: apt-get install failed; those are reported missing" >&2
fi
command -v python3 >/dev/null 2>&1 ||
	{ echo "run.sh: python3 is needed for the report" >&2; exit 1; }
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)

declare -A avail why
strace_bin=$(command -v strace || true)
runsc_bin=$(command -v runsc || true)
bwrap_bin=$(command -v bwrap || true)
firejail_bin=$(command -v firejail || true)
for t in "${all_tools[@]}"; do
	avail[$t]=1
	case $t in
	strace) b=$strace_bin c=strace ;;
	gvisor) b=$runsc_bin c=runsc ;;
	bwrap) b=$bwrap_bin c=bwrap ;;
	firejail) b=$firejail_bin c=firejail ;;
	*) continue ;;
	esac
	if [ -z "$b" ]; then
		avail[$t]=0
		why[$t]="missing: $c not installed"
	fi
done
if [ -n "$want_tools" ]; then
	for t in "${all_tools[@]}"; do
		[ "$t" = native ] && continue
		case ",$want_tools," in
		*",$t,"*) ;;
		*) avail[$t]=0; why[$t]="not selected (--tools)" ;;
		esac
	done
fi

work=$(mktemp -d "$PWD/cabin-bench.XXXXXX")
h=$work/harness
mkdir -p "$h"
cleanup() {
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
samples=$h/samples.tsv
: >"$samples"

pre=()
set_prefix() {	# tool -> pre=(command prefix)
	case $1 in
	native) pre=() ;;
	cabin) pre=("$cabin" run --) ;;
	cabin-trace) pre=("$cabin" run --profile trace --trace=/dev/null --) ;;
	strace) pre=("$strace_bin" -f -o /dev/null) ;;
	gvisor) pre=("$runsc_bin" --rootless --network=none
		     --platform=ptrace 'do') ;;
	bwrap) pre=("$bwrap_bin" --ro-bind / / --dev /dev --proc /proc
		    --tmpfs /tmp --bind "$work" "$work" --unshare-all
		    --die-with-parent) ;;
	firejail) pre=("$firejail_bin" --noprofile --quiet) ;;
	esac
}

start=$(date +%s)
elapsed() {
	echo $(($(date +%s) - start))
}

# Per workload and tool: failed[] holds the first failure, which is
# recorded once and ends that tool's runs of that workload.
declare -A failed
record() {	# kind workload tool fields...
	local IFS=$'\t'
	echo "$*" >>"$samples"
}

# run_cmd workload tool timeout cmd... -> 0 if it ran; else records why
run_cmd() {
	local w=$1 t=$2 tmo=$3 rc=0 reason
	shift 3
	timeout -k 5 "$tmo" "$@" >"$h/out" 2>"$h/err" </dev/null || rc=$?
	[ "$rc" = 0 ] && return 0
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		reason="timeout after ${tmo}s"
	else
		reason="exit $rc: $(grep -v '^micro run: ' "$h/err" |
			sed '/^[[:space:]]*$/d' | tail -n 1 | cut -c 1-90)"
	fi
	fail "$w" "$t" "$reason"
	return 1
}
fail() {	# workload tool reason
	[ -n "${failed[$1:$2]:-}" ] && return 0
	failed[$1:$2]=$3
	record F "$1" "$2" "failed: $3"
	echo "run.sh: $2 $1 failed: $3" >&2
}
runnable() {	# workload tool
	[ "${avail[$2]}" = 1 ] && [ -z "${failed[$1:$2]:-}" ]
}

# Rounds of one workload: round 0 is the warm-up (when $warm), all tools
# take turns within a round. Stops early past the section's deadline.
rounds_done=
run_rounds() {	# workload rounds deadline function
	local w=$1 n=$2 dl=$3 fn=$4 r t keep first=1 done=0
	[ "$warm" = 1 ] && first=0
	for r in $(seq "$first" "$n"); do
		if [ "$r" = 0 ] && [ "$(elapsed)" -ge "$dl" ]; then
			echo "run.sh: $w: time bound, no warm-up round" >&2
			continue
		fi
		if [ "$r" -ge 2 ] && [ "$(elapsed)" -ge "$dl" ]; then
			echo "run.sh: $w: time bound, stopping after $done rounds" >&2
			break
		fi
		keep=1
		[ "$r" = 0 ] && keep=0
		for t in "${all_tools[@]}"; do
			runnable "$w" "$t" || continue
			set_prefix "$t"
			"$fn" "$w" "$t" "$keep" "$r"
		done
		[ "$keep" = 1 ] && done=$((done + 1))
	done
	record N "$w" "$done" "$n"
	rounds_done="$rounds_done $w=$done/$n"
}

# --- micro: ns/op measured inside the program (bench/micro) ---
do_micro() {	# workload tool keep round
	local v
	run_cmd "$1" "$2" 120 "${pre[@]}" "$micro" "$1" "${iters[$1]}" ||
		return 0
	v=$(awk -v w="$1" '$1 == w && $4 == "ns/op" { v = $3 } END { print v }' \
		"$h/out")
	if [ -z "$v" ]; then
		fail "$1" "$2" "no result: $(tail -n 1 "$h/err" | cut -c 1-80)"
		return 0
	fi
	[ "$3" = 1 ] && record S "$1" "$2" "$v"
	return 0
}

# --- startup: bare /bin/true vs TOOL /bin/true, measured from outside ---
do_startup() {
	local v
	run_cmd "$1" "$2" 300 "$micro" spawn "$spawn_n" "${pre[@]}" /bin/true ||
		return 0
	v=$(awk '$1 == "spawn" { v = $3 } END { print v }' "$h/out")
	[ -n "$v" ] || { fail "$1" "$2" "no result"; return 0; }
	[ "$3" = 1 ] && record S "$1" "$2" "$v"
	return 0
}

# --- macro: run under `micro run` outside the tool (wall time including
# the tool's start, wait4 maxrss, the tool process's own VmHWM); the
# figure reported is measured inside the tool where noted. ---
outer() {	# workload tool keep timeout cmd...
	local w=$1 t=$2 keep=$3 tmo=$4 wall rss hwm st
	shift 4
	run_cmd "$w" "$t" "$tmo" "$micro" run "$h/run" "${pre[@]}" "$@" ||
		return 1
	read -r wall rss hwm st <"$h/run" || wall=
	[ "$keep" = 1 ] && [ -n "$wall" ] &&
		record X "$w" "$t" "$wall" "$rss" "$hwm" "$st"
	return 0
}
inner_wall() {	# -> the "micro run -" figure printed inside the tool
	awk '$1 == "micro" && $2 == "run:" { v = $3 } END { print v }' "$h/err"
}

do_openssl() {
	local keep=$3 f sha aes sign verify
	local -a args=(speed -mr -elapsed -seconds 1 -bytes 16384)
	if [ "$4" = 0 ]; then
		args+=(sha256)
	else
		args+=(-evp aes-128-gcm sha256 rsa2048)
	fi
	outer openssl "$2" "$keep" 120 "$openssl_bin" "${args[@]}" || return 0
	[ "$keep" = 1 ] || return 0
	f=$(awk -F: '
		$1 == "+F" && $3 == "sha256" { s = $4 / 1e6 }
		$1 == "+F" && $3 == "AES-128-GCM" { a = $4 / 1e6 }
		$1 == "+F2" && $3 == "2048" { g = $4; v = $5 }
		END { if (s && a && g && v) print s, a, g, v }' "$h/out")
	if [ -z "$f" ]; then
		for w in openssl-sha256 openssl-aes-128-gcm rsa2048-sign rsa2048-verify; do
			fail "$w" "$2" "no openssl output"
		done
		return 0
	fi
	read -r sha aes sign verify <<<"$f"
	record S openssl-sha256 "$2" "$sha"
	record S openssl-aes-128-gcm "$2" "$aes"
	record S rsa2048-sign "$2" "$sign"
	record S rsa2048-verify "$2" "$verify"
}

do_sqlite() {
	local v
	rm -f "$work"/db.sqlite*
	outer sqlite "$2" "$3" 300 "$micro" run - "$sqlite_bin" \
		"$work/db.sqlite" ".read $work/bench.sql" || return 0
	v=$(inner_wall)
	[ -n "$v" ] || { fail sqlite "$2" "no result"; return 0; }
	[ "$3" = 1 ] && record S sqlite "$2" "$v"
	return 0
}

do_xz() {
	local v in=$work/data.txt
	[ "$4" = 0 ] && in=$work/warm.txt
	outer xz "$2" "$3" 600 "$micro" run - "$xz_bin" -6 -T1 -c -k "$in" ||
		return 0
	v=$(inner_wall)
	[ -n "$v" ] || { fail xz "$2" "no result"; return 0; }
	[ "$3" = 1 ] && record S xz "$2" "$v"
	return 0
}

do_python() {
	local v
	outer python3 "$2" "$3" 300 "$micro" spawn "$py_n" "$py" -c \
		'import json, re, hashlib, subprocess' || return 0
	v=$(awk '$1 == "spawn" { v = $3 } END { print v }' "$h/out")
	[ -n "$v" ] || { fail python3 "$2" "no result"; return 0; }
	[ "$3" = 1 ] && record S python3 "$2" "$v"
	return 0
}

do_make() {
	local v
	rm -f "$work"/proj/*.o "$work/proj/prog"
	outer make "$2" "$3" 600 "$micro" run - "$make_bin" -s -j2 -C \
		"$work/proj" || return 0
	v=$(inner_wall)
	[ -n "$v" ] || { fail make "$2" "no result"; return 0; }
	# gVisor writes to an overlay in its memory: nothing to see here.
	if [ "$2" != gvisor ] && [ ! -x "$work/proj/prog" ]; then
		fail make "$2" "no result (program not built)"
		return 0
	fi
	[ "$3" = 1 ] && record S make "$2" "$v"
	return 0
}

# --- workload files, all under $work ---
gen_sql() {	# rows small
	awk -v n="$1" -v m="$2" 'BEGIN {
		print "PRAGMA journal_mode=WAL;"
		print "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, name TEXT, v REAL);"
		print "BEGIN;"
		for (i = 0; i < n; i++)
			printf "INSERT INTO t(k, name, v) VALUES(%d, '\''name%d'\'', %.1f);\n", (i * 7919) % 1000, i % 997, i * 0.5
		print "COMMIT;"
		print "CREATE INDEX tk ON t(k);"
		for (i = 0; i < m; i++)
			printf "INSERT INTO t(k, name, v) VALUES(%d, '\''one%d'\'', %d);\n", i, i, i
		for (i = 0; i < m; i++)
			printf "SELECT count(*), sum(v) FROM t WHERE k = %d;\n", (i * 5) % 1000
		print "SELECT name, count(*), avg(v) FROM t GROUP BY name ORDER BY 2 DESC LIMIT 3;"
		print "SELECT count(*) FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.k < 100;"
	}'
}

gen_text() {	# bytes: log-like lines, a fixed seed, about 4:1 for xz
	awk -v n="$1" 'BEGIN {
		srand(1)
		split("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega", w, " ")
		while (s < n) {
			l = sprintf("%08d %s %s %s %d\n", s, w[int(rand() * 24) + 1], w[int(rand() * 24) + 1], w[int(rand() * 24) + 1], int(rand() * 100000))
			printf "%s", l
			s += length(l)
		}
	}' | head -c "$1"
}

gen_proj() {	# dir files
	local d=$1 i
	mkdir -p "$d"
	printf '#define SCALE 3\n' >"$d/common.h"
	for i in $(seq 1 "$2"); do
		cat >"$d/f$i.c" <<-EOF
		#include <stdio.h>
		#include <string.h>
		#include "common.h"

		int f$i(int x)
		{
			char buf[64];
			int i, s = 0;

			snprintf(buf, sizeof(buf), "%d", x);
			for (i = 0; i < (int)strlen(buf); i++)
				s += buf[i] * (i + $i);
			return s + SCALE;
		}
		EOF
	done
	{
		printf '#include <stdio.h>\n#include "common.h"\n\n'
		for i in $(seq 1 "$2"); do
			echo "int f$i(int x);"
		done
		printf '\nint main(void)\n{\n\tint s = 0;\n\n'
		for i in $(seq 1 "$2"); do
			printf '\ts += f%d(s);\n' "$i"
		done
		printf '\tprintf("%%d\\n", s);\n\treturn 0;\n}\n'
	} >"$d/main.c"
	printf '%s\n' 'SRCS := $(wildcard *.c)' 'OBJS := $(SRCS:.c=.o)' \
		'CFLAGS := -O2 -Wall' '' 'prog: $(OBJS)' \
		'	$(CC) -o $@ $(OBJS)' '' '%.o: %.c common.h' \
		'	$(CC) $(CFLAGS) -c -o $@ $<' >"$d/Makefile"
}

openssl_bin=$(command -v openssl || true)
sqlite_bin=$(command -v sqlite3 || true)
xz_bin=$(command -v xz || true)
make_bin=$(command -v make || true)

echo "run.sh: $mode run, tools: $(for t in "${all_tools[@]}"; do
	[ "${avail[$t]}" = 1 ] && printf '%s ' "$t"; done)" >&2
gen_sql "$sql_rows" "$sql_small" >"$work/bench.sql"
gen_text $((xz_mb * 1000000)) >"$work/data.txt"
gen_text 200000 >"$work/warm.txt"
gen_proj "$work/proj" "$c_files"

record M mode "$mode"
for t in "${all_tools[@]}"; do
	set_prefix "$t"
	record T "$t" "${avail[$t]}" "${why[$t]:-}" "${pre[*]:-}"
	[ "${avail[$t]}" = 1 ] || record F - "$t" "${why[$t]}"
done

# Warm the page cache with every tool once.
for t in "${all_tools[@]}"; do
	[ "${avail[$t]}" = 1 ] || continue
	set_prefix "$t"
	timeout -k 5 60 "${pre[@]}" /bin/true >/dev/null 2>&1 </dev/null || true
done

declare -A share=([getppid]=30 [read1]=30 [openclose]=30 [mmap64k]=30
		  [touch64m]=50 [pipe]=30 [forkwait]=40 [forkexec]=40
		  [startup]=50 [openssl]=170 [sqlite]=50 [xz]=230
		  [python3]=80 [make]=140)
plan=0
dl=0
deadline() {	# workload -> dl, seconds from the start (97 % of the budget)
	plan=$((plan + ${share[$1]}))
	dl=$((budget * plan * 97 / 100000))
}
for w in "${micro_wl[@]}"; do
	echo "run.sh: [$(elapsed)s] micro $w x${iters[$w]}" >&2
	deadline "$w"
	run_rounds "$w" "$rounds" "$dl" do_micro
done
echo "run.sh: [$(elapsed)s] startup /bin/true x$spawn_n" >&2
deadline startup
run_rounds startup "$rounds" "$dl" do_startup

need() {	# workload binary
	[ -n "$2" ] && return 0
	for t in "${all_tools[@]}"; do
		fail "$1" "$t" "missing: workload program not installed"
	done
	return 1
}
for m in openssl sqlite xz python3 make; do
	echo "run.sh: [$(elapsed)s] macro $m" >&2
	deadline "$m"
	case $m in
	openssl) need openssl "$openssl_bin" &&
		run_rounds openssl "$mrounds" "$dl" do_openssl ;;
	sqlite) need sqlite "$sqlite_bin" &&
		run_rounds sqlite "$mrounds" "$dl" do_sqlite ;;
	xz) need xz "$xz_bin" && run_rounds xz "$mrounds" "$dl" do_xz ;;
	python3) run_rounds python3 "$mrounds" "$dl" do_python ;;
	make) need make "$make_bin" &&
		run_rounds make "$mrounds" "$dl" do_make ;;
	esac
done
total=$(elapsed)
echo "run.sh: [${total}s] done; writing the report" >&2

# Description of the machine and the run, for the report.
rev=$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo "no commit")
[ -n "$(git -C "$top" status --porcelain 2>/dev/null | head -n 1)" ] &&
	rev="$rev+dirty"
ver() {
	"$@" 2>&1 | sed '/^[[:space:]]*$/d' | head -n 1 | cut -c 1-80 || true
}
{
	record M cpu "$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
	record M cores "$(nproc)"
	record M kernel "$(uname -srm)"
	record M date "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	record M loadavg "$(cut -d ' ' -f 1-3 /proc/loadavg)"
	record M cabin "$cabin (git $rev)"
	record M seconds "$total"
	record M budget "$budget"
	record M rounds "$rounds"
	record M macro_rounds "$mrounds"
	record M warmup "$warm"
	record M rounds_done "${rounds_done# }"
	record M iters "$(for w in "${micro_wl[@]}"; do printf '%s=%s ' "$w" "${iters[$w]}"; done)"
	record M spawn_n "$spawn_n"
	record M py_n "$py_n"
	record M sql "$sql_rows rows in one transaction, index, $sql_small one-row transactions, $sql_small indexed selects, a group-by and a self-join (WAL)"
	record M xz "xz -6 -T1 of $xz_mb MB of generated log-like text"
	record M make "make -j2 of $c_files+1 generated .c files (gcc -O2)"
	record M v_openssl "$(ver openssl version)"
	record M v_strace "$([ -n "$strace_bin" ] && ver "$strace_bin" -V)"
	record M v_gvisor "$([ -n "$runsc_bin" ] && ver "$runsc_bin" --version)"
	record M v_bwrap "$([ -n "$bwrap_bin" ] && ver "$bwrap_bin" --version)"
	record M v_firejail "$([ -n "$firejail_bin" ] && ver "$firejail_bin" --version)"
	record M v_sqlite "$([ -n "$sqlite_bin" ] && ver "$sqlite_bin" --version | cut -d ' ' -f 1-2)"
	record M v_xz "$([ -n "$xz_bin" ] && ver "$xz_bin" --version)"
	record M v_python "$(ver "$py" --version)"
	record M v_cc "$(ver cc --version)"
}

mkdir -p "$results"
"$py" "$here/report.py" "$samples" "$results/latest" ||
	{ echo "run.sh: the report failed" >&2; exit 1; }
if command -v gnuplot >/dev/null 2>&1; then
	gnuplot "$results/latest.gp" ||
		echo "run.sh: gnuplot failed; no chart" >&2
else
	echo "run.sh: gnuplot is not installed; no chart" >&2
fi
rm -f "$results/latest.gp" "$results/latest.dat"
cp "$samples" "$results/latest.tsv"
cat "$results/latest.md"
echo "run.sh: written to $results/latest.{md,json,png} in ${total}s" >&2
