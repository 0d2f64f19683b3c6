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
# every wait below is for an event; this bound only a hang exceeds
hang=${CABIN_TEST_HANG:-60}

ip link set lo up || exit 1
exec {from}< <(exec "$adv/loopback_oif" --sink tp0 2>&1 </dev/null)
sp=$!
# the sink says "ready" once the tap exists
read -r -t "$hang" -u "$from" line
echo "$line" >"$sink"
if [ "$line" != ready ] || ! ip link set tp0 up; then
	kill -KILL "$sp" 2>/dev/null
	exit 1
fi
timeout -k 5 "$hang" "$cabin" run --policy "$policy" "$@" -- \
	"$adv/loopback_oif" tp0 </dev/null >"$dir/$tag.out" 2>"$dir/$tag.err"
echo $? >"$dir/$tag.rc"
# The ARP request leaves within the program's connect, so its frame is
# there already when one was sent.
if grep -q '^ESCAPED' "$dir/$tag.out" && read -r -t "$hang" -u "$from" line; then
	echo "$line" >>"$sink"
fi
kill -KILL "$sp" 2>/dev/null
# what else the sink said (nothing is left to wait for: it is gone)
while read -r -t "$hang" -u "$from" line; do
	echo "$line" >>"$sink"
done
exit 0
