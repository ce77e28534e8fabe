#!/usr/bin/env bash
# Client overhead on loopback: Troupe's OpenAICompatibleModel vs Python's openai
# package, against the same local server in one run; then the JSON-parsing figures.
# Not part of CI. Usage: Benchmarks/remote/run.sh [REQUESTS] [STREAM_RUNS] [CHUNKS]
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p .build
REQUESTS=${1:-2000}
STREAM_RUNS=${2:-30}
CHUNKS=${3:-1000}
VENV=../.venv

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet openai
fi
swift build -c release --product remote-bench > .build/bench-build.log 2>&1 || { cat .build/bench-build.log; exit 1; }
BIN=$(swift build -c release --show-bin-path)/remote-bench

"$VENV/bin/python" server.py > .server-port &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -f .server-port' EXIT
for _ in $(seq 50); do [ -s .server-port ] && break; sleep 0.1; done
URL="http://127.0.0.1:$(cat .server-port)/v1"

echo "server: $URL  requests: $REQUESTS  stream runs: $STREAM_RUNS x $CHUNKS chunks"
"$BIN" client "$URL" "$REQUESTS" "$STREAM_RUNS" "$CHUNKS"
"$VENV/bin/python" bench_openai.py "$URL" "$REQUESTS" "$STREAM_RUNS" "$CHUNKS"
echo "JSON parsing of one streamed chunk into a ChatDelta:"
"$BIN" json
