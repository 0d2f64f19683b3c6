#!/bin/sh
# `make demo`: confine a harmless stand-in for malware (samples/suspicious.c)
# and show the behaviour report cabin writes about it: a summary on stderr
# and a JSON document.  Usage: samples/demo.sh [BUILD_DIR]
#
# The sample tries to connect to 192.0.2.1:443 (TEST-NET-1, routed nowhere).
# cabin's default profile refuses that before any packet exists; in
# addition cabin runs in a fresh, empty network namespace when unshare(1)
# can make one, so not even a bug in cabin could let a packet out.  Without
# one the sample is told to skip the connect.
set -u
build=$(cd "${1:-build}" && pwd) || exit 1
cabin=$build/cabin
sample=$build/samples/suspicious
report_out=$build/demo-report.json
[ -w "$build" ] || report_out=/var/tmp/cabin-demo-report.$(id -un).json

# Under /var/tmp: the sandbox gets a private /tmp, which would hide it.
tmp=$(mktemp -d /var/tmp/cabin-demo.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM HUP
work=$tmp/work
mkdir -p "$work/home/.aws"
# Obviously fake: the key format is AWS's, the values are not.
cat >"$work/home/.aws/credentials" <<'EOF'
[default]
aws_access_key_id = AKIAFAKEFAKEFAKEFAKE
aws_secret_access_key = FAKE/cabin-demo/not-a-real-secret/FAKEFAKE
EOF

if unshare --user --map-root-user --net true 2>/dev/null; then
	isolate="unshare --user --map-root-user --net"
	sample_args=
	echo "== the run is in an empty network namespace (unshare --net): nothing can leave"
else
	isolate=
	sample_args=--no-net
	echo "== unshare --net is not available here: the sample skips its connect step"
fi

if "$cabin" run --help 2>&1 | grep -q -- '--report'; then
	report_opts="--summary --report $tmp/report.json"
else
	report_opts=-v
	echo "== this cabin has no --report yet: showing -v instead"
fi

echo "== HOME=$work/home (a fake ~/.aws/credentials), working directory $work"
echo "== cabin run $report_opts -- $sample $sample_args"
# $isolate, $report_opts and $sample_args are word lists on purpose.
# shellcheck disable=SC2086
(cd "$work" && HOME=$work/home exec $isolate \
	"$cabin" run $report_opts -- "$sample" $sample_args)
status=$?
echo "== the confined program exited with status $status"

[ "$report_opts" = -v ] && exit "$status"
if [ ! -s "$tmp/report.json" ]; then
	echo "== no JSON report was written" >&2
	exit 1
fi
mv "$tmp/report.json" "$report_out"
echo "== the JSON report is $report_out"
if command -v python3 >/dev/null 2>&1; then
	if python3 -m json.tool "$report_out" >/dev/null; then
		echo "== python3 -m json.tool: valid JSON"
	else
		echo "== python3 -m json.tool: INVALID JSON" >&2
		exit 1
	fi
	python3 - "$report_out" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
f = r["files"]
prog = [p for p in r["processes"] if not p["sandbox"]]
print("== in it: %d processes, %d files read, %d created, %d network "
      "attempts, %d denied operations" % (len(prog), len(f["read"]),
      len(f["created"]), len(r["network"]), len(r["denied"])))
EOF
fi
exit "$status"
