# cabin run as an unprivileged user (nobody): with user namespaces the
# default profile runs with its isolation, one warning line only.
. /lab/lib.sh
if [ "$(cat /proc/sys/kernel/unprivileged_userns_clone 2>/dev/null || echo 1)" = 0 ] ||
   [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" = 0 ]; then
	skip "nobody: cabin run as nobody" "unprivileged user namespaces are off"
	exit 0
fi
if ! command -v su >/dev/null; then
	skip "nobody: cabin run as nobody" "no su in this busybox"
	exit 0
fi
mkdir -p /work/nobody /work/nobody-other
chown 65534:65534 /work/nobody /work/nobody-other
# nobody: run CMD as nobody in /work/nobody (busybox su, from root: no
# password, no setuid bit needed).
nobody() {
	run su -s /bin/sh nobody -c "cd /work/nobody && $*"
}

nobody /bin/busybox id -u
if [ "$rc" != 0 ] || [ "$(cat "$O")" != 65534 ]; then
	skip "nobody: cabin run as nobody" "su to nobody does not work here: $(what)"
	exit 0
fi

nobody "$CABIN" run -- /bin/busybox sh -c "'echo x >./f && id -u && echo y >/tmp/g && cat /tmp/g'"
show
if [ "$rc" = 0 ] && [ "$(cat /work/nobody/f 2>/dev/null)" = x ] &&
   [ "$(head -n 1 "$O")" = 65534 ] && [ "$(sed -n 2p "$O")" = y ]; then
	ok "nobody: cabin run -- works as nobody (cwd and private /tmp writable)"
else
	fail "nobody: cabin run -- works as nobody (cwd and private /tmp writable)" "$(what)"
fi
lines=$(wc -l <"$E")
if [ "$lines" = 1 ] && grep -q '^cabin: warning: not enforced on this kernel' "$E" &&
   ! grep -q 'namespaces' "$E"; then
	ok "nobody: one warning line, namespaces available"
else
	fail "nobody: one warning line, namespaces available" "$lines lines: $(oneline "$E")"
fi

# /work/nobody-other is nobody's own, writable natively, but outside cwd.
nobody "$CABIN" run -- /bin/busybox sh -c "'echo x >/work/nobody-other/f'"
if [ "$rc" != 0 ] && [ ! -e /work/nobody-other/f ]; then
	ok "nobody: a write outside the working directory fails"
else
	fail "nobody: a write outside the working directory fails" "$(what)"
fi

nobody "$CABIN" run --policy /lab/baseline.policy -- "$CABIN_BUILD/tests/adversarial/int80"
show
if [ "$rc" = 159 ] && [ ! -s "$O" ]; then
	ok "nobody: int80 killed (SIGSYS, 159)"
else
	fail "nobody: int80 killed (SIGSYS, 159)" "$(what)"
fi
