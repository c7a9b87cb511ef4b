#!/usr/bin/env bash
# GET /catalog?cut=Fair through the API (wrk) against the database's own ceiling for the same SQL
# (pgbench), in the same run, repeated; prints the medians and their ratio.
#
#   DATABASE_URL=postgresql://postgres@127.0.0.1:27700/vitrina bench/api/run.sh
#
# Needs: a Release build (build/release/src/vitrina, built if missing), the diamonds table loaded
# into DATABASE_URL, wrk and pgbench. Env: PORT (27711), THREADS (2), DB_POOL_SIZE (32), RUNS (3),
# DURATION (10s), CONNECTIONS (32), QUERY (cut=Fair).
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${DATABASE_URL:?set DATABASE_URL to a database with the diamonds table loaded}"
port=${PORT:-27711}
threads=${THREADS:-2}
pool=${DB_POOL_SIZE:-32}  # as many database sessions as pgbench opens
runs=${RUNS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
query=${QUERY:-cut=Fair}
binary=${BINARY:-build/release/src/vitrina}
out=bench/out/api
mkdir -p "$out"

for tool in wrk pgbench psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install -y wrk postgresql-client)"; exit 1; }
done
if [[ ! -x $binary ]]; then
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVITRINA_BUILD_TESTS=OFF >/dev/null
  ninja -C build/release -j2 vitrina
fi

# The exact statement the server prepares, with this query's parameters written in as literals
# (only cut is bound; everything else is NULL and the limit is "everything").
DATASET_SPEC=${DATASET_SPEC:-datasets/diamonds.yaml} "$binary" serve --print-sql \
  | awk '/^-- catalog_list/ {getline; print}' > "$out/catalog_list.sql"  # reads it all: no SIGPIPE
cut_value=${query#cut=}
python3 - "$out/catalog_list.sql" "$cut_value" <<'PY'
import re, sys
path, cut = sys.argv[1], sys.argv[2]
sql = open(path).read()
def literal(match):
    number, sql_type = int(match.group(1)), match.group(2)
    if sql_type == "text[]" and number == 3:  # cut is the first category column of diamonds
        return "'{\"%s\"}'::text[]" % cut
    if number == 19:
        return "9223372036854775806::bigint"
    return "NULL::" + sql_type
sql = re.sub(r"\$(\d+)::(text\[\]|double precision|bigint|text)", literal, sql)
open(path, "w").write(sql)
PY
expected=$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM diamonds WHERE cut = '$cut_value'")

server_log="$out/server.log"
# Every request reaches PostgreSQL (no cache) and needs no token: the API's own cost per query.
PORT=$port HOST=127.0.0.1 THREADS=$threads DB_POOL_SIZE=$pool LOG_LEVEL=${LOG_LEVEL:-info} \
  CACHE_ENABLED=false AUTH_PUBLIC_READS=true APPLICATIONINSIGHTS_CONNECTION_STRING= \
  DATASET_SPEC=${DATASET_SPEC:-datasets/diamonds.yaml} "$binary" serve >"$server_log" 2>&1 &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
got=$(curl -fs "http://127.0.0.1:$port/catalog?$query" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
[[ $got == "$expected" ]] || { echo "bench: API returned $got rows, SQL counts $expected"; exit 1; }
bytes=$(curl -fs "http://127.0.0.1:$port/catalog?$query" | wc -c)
echo "bench: GET /catalog?$query -> $got rows, $bytes bytes; THREADS=$threads DB_POOL_SIZE=$pool"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Warm both paths once.
wrk -t2 -c"$connections" -d2s "http://127.0.0.1:$port/catalog?$query" >/dev/null
pgbench -n -c"$connections" -j2 -T2 -f "$out/catalog_list.sql" "$DATABASE_URL" >/dev/null 2>&1

to_ms() {  # wrk latency "1.23ms" / "850.00us" / "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

results="$out/results.tsv"
printf 'run\tapi_rps\tapi_p50_ms\tapi_p99_ms\tpgbench_tps\tratio\n' > "$results"
for run in $(seq "$runs"); do
  wrk_out=$(wrk -t2 -c"$connections" -d"$duration" --latency "http://127.0.0.1:$port/catalog?$query")
  echo "$wrk_out" > "$out/wrk-$run.txt"
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$wrk_out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$wrk_out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$wrk_out")")
  if grep -q "Non-2xx" <<<"$wrk_out"; then echo "bench: errors in run $run"; grep Non-2xx <<<"$wrk_out"; fi
  pg_out=$(pgbench -n -c"$connections" -j2 -T"${duration%s}" -f "$out/catalog_list.sql" "$DATABASE_URL" 2>&1)
  echo "$pg_out" > "$out/pgbench-$run.txt"
  tps=$(awk '/^tps =/ {print $3; exit}' <<<"$pg_out")
  ratio=$(awk -v a="$rps" -v b="$tps" 'BEGIN { printf "%.2f", a / b }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$rps" "$p50" "$p99" "$tps" "$ratio" | tee -a "$results"
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
m_rps=$(tail -n +2 "$results" | cut -f2 | median)
m_p50=$(tail -n +2 "$results" | cut -f3 | median)
m_p99=$(tail -n +2 "$results" | cut -f4 | median)
m_tps=$(tail -n +2 "$results" | cut -f5 | median)
# The report, also kept as the committed results docs/api.md quotes (RESULTS to write elsewhere).
{
  echo "bench/api/run.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "GET /catalog?$query -> $got rows, $bytes bytes; THREADS=$threads DB_POOL_SIZE=$pool"
  echo
  cat "$results"
  echo
  echo "| GET /catalog?$query ($got rows) | req/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|"
  echo "| API (wrk -t2 -c$connections -d$duration), median of $runs | $m_rps | $m_p50 | $m_p99 |"
  echo "| PostgreSQL ceiling (pgbench -c$connections -j2), median of $runs | $m_tps | | |"
  echo "| ratio API / ceiling | $(awk -v a="$m_rps" -v b="$m_tps" 'BEGIN { printf "%.2f", a / b }') | | |"
} | tee "${RESULTS:-docs/results/api-vs-pgbench.txt}"
