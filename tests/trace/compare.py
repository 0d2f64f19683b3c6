#!/usr/bin/env python3
# Compare a cabin text trace with an strace -f -o trace of the same command:
# per process (matched by order of appearance), the same syscall names in
# the same order and the same return values, with addresses and pids
# normalised, and the same decoded arguments for the calls whose arguments
# do not depend on the run (ARGCALLS).
# Usage: compare.py CABIN_TRACE STRACE_TRACE
import re
import sys

CABIN = re.compile(r'^\[pid (\d+)\] (?:\d\d:\d\d:\d\d\.\d+ )?(.*)$')
STRACE = re.compile(r'^(\d+)\s+(?:\d\d:\d\d:\d\d\.\d+ )?(.*)$')
CALL = re.compile(r'^([a-z_0-9]+)\(')
RESUMED = re.compile(r'^<\.\.\. ([a-z_0-9]+) resumed>')
RET = re.compile(r'\) += (.*?)(?: <\d+\.\d+>)?$')


def parse(path, line_re):
    procs = {}
    order = []
    pending = {}
    for line in open(path, errors='replace'):
        m = line_re.match(line.rstrip('\n'))
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        if rest.startswith('---') or rest.startswith('+++'):
            continue
        if pid not in procs:
            procs[pid] = []
            order.append(pid)
        r = RESUMED.match(rest)
        c = CALL.match(rest)
        if rest.endswith('<unfinished ...>'):
            if c:
                pending[pid] = c.group(1)
            continue
        name = r.group(1) if r else (c.group(1) if c else None)
        ret = RET.search(rest)
        if name is None or ret is None:
            continue
        # A call split by another process's line has no whole argument list.
        args = rest[len(name) + 1:ret.start()] if c and not r else None
        procs[pid].append((name, ret.group(1), args))
    return [procs[p] for p in order], order


# Calls whose decoded arguments are the same in every run of the same
# command, once addresses are normalised: files, descriptors, memory.
ARGCALLS = {'openat', 'open', 'access', 'faccessat', 'faccessat2', 'close',
            'read', 'pread64', 'write', 'newfstatat', 'fstat', 'stat',
            'lstat', 'lseek', 'mmap', 'munmap', 'mprotect', 'brk', 'fcntl',
            'dup2', 'dup3', 'readlink', 'getdents64', 'prlimit64',
            'arch_prctl', 'set_robust_list', 'pipe2', 'exit_group'}

PIDCALLS = {'getpid', 'getppid', 'gettid', 'set_tid_address', 'getpgrp',
            'getpgid', 'getsid', 'setsid'}


# Under cabin the program runs in its own PID namespace: a child's pid as
# the program sees it (from clone or wait4, or put back by rt_sigreturn
# after a handler interrupted one) is not the one the line prefixes use.
CHILDCALLS = {'clone', 'clone3', 'fork', 'vfork', 'wait4', 'rt_sigreturn'}


def norm(name, ret, pids):
    if name in PIDCALLS and not ret.startswith('-1'):
        return 'PID'
    if name in CHILDCALLS and re.match(r'[1-9][0-9]*$', ret.split(' ')[0]):
        return 'PID'
    ret = re.sub(r'0x[0-9a-f]+', 'ADDR', ret)
    tok = ret.split(' ', 1)
    if tok[0] in pids:
        tok[0] = 'PID'
    ret = ' '.join(tok)
    # fcntl F_GETFL and the like: only the value matters here.
    return ret.split(' (flags')[0]


def norm_args(name, args):
    if name not in ARGCALLS or args is None:
        return None
    return re.sub(r'0x[0-9a-f]+', 'ADDR', args)


def calls(proc, pids):
    return [(n, norm(n, r, pids), norm_args(n, a)) for n, r, a in proc]


def same(x, y):
    """Names and results equal; arguments too where both sides have them."""
    if x is None or y is None:
        return x is y
    if x[:2] != y[:2]:
        return False
    return x[2] is None or y[2] is None or x[2] == y[2]


def main():
    a, apids = parse(sys.argv[1], CABIN)
    b, bpids = parse(sys.argv[2], STRACE)
    # The first execve runs before or after cabin's filter, depending on
    # how the program is started: compare from the first call after it.
    for t in (a, b):
        if t and t[0] and t[0][0][0] == 'execve':
            t[0] = t[0][1:]
    if len(a) != len(b):
        print('# processes: cabin %d, strace %d' % (len(a), len(b)))
        return 1
    bad = 0
    args = 0
    for i, (pa, pb) in enumerate(zip(a, b)):
        sa = calls(pa, apids)
        sb = calls(pb, bpids)
        for j in range(max(len(sa), len(sb))):
            x = sa[j] if j < len(sa) else None
            y = sb[j] if j < len(sb) else None
            if x and y and x[2] is not None and y[2] is not None:
                args += 1
            if not same(x, y):
                print('# process %d, call %d: cabin %s, strace %s' % (i, j, x, y))
                bad = 1
                break
    if not bad:
        print('# %d processes, %d calls agree, %d with their arguments'
              % (len(a), sum(map(len, a)), args))
    return bad


sys.exit(main())
