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
#     same wall time per batch size, in turns;
#  4. for answers under 400 MiB: the cached full answer (a server letting the cache store it,
#     CACHE_MAX_ENTRY_BYTES raised) against nginx sending the same file, one request at a time.
# The first request of a size is a cache MISS whose copy is dropped at CACHE_MAX_ENTRY_BYTES; the
# runs measured are the ones after it (X-Cache: BYPASS, too-large).
# SB_BEFORE=BINARY: that build too, served beside the measured one and timed in the same turns
# (before, after, psql), so a change is judged by ratios of one run on a machine shared with
# others; its figures go to OUT_PREFIX.json under "before".
#
#   bench/catalog/stream.sh [VITRINA_BINARY] [STATE_DIR] [PORT_BASE] [OUT_PREFIX]
#
# Defaults: build/release/src/vitrina, .run/bench-stream, 25800, docs/results/catalog-stream
# (writes OUT_PREFIX.json and OUT_PREFIX.txt). Starts its own PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-build/release/src/vitrina}
state=${2:-.run/bench-stream}
base=${3:-25800}
out=${4:-docs/results/catalog-stream}
sizes=${SB_SIZES:-1000000}
runs=${SB_RUNS:-3}
batches=${SB_BATCHES:-100 1000 10000}
port=$((base + 10))
before=${SB_BEFORE:-}
before_port=$((base + 11))

mkdir -p "$(dirname "$out")"
# shellcheck source=bench/lib/catalog-services.sh
. bench/lib/catalog-services.sh
# shellcheck source=bench/lib/nginx.sh
. bench/lib/nginx.sh
bench_catalog_services "$state" "$base" "$binary"

server_pid=""
before_pid=""
launch() {  # launch BINARY PORT BATCH_ROWS [ENTRY_MAX_BYTES]: prints the pid once ready
  local entry_max=${4:-$((64 * 1024 * 1024))}
  PORT=$2 HOST=127.0.0.1 THREADS=$(nproc) DB_POOL_SIZE=8 CACHE_CLIENT_MISSES_PER_MINUTE=0 \
    AUTH_PUBLIC_READS=true REQUEST_TIMEOUT_MS=10000 CATALOG_STREAM_BATCH_ROWS="$3" \
    CACHE_MAX_ENTRY_BYTES=$entry_max CACHE_LOCAL_MAX_BYTES=$entry_max CACHE_TTL_SECONDS=3600 \
    "$1" serve >>"$state/serve-$2.log" 2>&1 &
  local pid=$!
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$2/readyz" >/dev/null 2>&1 && { echo "$pid"; return; }
    sleep 0.1
  done
  echo "the server $1 did not become ready" >&2
  kill -TERM "$pid" 2>/dev/null || true
  exit 1
}
start_server() {  # start_server BATCH_ROWS [WITH_BEFORE] [ENTRY_MAX_BYTES]
  stop_server
  server_pid=$(launch "$binary" "$port" "$1" "${3:-}")
  bench_pids+=("$server_pid")
  if [[ -n $before && -n ${2:-} ]]; then
    before_pid=$(launch "$before" "$before_port" "$1")
    bench_pids+=("$before_pid")
  fi
}
stop_server() {
  local pid
  for pid in $server_pid $before_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    # Started in a command substitution: not this shell's child, so no `wait`.
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
  server_pid="" before_pid=""
}

rss_kb() {  # rss_kb PID -> VmRSS in kB (0 when gone); builtins only: it runs every 20 ms
  local key value _
  while read -r key value _; do
    [[ $key == VmRSS: ]] && { echo "$value"; return; }
  done <"/proc/$1/status" 2>/dev/null
  echo 0
}

# Samples the server's and the streaming backend's VmRSS until the file $1.stop exists; writes the
# peaks ("server_kb backend_kb") to $1. The backend is looked up (psql) until found, then only
# its /proc is read: a psql every 20 ms took CPU from the stream it measured.
sample_peaks() {  # sample_peaks FILE SERVER_PID
  local file=$1 server=0 backend=0 value backend_pid=""
  while [[ ! -e $file.stop ]]; do
    value=$(rss_kb "$2")
    ((value > server)) && server=$value
    if [[ -z $backend_pid ]]; then
      backend_pid=$(psql "$DATABASE_URL" -XqAtc "SELECT pid FROM pg_stat_activity WHERE
        application_name = 'vitrina-api' AND query LIKE 'FETCH%' LIMIT 1" 2>/dev/null || true)
    fi
    if [[ -n $backend_pid ]]; then
      value=$(rss_kb "$backend_pid")
      ((value > backend)) && backend=$value
    fi
    sleep 0.02
  done
  echo "$server $backend" >"$file"
}

# curl's view of one full GET /catalog: "ttfb_s total_s bytes x_cache"
get_catalog() {  # get_catalog [PORT]
  curl -fsS -o /dev/null -D "$state/headers" -w '%{time_starttransfer} %{time_total} %{size_download}' \
    "http://127.0.0.1:${1:-$port}/catalog"
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

# 4. A cached full answer against nginx sending the same bytes from a file (sendfile on), one
# curl at a time in turns, SB_RUNS x 2; the server caches answers up to 400 MiB for it (Redis
# refuses values over 512 MB; its maxmemory is raised, as writing an entry needs room for the
# command's buffer and the value at once). Prints "vitrina_s nginx_s" medians and writes the
# JSON member to $state/cached.json.
nginx_port=$((base + 14))
cached_vs_nginx() {  # cached_vs_nginx ROWS
  local limit=$((400 * 1024 * 1024)) api_times=() nginx_times=() a n cache
  redis-cli -u "$REDIS_URL" CONFIG SET maxmemory 1gb >/dev/null
  start_server 1000 "" "$limit"
  get_catalog >/dev/null  # the MISS that stores it (after its last byte is sent)
  for _ in $(seq 20); do
    read -r _ _ _ cache <<<"$(get_catalog)"
    [[ $cache == HIT ]] && break
    sleep 1
  done
  if [[ $cache != HIT ]]; then
    echo "cached full answer: not stored (X-Cache $cache)" | tee -a "$out.txt"
    echo '{}' >"$state/cached.json"
    redis-cli -u "$REDIS_URL" CONFIG SET maxmemory 256mb >/dev/null
    return
  fi
  mkdir -p "$state/static"
  curl -fsS -o "$state/static/catalog.json" "http://127.0.0.1:$port/catalog"
  bench_nginx "$state/nginx" "$nginx_port" "$state/static" "$(nproc)" catalog.json
  bench_pids+=("$nginx_pid")
  for _ in $(seq $((runs * 2))); do
    read -r _ a _ cache <<<"$(get_catalog)"
    [[ $cache == HIT ]] || { echo "cached full answer: X-Cache $cache during the runs" >&2; exit 1; }
    n=$(curl -fsS -o /dev/null -w '%{time_total}' "http://127.0.0.1:$nginx_port/static/catalog.json")
    api_times+=("$a") nginx_times+=("$n")
  done
  kill -TERM "$nginx_pid" 2>/dev/null || true
  wait "$nginx_pid" 2>/dev/null || true
  rm -f "$state/static/catalog.json"
  redis-cli -u "$REDIS_URL" CONFIG SET maxmemory 256mb >/dev/null
  local ma mn
  ma=$(median "${api_times[@]}")
  mn=$(median "${nginx_times[@]}")
  echo "cached full answer ($1 rows, X-Cache HIT, sendfile of the local copy) vs nginx: vitrina ${api_times[*]} s, nginx ${nginx_times[*]} s; medians $ma s / $mn s, vitrina/nginx throughput $(python3 -c "print(f'{$mn / $ma:.2f}')")" |
    tee -a "$out.txt"
  echo "{\"vitrina_s\": [$(IFS=,; echo "${api_times[*]}")], \"nginx_s\": [$(IFS=,; echo "${nginx_times[*]}")]}" >"$state/cached.json"
}

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

  start_server 1000 with-before
  idle_kb=$(rss_kb "$server_pid")
  first=$(get_catalog)  # the MISS: teed until CACHE_MAX_ENTRY_BYTES, then marked too large
  echo "$rows rows generated, $loaded loaded; first GET /catalog: $first (ttfb s, total s, bytes, X-Cache); server idle RSS ${idle_kb} kB" |
    tee -a "$out.txt"
  if [[ -n $before ]]; then
    before_idle_kb=$(rss_kb "$before_pid")
    before_first=$(get_catalog "$before_port")
    echo "before ($before): first GET /catalog: $before_first; server idle RSS ${before_idle_kb} kB" | tee -a "$out.txt"
  fi
  ttfbs=() totals=() psqls=() server_peaks=() backend_peaks=() bytes=0
  b_ttfbs=() b_totals=() b_peaks=()
  for run in $(seq "$runs"); do
    if [[ -n $before ]]; then
      rm -f "$state/peaks" "$state/peaks.stop"
      sample_peaks "$state/peaks" "$before_pid" &
      sampler=$!
      read -r ttfb total _ cache <<<"$(get_catalog "$before_port")"
      touch "$state/peaks.stop"
      wait "$sampler"
      read -r server_kb _ <"$state/peaks"
      b_ttfbs+=("$ttfb") b_totals+=("$total") b_peaks+=("$server_kb")
      echo "run $run before: GET /catalog ttfb ${ttfb}s total ${total}s X-Cache $cache, server peak RSS ${server_kb} kB (+$((server_kb - before_idle_kb)) kB over idle)" |
        tee -a "$out.txt"
    fi
    rm -f "$state/peaks" "$state/peaks.stop"
    sample_peaks "$state/peaks" "$server_pid" &
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
  cached_json="null"
  if ((bytes < 400 * 1024 * 1024)); then
    cached_vs_nginx "$rows"
    cached_json=$(cat "$state/cached.json")
  else
    echo "cached full answer: not measured, $bytes bytes are over the 400 MiB this script lets the cache store (Redis refuses values over 512 MB)" |
      tee -a "$out.txt"
  fi
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
  before_json=""
  if [[ -n $before ]]; then
    mbt=$(median "${b_totals[@]}")
    python3 -c "
rows, bytes, ttfb, total, psql, idle = $rows, $bytes, $(median "${b_ttfbs[@]}"), $mbt, $mp, $before_idle_kb
server = $(median "${b_peaks[@]}")
print(f'before, same runs: median ttfb {ttfb * 1000:.0f} ms, GET /catalog {total:.2f} s '
      f'({bytes / total / 1e6:.1f} MB/s), ratio to psql {psql / total:.2f}; '
      f'server peak RSS {(server - idle) / 1024:.1f} MB over idle')" | tee -a "$out.txt"
    before_json=", \"before\": {\"binary\": \"$before\", \"first\": \"$before_first\", \"idle_kb\": $before_idle_kb,
      \"ttfb_s\": [$(IFS=,; echo "${b_ttfbs[*]}")], \"total_s\": [$(IFS=,; echo "${b_totals[*]}")],
      \"server_peak_kb\": [$(IFS=,; echo "${b_peaks[*]}")]}"
  fi
  json_sizes+=("{\"rows\": $rows, \"bytes\": $bytes, \"first\": \"$first\", \"idle_kb\": $idle_kb,
    \"ttfb_s\": [$(IFS=,; echo "${ttfbs[*]}")], \"total_s\": [$(IFS=,; echo "${totals[*]}")],
    \"psql_s\": [$(IFS=,; echo "${psqls[*]}")], \"server_peak_kb\": [$(IFS=,; echo "${server_peaks[*]}")],
    \"backend_peak_kb\": [$(IFS=,; echo "${backend_peaks[*]}")],
    \"batches\": {$(IFS=,; echo "${batch_json[*]}")}, \"cached_vs_nginx\": $cached_json$before_json}")
done
python3 - "$out.json" "$binary" "$header" "${json_sizes[@]}" <<'EOF'
import json, sys
path, binary, header, *sizes = sys.argv[1:]
with open(path, "w", encoding="utf-8") as target:
    json.dump({"binary": binary, "header": header, "sizes": [json.loads(s) for s in sizes]}, target, indent=1)
    target.write("\n")
EOF
echo "wrote $out.txt and $out.json"
