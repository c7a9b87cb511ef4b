#!/usr/bin/env bash
# Unpaginated GET /catalog streamed from PostgreSQL (issue #21), on generated diamonds-shaped
# catalogs (bench/etl/generate.awk) of SB_SIZES rows (default "1000000"; add 10000000 if you
# have the disk and the time):
#  1. time to first byte and wall time of a full GET /catalog (curl to /dev/null), against psql
#     writing the same JSON (the server's own stream statement, COPY ... TO STDOUT) to /dev/null,
#     in turns, SB_RUNS times (3), medians; throughput = bytes / wall time;
#  2. the server's resident memory (VmRSS from /proc) idle and its peak while streaming (sampled
#     every 20 ms), and the peak of the PostgreSQL backend serving the stream;
#  3. the rows per FETCH (CATALOG_STREAM_BATCH_ROWS in SB_BATCHES, default "100 1000 10000"): the
#     same wall time per batch size, in turns.
# The first request of a size is a cache MISS whose copy is dropped at CACHE_MAX_ENTRY_BYTES; the
# runs measured are the ones after it (X-Cache: BYPASS, too-large).
#
#   bench/catalog/stream.sh [VITRINA_BINARY] [STATE_DIR] [PORT_BASE] [OUT_PREFIX]
#
# Defaults: build/release/src/vitrina, .run/bench-stream, 55800, docs/results/catalog-stream
# (writes OUT_PREFIX.json and OUT_PREFIX.txt). Starts its own PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-build/release/src/vitrina}
state=${2:-.run/bench-stream}
base=${3:-55800}
out=${4:-docs/results/catalog-stream}
sizes=${SB_SIZES:-1000000}
runs=${SB_RUNS:-3}
batches=${SB_BATCHES:-100 1000 10000}
port=$((base + 10))

mkdir -p "$(dirname "$out")"
# shellcheck source=bench/lib/catalog-services.sh
. bench/lib/catalog-services.sh
bench_catalog_services "$state" "$base" "$binary"

server_pid=""
start_server() {  # start_server BATCH_ROWS
  stop_server
  PORT=$port HOST=127.0.0.1 THREADS=$(nproc) DB_POOL_SIZE=8 CACHE_CLIENT_MISSES_PER_MINUTE=0 \
    AUTH_PUBLIC_READS=true REQUEST_TIMEOUT_MS=10000 CATALOG_STREAM_BATCH_ROWS="$1" \
    "$binary" serve >>"$state/serve.log" 2>&1 &
  server_pid=$!
  bench_pids+=("$server_pid")
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "the server did not become ready" >&2
  exit 1
}
stop_server() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# Samples the server's and the streaming backend's VmRSS until the file $1.stop exists; writes the
# peaks ("server_kb backend_kb") to $1.
sample_peaks() {
  local file=$1 server=0 backend=0 value pid
  while [[ ! -e $file.stop ]]; do
    value=$(rss_kb "$server_pid")
    ((value > server)) && server=$value
    for pid in $(psql "$DATABASE_URL" -XqAtc "SELECT pid FROM pg_stat_activity WHERE
        application_name = 'vitrina-api' AND query LIKE 'FETCH%'" 2>/dev/null); do
      value=$(rss_kb "$pid")
      ((value > backend)) && backend=$value
    done
    sleep 0.02
  done
  echo "$server $backend" >"$file"
}

# curl's view of one full GET /catalog: "ttfb_s total_s bytes x_cache"
get_catalog() {
  curl -fsS -o /dev/null -D "$state/headers" -w '%{time_starttransfer} %{time_total} %{size_download}' \
    "http://127.0.0.1:$port/catalog"
  echo " $(tr -d '\r' <"$state/headers" | awk -F': ' 'tolower($1) == "x-cache" {print $2}')"
}

columns="id, carat, cut, color, clarity, depth, \"table\", price, x, y, z"
stream_sql="SELECT row_to_json(page.*)::text FROM (SELECT $columns FROM diamonds) AS page ORDER BY page.id"
psql_seconds() {
  local started ended
  started=$(date +%s.%N)
  psql "$DATABASE_URL" -XqAc "COPY ($stream_sql) TO STDOUT" >/dev/null
  ended=$(date +%s.%N)
  python3 -c "print(f'{$ended - $started:.3f}')"
}

median() { python3 -c "import statistics, sys; print(statistics.median(float(v) for v in sys.argv[1:]))" "$@"; }

header="# bench/catalog/stream.sh on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $runs runs per case, binary $binary, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$header" | tee "$out.txt"
json_sizes=()
for rows in $sizes; do
  csv="$state/diamonds-$rows.csv"
  [[ -s $csv ]] || awk -v rows="$rows" -f bench/etl/generate.awk >"$csv"
  "$binary" etl run --spec datasets/diamonds.yaml "$csv" >"$state/etl-$rows.log" 2>&1 ||
    { tail "$state/etl-$rows.log" >&2; exit 1; }
  psql "$DATABASE_URL" -XqAc "VACUUM ANALYZE diamonds"
  loaded=$(psql "$DATABASE_URL" -XqAtc "SELECT count(*) FROM diamonds")

  start_server 1000
  idle_kb=$(rss_kb "$server_pid")
  first=$(get_catalog)  # the MISS: teed until CACHE_MAX_ENTRY_BYTES, then marked too large
  echo "$rows rows generated, $loaded loaded; first GET /catalog: $first (ttfb s, total s, bytes, X-Cache); server idle RSS ${idle_kb} kB" |
    tee -a "$out.txt"
  ttfbs=() totals=() psqls=() server_peaks=() backend_peaks=() bytes=0
  for run in $(seq "$runs"); do
    rm -f "$state/peaks" "$state/peaks.stop"
    sample_peaks "$state/peaks" &
    sampler=$!
    read -r ttfb total bytes cache <<<"$(get_catalog)"
    touch "$state/peaks.stop"
    wait "$sampler"
    read -r server_kb backend_kb <"$state/peaks"
    p=$(psql_seconds)
    ttfbs+=("$ttfb") totals+=("$total") psqls+=("$p") server_peaks+=("$server_kb") backend_peaks+=("$backend_kb")
    echo "run $run: GET /catalog ttfb ${ttfb}s total ${total}s ${bytes} bytes X-Cache $cache, server peak RSS ${server_kb} kB (+$((server_kb - idle_kb)) kB over idle), backend peak RSS ${backend_kb} kB; psql COPY to /dev/null ${p}s" |
      tee -a "$out.txt"
  done
  batch_json=()
  for batch in $batches; do
    start_server "$batch"
    get_catalog >/dev/null  # marks the key too large on this fresh server
    times=()
    for _ in $(seq "$runs"); do
      read -r _ total _ _ <<<"$(get_catalog)"
      times+=("$total")
    done
    m=$(median "${times[@]}")
    echo "batch $batch rows per FETCH: GET /catalog total ${times[*]} s, median $m s" | tee -a "$out.txt"
    batch_json+=("\"$batch\": {\"total_s\": [$(IFS=,; echo "${times[*]}")], \"median_s\": $m}")
  done
  stop_server
  mt=$(median "${totals[@]}")
  mp=$(median "${psqls[@]}")
  summary=$(python3 -c "
rows, bytes, ttfb, total, psql, idle = $rows, $bytes, $(median "${ttfbs[@]}"), $mt, $mp, $idle_kb
server = $(median "${server_peaks[@]}")
print(f'{rows} rows, {bytes / 1e6:.1f} MB: median ttfb {ttfb * 1000:.0f} ms, GET /catalog {total:.2f} s '
      f'({bytes / total / 1e6:.1f} MB/s), psql {psql:.2f} s ({bytes / psql / 1e6:.1f} MB/s), ratio {psql / total:.2f}; '
      f'server peak RSS {server:.0f} kB, {(server - idle) / 1024:.1f} MB over idle')")
  echo "$summary" | tee -a "$out.txt"
  json_sizes+=("{\"rows\": $rows, \"bytes\": $bytes, \"first\": \"$first\", \"idle_kb\": $idle_kb,
    \"ttfb_s\": [$(IFS=,; echo "${ttfbs[*]}")], \"total_s\": [$(IFS=,; echo "${totals[*]}")],
    \"psql_s\": [$(IFS=,; echo "${psqls[*]}")], \"server_peak_kb\": [$(IFS=,; echo "${server_peaks[*]}")],
    \"backend_peak_kb\": [$(IFS=,; echo "${backend_peaks[*]}")],
    \"batches\": {$(IFS=,; echo "${batch_json[*]}")}}")
done
python3 - "$out.json" "$binary" "$header" "${json_sizes[@]}" <<'EOF'
import json, sys
path, binary, header, *sizes = sys.argv[1:]
with open(path, "w", encoding="utf-8") as target:
    json.dump({"binary": binary, "header": header, "sizes": [json.loads(s) for s in sizes]}, target, indent=1)
    target.write("\n")
EOF
echo "wrote $out.txt and $out.json"
