#!/bin/sh
# `make demo`: confine the bundled sample and show what the proxy kernel saw.
# The sample crashes on purpose; its exit status (139) is part of the show.
set -u
build=${1:-build}
echo "== cabin run -v -- $build/samples/demo"
"$build/cabin" run -v -- "$build/samples/demo"
status=$?
echo "== the confined program exited with status $status (128 + SIGSEGV)"
[ "$status" -eq 139 ]
