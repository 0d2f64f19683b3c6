# The default profile on this older kernel (Landlock ABI 2): it runs, says
# in exactly one warning line what it cannot enforce, keeps the system
# read-only and the working directory writable.
. /lab/lib.sh
cd /work || exit 1

run "$CABIN" run -- /bin/busybox ls /bin
show
if [ "$rc" = 0 ] && grep -qx busybox "$O"; then
	ok "default: cabin run -- busybox ls /bin works"
else
	fail "default: cabin run -- busybox ls /bin works" "$(what)"
fi
lines=$(wc -l <"$E")
if [ "$lines" = 1 ] &&
   grep -q '^cabin: warning: not enforced on this kernel' "$E"; then
	ok "default: exactly one warning line, 'not enforced on this kernel'"
else
	fail "default: exactly one warning line, 'not enforced on this kernel'" \
		"$lines stderr lines: $(oneline "$E")"
fi
if grep -q 'Landlock ABI [0-9]* (kernel has 2)' "$E"; then
	ok "default: the warning names the Landlock ABI needed and the kernel's (2)"
else
	fail "default: the warning names the Landlock ABI needed and the kernel's (2)" \
		"$(oneline "$E")"
fi

# The root directory itself is in no 'files' rule of the profile: listing
# it is refused on every kernel. Recorded, not judged.
run "$CABIN" run -- /bin/busybox ls /
note "ls / under default: exit $rc, $(oneline "$E")"

rm -f /etc/lab-probe
run "$CABIN" run -- /bin/busybox sh -c 'echo x >/etc/lab-probe'
if [ "$rc" != 0 ] && [ ! -e /etc/lab-probe ]; then
	ok "default: a write outside the working directory fails"
else
	fail "default: a write outside the working directory fails" "$(what)"
fi
rm -f /etc/lab-probe

rm -f /work/probe
run "$CABIN" run -- /bin/busybox sh -c 'echo x >./probe && cat ./probe'
if [ "$rc" = 0 ] && [ "$(cat /work/probe 2>/dev/null)" = x ]; then
	ok "default: a write in the working directory works"
else
	fail "default: a write in the working directory works" "$(what)"
fi

# Truncating by open(O_TRUNC) is a write, enforced at ABI 2 already.
run "$CABIN" run -- /bin/busybox sh -c ': >./probe'
if [ "$rc" = 0 ] && [ ! -s /work/probe ]; then
	ok "default: open(O_TRUNC) in the working directory works"
else
	fail "default: open(O_TRUNC) in the working directory works" "$(what)"
fi
# truncate() by path needs Landlock ABI 3; below it cabin's filter refuses
# the call (EACCES) wherever it is aimed. busybox truncate uses ftruncate,
# hence a program of our own.
T=$CABIN_BUILD/tests/lab/path_truncate
echo xx >/etc/lab-trunc
run "$T" /etc/lab-trunc 1
note "truncate(2) natively: exit $rc, $(oneline "$O") size now $(wc -c </etc/lab-trunc)"
echo xx >/etc/lab-trunc
run "$CABIN" run -- "$T" /etc/lab-trunc 0
if [ "$rc" != 0 ] && [ "$(cat /etc/lab-trunc)" = xx ]; then
	ok "default: truncate(2) outside the working directory fails ($(cat "$O"))"
else
	fail "default: truncate(2) outside the working directory fails" \
		"$(what); size now $(wc -c </etc/lab-trunc)"
fi
rm -f /etc/lab-trunc
echo xx >/work/probe
run "$CABIN" run -- "$T" ./probe 0
note "truncate(2) in the working directory: exit $rc, $(oneline "$O") size now $(wc -c </work/probe)"

rm -f /tmp/lab-private
run "$CABIN" run -- /bin/busybox sh -c 'echo x >/tmp/lab-private && cat /tmp/lab-private'
if [ "$rc" = 0 ] && [ "$(cat "$O")" = x ] && [ ! -e /tmp/lab-private ]; then
	ok "default: /tmp is writable and private"
else
	fail "default: /tmp is writable and private" "$(what)"
fi
