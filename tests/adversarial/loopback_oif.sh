#!/bin/bash
# Runs inside a network namespace the adversarial suite made for the
# loopback_oif test (unshare -n, or -rn unprivileged): brings lo up,
# makes tap tp0 with loopback_oif's sink reading it (so no frame leaves
# this namespace: the tap's other side is the sink), runs the program
# under cabin, and leaves TAG.out, TAG.err, TAG.rc and TAG.sink in DIR.
# Usage: loopback_oif.sh DIR ADV CABIN POLICY TAG [CABIN-OPTIONS...]
set -u
dir=$1 adv=$2 cabin=$3 policy=$4 tag=$5
shift 5
sink=$dir/$tag.sink

ip link set lo up || exit 1
exec {from}< <(exec "$adv/loopback_oif" --sink tp0 2>&1 </dev/null)
sp=$!
# 10 s bounds only a hang: the sink says "ready" once the tap exists
read -r -t 10 -u "$from" line
echo "$line" >"$sink"
if [ "$line" != ready ] || ! ip link set tp0 up; then
	kill -KILL "$sp" 2>/dev/null
	exit 1
fi
timeout -k 5 20 "$cabin" run --policy "$policy" "$@" -- \
	"$adv/loopback_oif" tp0 </dev/null >"$dir/$tag.out" 2>"$dir/$tag.err"
echo $? >"$dir/$tag.rc"
# The ARP request leaves within the program's connect, so its frame is
# there already when one was sent; 5 s bounds only a hang.
if grep -q '^ESCAPED' "$dir/$tag.out" && read -r -t 5 -u "$from" line; then
	echo "$line" >>"$sink"
fi
kill -KILL "$sp" 2>/dev/null
# what else the sink said (nothing is left to wait for: it is gone)
while read -r -t 5 -u "$from" line; do
	echo "$line" >>"$sink"
done
exit 0
