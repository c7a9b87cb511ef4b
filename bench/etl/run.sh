#!/usr/bin/env bash
# ETL benchmark: `psql \copy` of the raw CSV into a plain table (the reference) against
# `vitrina etl run` end to end from Blob Storage (download, parse, validate, COPY, indexes, swap),
# 3 repetitions each, medians, plus the ETL's peak RSS. Needs DATABASE_URL (a migrated database)
# and AZURE_STORAGE_CONNECTION_STRING; builds a Release binary.
# Usage: bench/etl/run.sh [ROWS...]   (default: 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?DATABASE_URL must point to a migrated database}"
: "${AZURE_STORAGE_CONNECTION_STRING:?AZURE_STORAGE_CONNECTION_STRING must be set}"
sizes=("${@:-1000000}")
reps=3
out=bench/out/etl
mkdir -p "$out"

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DVITRINA_BUILD_TESTS=OFF >/dev/null
ninja -C build/release vitrina >/dev/null
bin=build/release/src/vitrina
[ -x /usr/bin/time ] || { echo "install the 'time' package (GNU time) for peak RSS" >&2; exit 1; }

# The bench loads its own table, never the live catalog.
sed 's/^table: .*/table: diamonds_bench/' datasets/diamonds.yaml > "$out/bench.yaml"

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s.%N; }

printf '%-10s %-9s %12s %12s %8s %14s\n' rows size "psql \\copy" "vitrina etl" ratio "etl peak RSS" > "$out/table.txt"
for rows in "${sizes[@]}"; do
  csv="$out/diamonds-$rows.csv"
  [ -s "$csv" ] || awk -v rows="$rows" -f bench/etl/generate.awk > "$csv"
  size=$(du -m "$csv" | cut -f1)
  "$bin" etl upload "$csv" "az://bench/diamonds-$rows.csv" >/dev/null 2>&1

  ref=() etl=() rss=()
  for ((r = 1; r <= reps; r++)); do
    psql "$DATABASE_URL" -qc 'DROP TABLE IF EXISTS bench_reference' -c 'CREATE TABLE bench_reference (
        idx text, carat float8, cut text, color text, clarity text, depth float8, "table" float8,
        price bigint, x float8, y float8, z float8)' >/dev/null
    start=$(now)
    psql "$DATABASE_URL" -qc "\\copy bench_reference FROM '$csv' WITH (FORMAT csv, HEADER true)"
    ref+=("$(echo "$(now) - $start" | bc)")

    start=$(now)
    /usr/bin/time -v -o "$out/time-$rows-$r.txt" "$bin" etl run --spec "$out/bench.yaml" \
      "az://bench/diamonds-$rows.csv" > "$out/etl-$rows-$r.txt" 2>&1
    etl+=("$(echo "$(now) - $start" | bc)")
    rss+=("$(awk '/Maximum resident/ {print $6}' "$out/time-$rows-$r.txt")")
  done
  psql "$DATABASE_URL" -qc 'DROP TABLE IF EXISTS bench_reference' >/dev/null
  ref_median=$(printf '%s\n' "${ref[@]}" | median)
  etl_median=$(printf '%s\n' "${etl[@]}" | median)
  rss_median=$(printf '%s\n' "${rss[@]}" | median)
  echo "rows=$rows reference: ${ref[*]}  etl: ${etl[*]}  rss KiB: ${rss[*]}"
  printf '%-10s %-9s %11.2fs %11.2fs %7.2fx %11.0f MB\n' "$rows" "${size}MB" "$ref_median" \
    "$etl_median" "$(echo "$etl_median / $ref_median" | bc -l)" "$(echo "$rss_median / 1024" | bc -l)" \
    >> "$out/table.txt"
  tail -n 4 "$out/etl-$rows-$reps.txt"
done
echo
cat "$out/table.txt"
echo "targets: ratio <= 1.5x, peak RSS <= 150 MB"
