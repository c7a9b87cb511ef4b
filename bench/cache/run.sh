#!/usr/bin/env bash
# The write-cost benchmark (#16): admin POST latency with 0, 10,000 and 100,000 registered keys
# that the write cannot affect. Starts its own PostgreSQL and Redis, loads the diamonds, serves
# with a development admin token, runs bench/cache/write_cost.py, stops everything.
#
#   bench/cache/run.sh [VITRINA_BINARY] [STATE_DIR] [PORT_BASE]
#
# Defaults: build/release/src/vitrina, .run/bench-cache, 25800. Env: WRITES (200), SIZES.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-build/release/src/vitrina}
state=${2:-.run/bench-cache}
base=${3:-25800}
port=$((base + 10))
token=bench-write-cost-token

mkdir -p "$state"
state=$(cd "$state" && pwd)
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  tools/services.sh stop "$state" || true
}
trap cleanup EXIT

tools/services.sh start "$state" "$base" postgres redis
set -a
# shellcheck disable=SC1091 # written by services.sh
. "$state/env"
set +a
"$binary" migrate >"$state/migrate.log" 2>&1
"$binary" etl run --spec datasets/diamonds.yaml --if-changed datasets/diamonds.csv.gz \
  >"$state/etl.log" 2>&1 || { tail "$state/etl.log" >&2; exit 1; }
PORT=$port HOST=127.0.0.1 DEV_ADMIN_TOKEN=$token ACCESS_LOG_FLUSH_SECONDS=1 \
  "$binary" serve >"$state/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
python3 bench/cache/write_cost.py --port "$port" --redis-port "$((base + 1))" --token "$token" \
  --writes "${WRITES:-200}" ${SIZES:+--sizes "$SIZES"} --json "$state/write_cost.json"
