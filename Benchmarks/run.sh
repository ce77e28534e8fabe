#!/usr/bin/env bash
# Troupe against its peers, side by side on this machine: one command, not in CI.
#
#   Benchmarks/run.sh [ROUNDS]        # default 3 rounds; prints the table
#
# Sets up Benchmarks/.venv (autogen-core, langgraph, langgraph-checkpoint-sqlite
# from PyPI), builds troupe-bench in release, then runs every workload ROUNDS
# times, Troupe and its peer back to back, alternating which goes first. Raw
# figures (one JSON object per line) and the table go to Benchmarks/results/.
# QUICK=1 skips the 10,000-step loops.
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${1:-3}

# --- Python peers -----------------------------------------------------------
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
PY=.venv/bin/python
if ! $PY - <<'PYCHECK' 2>/dev/null; then
from importlib.metadata import version
assert version("autogen-core") == "0.7.5"
assert version("langgraph") == "1.2.22"
assert version("langgraph-checkpoint-sqlite") == "3.1.2"
PYCHECK
    echo "installing the peers into Benchmarks/.venv ..." >&2
    $PY -m pip install --quiet -r peers/requirements.txt
fi

# --- Troupe -----------------------------------------------------------------
echo "building troupe-bench (release) ..." >&2
swift build -c release --scratch-path .build-bench --product troupe-bench >&2
BENCH="$(swift build -c release --scratch-path .build-bench --show-bin-path)/troupe-bench"

# --- Rounds -----------------------------------------------------------------
RESULTS="results/$(date +%Y%m%d-%H%M%S)"
STORES="$RESULTS/stores"     # SQLite files: the same file system as the repo
mkdir -p "$STORES"
RAW="$RESULTS/raw.jsonl"

# pair NAME TROUPE_CMD PEER_CMD: runs both, order alternating by round.
pair() {
    local name=$1 troupe=$2 peer=$3
    echo "  $name" >&2
    if (( round % 2 )); then
        eval "$troupe" >> "$RAW"; eval "$peer" >> "$RAW"
    else
        eval "$peer" >> "$RAW"; eval "$troupe" >> "$RAW"
    fi
}

LOOP_SIZES="1000 10000"
if [ "${QUICK:-0}" = 1 ]; then LOOP_SIZES="1000"; fi

for round in $(seq 1 "$ROUNDS"); do
    echo "round $round/$ROUNDS" >&2
    for mode in publish send; do
        pair "ring $mode" "$BENCH ring --mode $mode --repeat 5" "$PY peers/ring_autogen.py --mode $mode --repeat 5"
    done
    "$BENCH" ceiling --dir "$STORES" >> "$RAW"
    for steps in $LOOP_SIZES; do
        pair "loop full $steps" "$BENCH loop --steps $steps --durability full --dir $STORES" \
                                "$PY peers/loop_langgraph.py --steps $steps --sync FULL --dir $STORES"
        pair "loop normal $steps" "$BENCH loop --steps $steps --durability normal --dir $STORES" \
                                  "$PY peers/loop_langgraph.py --steps $steps --sync NORMAL --dir $STORES"
    done
    "$BENCH" ceiling --dir "$STORES" >> "$RAW"
    echo "  replay" >&2
    "$BENCH" replay --steps 1000 --repeat 20 --dir "$STORES" >> "$RAW"
    pair "crash (default durability)" "$BENCH crash --dir $STORES" \
         "$PY peers/crash_langgraph.py --durability async --dir $STORES"
    pair "crash (sync / full)" "$BENCH crash --durability full --dir $STORES" \
         "$PY peers/crash_langgraph.py --durability sync --dir $STORES"
done
rm -rf "$STORES"

python3 report.py "$RAW" | tee "$RESULTS/table.md"
echo "raw figures: Benchmarks/$RAW" >&2
