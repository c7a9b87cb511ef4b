#!/usr/bin/env bash
# Records the live runs the deck and the diagrams quote, so their figures come from real runs and
# not from a keyboard: `vitrina etl run` of the bundled diamonds from Blob Storage (its etl_runs
# row and reject reasons), then `vitrina demo cache` and a few timed hits and misses against a
# served catalog. Writes docs/results/etl-run.json and docs/results/cache-demo.json.
#
#   tools/record-runs.sh VITRINA_BINARY [STATE_DIR] [PORT_BASE]     (make record-runs)
#
# Services on PORT_BASE..+9 (tools/services.sh), the API on PORT_BASE+10. A fresh STATE_DIR gives
# a fresh database; everything started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:?usage: tools/record-runs.sh VITRINA_BINARY [STATE_DIR] [PORT_BASE]}
state=${2:-.run/record}
ports=${3:-25800}
api_port=$((ports + 10))
out=docs/results

serve_pid=
cleanup() {
  if [[ -n $serve_pid ]]; then
    kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  fi
  tools/services.sh stop "$state" >/dev/null || true
}
trap cleanup EXIT

# No Application Insights capture: neither recording needs telemetry.
tools/services.sh start "$state" "$ports" postgres redis azurite firebase
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a
mkdir -p "$state/data" "$out"

"$bin" migrate
gzip -dc datasets/diamonds.csv.gz >"$state/data/diamonds.csv"
"$bin" etl upload "$state/data/diamonds.csv" az://datasets/diamonds.csv
# No --if-changed: the recording is always a real load, even in a state folder loaded before.
"$bin" etl run --spec datasets/diamonds.yaml az://datasets/diamonds.csv | tee "$state/etl-run.txt"

# The API as `make run` serves it (release build, the emulator's tokens), in the background.
tools/demo-admin.sh "$bin" "$state/env"
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a
HOST=127.0.0.1 PORT=$api_port "$bin" serve >"$state/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$api_port/healthz" >/dev/null && break
  kill -0 "$serve_pid" 2>/dev/null || { tail -20 "$state/serve.log" >&2; exit 1; }
  sleep 0.2
done

url="http://127.0.0.1:$api_port"
"$bin" demo cache --url "$url" | tee "$state/cache-demo.txt"

python3 tools/record_runs.py etl "$state/etl-run.txt" "$out/etl-run.json"
python3 tools/record_runs.py cache "$state/cache-demo.txt" "$url" "$out/cache-demo.json"
echo "record-runs: wrote $out/etl-run.json and $out/cache-demo.json"
