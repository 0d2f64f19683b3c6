#!/bin/sh
# The emulated hardware lab: boot Debian's own kernel (linux-image-amd64,
# 6.1: Landlock ABI 2, protection keys, ia32 emulation, svm) under QEMU's
# software emulation with a busybox initramfs holding cabin and its test
# programs, and run tests/lab/t_*.sh inside. Needs no root and no /dev/kvm.
# Usage: tests/lab/run.sh BUILD
# Env: LAB_TIMEOUT (seconds for the whole VM, default 3600: a hang bound,
# not a budget; the lab takes about 400 s, and /init bounds each test
# file by 1500 s so that one hang still leaves a result line), LAB_TCG_THREAD
# (single, the default, or multi), LAB_CPU (QEMU's -cpu, default max;
# e.g. max,-smep,-smap,-pku for a guest whose nested KVM lacks them), LAB_KERNEL
# (a vmlinuz to boot instead of the newest /boot/vmlinuz-*), LAB_LOG (keep
# the console log there), LAB_TESTS (which tests to run: names or
# patterns in tests/lab, separated by spaces; default t_*.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
timeout_s=${LAB_TIMEOUT:-3600}

die() {
	echo "lab: $*" >&2
	exit 2
}

need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "$1 not found (package $2; scripts/install-deps.sh installs it)"
}
need qemu-system-x86_64 qemu-system-x86
need cpio cpio
need gzip gzip
need ldd libc-bin
busybox=/bin/busybox
if ! "$busybox" --list >/dev/null 2>&1; then
	die "$busybox missing (package busybox-static)"
fi
# A dynamically linked busybox would need its libraries too: insist on the
# static one.
if ldd "$busybox" 2>/dev/null | grep -q '=>'; then
	die "$busybox is dynamically linked: install busybox-static"
fi
[ -x "$build/cabin" ] || die "$build/cabin not built (make build)"

# The kernel: the newest Debian one in /boot that has its modules.
kernel=${LAB_KERNEL:-}
if [ -z "$kernel" ]; then
	kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V |
		while read -r k; do
			[ -d "/lib/modules/${k#/boot/vmlinuz-}/kernel" ] && echo "$k"
		done | tail -n 1)
fi
[ -n "$kernel" ] ||
	die "no /boot/vmlinuz-*-amd64 with /lib/modules/<version> (package linux-image-amd64)"
[ -r "$kernel" ] || die "$kernel is not readable by $(id -un)"
kver=${kernel##*/vmlinuz-}
moddir=/lib/modules/$kver
[ -d "$moddir" ] || die "$moddir missing for $kernel"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cabin-lab.XXXXXX")
cleanup() {
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

root=$tmp/root
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" \
	"$root/etc" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/root" "$root/lab" "$root/cabin" "$root/work"
chmod 1777 "$root/tmp"

# busybox and its applets, as symlinks where busybox itself would put them.
cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r a; do
	[ "$a" = bin/busybox ] && continue
	mkdir -p "$root/$(dirname "$a")"
	ln -sf /bin/busybox "$root/$a"
done

# The project's programs, under /cabin as they are under BUILD.
cp "$build/cabin" "$root/cabin/cabin"
progs=$root/cabin/cabin
for d in tests samples; do
	[ -d "$build/$d" ] || continue
	for f in $(cd "$build" && find "$d" -type f -perm -u+x \
			! -path '*.p/*' ! -name '*.so' ! -name '*.a'); do
		case $(head -c 4 "$build/$f" | od -An -c | tr -d ' ') in
		177ELF) ;;
		*) continue ;;
		esac
		mkdir -p "$root/cabin/$(dirname "$f")"
		cp "$build/$f" "$root/cabin/$f"
		progs="$progs $root/cabin/$f"
	done
done

# Real-world programs for t_xom_real.sh: GNU coreutils under /usr/gnu/bin
# (beside busybox's applets, which the other tests keep using), Debian's
# dash as /bin/dash, and python3.11 with the part of its standard library
# that the tests import (the listed modules' sources and byte code, and
# the lib-dynload extensions they load), found by running the host's own
# python3.11. Each is optional: a missing one makes its checks skip.
mkdir -p "$root/usr/gnu/bin"
for p in ls cat sort wc sha256sum head tr env echo; do
	[ -x "/usr/bin/$p" ] || continue
	ldd "/usr/bin/$p" 2>/dev/null | grep -q '=>' || continue
	cp "/usr/bin/$p" "$root/usr/gnu/bin/$p"
	progs="$progs $root/usr/gnu/bin/$p"
done
if [ -x /usr/bin/dash ] && [ ! -e "$root/bin/dash" ]; then
	cp /usr/bin/dash "$root/bin/dash"
	progs="$progs $root/bin/dash"
fi
py=/usr/bin/python3.11
if [ -x "$py" ] && [ -d /usr/lib/python3.11 ]; then
	pyfiles=$(cd / && "$py" -c '
import sys, os, json, re, hashlib, subprocess, threading, ctypes, encodings
import multiprocessing, multiprocessing.connection, multiprocessing.popen_fork
import queue, concurrent.futures, concurrent.futures.thread
import multiprocessing.pool, multiprocessing.queues, multiprocessing.synchronize
import encodings.utf_8, encodings.latin_1, encodings.ascii, encodings.aliases
t = threading.Thread(target=lambda: None); t.start(); t.join()
subprocess.run(["/bin/true"], stdout=subprocess.PIPE)
mpc = multiprocessing.get_context("fork")
mpp = mpc.Process(target=print, args=("",)); mpp.start(); mpp.join()
mpa, mpb = mpc.Pipe(); mpa.send(1); mpb.recv()
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as tpe:
    list(tpe.map(abs, range(4)))
with multiprocessing.Pool(2) as mpool:
    mpool.map(abs, range(4))
mpq = multiprocessing.Queue(); mpq.put(1); mpq.get()
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f and f.startswith("/usr/lib/python3.11/"):
        print(f)
' 2>/dev/null | sort -u) || pyfiles=
	# And what gdb's own Python loads (its gdb module, libc's printers):
	# without them every stop line of gdb's carries a Python error.
	if [ -x /usr/bin/gdb ]; then
		pyfiles="$pyfiles $(cd / && /usr/bin/gdb -batch -nx -ex 'python
import __future__, sys
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if f and f.startswith("/usr/lib/python3.11/"):
        print(f)' 2>/dev/null | sort -u)" || true
	fi
fi
if [ -n "${pyfiles:-}" ]; then
	cp "$py" "$root/usr/bin/python3.11"
	ln -sf python3.11 "$root/usr/bin/python3"
	progs="$progs $root/usr/bin/python3.11"
	for f in $pyfiles; do
		d=$(dirname "$f")
		mkdir -p "$root$d"
		# -p: the byte code records its source's mtime.
		cp -pL "$f" "$root$f"
		case $f in
		*.so) progs="$progs $root$f" ;;
		*.py)
			b=${f##*/}
			c=$d/__pycache__/${b%.py}.cpython-311.pyc
			if [ -f "$c" ]; then
				mkdir -p "$root$d/__pycache__"
				cp -p "$c" "$root$c"
			fi
			;;
		esac
	done
fi

# gdb for t_kvm_gdb.sh (the user's debugger, outside the sandbox, in the
# VM), with its data directory; optional: its checks skip without it.
if [ -x /usr/bin/gdb ] && ldd /usr/bin/gdb 2>/dev/null | grep -q '=>'; then
	cp /usr/bin/gdb "$root/usr/bin/gdb"
	progs="$progs $root/usr/bin/gdb"
	if [ -d /usr/share/gdb ]; then
		mkdir -p "$root/usr/share"
		cp -r /usr/share/gdb "$root/usr/share/gdb"
	fi
fi

# Their shared libraries and the dynamic loader, at the same paths.
for lib in $(ldd $progs 2>/dev/null | sed -nE 's@.*(^|[[:space:]])(/[^ ]+) \(0x.*@\2@p' |
		sort -u); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# What glibc loads at run time rather than links: pthread_exit and
# pthread_cancel unwind with libgcc_s.
for lib in /lib/x86_64-linux-gnu/libgcc_s.so.1; do
	[ -e "$lib" ] || continue
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# /lib64 -> the loader: a merged-/usr host gives /lib64 a real path.
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] ||
	die "no dynamic loader found by ldd"

# The image holds the host's binaries, so a failure may be the host's
# version of a library: say which packages (and versions) went in, and
# what was left out.
package_of() {
	for f in "$1" "/usr$1" "${1#/usr}" "$(readlink -f "$1" || true)"; do
		pkg=$(dpkg -S "$f" 2>/dev/null | sed -n '1s/:.*//p' | sed 's/,.*//')
		[ -n "$pkg" ] && { echo "$pkg"; return; }
	done
	return 0
}
if command -v dpkg-query >/dev/null 2>&1; then
	pkgs=$(for f in /bin/busybox /usr/bin/dash /usr/bin/ls /usr/bin/python3.11 \
			$(cd "$root" && find . -type f -name '*.so*' ! -path './cabin/*' |
			  sed 's@^\.@@'); do
		package_of "$f"
	done | sort -u)
	echo "lab: kernel $kver ($(package_of "$kernel"))"
	echo "lab: from the host: $(for p in $pkgs; do dpkg-query -W -f '${Package} ${Version}, ' "$p" 2>/dev/null || true; done | sed 's/, $//')"
fi
missing=
[ -x "$root/usr/gnu/bin/ls" ] || missing="$missing GNU-coreutils"
[ -x "$root/bin/dash" ] || missing="$missing dash"
[ -x "$root/usr/bin/python3.11" ] || missing="$missing python3.11"
[ -x "$root/usr/bin/gdb" ] || missing="$missing gdb"
[ -n "$missing" ] && echo "lab: not in the image (their checks skip):$missing"

# Kernel modules for /dev/kvm, in load order (dependencies first), each
# line "CPUFLAG PATH": /init loads kvm-amd's chain only on an svm CPU,
# kvm-intel's only on a vmx one; "any" always (the sock_diag modules that
# --gdb's peer check asks, for t_kvm_gdb.sh).
: >"$root/lab/modules"
for m in svm:kvm-amd vmx:kvm-intel any:unix_diag any:tcp_diag; do
	flag=${m%%:*} m=${m#*:}
	line=$(grep -E "(^|/)$m\.ko(\.[a-z]+)?:" "$moddir/modules.dep" || true)
	[ -n "$line" ] || continue
	order=
	for dep in ${line#*:}; do
		order="$dep $order"
	done
	for dep in $order ${line%%:*}; do
		src=$moddir/$dep
		dst=/lib/modules/$kver/${dep%.xz}
		dst=${dst%.zst}
		if [ ! -e "$root$dst" ]; then
			mkdir -p "$(dirname "$root$dst")"
			case $dep in
			*.xz) xz -dc "$src" >"$root$dst" ;;
			*.zst) zstd -qdc "$src" >"$root$dst" ;;
			*) cp "$src" "$root$dst" ;;
			esac
		fi
		echo "$flag $dst" >>"$root/lab/modules"
	done
done

cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
EOF
cat >"$root/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF
echo /bin/sh >"$root/etc/shells"

cp "$here/init" "$root/init"
for t in ${LAB_TESTS:-t_*.sh}; do
	cp "$here"/$t "$root/lab/" || die "no test $t in $here"
done
cp "$here/lib.sh" "$here/kvm_lib.sh" "$here/../adversarial/baseline.policy" \
	"$here/../integration/progs/mp_pool.py" \
	"$here/../integration/progs/gdb_client.py" "$root/lab/"
chmod 755 "$root/init" "$root"/lab/t_*.sh

# Everything root's, whoever builds it.
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$tmp/initrd.gz"

echo "lab: booting $kernel with $(du -h "$tmp/initrd.gz" | cut -f1) initramfs (timeout ${timeout_s}s)"
log=${LAB_LOG:-$tmp/console.log}
start=$(date +%s)
# One TCG thread: with multi-threaded TCG, nested KVM guests (the kvm
# platform's tests) hung the whole VM in about one boot of three, both
# vCPUs stalled in QEMU; single-threaded, none did in repeated runs.
# LAB_TCG_THREAD=multi brings the faster mode back.
# -nographic: the serial console is our stdin/stdout; </dev/null keeps the
# terminal out of raw mode. The VM powers itself off; panic=-1 and
# -no-reboot end it if /init dies.
set +e
timeout -k 10 "$timeout_s" qemu-system-x86_64 -accel "tcg,thread=${LAB_TCG_THREAD:-single}" -cpu "${LAB_CPU:-max}" -m 1024 -smp 2 \
	-nographic -no-reboot -monitor none -nic none \
	-kernel "$kernel" -initrd "$tmp/initrd.gz" \
	-append "console=ttyS0 quiet panic=-1 loglevel=3" \
	</dev/null 2>&1 |
	sed -u -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' |
	tee "$log"
set -e
end=$(date +%s)

summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
echo "lab: VM ran $((end - start)) s"
if [ -z "$summary" ]; then
	echo "lab: FAILED: no result line from the VM (timed out or crashed; see above)"
	exit 1
fi
passed=${summary%% passed*}
failed=${summary#*passed, }
failed=${failed%% failed*}
if [ "$failed" -ne 0 ] || [ "$passed" -lt 1 ]; then
	echo "lab: FAILED: $summary"
	exit 1
fi
echo "lab: $summary"
