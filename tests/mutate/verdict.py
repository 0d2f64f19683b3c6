#!/usr/bin/env python3
"""The mutation suite's verdict (tests/mutate/run.sh): reads the runs it
left in WORK and prints one TAP line per check, a summary and the count
line; exits 1 if a check failed.
Usage: verdict.py WORK EXCEPTIONS [partial]"""
import fnmatch
import os
import re
import sys

TAP = re.compile(r'^(not ok|ok) \d+ - (.*)$')
CONTAINED = re.compile(r'^(.*?): contained under cabin(?:$|: | # SKIP)')
COUNT = re.compile(r'^\d+ passed, \d+ failed')
# Policy lines that show the program works where it should (twins), and
# the policy command's own checks, which run no program.
POLICY_CONTROL = re.compile(r'twin|works|allows|^policy (check|show)')


class Tap:
    """Prints the checks and counts them."""

    def __init__(self):
        self.n = self.passed = self.failed = self.skipped = 0

    def ok(self, name):
        self.n += 1
        self.passed += 1
        print('ok %d - %s' % (self.n, name))

    def fail(self, name, why):
        self.n += 1
        self.failed += 1
        print('not ok %d - %s: %s' % (self.n, name, why))

    def skip(self, name, why):
        self.n += 1
        self.skipped += 1
        print('ok %d - %s # SKIP %s' % (self.n, name, why))


def read_lines(path):
    try:
        with open(path, errors='replace') as f:
            return [l.rstrip('\n') for l in f]
    except OSError:
        return []


def results(path):
    """[(status, text)] of a suite's run: status green, red or skip;
    text the line after the number.  None if the run did not finish."""
    lines = read_lines(path)
    if not any(COUNT.match(l) for l in lines):
        return None
    out = []
    for l in lines:
        m = TAP.match(l)
        if not m:
            continue
        text = m.group(2)
        if m.group(1) == 'not ok':
            out.append(('red', text))
        elif ' # SKIP ' in text:
            out.append(('skip', text))
        else:
            out.append(('green', text))
    return out


def contained(res):
    """[(status, NAME, text)] of the "NAME: contained under cabin" lines."""
    out = []
    for status, text in res:
        m = CONTAINED.match(text)
        if m:
            out.append((status, m.group(1), text))
    return out


def why_skipped(text):
    return text.split(' # SKIP ', 1)[1] if ' # SKIP ' in text else text


def tail(path):
    """What a run said last, for a failure message."""
    lines = [l for l in read_lines(path) if l.strip()]
    bad = [l for l in lines if l.startswith('not ok')]
    return (bad or lines or ['no output'])[-1][:300]


def exceptions(path):
    """{'switch': {NAME: reason}, 'test': {'SUITE: TEST': reason}}"""
    ex = {'switch': {}, 'test': {}}
    for l in read_lines(path):
        if not l.strip() or l.startswith('#'):
            continue
        kind, _, rest = l.partition(' ')
        name, _, reason = rest.partition(' -- ')
        if kind not in ex or not reason.strip():
            sys.exit('%s: cannot read: %s' % (path, l))
        ex[kind][name.strip()] = reason.strip()
    return ex


def main():
    work, expath = sys.argv[1], sys.argv[2]
    partial = len(sys.argv) > 3 and sys.argv[3] == 'partial'
    ex = exceptions(expath)
    t = Tap()
    listed = read_lines(os.path.join(work, 'switches'))
    known = read_lines(os.path.join(work, 'known'))
    decls = [l.split('\t') for l in read_lines(os.path.join(work, 'declared'))]
    timings = dict(l.split() for l in read_lines(os.path.join(work, 'timings')))
    checked = [s for s in listed if s in timings] if not partial else \
        list(timings)
    summary = []
    red_by = {}         # adversarial NAME -> switches that turned it red
    declared = set()    # adversarial NAMEs some declaration matched
    seen = {}           # adversarial NAME -> [(status, text)] in every run

    # 1. each switch against the tests that declare it
    for s in checked:
        red = total = skipped = 0
        for d in decls:
            func, switches, globs = d[0], d[1].split(','), d[2:] or ['*']
            if s not in switches:
                continue
            log = os.path.join(work, 'run.%s.%s' % (s, func))
            res = results(log)
            if res is None:
                t.fail('%s: %s' % (s, func), 'the run did not finish: %s' % tail(log))
                continue
            lines = [c for c in contained(res)
                     if any(fnmatch.fnmatchcase(c[1], g) for g in globs)]
            if not lines:
                t.fail('%s: %s' % (s, func),
                       'declares %s but printed no contained line matching %s: %s'
                       % (s, ' '.join(globs), tail(log)))
                continue
            # A red contained half counts only if the weakened cabin still
            # runs programs: the escape halves and other controls pass.
            broken = [x for st, x in res
                      if st == 'red' and not CONTAINED.match(x)]
            if broken:
                t.fail('%s: %s: its controls still pass' % (s, func),
                       broken[0][:300])
            else:
                t.ok('%s: %s: its controls still pass' % (s, func))
            for status, name, text in lines:
                declared.add(name)
                seen.setdefault(name, []).append((status, text))
                total += 1
                check = '%s: %s: contained under cabin turns red' % (s, name)
                if status == 'red':
                    red += 1
                    red_by.setdefault(name, []).append(s)
                    t.ok(check)
                    print('#   ' + text[len(name) + 25:][:200])
                elif status == 'skip':
                    skipped += 1
                    t.skip(check, why_skipped(text))
                else:
                    t.fail(check, 'still passes with --unsafe-disable=%s' % s)
        summary.append('%-10s %3d of %3d contained lines red, %d skipped (%s s)'
                       % (s, red, total, skipped, timings.get(s, '?')))
    if partial:
        return finish(t, summary, [], [])

    # 2. every listed switch has a test, and help tells all cabin knows
    if sorted(listed) != sorted(known):
        t.fail('switches: --help lists what cabin knows',
               'help: %s; known: %s' % (' '.join(listed), ' '.join(known)))
    else:
        t.ok('switches: --help lists what cabin knows')
    for s in listed:
        funcs = [d[0] for d in decls if s in d[1].split(',')]
        if s in ex['switch'] and funcs:
            t.fail('switch %s: has a test' % s, 'declared by %s, yet '
                   'tests/mutate/exceptions says it has none' % ' '.join(funcs))
        elif s in ex['switch']:
            t.skip('switch %s: has a test' % s, ex['switch'][s])
        elif funcs:
            t.ok('switch %s: has a test (%s)' % (s, ' '.join(sorted(set(funcs)))))
        else:
            t.fail('switch %s: has a test' % s, 'no protected_by line in '
                   'tests/adversarial/run.sh names it, nor tests/mutate/exceptions')
    for d in decls:
        for s in d[1].split(','):
            if s not in listed:
                t.fail('%s: declares %s' % (d[0], s), 'cabin run --help lists no such switch')

    # 3. everything unconfined: containment red, controls listed apart
    controls_red, never = [], []
    adv_names = {}      # adversarial containment NAMEs seen unconfined
    for suite in ('adversarial', 'policy'):
        log = os.path.join(work, 'unconfined.' + suite)
        res = results(log)
        if res is None:
            t.fail('unconfined: %s' % suite, 'the run did not finish: %s' % tail(log))
            continue
        red = total = green_controls = 0
        for status, text in res:
            m = CONTAINED.match(text)
            if suite == 'adversarial':
                control = m is None
                name = m.group(1) if m else text
            else:
                control = POLICY_CONTROL.search(text) is not None
                name = text
            if control:
                if status == 'green':
                    green_controls += 1
                elif status == 'red':
                    controls_red.append('%s: %s' % (suite, text))
                continue
            if suite == 'adversarial':
                seen.setdefault(name, []).append((status, text))
                adv_names[name] = True
            total += 1
            if suite == 'adversarial':
                key = '%s: %s: contained under cabin' % (suite, name)
            else:
                key = '%s: %s' % (suite, text.split(' # SKIP ')[0])
            check = 'unconfined: %s turns red' % key
            if status == 'red':
                red += 1
                t.ok(check)
            elif status == 'skip':
                t.skip(check, why_skipped(text))
            elif key in ex['test']:
                never.append(key)
                t.skip(check, 'excepted: ' + ex['test'][key])
            else:
                never.append(key)
                t.fail(check, 'passes with no sandbox at all: it proves nothing')
        summary.append('%-10s %3d of %3d %s containment lines red; '
                       '%d controls green (%s s)'
                       % ('unconfined', red, total, suite, green_controls,
                          timings.get('unconfined-' + suite, '?')))

    # 4. each adversarial containment line is some switch's
    for name in sorted(adv_names):
        key = 'adversarial: %s: contained under cabin' % name
        check = '%s: a switch turns it red' % key
        runs = seen[name]
        if name in red_by:
            t.ok('%s (%s)' % (check, ','.join(red_by[name])))
        elif all(st == 'skip' for st, _ in runs):
            t.skip(check, 'skipped in every run here: ' + why_skipped(runs[0][1]))
        elif name in declared:
            never.append(key)   # its switch's check failed above
        elif key in ex['test']:
            never.append(key)
            t.skip(check, 'excepted: ' + ex['test'][key])
        else:
            never.append(key)
            t.fail(check, 'no protected_by line declares it '
                   '(tests/adversarial/run.sh)')
    return finish(t, summary, sorted(set(never)), controls_red)


def finish(t, summary, never, controls_red):
    print('# == mutation summary')
    for l in summary:
        print('#   ' + l)
    print('# containment tests no mutation turned red (%d):' % len(never))
    for l in never:
        print('#   ' + l)
    print('# controls that failed unconfined, as they may (%d):' % len(controls_red))
    for l in controls_red:
        print('#   ' + l[:160])
    print('%d passed, %d failed, %d skipped' % (t.passed, t.failed, t.skipped))
    return 1 if t.failed else 0


if __name__ == '__main__':
    sys.exit(main())
