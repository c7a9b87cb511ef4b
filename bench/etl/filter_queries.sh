#!/usr/bin/env bash
# Times the API's list query (the shape core::BuildCatalogStatements generates: category filters
# as `$n IS NULL OR col = ANY($n)`, id cursor, limit + 1) against TABLE with whatever indexes it
# has, under both plan-cache modes (a server connection switches a prepared statement to the
# generic plan after 5 executions when the planner thinks it is no worse). Prints the median of
# 5 executions per query. Usage: bench/etl/filter_queries.sh TABLE LABEL   (needs DATABASE_URL)
set -euo pipefail
table=$1 label=$2
prepare="PREPARE q(text[], text[], text[], bigint, bigint) AS
WITH matched AS (SELECT id, carat, cut, color, clarity, depth, \"table\", price, x, y, z FROM $table
  WHERE (\$1 IS NULL OR cut = ANY(\$1)) AND (\$2 IS NULL OR color = ANY(\$2))
  AND (\$3 IS NULL OR clarity = ANY(\$3)) AND (\$4 IS NULL OR id > \$4) ORDER BY id LIMIT \$5 + 1),
page AS (SELECT * FROM matched ORDER BY id LIMIT \$5)
SELECT (SELECT count(*) FROM page), (SELECT coalesce(json_agg(page ORDER BY page.id), '[]'::json)::text FROM page),
  (SELECT count(*) FROM matched) > \$5, (SELECT max(id) FROM page);"
all=9223372036854775806
query() {  # name, parameters
  for mode in force_custom_plan force_generic_plan; do
    { echo "$prepare"; echo '\o /dev/null'; echo "SET plan_cache_mode = $mode;"; echo '\timing on'
      for _ in 1 2 3 4 5; do echo "EXECUTE q($2);"; done; } | psql "$DATABASE_URL" -q 2>&1 |
      awk '/^Time:/ {print $2}' | sort -n | sed -n 3p |
      xargs printf "%-10s %-26s %-19s %9.1f ms\n" "$label" "$1" "${mode%_plan}"
  done
}
query "cut=Fair limit=100" "'{Fair}', NULL, NULL, NULL, 100"
query "cut=Fair&color=J limit=100" "'{Fair}', '{J}', NULL, NULL, 100"
query "Fair&J&I1 limit=100" "'{Fair}', '{J}', '{I1}', NULL, 100"
query "Fair&J&I1 (all)" "'{Fair}', '{J}', '{I1}', NULL, $all"
query "cut=Fair (all)" "'{Fair}', NULL, NULL, NULL, $all"
