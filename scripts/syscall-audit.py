#!/usr/bin/env python3
"""Check that docs/syscalls.md accounts for every x86-64 syscall.

Every name libseccomp knows for x86_64, and the newer ones listed below
(which libseccomp 2.5 does not know yet), must appear in the document
as `name`.  Exit 0 when all do; else print the missing names, exit 1.

Usage: scripts/syscall-audit.py [docs/syscalls.md]
"""
import ctypes
import ctypes.util
import os
import re
import sys

SCMP_ARCH_X86_64 = 0xC000003E  # AUDIT_ARCH_X86_64

# Syscalls of Linux up to 6.18 that libseccomp may not name (number: name).
NEWER = {
    335: "uretprobe", 336: "uprobe",
    457: "statmount", 458: "listmount",
    459: "lsm_get_self_attr", 460: "lsm_set_self_attr",
    461: "lsm_list_modules", 462: "mseal",
    463: "setxattrat", 464: "getxattrat", 465: "listxattrat",
    466: "removexattrat", 467: "open_tree_attr",
    468: "file_getattr", 469: "file_setattr",
}


def libseccomp_names():
    path = ctypes.util.find_library("seccomp")
    if not path:
        sys.exit("syscall-audit: libseccomp not found")
    lib = ctypes.CDLL(path)
    lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
    lib.seccomp_syscall_resolve_num_arch.argtypes = [ctypes.c_uint32,
                                                     ctypes.c_int]
    libc = ctypes.CDLL(None)
    libc.free.argtypes = [ctypes.c_void_p]
    names = {}
    for nr in range(0, 1024):
        p = lib.seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr)
        if p:
            names[nr] = ctypes.string_at(p).decode()
            libc.free(p)
    return names


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    doc = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(here, "..", "docs", "syscalls.md")
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    named = set(re.findall(r"`([a-z_][a-z0-9_]*)`", text))
    names = libseccomp_names()
    for nr, name in NEWER.items():
        names.setdefault(nr, name)
    missing = [f"{nr} {name}" for nr, name in sorted(names.items())
               if name not in named]
    if missing:
        print(f"syscall-audit: {len(missing)} of {len(names)} x86-64 "
              f"syscalls not in {doc}:")
        for m in missing:
            print("  " + m)
        return 1
    print(f"syscall-audit: all {len(names)} x86-64 syscalls are in {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
