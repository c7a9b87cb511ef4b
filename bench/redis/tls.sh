#!/usr/bin/env bash
# Cached hits over TLS Redis against the same over plain Redis, one binary, the same minutes, in
# turns: for the "TLS costs the hit path at most 10%" claim (docs/cache.md, Faults and TLS).
#
#   bench/redis/tls.sh [VITRINA_BINARY] [STATE_DIR] [PORT_BASE] [TLS_PORT]
#
# Starts its own PostgreSQL and plain Redis (tools/services.sh, PORT_BASE and +1) and a TLS-only
# Redis on TLS_PORT with a CA and server certificate made here (openssl), loads the diamonds, and
# serves the binary twice: "plain" on redis://127.0.0.1, "tls" on rediss://localhost with
# REDIS_TLS_CA_FILE. Both with CACHE_LOCAL_MAX_BYTES=LOCAL_MAX_BYTES (0 by default: every hit
# reads its whole answer from Redis, no local copy short-cuts the read, the worst case; 67108864,
# the served default, measures what production's hits pay: a GETRANGE of the entry's header over
# TLS, the body from the local copy). For each path: warm both, then wrk on plain and tls
# in turn, RUNS times (5) for DURATION (6s), -c CONNECTIONS (32); requests/s per run and the
# median of the per-run ratios tls / plain.
# Defaults: build/release/src/vitrina, .run/bench-tls, 27650, 27680. PATHS: space-separated.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-build/release/src/vitrina}
state=${2:-.run/bench-tls}
base=${3:-27650}
tls_port=${4:-27680}
runs=${RUNS:-5}
duration=${DURATION:-6s}
connections=${CONNECTIONS:-32}
local_max_bytes=${LOCAL_MAX_BYTES:-0}
read -r -a paths <<<"${PATHS:-/catalog?cut=Fair&color=E&clarity=VS1&limit=20 /catalog?cut=Fair}"

mkdir -p "$state/tls"
state=$(cd "$state" && pwd)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  redis-cli --tls --cacert "$state/tls/ca.crt" -h 127.0.0.1 -p "$tls_port" shutdown nosave \
    >/dev/null 2>&1 || true
  tools/services.sh stop "$state" >/dev/null || true
}
trap cleanup EXIT

# A CA and a certificate for localhost / 127.0.0.1 signed by it (P-256, as Azure's are ECDSA or RSA).
tls=$state/tls
if [[ ! -s $tls/server.crt ]]; then
  key="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
  # shellcheck disable=SC2086 # $key is several options on purpose
  openssl req -x509 $key -keyout "$tls/ca.key" -out "$tls/ca.crt" -days 30 \
    -subj "/CN=Vitrina bench CA" 2>/dev/null
  # shellcheck disable=SC2086
  openssl req $key -keyout "$tls/server.key" -out "$tls/server.csr" -subj "/CN=localhost" 2>/dev/null
  echo "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 30 -out "$tls/server.crt" -extfile "$tls/server.ext" 2>/dev/null
fi

tools/services.sh start "$state" "$base" postgres redis >/dev/null
set -a
# shellcheck disable=SC1091 # written by services.sh
. "$state/env"
set +a
# The same memory options as tools/services.sh gives the plain one.
redis-server --port 0 --tls-port "$tls_port" --bind 127.0.0.1 --save "" --appendonly no \
  --tls-cert-file "$tls/server.crt" --tls-key-file "$tls/server.key" --tls-ca-cert-file "$tls/ca.crt" \
  --tls-auth-clients no --maxmemory 256mb --maxmemory-policy volatile-lfu \
  --daemonize yes --logfile "$state/redis-tls.log" --dir "$state"
for _ in $(seq 50); do
  redis-cli --tls --cacert "$tls/ca.crt" -h localhost -p "$tls_port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

"$binary" migrate >"$state/migrate.log" 2>&1
"$binary" etl run --spec datasets/diamonds.yaml --if-changed datasets/diamonds.csv.gz \
  >"$state/etl.log" 2>&1 || { tail "$state/etl.log" >&2; exit 1; }
psql "$DATABASE_URL" -XqAc "VACUUM ANALYZE"

serve() {  # serve NAME PORT REDIS_URL [VAR=VALUE...]
  local name=$1 port=$2 url=$3
  shift 3
  env "$@" REDIS_URL="$url" PORT="$port" HOST=127.0.0.1 THREADS="$(nproc)" DB_POOL_SIZE=8 \
    CACHE_TTL_SECONDS=3600 CACHE_LOCAL_MAX_BYTES="$local_max_bytes" CACHE_CLIENT_MISSES_PER_MINUTE=0 \
    "$binary" serve >"$state/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "tls bench: $name did not start" >&2
  tail "$state/$name.log" >&2
  exit 1
}
plain=$((base + 10))
secure=$((base + 11))
serve plain "$plain" "$REDIS_URL"
serve tls "$secure" "rediss://localhost:$tls_port" REDIS_TLS_CA_FILE="$tls/ca.crt"

rps() {  # rps PORT PATH -> requests/s
  wrk -t2 -c"$connections" -d"$duration" "http://127.0.0.1:$1$2" | awk '/^Requests\/sec/ {print $2}'
}
echo "vitrina: $("$binary" --version 2>/dev/null || echo "$binary"), $(nproc) cores, wrk -t2 -c$connections -d$duration, $runs runs per path, CACHE_LOCAL_MAX_BYTES=$local_max_bytes"
for path in "${paths[@]}"; do
  for port in "$plain" "$secure"; do
    for _ in 1 2 3; do
      [[ $(curl -fs -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path") == 200 ]] ||
        { echo "tls bench: $path failed on port $port" >&2; exit 1; }
    done
    cache=$(curl -fs -o /dev/null -D - "http://127.0.0.1:$port$path" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" {print $2}')
    [[ $cache == HIT ]] || { echo "tls bench: $path is not a HIT on port $port ($cache)" >&2; exit 1; }
    rps "$port" "$path" >/dev/null  # warm-up run, not counted
  done
  bytes=$(curl -fs "http://127.0.0.1:$plain$path" | wc -c)
  ratios=()
  for run in $(seq "$runs"); do
    a=$(rps "$plain" "$path")
    b=$(rps "$secure" "$path")
    ratio=$(python3 -c "print(f'{$b / $a:.3f}')")
    ratios+=("$ratio")
    echo "$path ($bytes bytes) run $run: plain $a req/s, tls $b req/s, tls/plain $ratio"
  done
  python3 -c "import statistics, sys; r = [float(x) for x in sys.argv[2:]]; \
print(f'{sys.argv[1]}: median tls/plain {statistics.median(r):.3f} over {len(r)} runs (min {min(r):.3f}, max {max(r):.3f})')" \
    "$path" "${ratios[@]}"
done
