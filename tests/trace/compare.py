#!/usr/bin/env python3
# Compare a cabin text trace with an strace -f -o trace of the same command:
# per process (matched by order of appearance), the same syscall names in
# the same order and the same return values, with addresses and pids
# normalised.  Usage: compare.py CABIN_TRACE STRACE_TRACE
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
        procs[pid].append((name, ret.group(1)))
    return [procs[p] for p in order], order


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
    for i, (pa, pb) in enumerate(zip(a, b)):
        sa = [(n, norm(n, r, apids)) for n, r in pa]
        sb = [(n, norm(n, r, bpids)) for n, r in pb]
        if sa == sb:
            continue
        for j in range(max(len(sa), len(sb))):
            x = sa[j] if j < len(sa) else None
            y = sb[j] if j < len(sb) else None
            if x != y:
                print('# process %d, call %d: cabin %s, strace %s' % (i, j, x, y))
                bad = 1
                break
    if not bad:
        print('# %d processes, %d calls agree' % (len(a), sum(map(len, a))))
    return bad


sys.exit(main())
