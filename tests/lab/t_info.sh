# cabin info sees what the lab kernel offers: protection keys, ia32
# emulation, Landlock ABI 2.
. /lab/lib.sh
out=/tmp/info.out
"$CABIN" info >"$out" 2>&1
rc=$?
sed 's/^/#   /' "$out"
check() {
	if [ "$rc" = 0 ] && grep -qE "$2" "$out"; then
		ok "info: $1"
	else
		fail "info: $1" "exit $rc, no line matching '$2'"
	fi
}
check "protection keys yes" '^protection keys +yes'
check "ia32 emulation yes" '^ia32 emulation +yes'
check "Landlock ABI 2" '^landlock +ABI 2$'
