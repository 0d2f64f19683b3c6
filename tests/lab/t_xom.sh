# Protection keys, natively in the lab: a PROT_EXEC-only page can be
# called but not read (SIGSEGV, si_code SEGV_PKUERR = 4), natively and
# under cabin, whose fault line names SEGV_PKUERR.
. /lab/lib.sh
cd /work || exit 1
P=$CABIN_BUILD/tests/lab/xom_probe
if [ ! -x "$P" ]; then
	fail "xom: probe built" "$P missing"
	exit 1
fi

run "$P"
note "native: $(oneline "$O")"
if [ "$rc" = 0 ] && grep -qx 'call: ok' "$O" &&
   grep -qx 'read: SIGSEGV si_code 4' "$O"; then
	ok "xom: execute-only page natively (call works, read SEGV_PKUERR)"
else
	fail "xom: execute-only page natively (call works, read SEGV_PKUERR)" "$(what)"
fi

run "$CABIN" run --profile trace -- "$P"
note "under cabin: $(oneline "$O")"
show
if [ "$rc" = 0 ] && grep -qx 'call: ok' "$O" &&
   grep -qx 'read: SIGSEGV si_code 4' "$O"; then
	ok "xom: execute-only page under cabin --profile trace (si_code 4)"
else
	fail "xom: execute-only page under cabin --profile trace (si_code 4)" "$(what)"
fi
if grep -q '^cabin: .*SIGSEGV (SEGV_PKUERR)' "$E"; then
	ok "xom: cabin's fault line says SEGV_PKUERR"
else
	fail "xom: cabin's fault line says SEGV_PKUERR" "$(oneline "$E")"
fi

# --xom stands on protection keys; here they exist, so a refusal must not
# blame them.
run "$CABIN" run --xom -- /bin/busybox true
note "--xom: exit $rc: $(oneline "$E")"
if grep -q 'needs protection keys, and this' "$E"; then
	fail "xom: --xom does not blame missing protection keys" "$(oneline "$E")"
else
	ok "xom: --xom does not blame missing protection keys"
fi
