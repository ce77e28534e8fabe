#!/usr/bin/env python3
"""Troupe's local kernel against llama.cpp on the same GGUF, side by side.

    python3 Benchmarks/kernel/run.py [--rounds 3] [--threads 2]

Creates Benchmarks/.venv (git-ignored) and installs llama-cpp-python there the
first time (it compiles llama.cpp: several minutes), builds `troupe` in release
mode, then alternates `troupe models bench --json` and the same workloads
through llama-cpp-python (llama_bench.py), `--rounds` times each, and prints
the medians, the ratios and the share of the memory-bandwidth ceiling that
decoding reaches. Not part of CI: wall-clock figures on a shared machine move
±25% run to run, so only same-run ratios mean anything.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import venv

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VENV = os.path.join(ROOT, "Benchmarks", ".venv")
PYTHON = os.path.join(VENV, "bin", "python")
LLAMA_CPP_PYTHON = "llama-cpp-python==0.3.36"  # the version of the peer figures
MODEL = os.path.join(ROOT, "models", "SmolLM2-135M-Instruct.Q4_1.gguf")


def ensure_venv() -> None:
    if not os.path.exists(PYTHON):
        venv.create(VENV, with_pip=True)
    probe = subprocess.run([PYTHON, "-c", "import llama_cpp"], capture_output=True)
    if probe.returncode != 0:
        print(f"installing {LLAMA_CPP_PYTHON} (builds llama.cpp; takes a while)...", file=sys.stderr)
        subprocess.run([PYTHON, "-m", "pip", "install", "-q", LLAMA_CPP_PYTHON], check=True)


def build_troupe() -> str:
    subprocess.run(["swift", "build", "-c", "release", "--product", "troupe"], cwd=ROOT, check=True)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(out, "troupe")


def run_json(cmd) -> dict:
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=MODEL)
    parser.add_argument("--troupe", help="a built troupe binary (default: build release)")
    parser.add_argument("--bandwidth-gbs", type=float, default=34.0,
                        help="memory bandwidth of the cores used, GB/s (the issue measured ~34 here)")
    args = parser.parse_args()

    ensure_venv()
    troupe = args.troupe or build_troupe()
    troupe_runs, llama_runs = [], []
    for round_ in range(args.rounds):
        # Alternate which goes first so drift in machine load hits both alike.
        order = ["troupe", "llama"] if round_ % 2 == 0 else ["llama", "troupe"]
        for who in order:
            if who == "troupe":
                troupe_runs.append(run_json([troupe, "models", "bench", "--threads", str(args.threads),
                                             "--model", args.model, "--json"]))
            else:
                llama_runs.append(run_json([PYTHON, os.path.join(HERE, "llama_bench.py"), args.model,
                                            str(args.threads)]))
            print(f"round {round_ + 1} {who}: done", file=sys.stderr)

    def med(runs, key):
        values = [r[key] for r in runs if key in r]
        return statistics.median(values) if values else None

    keys = ["prefill_128_tok_s", "prefill_512_tok_s", "decode_tok_s", "concurrent_4_decode_tok_s",
            "cold_ttft_ms", "peak_rss_mib"]
    ceiling = args.bandwidth_gbs * 1e9 / os.path.getsize(args.model)
    rows = []
    print(f"\n{'figure':28} {'troupe':>10} {'llama.cpp':>10} {'ratio':>7}")
    for key in keys:
        t, l = med(troupe_runs, key), med(llama_runs, key)
        ratio = (t / l) if (t is not None and l) else None
        rows.append({"figure": key, "troupe": t, "llama_cpp": l, "ratio": ratio})
        fmt = lambda v: f"{v:10.1f}" if v is not None else f"{'-':>10}"
        print(f"{key:28} {fmt(t)} {fmt(l)} {(f'{ratio:7.2f}' if ratio else '      -')}")
    decode = med(troupe_runs, "decode_tok_s")
    four = med(troupe_runs, "concurrent_4_decode_tok_s")
    print(f"\nbandwidth ceiling ~{ceiling:.0f} tok/s; troupe decode reaches {decode / ceiling:.0%}, "
          f"llama.cpp {med(llama_runs, 'decode_tok_s') / ceiling:.0%}")
    print(f"4 concurrent sequences: {four / decode:.2f}x single-stream (ratio of the medians)")
    # Each troupe run measures one stream and four back to back in one process, so a
    # round's own ratio is the steadier figure when the machine's load moves between runs.
    per_round = [r["concurrent_4_decode_tok_s"] / r["decode_tok_s"] for r in troupe_runs]
    print(f"  per round: median {statistics.median(per_round):.2f}x "
          f"({', '.join(f'{x:.2f}' for x in per_round)})")
    print(json.dumps({"rounds": args.rounds, "threads": args.threads, "rows": rows,
                      "ceiling_tok_s": ceiling, "troupe_runs": troupe_runs, "llama_runs": llama_runs}))


if __name__ == "__main__":
    main()
