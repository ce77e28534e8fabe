#!/usr/bin/env python3
"""Turns run.sh's raw figures (one JSON object per line) into the table of medians,
ratios and targets that Benchmarks/README.md quotes.

usage: report.py results/DATE/raw.jsonl
"""
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    runs = defaultdict(list)
    with open(path) as raw:
        for line in raw:
            line = line.strip()
            if not line.startswith("{"):
                continue
            record = json.loads(line)
            side = "troupe" if record["impl"] == "troupe" else "peer"
            runs[(side, record["workload"], record.get("steps"))].append(record)
    return runs


def median(records, field):
    values = [r[field] for r in records if isinstance(r.get(field), (int, float))]
    return statistics.median(values) if values else None


def fmt(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def verdict(ok):
    return "–" if ok is None else ("met" if ok else "**missed**")


def main(path):
    runs = load(path)
    rounds = len(runs.get(("troupe", "ring-publish", None), []))
    rows = []

    def row(workload, troupe, peer, ratio, target, ok):
        rows.append(f"| {workload} | {troupe} | {peer} | {ratio} | {target} | {verdict(ok)} |")

    for mode, target in (("publish", 100), ("send", 300)):
        t = runs.get(("troupe", f"ring-{mode}", None), [])
        p = runs.get(("peer", f"ring-{mode}", None), [])
        th, ph = median(t, "hops_per_s"), median(p, "hops_per_s")
        ratio = th / ph if th and ph else None
        row(f"ring {mode}, 20,000 hops: hops/s (peak RSS)",
            f"{fmt(th)} ({fmt(median(t, 'peak_rss_mib'), 1)} MiB)",
            f"{fmt(ph)} ({fmt(median(p, 'peak_rss_mib'), 1)} MiB)",
            f"{fmt(ratio, 1)}×", f"≥ {target}×", ratio >= target if ratio else None)

    ceilings = runs.get(("troupe", "ceiling", None), [])
    ceiling = median(ceilings, "full_commits_per_s")
    row("disk ceiling: smallest FULL commit/s (fdatasync/s)", f"{fmt(ceiling)} ({fmt(median(ceilings, 'fdatasync_per_s'))})",
        "", "", "", None)

    for mode, target in (("full", 4), ("normal", 15)):
        for steps in sorted({k[2] for k in runs if k[1] == f"loop-{mode}"}):
            t = runs.get(("troupe", f"loop-{mode}", steps), [])
            p = runs.get(("peer", f"loop-{mode}", steps), [])
            ts, ps = median(t, "steps_per_s"), median(p, "steps_per_s")
            ratio = ts / ps if ts and ps else None
            row(f"durable loop {mode.upper()}, {steps:,} steps: steps/s", fmt(ts), fmt(ps), f"{fmt(ratio, 1)}×",
                f"≥ {target}×", ratio >= target if ratio else None)
            if mode == "full" and ceiling and ts:
                share = ts / ceiling
                row(f"durable loop FULL, {steps:,} steps: share of disk ceiling (smallest FULL commit)",
                    f"{share:.0%}", "", "", "≥ 80%", share >= 0.8)
                syncs = median(ceilings, "fdatasync_per_s")
                if syncs:
                    row(f"durable loop FULL, {steps:,} steps: share of bare fdatasync/s", f"{ts / syncs:.0%}",
                        "", "", "", None)
            tl, pl = median(t, "last_over_first"), median(p, "last_over_first")
            row(f"durable loop {mode.upper()}, {steps:,} steps: last-100 / first-100 time", fmt(tl, 2), fmt(pl, 2),
                "", "≤ 1.1", tl <= 1.1 if tl else None)
            row(f"durable loop {mode.upper()}, {steps:,} steps: SQLite bytes/step",
                fmt(median(t, "bytes_per_step")), fmt(median(p, "bytes_per_step")), "", "", None)
            row(f"durable loop {mode.upper()}, {steps:,} steps: WAL at the end of the run, MiB",
                fmt(median(t, "wal_mib"), 1), "", "", "", None)

    replays = runs.get(("troupe", "replay", 1000), [])

    def ms(field):
        value = median(replays, field)
        return fmt(value and value * 1000, 2)

    speedup = median(replays, "speedup")
    row("replay of the 1,000-step run vs its live run (NORMAL; median of 20 replays)",
        f"{ms('replay_s')} ms vs {ms('live_s')} ms", "",
        f"{fmt(speedup, 1)}×", "≥ 50×", speedup >= 50 if speedup else None)
    row("the process's first replay", f"{ms('first_replay_s')} ms", "",
        f"{fmt(median(replays, 'speedup_first'), 1)}×", "", None)
    row("first replay incl. loading the recording from SQLite", f"{ms('load_s')} ms load",
        "", f"{fmt(median(replays, 'speedup_with_load'), 1)}×", "", None)

    for troupe_mode, peer_mode, label in (("normal", "async", "default durability (Troupe NORMAL, LangGraph async)"),
                                          ("full", "sync", "Troupe FULL, LangGraph sync")):
        t = runs.get(("troupe", f"crash-{troupe_mode}", 300), [])
        p = runs.get(("peer", f"crash-{peer_mode}", 300), [])
        def span(records, field):
            values = [r[field] for r in records if r.get(field) is not None]
            return f"{min(values)}–{max(values)}" if values and min(values) != max(values) else (str(values[0]) if values else "–")
        row(f"crash in step 150 of 300, {label}: steps run twice (resumed at)",
            f"{span(t, 'steps_run_twice')} ({span(t, 'resumed_at')})",
            f"{span(p, 'steps_run_twice')} ({span(p, 'resumed_at')})", "", "report", None)
        row(f"crash, {label}: resume to first new step, ms",
            fmt(median(t, "resume_first_step_ms"), 1), fmt(median(p, "resume_first_step_ms"), 1), "", "", None)

    print(f"Medians of {rounds} rounds. Peers: autogen-core 0.7.5, langgraph 1.2.22 + "
          "langgraph-checkpoint-sqlite 3.1.2.\n")
    print("| workload | Troupe | peer | ratio | target | |")
    print("| --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1])
