#!/usr/bin/env bash
# `make bench`: the load-test report. Starts its own services, loads the diamonds dataset, gets a
# Firebase (emulator) token for a new active user, starts the API in the configurations to compare
# and nginx as a reference, runs every case (bench/load/loadtest.py), then writes
# docs/performance.md and docs/img/*.png (bench/report/performance_report.py).
#
#   bench/load/run.sh VITRINA_BINARY STATE_DIR PORT_BASE
#
# Ports (PORT_BASE = BENCH_PORTS, 25700 by default): services on +0..+9 (tools/services.sh),
# the API on +10 (cache off), +11 (cache on), +12 (cache on, public reads), +13 (cache on,
# telemetry exported, every operation), nginx on +14, the API on +15 (cache on,
# CACHE_LOCAL_MAX_BYTES=0: every hit reads the body from Redis), +16 (cache on,
# CACHE_SENDFILE_MIN_BYTES=0: local copies sent from memory instead of with sendfile), +17 (cache
# on, telemetry sampled at the production setting: deploy/azure/deploy.sh's
# TELEMETRY_SAMPLING_PERCENTAGE, or BENCH_SAMPLING_PERCENTAGE).
# Environment: BENCH_DURATION (s per run, 10), BENCH_RUNS (3), BENCH_CONNECTIONS (32),
# BENCH_WRK_THREADS (2), BENCH_SERVER_THREADS (nproc), BENCH_DB_POOL (8), BENCH_SEQUENTIAL (20),
# BENCH_REDIS_TIMEOUT_MS (the server's CACHE_REDIS_TIMEOUT_MS; 50, its default: the timeout is
# an idle one, so the 7 MB full-catalog answer is not cut off while it arrives),
# BENCH_DOCS (docs: where performance.md and img/ go).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=bench/lib/nginx.sh
. bench/lib/nginx.sh

binary=${1:?usage: bench/load/run.sh VITRINA_BINARY STATE_DIR PORT_BASE}
state=${2:?state dir}
base=${3:?port base}
server_threads=${BENCH_SERVER_THREADS:-$(nproc)}
db_pool=${BENCH_DB_POOL:-8}
redis_timeout=${BENCH_REDIS_TIMEOUT_MS:-50}
production_sampling=$(sed -n 's/^TELEMETRY_SAMPLING_PERCENTAGE=${TELEMETRY_SAMPLING_PERCENTAGE:-\([0-9.]*\)}.*/\1/p' \
  deploy/azure/deploy.sh)
sampling=${BENCH_SAMPLING_PERCENTAGE:-${production_sampling:?deploy/azure/deploy.sh sets no TELEMETRY_SAMPLING_PERCENTAGE}}
docs=${BENCH_DOCS:-docs}

for tool in wrk nginx pgbench gnuplot curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (run make deps)" >&2; exit 1; }
done

say() { echo "bench: $*"; }
mkdir -p "$state"
state=$(cd "$state" && pwd)
out=$state/out
rm -rf "$out"
mkdir -p "$out/static" "$out/logs" "$out/nginx"

server_pids=()
nginx_pid=
cleanup() {
  local pid
  for pid in "${server_pids[@]}" $nginx_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${server_pids[@]}" $nginx_pid; do
    wait "$pid" 2>/dev/null || true
  done
  tools/services.sh stop "$state" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "services in $state (ports $base..$((base + 9)))"
# The capture keeps a bounded window of envelopes; a 10 s case at 100 % fills ~100 MB of it.
APPINSIGHTS_CAPTURE_MAX_BYTES=$((2 * 1024 * 1024 * 1024)) \
  tools/services.sh start "$state" "$base" postgres redis firebase appinsights
set -a
# shellcheck disable=SC1091 # written by services.sh
. "$state/env"
set +a
telemetry_cs=$APPLICATIONINSIGHTS_CONNECTION_STRING
unset APPLICATIONINSIGHTS_CONNECTION_STRING

say "loading the diamonds dataset"
"$binary" migrate >"$out/logs/migrate.log" 2>&1
"$binary" etl run --spec datasets/diamonds.yaml --if-changed datasets/diamonds.csv.gz \
  >"$out/logs/etl.log" 2>&1 || { tail "$out/logs/etl.log" >&2; exit 1; }
# Settle the database first, so autovacuum does not run during a case.
psql "$DATABASE_URL" -XqAc "VACUUM ANALYZE" -c "CHECKPOINT"

# start_api NAME PORT [VAR=VALUE...]: one `vitrina serve`, ready when /readyz answers. Retried:
# the bench's ports lie in the kernel's ephemeral range, so a client socket can hold one briefly.
start_api() {
  local name=$1 port=$2 attempt pid
  shift 2
  for attempt in 1 2 3; do
    env PORT="$port" HOST=127.0.0.1 THREADS="$server_threads" DB_POOL_SIZE="$db_pool" \
      CACHE_TTL_SECONDS=3600 CACHE_REDIS_TIMEOUT_MS="$redis_timeout" "$@" "$binary" serve \
      >"$out/logs/api-$name.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do
      if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
        server_pids+=("$pid")
        echo "$name $pid $port" >>"$out/servers.txt"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    say "the API ($name) did not start on port $port (attempt $attempt): $(tail -n1 "$out/logs/api-$name.log")"
    sleep 1
  done
  exit 1
}
start_api nocache $((base + 10)) CACHE_ENABLED=false
start_api cache $((base + 11))
start_api public $((base + 12)) AUTH_PUBLIC_READS=true
start_api telemetry $((base + 13)) APPLICATIONINSIGHTS_CONNECTION_STRING="$telemetry_cs" \
  TELEMETRY_SAMPLING_PERCENTAGE=100 TELEMETRY_CLOUD_ROLE_INSTANCE=bench-telemetry
start_api redis $((base + 15)) CACHE_LOCAL_MAX_BYTES=0
start_api memory $((base + 16)) CACHE_SENDFILE_MIN_BYTES=0
start_api telemetry_sampled $((base + 17)) APPLICATIONINSIGHTS_CONNECTION_STRING="$telemetry_cs" \
  TELEMETRY_SAMPLING_PERCENTAGE="$sampling" TELEMETRY_CLOUD_ROLE_INSTANCE=bench-telemetry-sampled

say "signing up and logging in a user through the API (Firebase Auth emulator)"
api=http://127.0.0.1:$((base + 11))
email="bench-$(date +%s)-$$@example.com"
password="bench-$RANDOM-password"
curl -fsS -X POST "$api/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" >"$out/signup.json"
token=$(curl -fsS -X POST "$api/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
status=$(curl -s -o /dev/null -w '%{http_code}' "$api/catalog?cut=Fair")
[[ $status == 401 ]] || { echo "bench: without a token GET /catalog answered $status, not 401" >&2; exit 1; }

# Each path of the mix, fetched once from the API with the cache off: the bodies nginx serves.
say "fetching every path of the mix once"
grep -Ev '^\s*(#|$)' bench/load/mix.txt >"$out/mix-api.txt"
: >"$out/mix-nginx.txt"
index=0
while read -r weight path; do
  curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$((base + 10))$path" -o "$out/static/$index.json"
  echo "$weight /static/$index.json" >>"$out/mix-nginx.txt"
  index=$((index + 1))
done <"$out/mix-api.txt"
echo "1 /catalog?cut=Fair" >"$out/fair-api.txt"
curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$((base + 10))/catalog?cut=Fair" -o "$out/static/fair.json"
echo "1 /static/fair.json" >"$out/fair-nginx.txt"

say "starting nginx on port $((base + 14))"
bench_nginx "$out/nginx" $((base + 14)) "$out/static" "$server_threads" fair.json \
  "access_log $out/nginx/access.log combined buffer=64k flush=1s;"
curl -fsS "http://127.0.0.1:$((base + 14))/static/fair.json" | cmp -s - "$out/static/fair.json" ||
  { echo "bench: nginx does not serve the same bytes" >&2; exit 1; }

"$binary" serve --print-sql >"$out/statements.sql"

say "measuring (BENCH_RUNS=${BENCH_RUNS:-3} x BENCH_DURATION=${BENCH_DURATION:-10} s per case)"
BENCH_TOKEN=$token BENCH_SAMPLING_PERCENTAGE=$sampling python3 bench/load/loadtest.py \
  --out "$out" --port-base "$base" --database-url "$DATABASE_URL" \
  --redis-pidfile "$state/redis/redis.pid" --postgres-pidfile "$state/pg/data/postmaster.pid" \
  --capture-pidfile "$state/pids/appinsights.pid" --capture-url "$APPINSIGHTS_CAPTURE_URL" \
  --nginx-pid "$nginx_pid" --db-pool "$db_pool" --server-threads "$server_threads" \
  --redis-timeout-ms "$redis_timeout"

python3 bench/report/performance_report.py "$out/results.json" "$docs/performance.md" "$docs/img"
say "wrote $docs/performance.md and $docs/img/*.png"
