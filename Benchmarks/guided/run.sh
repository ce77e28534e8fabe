#!/bin/sh
# Guided decoding: for each schema here, 20 seeds of constrained and free decoding
# with the local model (release build): tokens/s of each and the valid outputs.
set -e
cd "$(dirname "$0")/../.."
scratch="${SCRATCH:-.build}"
swift build -c release --scratch-path "$scratch" --product troupe >/dev/null
troupe="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/troupe"
while IFS="$(printf '\t')" read -r name prompt; do
    printf '%s\t' "$name"
    "$troupe" models bench --schema "Benchmarks/guided/$name.json" --prompt "$prompt" --seeds "${SEEDS:-20}" --json
done < Benchmarks/guided/prompts.txt
