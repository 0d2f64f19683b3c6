#!/usr/bin/env python3
"""report.py - turns the samples bench/run.sh collected into the results:
PREFIX.md (tables), PREFIX.json (every sample and statistic) and PREFIX.gp +
PREFIX.dat, the gnuplot script and data run.sh draws PREFIX.png from.

usage: report.py SAMPLES.tsv PREFIX

Every ratio is a slowdown factor against native from the same run: for
times it is tool / native, for throughputs native / tool, so above 1 is
always slower. Nothing here passes or fails: the target section informs.
"""

import json
import statistics
import sys

TOOLS = ["native", "cabin", "cabin-trace", "strace", "gvisor", "bwrap",
         "firejail"]
TOOL_TITLE = {
    "native": "native",
    "cabin": "cabin (default)",
    "cabin-trace": "cabin (trace)",
    "strace": "strace -f",
    "gvisor": "gVisor (ptrace)",
    "bwrap": "bubblewrap",
    "firejail": "firejail",
}

# name, source (the run that produced it), group, unit, label
WORKLOADS = [
    ("getppid", "getppid", "micro", "ns", "getppid"),
    ("read1", "read1", "micro", "ns", "read 1 B of /dev/zero"),
    ("openclose", "openclose", "micro", "ns", "open+close /dev/null"),
    ("mmap64k", "mmap64k", "micro", "ns", "mmap+munmap 64 KiB"),
    ("touch64m", "touch64m", "micro", "ns",
     "touch 64 MiB fresh memory (16384 faults)"),
    ("pipe", "pipe", "micro", "ns", "pipe ping-pong round trip"),
    ("forkwait", "forkwait", "micro", "ns", "fork+wait"),
    ("forkexec", "forkexec", "micro", "ns", "fork+exec /bin/true"),
    ("startup", "startup", "startup", "ns",
     "startup: TOOL /bin/true vs bare /bin/true"),
    ("openssl-sha256", "openssl", "macro", "MB/s",
     "openssl sha256, 16 KiB blocks"),
    ("openssl-aes-128-gcm", "openssl", "macro", "MB/s",
     "openssl -evp aes-128-gcm, 16 KiB blocks"),
    ("rsa2048-sign", "openssl", "macro", "sign/s", "openssl rsa2048 sign"),
    ("rsa2048-verify", "openssl", "macro", "verify/s",
     "openssl rsa2048 verify"),
    ("sqlite", "sqlite", "macro", "ns", "sqlite3 inserts and queries"),
    ("xz", "xz", "macro", "ns", "xz -6 of a generated file"),
    ("python3", "python3", "macro", "ns",
     "python3 startup + json, re, hashlib, subprocess"),
    ("make", "make", "macro", "ns", "make -j2, small C project"),
]
SHORT = {
    "getppid": "getppid", "read1": "read 1B", "openclose": "open+close",
    "mmap64k": "mmap 64K", "touch64m": "touch 64M", "pipe": "pipe rtt",
    "forkwait": "fork+wait", "forkexec": "fork+exec", "startup": "startup",
    "openssl-sha256": "sha256", "openssl-aes-128-gcm": "aes-gcm",
    "rsa2048-sign": "rsa sign", "rsa2048-verify": "rsa verify",
    "sqlite": "sqlite", "xz": "xz -6", "python3": "python3",
    "make": "make -j2",
}
SYSCALL_WL = ["getppid", "read1", "openclose", "mmap64k", "pipe"]


def higher_better(unit):
    return unit != "ns"


def fmt_value(v, unit):
    if v is None:
        return "-"
    if unit == "ns":
        for div, u in ((1e9, "s"), (1e6, "ms"), (1e3, "µs")):
            if v >= div:
                return "%.3g %s" % (v / div, u)
        return "%.0f ns" % v
    if v >= 100:
        return "%.0f %s" % (v, unit)
    return "%.3g %s" % (v, unit)


def fmt_ratio(r):
    if r is None:
        return "-"
    if r >= 100:
        return "×%.0f" % r
    if r >= 10:
        return "×%.1f" % r
    return "×%.2f" % r


def load(path):
    meta, tools, fails, samples, extra, rounds = {}, {}, {}, {}, {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            kind = p[0]
            if kind == "M":
                meta[p[1]] = p[2] if len(p) > 2 else ""
            elif kind == "T":
                tools[p[1]] = {"available": p[2] == "1",
                               "why": p[3] if len(p) > 3 else "",
                               "command": p[4] if len(p) > 4 else ""}
            elif kind == "F":
                fails.setdefault((p[1], p[2]), p[3])
            elif kind == "S":
                samples.setdefault((p[1], p[2]), []).append(float(p[3]))
            elif kind == "X":
                extra.setdefault((p[1], p[2]), []).append(
                    {"outer_wall_ns": int(p[3]), "maxrss_kb": int(p[4]),
                     "hwm_kb": int(p[5]), "status": int(p[6])})
            elif kind == "N":
                rounds[p[1]] = (int(p[2]), int(p[3]))
    return meta, tools, fails, samples, extra, rounds


def median(xs):
    return statistics.median(xs) if xs else None


def build(meta, tools, fails, samples, extra, rounds):
    out = []
    for name, src, group, unit, label in WORKLOADS:
        res = {}
        for t in TOOLS:
            xs = samples.get((name, t), [])
            why = (fails.get((name, t)) or fails.get((src, t))
                   or fails.get(("-", t)))
            if why and not xs:
                res[t] = {"failed": why, "samples": []}
            elif not xs:
                res[t] = {"failed": "no data", "samples": []}
            else:
                res[t] = {"samples": xs, "median": median(xs),
                          "min": min(xs), "max": max(xs)}
                if why:
                    res[t]["note"] = why
        nat = res["native"].get("median")
        for t in TOOLS:
            m = res[t].get("median")
            if m and nat:
                res[t]["ratio"] = nat / m if higher_better(unit) else m / nat
        rss = {}
        for t in TOOLS:
            xs = extra.get((src, t), [])
            if xs:
                rss[t] = {
                    "hwm_kb_median": median([x["hwm_kb"] for x in xs]),
                    "hwm_kb_max": max(x["hwm_kb"] for x in xs),
                    "maxrss_kb_median": median([x["maxrss_kb"] for x in xs]),
                    "maxrss_kb_max": max(x["maxrss_kb"] for x in xs),
                    "outer_wall_ns_median":
                        median([x["outer_wall_ns"] for x in xs]),
                    "runs": xs,
                }
        done = rounds.get(src)
        out.append({"name": name, "source": src, "label": label,
                    "group": group,
                    "unit": unit, "higher_is_better": higher_better(unit),
                    "rounds_measured": done[0] if done else 0,
                    "rounds_planned": done[1] if done else 0,
                    "results": res, "rss": rss})
    return out


def cell(r, unit, with_ratio):
    if "median" not in r:
        return r["failed"].replace("|", "/")
    s = fmt_value(r["median"], unit)
    if with_ratio and r.get("ratio") is not None:
        s += " " + fmt_ratio(r["ratio"])
    return s


def targets(wl):
    by = {w["name"]: w for w in wl}
    lines = []

    def med(n, t):
        return by[n]["results"][t].get("median")

    def ratio(n, t):
        return by[n]["results"][t].get("ratio")

    rs = [(n, ratio(n, "cabin")) for n in SYSCALL_WL]
    ok = [r for _, r in rs if r is not None]
    if ok:
        worst = max(ok)
        lines.append(
            "- default profile, allowed syscalls within 5 %% of native: "
            "%s (worst ×%.3f; %s)" % (
                "yes" if worst <= 1.05 and len(ok) == len(rs) else "no",
                worst, ", ".join("%s ×%.3f" % (n, r) if r else "%s -" % n
                                 for n, r in rs)))
    macro = [w["name"] for w in wl if w["group"] == "macro"]
    rs = [(n, ratio(n, "cabin")) for n in macro]
    ok = [r for _, r in rs if r is not None]
    if ok:
        worst = max(ok)
        lines.append(
            "- default profile, macro workloads within 2 %%: %s (worst ×%.3f; "
            "%s)" % ("yes" if worst <= 1.02 and len(ok) == len(rs) else "no",
                     worst, ", ".join("%s ×%.3f" % (SHORT[n], r) if r else
                                      "%s -" % SHORT[n] for n, r in rs)))
    parts, holds = [], []
    for n in ("getppid", "read1"):
        nat, tr, st = med(n, "native"), med(n, "cabin-trace"), med(n, "strace")
        if nat and tr and st:
            parts.append("%s: trace +%.1f µs, strace +%.1f µs" % (
                n, (tr - nat) / 1e3, (st - nat) / 1e3))
            holds.append(tr <= st)
    if parts:
        lines.append(
            "- trace profile, per-syscall cost no higher than strace: %s (%s)"
            % ("yes" if all(holds) else "no", "; ".join(parts)))
    nat, cab = med("startup", "native"), med("startup", "cabin")
    if nat and cab:
        d = (cab - nat) / 1e6
        lines.append(
            "- `cabin run -- /bin/true` within 5 ms of bare /bin/true: %s "
            "(%s vs %s, +%.1f ms)" % ("yes" if d <= 5 else "no",
                                      fmt_value(cab, "ns"),
                                      fmt_value(nat, "ns"), d))
    return lines


def write_md(path, meta, tools, wl):
    avail = [t for t in TOOLS if tools.get(t, {}).get("available")]
    L = []
    L.append("# Cabin benchmarks (%s run)" % meta.get("mode", "?"))
    L.append("")
    L.append("- machine: %s; %s cores; %s" % (
        meta.get("cpu", "?"), meta.get("cores", "?"), meta.get("kernel", "?")))
    L.append("- date: %s; load average at the end: %s; wall time %ss "
             "(bound %ss)" % (meta.get("date", "?"), meta.get("loadavg", "?"),
                              meta.get("seconds", "?"),
                              meta.get("budget", "?")))
    L.append("- cabin: %s" % meta.get("cabin", "?"))
    for t in TOOLS[1:]:
        ti = tools.get(t, {})
        v = meta.get("v_" + t, "")
        desc = "`%s`" % ti.get("command", "") if ti.get("available") else \
            ti.get("why", "missing")
        if t.startswith("cabin"):
            v = ""
        L.append("- %s: %s%s" % (TOOL_TITLE[t], desc, " (%s)" % v if v and
                                 ti.get("available") else ""))
    L.append("- workloads: %s; %s; %s; sqlite: %s; %s; %s; %s" % (
        meta.get("v_openssl", ""), meta.get("v_sqlite", ""),
        meta.get("v_xz", ""), meta.get("sql", ""), meta.get("xz", ""),
        meta.get("make", ""), meta.get("v_python", "")))
    L.append("")
    L.append("## Method")
    L.append("")
    L.append(
        "Per workload, %s, then rounds in which every tool runs once in turn "
        "(%s); a cell is the median over the rounds, the ratio is that "
        "median against native's median from the same run. Rounds planned "
        "and measured: %s; a section past its share of the time bound stops "
        "after one round." % (
            "one discarded warm-up round" if meta.get("warmup") == "1"
            else "no warm-up round (quick; the micro benchmark still warms "
                 "up inside the process)",
            ", ".join(avail), meta.get("rounds_done", "?")))
    L.append("")
    L.append(
        "- micro (`bench/micro`): mean time per operation measured inside "
        "the confined program (CLOCK_MONOTONIC) after an in-process warm-up "
        "of a tenth of the iterations; iterations: %s. The pipe child is "
        "forked once; fork+wait's child calls _exit at once; 64 MiB is "
        "touched one write per 4 KiB page with MADV_NOHUGEPAGE." %
        meta.get("iters", "?").strip())
    L.append(
        "- startup: `micro spawn %s TOOL /bin/true` from outside: mean wall "
        "time of a fork+exec+wait of the whole tool (native: bare /bin/true)."
        % meta.get("spawn_n", "?"))
    L.append(
        "- macro: openssl reports throughput (`openssl speed -mr -elapsed "
        "-seconds 1 -bytes 16384 -evp aes-128-gcm sha256 rsa2048`; -elapsed "
        "divides by wall time instead of user CPU time, which would hide "
        "time stopped in a tracer). sqlite, xz and make are timed inside "
        "the tool by `micro run -` (the tool's own start is in the startup "
        "row); python3 is the mean of %s starts by `micro spawn` inside the "
        "tool. Files live in a temporary directory under the working "
        "directory, removed at the end." % meta.get("py_n", "?"))
    L.append(
        "- ratios are slowdowns, above 1 is slower: tool/native for times, "
        "native/tool for throughputs (MB/s, sign/s, verify/s).")
    L.append(
        "- bubblewrap also gets `--bind WORK WORK` so that the workloads can "
        "write their temporary directory (the root stays read-only), like "
        "cabin's writable working directory. gVisor's writes go to its "
        "in-memory overlay.")
    L.append("")
    L.append("## Median and ratio to native")
    L.append("")
    L.append("| workload | " + " | ".join(TOOL_TITLE[t] for t in TOOLS) + " |")
    L.append("| --- |" + " --- |" * len(TOOLS))
    group = None
    for w in wl:
        if w["group"] != group:
            group = w["group"]
            L.append("| **%s** |" % group + " |" * len(TOOLS))
        unit = "" if w["unit"] == "ns" else " (%s)" % w["unit"]
        L.append("| %s%s | " % (w["label"], unit) + " | ".join(
            cell(w["results"][t], w["unit"], t != "native") for t in TOOLS)
            + " |")
    L.append("")
    L.append("## Spread: min–max over the rounds")
    L.append("")
    L.append("| workload | " + " | ".join(TOOL_TITLE[t] for t in TOOLS) + " |")
    L.append("| --- |" + " --- |" * len(TOOLS))
    for w in wl:
        cells = []
        for t in TOOLS:
            r = w["results"][t]
            if "median" in r:
                cells.append("%s – %s (n=%d)" % (
                    fmt_value(r["min"], w["unit"]),
                    fmt_value(r["max"], w["unit"]), len(r["samples"])))
            else:
                cells.append("-")
        L.append("| %s | " % SHORT[w["name"]] + " | ".join(cells) + " |")
    L.append("")
    L.append("## Peak RSS during the macro runs (MiB, median over rounds)")
    L.append("")
    L.append(
        "`own` is VmHWM of the process the harness started (cabin, strace, "
        "runsc, bwrap, firejail itself), sampled every 10 ms until it exits: "
        "for cabin, the supervisor alone. `wait4` is ru_maxrss from wait4(), "
        "what `/usr/bin/time -f %M` prints: the largest of that process and "
        "every descendant reaped below it, so for cabin it is mostly the "
        "confined workload's peak (xz, gcc, python), not the supervisor's.")
    L.append("")
    L.append("| run | " + " | ".join(
        "%s own / wait4" % TOOL_TITLE[t] for t in TOOLS if t != "native")
        + " | native wait4 |")
    L.append("| --- |" + " --- |" * len(TOOLS))
    seen = set()
    for w in wl:
        if w["group"] != "macro" or not w["rss"]:
            continue
        src = w["source"]
        if src in seen:
            continue
        seen.add(src)
        cells = []
        for t in TOOLS[1:]:
            r = w["rss"].get(t)
            if r:
                cells.append("%.1f / %.1f" % (r["hwm_kb_median"] / 1024,
                                              r["maxrss_kb_median"] / 1024))
            else:
                cells.append("-")
        r = w["rss"].get("native")
        cells.append("%.1f" % (r["maxrss_kb_median"] / 1024) if r else "-")
        L.append("| %s | " % src + " | ".join(cells) + " |")
    L.append("")
    L.append("## Targets (information only; nothing here fails the run)")
    L.append("")
    L.extend(targets(wl))
    L.append("")
    L.append("Chart: `latest.png`, the ratios on a log scale; a missing bar "
             "is a failure or a missing tool, named in the table above.")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


def write_plot(prefix, meta, wl):
    tools = TOOLS[1:]
    with open(prefix + ".dat", "w", encoding="utf-8") as f:
        f.write("workload\t" + "\t".join(TOOL_TITLE[t] for t in tools)
                + "\n")
        for w in wl:
            vals = []
            for t in tools:
                r = w["results"][t].get("ratio")
                vals.append("%.4f" % r if r else "?")
            f.write(SHORT[w["name"]] + "\t" + "\t".join(vals) + "\n")
    top = max([w["results"][t].get("ratio") or 1 for w in wl for t in tools]
              + [2])
    gp = [
        "set terminal pngcairo size 1600,760 font 'DejaVu Sans,11'",
        "set output '%s.png'" % prefix,
        "set datafile separator '\\t'",
        "set datafile missing '?'",
        "set title \"Cabin and peers: slowdown against native (%s run, %s, "
        "%s cores, %s)\"" % (meta.get("mode", ""), meta.get("cpu", ""),
                             meta.get("cores", ""), meta.get("date", "")),
        "set style data histograms",
        "set style histogram clustered gap 1.5",
        "set style fill solid 0.85 border rgb '#333333'",
        "set boxwidth 0.9",
        "set logscale y",
        "set yrange [0.5:%g]" % (top * 4),
        "set ytics (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)",
        "set ylabel 'slowdown vs native (×, log scale; higher is slower)'",
        "set grid ytics",
        "set xtics rotate by -30 nomirror",
        "set key top left horizontal",
        "set arrow from graph 0, first 1 to graph 1, first 1 nohead "
        "lw 1.5 lc rgb 'black' front",
        "set bmargin 7",
    ]
    # Group boundaries: histogram slots are numbered from 0.
    groups = [w["group"] for w in wl]
    for i in range(1, len(groups)):
        if groups[i] != groups[i - 1]:
            gp.append("set arrow from %g, graph 0 to %g, graph 1 nohead "
                      "dt 2 lc rgb '#777777'" % (i - 0.5, i - 0.5))
    for g in dict.fromkeys(groups):
        idx = [i for i, x in enumerate(groups) if x == g]
        gp.append("set label '%s' at %g, graph 0.9 center font ',12'" % (
            g, (idx[0] + idx[-1]) / 2.0))
    gp += [
        "plot for [i=2:%d] '%s.dat' using i:xtic(1) title columnheader(i) "
        "lc (i-1)" % (len(tools) + 1, prefix),
    ]
    with open(prefix + ".gp", "w", encoding="utf-8") as f:
        f.write("\n".join(gp) + "\n")


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: report.py SAMPLES.tsv PREFIX\n")
        return 2
    meta, tools, fails, samples, extra, rounds = load(sys.argv[1])
    wl = build(meta, tools, fails, samples, extra, rounds)
    prefix = sys.argv[2]
    with open(prefix + ".json", "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "tools": tools,
                   "ratio_direction": "slowdown: tool/native for times, "
                   "native/tool for throughputs; above 1 is slower",
                   "workloads": wl}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    write_md(prefix + ".md", meta, tools, wl)
    write_plot(prefix, meta, wl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
