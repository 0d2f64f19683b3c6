#!/usr/bin/env bash
# run.sh - Cabin microbenchmark: runs bench/micro natively, under `cabin run`
# and (if installed) under `strace -f`, interleaved in one run, and prints a
# markdown table of median ns/op, min-max and the ratio to native.
# Measurement only: no thresholds. Also written to bench/results/latest.md.
#
# usage: bench/run.sh [--quick] [--rounds R]
#   CABIN_BUILD  build directory holding cabin and bench/micro
#                (default /work/main/build)

set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${CABIN_BUILD:-/work/main/build}
cabin=$build/cabin
micro=$build/bench/micro
out=$here/results/latest.md

quick=0
rounds=
usage() {
	echo "usage: $0 [--quick] [--rounds R]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--rounds) [ $# -ge 2 ] || usage; rounds=$2; shift ;;
	--rounds=*) rounds=${1#--rounds=} ;;
	-h|--help) usage ;;
	*) usage ;;
	esac
	shift
done

workloads=(getppid read1 openclose forkexec)
declare -A iters
if [ "$quick" = 1 ]; then
	: "${rounds:=3}"
	iters=([getppid]=10000 [read1]=10000 [openclose]=4000 [forkexec]=60)
	mode=quick
else
	: "${rounds:=7}"
	iters=([getppid]=30000 [read1]=30000 [openclose]=10000 [forkexec]=200)
	mode=full
fi
case $rounds in
''|*[!0-9]*|0) echo "run.sh: --rounds needs a positive integer" >&2; exit 2 ;;
esac

[ -x "$micro" ] || { echo "run.sh: $micro not found (build with meson/ninja first)" >&2; exit 1; }
[ -x "$cabin" ] || { echo "run.sh: $cabin not found (set CABIN_BUILD)" >&2; exit 1; }

tools=(native cabin strace)
declare -A installed=([native]=1 [cabin]=1 [strace]=0)
strace_bin=$(command -v strace || true)
[ -n "$strace_bin" ] && installed[strace]=1

# samples[tool:workload] = space-separated ns/op values
# failed[tool:workload]  = reason of the first failed run
declare -A samples failed
nfail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run_one() {	# tool workload n keep
	local tool=$1 w=$2 n=$3 keep=$4 rc=0 line v
	local -a cmd
	case $tool in
	native) cmd=("$micro" "$w" "$n") ;;
	cabin) cmd=("$cabin" run -- "$micro" "$w" "$n") ;;
	strace) cmd=("$strace_bin" -f -o /dev/null "$micro" "$w" "$n") ;;
	esac
	timeout -k 5 120 "${cmd[@]}" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
	line=$(tail -n 1 "$tmp/out")
	v=
	if [ "$rc" = 0 ]; then
		v=$(awk -v w="$w" -v n="$n" \
			'$1 == w && $2 == n && $4 == "ns/op" { print $3 }' <<<"$line")
	fi
	if [ -z "$v" ]; then
		if [ -z "${failed[$tool:$w]:-}" ]; then
			if [ "$rc" = 124 ]; then
				failed[$tool:$w]="failed (timeout)"
			else
				failed[$tool:$w]="failed (exit $rc)"
			fi
			nfail=$((nfail + 1))
			{
				echo "run.sh: $tool $w failed (exit $rc): ${cmd[*]}"
				tail -n 5 "$tmp/err" | sed 's/^/    /'
			} >&2
		fi
		return 0
	fi
	[ "$keep" = 1 ] && samples[$tool:$w]="${samples[$tool:$w]:-} $v"
	return 0
}

start=$(date +%s)
for w in "${workloads[@]}"; do
	n=${iters[$w]}
	echo "run.sh: $w x$n, 1 warm-up + $rounds rounds" >&2
	for r in $(seq 0 "$rounds"); do
		keep=1
		[ "$r" = 0 ] && keep=0
		for t in "${tools[@]}"; do
			[ "${installed[$t]}" = 1 ] && run_one "$t" "$w" "$n" "$keep"
		done
	done
done
elapsed=$(($(date +%s) - start))

# stats "v1 v2 ..." -> "median min max"
stats() {
	tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0)
				exit
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%s %s %s\n", m, v[1], v[NR]
		}'
}

# median of a tool's samples for a workload, empty if missing or failed
median() {	# tool workload
	[ "${installed[$1]}" = 1 ] || return 0
	[ -z "${failed[$1:$2]:-}" ] || return 0
	stats "${samples[$1:$2]:-}" | awk '{ print $1 }'
}

cell() {	# tool workload -> "median (min-max)" or why there is none
	local t=$1 w=$2 s med lo hi
	if [ "${installed[$t]}" != 1 ]; then
		echo "not installed"
		return
	fi
	if [ -n "${failed[$t:$w]:-}" ]; then
		echo "${failed[$t:$w]}"
		return
	fi
	s=$(stats "${samples[$t:$w]:-}")
	if [ -z "$s" ]; then
		echo "no data"
		return
	fi
	read -r med lo hi <<<"$s"
	printf "%.0f (%.0f-%.0f)\n" "$med" "$lo" "$hi"
}

ratio() {	# numerator denominator
	if [ -z "$1" ] || [ -z "$2" ]; then
		echo "-"
	else
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx\n", a / b }'
	fi
}

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$cpu" ] || cpu=$(uname -m)
rev=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo "no commit")
if [ -n "$(git -C "$here" status --porcelain 2>/dev/null | head -n 1)" ]; then
	rev="$rev+dirty"
fi
if [ "${installed[strace]}" = 1 ]; then
	strace_desc="$("$strace_bin" -V 2>/dev/null | head -n 1) (\`strace -f -o /dev/null\`)"
else
	strace_desc="not installed"
fi
run_tools=
for t in "${tools[@]}"; do
	[ "${installed[$t]}" = 1 ] && run_tools="$run_tools${run_tools:+, }$t"
done
iter_desc=
for w in "${workloads[@]}"; do
	iter_desc="$iter_desc${iter_desc:+, }$w ${iters[$w]}"
done

{
	echo "# Cabin microbenchmark ($mode)"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo "- CPU: $cpu; cores: $(nproc) online"
	echo "- kernel: $(uname -srm)"
	echo "- cabin: $cabin (git $rev)"
	echo "- strace: $strace_desc"
	echo "- method: bench/micro, mean ns/op inside one process (CLOCK_MONOTONIC, warmed up);"
	echo "  per workload 1 discarded warm-up round then $rounds rounds, each round running"
	echo "  $run_tools in turn; cells are median (min-max) over rounds;"
	echo "  ratios are medians from this same run. Iterations per run: $iter_desc."
	echo "  Wall time: ${elapsed}s."
	echo
	echo "| workload | native median ns (min-max) | cabin median ns (min-max) | cabin/native | strace median ns (min-max) | strace/native |"
	echo "| --- | --- | --- | --- | --- | --- |"
	for w in "${workloads[@]}"; do
		nm=$(median native "$w")
		cm=$(median cabin "$w")
		sm=$(median strace "$w")
		echo "| $w | $(cell native "$w") | $(cell cabin "$w") | $(ratio "$cm" "$nm") | $(cell strace "$w") | $(ratio "$sm" "$nm") |"
	done
} >"$tmp/table"

mkdir -p "$(dirname "$out")"
cp "$tmp/table" "$out"
cat "$tmp/table"
echo "run.sh: written to $out" >&2

[ "$nfail" = 0 ]
