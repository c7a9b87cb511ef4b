#!/usr/bin/env bash
# The CPU work of one cached hit, counted instead of timed (issue #17): user-space instructions
# per request under callgrind and heap allocations per request under heaptrack, for two builds.
# Counts do not move with the machine's load the way requests/s do on a shared 2-core machine
# (valgrind counts instructions, whatever else runs), so a change to the hit path shows here in
# one run; bench/load/ab.sh and compression.sh give the requests/s it leads to.
#
#   bench/load/hit-cost.sh BEFORE_BINARY AFTER_BINARY [STATE_DIR] [PORT_BASE]
#
# Starts its own PostgreSQL and Redis and loads the diamonds (like ab.sh). For each binary and
# each case (identity and gzip `?cut=Fair`, a HIT from the local copy), a server is warmed up,
# the counters are zeroed, wrk sends requests for HIT_COST_SECONDS (8) on HIT_COST_CONNECTIONS
# (8) connections, and the instructions of exactly that window are divided by its requests.
# Allocations are heaptrack's total for a run of 2 + 6 s divided by its requests (the server's
# start-up is included: a few thousand allocations, under 0.2 per request).
set -euo pipefail
cd "$(dirname "$0")/../.."

before=${1:?usage: bench/load/hit-cost.sh BEFORE_BINARY AFTER_BINARY [STATE_DIR] [PORT_BASE]}
after=${2:?after binary}
state=${3:-.run/bench-hit-cost}
base=${4:-25980}
seconds=${HIT_COST_SECONDS:-8}
connections=${HIT_COST_CONNECTIONS:-8}
for tool in valgrind callgrind_control heaptrack wrk; do
  command -v "$tool" >/dev/null || { echo "hit-cost: $tool is missing" >&2; exit 1; }
done

# shellcheck source=bench/lib/catalog-services.sh
. bench/lib/catalog-services.sh
bench_catalog_services "$state" "$base" "$after"

# valgrind names its control pipe after USER and HOST, and HOST is also the server's listen
# address: both the server and callgrind_control must see the same two.
export USER=${USER:-bench} HOST=127.0.0.1
path="/catalog?cut=Fair"
port=$((base + 10))

serve() {  # serve WRAPPER... BINARY -> starts it on $port in the background, sets $server
  PORT=$port THREADS=2 DB_POOL_SIZE=8 CACHE_TTL_SECONDS=3600 CACHE_CLIENT_MISSES_PER_MINUTE=0 \
    "$@" serve >"$state/server.log" 2>&1 &
  server=$!
  bench_pids+=("$server")
  bench_wait_ready "$port" 120 || { echo "hit-cost: $* did not start" >&2; exit 1; }
}
requests() {  # requests SECONDS CODING -> how many wrk answered
  local header=()
  [[ $2 != identity ]] && header=(-H "Accept-Encoding: $2")
  wrk -t1 -c"$connections" -d"$1s" "${header[@]}" "http://127.0.0.1:$port$path" |
    awk '/requests in/ {print $1}'
}
warm() {  # warm CODING: the entry, its variant and the local copies in place
  local header=()
  [[ $1 != identity ]] && header=(-H "Accept-Encoding: $1")
  for _ in 1 2 3; do
    curl -fs -o /dev/null "${header[@]}" "http://127.0.0.1:$port$path"
    sleep 0.5
  done
  curl -fs -D - -o /dev/null "${header[@]}" "http://127.0.0.1:$port$path" | grep -qi '^x-cache: HIT' ||
    { echo "hit-cost: $path ($1) is not a HIT" >&2; exit 1; }
}
stop() {  # stop BINARY: heaptrack runs it as a child of its script, which then writes its file
  pkill -TERM -f "^$1 serve" || kill -TERM "$server"
  wait "$server" 2>/dev/null || true
}

instructions() {  # instructions BINARY CODING -> instructions per request
  rm -f "$state/callgrind.out"*
  serve valgrind --tool=callgrind --callgrind-out-file="$state/callgrind.out" "$1"
  warm "$2"
  requests 2 "$2" >/dev/null
  callgrind_control -z "$server" >/dev/null
  local n
  n=$(requests "$seconds" "$2")
  callgrind_control -d "$server" >/dev/null
  stop "$1"
  local ir
  ir=$(awk '/^summary:/ {print $2}' "$state/callgrind.out.1")
  echo $((ir / n))
}

allocations() {  # allocations BINARY CODING -> heap allocations per request
  rm -f "$state/heaptrack."*
  serve heaptrack -o "$state/heaptrack" "$1"
  warm "$2"
  local n
  n=$(($(requests 2 "$2") + $(requests 6 "$2")))
  stop "$1"
  local total
  total=$(heaptrack_print -f "$state/heaptrack."* --print-peaks 0 --print-allocators 0 \
    --print-temporary 0 --print-leaks 0 2>/dev/null | awk '/^calls to allocation functions:/ {print $5}')
  python3 -c "print(f'{$total / $n:.1f}')"
}

echo "# bench/load/hit-cost.sh on $(date -u '+%Y-%m-%d %H:%M UTC'), cached $path, wrk -c$connections"
echo "# before: $before"
echo "# after:  $after"
printf '%-9s %-7s %14s %14s\n' case build "instr/request" "allocs/request"
for coding in identity gzip; do
  declare -A ir allocs
  for build in before after; do
    binary=$before
    [[ $build == after ]] && binary=$after
    ir[$build]=$(instructions "$binary" "$coding")
    allocs[$build]=$(allocations "$binary" "$coding")
    printf '%-9s %-7s %14s %14s\n' "$coding" "$build" "${ir[$build]}" "${allocs[$build]}"
  done
  python3 -c "print(f'{\"$coding\":<9} after/before: instructions {${ir[after]} / ${ir[before]}:.3f}, allocations {${allocs[after]} / ${allocs[before]}:.3f}')"
done
