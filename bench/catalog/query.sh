#!/usr/bin/env bash
# GET /catalog's sort, fields and total (issue #17), on the diamonds:
#  1. cached hits: a sorted page and a field-selected page against the plain page of the same
#     filter, wrk on each in turns, QB_RUNS times (5) for QB_DURATION (6s), -c QB_CONNECTIONS (32);
#     the ratios sorted/plain and fields/plain per run and their medians (target: within 5%);
#  2. misses: the list statement with and without its total, and with a window count instead
#     (bench/catalog/total_cost.py, pgbench, in turns, medians).
#
#   bench/catalog/query.sh [VITRINA_BINARY] [STATE_DIR] [PORT_BASE] [OUT_PREFIX]
#
# Defaults: build/release/src/vitrina, .run/bench-query, 25700, docs/results/catalog-query
# (writes OUT_PREFIX.json and OUT_PREFIX.txt). Starts its own PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:-build/release/src/vitrina}
state=${2:-.run/bench-query}
base=${3:-25700}
out=${4:-docs/results/catalog-query}
runs=${QB_RUNS:-5}
duration=${QB_DURATION:-6s}
connections=${QB_CONNECTIONS:-32}
port=$((base + 10))
plain="/catalog?cut=Fair&limit=100"
sorted="/catalog?cut=Fair&limit=100&sort=-price,carat"
fields="/catalog?cut=Fair&limit=100&fields=carat,cut,price"

mkdir -p "$(dirname "$out")"
# shellcheck source=bench/lib/catalog-services.sh
. bench/lib/catalog-services.sh
bench_catalog_services "$state" "$base" "$binary"

PORT=$port HOST=127.0.0.1 THREADS=$(nproc) DB_POOL_SIZE=8 CACHE_TTL_SECONDS=3600 \
  CACHE_CLIENT_MISSES_PER_MINUTE=0 AUTH_PUBLIC_READS=true "$binary" serve >"$state/serve.log" 2>&1 &
bench_pids+=("$!")
for _ in $(seq 300); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

rps() {  # rps PATH -> requests/s
  wrk -t2 -c"$connections" -d"$duration" "http://127.0.0.1:$port$1" | awk '/^Requests\/sec/ {print $2}'
}
{
  echo "# bench/catalog/query.sh on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $runs runs of $duration, -c $connections, binary $binary"
  for path in "$plain" "$sorted" "$fields"; do
    for _ in 1 2 3; do curl -fs -o /dev/null "http://127.0.0.1:$port$path"; done
    echo "$path: X-Cache $(curl -fsS -o /dev/null -D - "http://127.0.0.1:$port$path" |
      tr -d '\r' | awk -F': ' 'tolower($1) == "x-cache" {print $2}'), $(curl -fsS "http://127.0.0.1:$port$path" | wc -c) bytes"
    rps "$path" >/dev/null  # warm-up run, not counted
  done
} | tee "$out.txt"
hits=()
for run in $(seq "$runs"); do
  a=$(rps "$plain")
  b=$(rps "$sorted")
  c=$(rps "$fields")
  hits+=("$a,$b,$c")
  echo "hits run $run: plain $a req/s, sorted $b req/s ($(python3 -c "print(f'{$b / $a:.3f}')")), fields $c req/s ($(python3 -c "print(f'{$c / $a:.3f}')"))" | tee -a "$out.txt"
done

"$binary" serve --print-sql >"$state/statements.sql"
python3 bench/catalog/total_cost.py --sql "$state/statements.sql" --database-url "$DATABASE_URL" \
  --runs "$runs" --json "$state/total_cost.json" | tee -a "$out.txt"

python3 - "$out.json" "$state/total_cost.json" "$binary" "$plain" "$sorted" "$fields" "${hits[@]}" <<'PY' | tee -a "$out.txt"
import json, statistics, sys
out, cost_path, binary, plain, sorted_path, fields = sys.argv[1:7]
runs = [[float(x) for x in run.split(",")] for run in sys.argv[7:]]
sorted_ratio = statistics.median(b / a for a, b, _ in runs)
fields_ratio = statistics.median(c / a for a, _, c in runs)
result = {
    "binary": binary,
    "hits": {"paths": {"plain": plain, "sorted": sorted_path, "fields": fields},
             "runs_rps": [{"plain": a, "sorted": b, "fields": c} for a, b, c in runs],
             "median_rps": {"plain": statistics.median(r[0] for r in runs),
                            "sorted": statistics.median(r[1] for r in runs),
                            "fields": statistics.median(r[2] for r in runs)},
             "median_ratio": {"sorted_vs_plain": round(sorted_ratio, 3),
                              "fields_vs_plain": round(fields_ratio, 3)}},
    "total_cost": json.load(open(cost_path)),
}
json.dump(result, open(out, "w"), indent=2)
print(f"hits: median sorted/plain {sorted_ratio:.3f}, fields/plain {fields_ratio:.3f} over {len(runs)} runs")
PY
