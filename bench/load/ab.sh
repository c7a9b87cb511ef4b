#!/usr/bin/env bash
# A/B of two builds on the same machine, in the same minutes: the cached GET paths of each, in
# turns, so the machine's drift hits both alike. For "not slower than before" claims.
#
#   bench/load/ab.sh BEFORE_BINARY AFTER_BINARY [STATE_DIR] [PORT_BASE]
#
# Starts its own PostgreSQL and Redis, loads the diamonds, serves each binary (public reads,
# cache on, as make bench's "public" case), warms the paths, then for each path runs wrk on
# BEFORE and AFTER in turn, AB_RUNS times (5) for AB_DURATION (6s), -c AB_CONNECTIONS (32).
# Prints requests/s per run and the median of the per-run ratios AFTER / BEFORE.
# AB_PATHS: space-separated paths ("/catalog?cut=Fair /catalog"). AB_HEADER: one request header
# for every request, warm-up included (e.g. "Accept-Encoding: gzip" for the cached gzip variant).
set -euo pipefail
cd "$(dirname "$0")/../.."

before=${1:?usage: bench/load/ab.sh BEFORE_BINARY AFTER_BINARY [STATE_DIR] [PORT_BASE]}
after=${2:?after binary}
state=${3:-.run/bench-ab}
base=${4:-25900}
runs=${AB_RUNS:-5}
duration=${AB_DURATION:-6s}
connections=${AB_CONNECTIONS:-32}
read -r -a paths <<<"${AB_PATHS:-/catalog?cut=Fair /catalog}"

# shellcheck source=bench/lib/catalog-services.sh
. bench/lib/catalog-services.sh
bench_catalog_services "$state" "$base" "$after"

serve() {  # serve NAME BINARY PORT
  PORT=$3 HOST=127.0.0.1 THREADS=$(nproc) DB_POOL_SIZE=8 CACHE_TTL_SECONDS=3600 \
    CACHE_CLIENT_MISSES_PER_MINUTE=0 "$2" serve >"$state/$1.log" 2>&1 &
  bench_pids+=("$!")
  bench_wait_ready "$3" || { echo "ab: $1 did not start" >&2; exit 1; }
}
serve before "$before" $((base + 10))
serve after "$after" $((base + 11))

header=()
[[ -n ${AB_HEADER:-} ]] && header=(-H "$AB_HEADER")
rps() {  # rps PORT PATH -> requests/s
  wrk -t2 -c"$connections" -d"$duration" "${header[@]}" "http://127.0.0.1:$1$2" |
    awk '/^Requests\/sec/ {print $2}'
}
for path in "${paths[@]}"; do
  for port in $((base + 10)) $((base + 11)); do
    for _ in 1 2 3; do curl -fs -o /dev/null "${header[@]}" "http://127.0.0.1:$port$path"; done
    rps "$port" "$path" >/dev/null  # warm-up run, not counted
  done
  ratios=()
  for run in $(seq "$runs"); do
    a=$(rps $((base + 10)) "$path")
    b=$(rps $((base + 11)) "$path")
    ratio=$(python3 -c "print(f'{$b / $a:.3f}')")
    ratios+=("$ratio")
    echo "$path run $run: before $a req/s, after $b req/s, after/before $ratio"
  done
  python3 -c "import statistics, sys; r = [float(x) for x in sys.argv[2:]]; \
print(f'{sys.argv[1]}: median after/before {statistics.median(r):.3f} over {len(r)} runs')" \
    "$path" "${ratios[@]}"
done
