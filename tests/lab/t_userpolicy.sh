# A policy the user wrote with 'files' rules asks for what Landlock ABI 2
# cannot give: refused (exit 125, the missing ABI named) and nothing runs,
# unless --best-effort, which runs it with one warning line.
. /lab/lib.sh
cd /work || exit 1
cat >/work/lab.policy <<'POL'
profile default
files read /lab
POL

rm -f /work/ran
run "$CABIN" run --policy /work/lab.policy -- /bin/busybox touch /work/ran
show
if [ "$rc" = 125 ] && grep -q 'Landlock ABI [0-9]* (kernel has 2)' "$E" &&
   [ ! -e /work/ran ]; then
	ok "policy: files rules refused without --best-effort (125, ABI named)"
else
	fail "policy: files rules refused without --best-effort (125, ABI named)" \
		"$(what); ran: $([ -e /work/ran ] && echo yes || echo no)"
fi

rm -f /work/ran
run "$CABIN" run --best-effort --policy /work/lab.policy -- /bin/busybox touch /work/ran
show
if [ "$rc" = 0 ] && [ -e /work/ran ]; then
	ok "policy: runs with --best-effort"
else
	fail "policy: runs with --best-effort" "$(what)"
fi
if grep -q '^cabin: warning: not enforced on this kernel' "$E"; then
	ok "policy: --best-effort says what is not enforced"
else
	fail "policy: --best-effort says what is not enforced" "$(oneline "$E")"
fi

run "$CABIN" run --best-effort --policy /work/lab.policy -- /bin/busybox sh -c 'echo x >/etc/lab-probe'
if [ "$rc" != 0 ] && [ ! -e /etc/lab-probe ]; then
	ok "policy: --best-effort still enforces what ABI 2 can (no write to /etc)"
else
	fail "policy: --best-effort still enforces what ABI 2 can (no write to /etc)" "$(what)"
fi
rm -f /etc/lab-probe
