#!/bin/sh
# Install the Debian packages the build and the tests need, only those that
# are missing, so `make check` works on a fresh machine and costs nothing on
# a prepared one.
#
#     scripts/install-deps.sh [build|all]   (default all: what make check needs)
set -eu

build_packages="gcc meson ninja-build pkg-config libseccomp-dev python3
util-linux"
test_packages="clang libclang-rt-14-dev libcmocka-dev strace procps
coreutils findutils gawk iproute2 bsdutils xz-utils passwd gzip
qemu-system-x86 linux-image-amd64 busybox-static cpio
binutils man-db hostname gdb"

case "${1:-all}" in
build) packages=$build_packages ;;
all) packages="$build_packages $test_packages" ;;
*) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
