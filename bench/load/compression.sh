#!/usr/bin/env bash
# Compressed catalog answers (issue #17), measured on one binary (a release build):
#   1. bytes on the wire for /catalog and /catalog?cut=Fair in identity, gzip and br (the stored
#      variants, after the background recompression);
#   2. cached ?cut=Fair with Accept-Encoding: gzip against nginx serving the same gzip bytes with
#      gzip_static on, wrk on each in turns (COMPRESS_RUNS, 5), median of the per-run ratios, and
#      the CPU time per request of each process in those runs (the server, its Redis, wrk; nginx's
#      workers, wrk): on 2 shared cores, what each costs per request decides the requests/s;
#   3. the full-catalog miss with gzip and with br against the identity miss (every variant and
#      the entry deleted before each request), in turns, medians of COMPRESS_MISSES (7), on a
#      second server configured as served (the fast level on the request's path, the background
#      recompression after it), each miss measured only once the previous one's recompression
#      is over.
#
#   bench/load/compression.sh BINARY [STATE_DIR] [PORT_BASE]  -> docs/results/compression.{json,txt}
#
# Starts its own PostgreSQL and Redis and loads the diamonds, like ab.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."

binary=${1:?usage: bench/load/compression.sh BINARY [STATE_DIR] [PORT_BASE]}
state=${2:-.run/bench-compression}
base=${3:-25950}
runs=${COMPRESS_RUNS:-5}
misses=${COMPRESS_MISSES:-7}
duration=${COMPRESS_DURATION:-6s}
connections=${COMPRESS_CONNECTIONS:-32}
out_json=${COMPRESS_OUT:-docs/results/compression.json}

# shellcheck source=bench/lib/catalog-services.sh
. bench/lib/catalog-services.sh
# shellcheck source=bench/lib/nginx.sh
. bench/lib/nginx.sh
bench_catalog_services "$state" "$base" "$binary"
redis=(redis-cli -u "$REDIS_URL")

api=$((base + 10))
PORT=$api HOST=127.0.0.1 THREADS=$(nproc) DB_POOL_SIZE=8 CACHE_TTL_SECONDS=3600 \
  CACHE_CLIENT_MISSES_PER_MINUTE=0 "$binary" serve >"$state/api.log" 2>&1 &
api_pid=$!
bench_pids+=("$!")
bench_wait_ready "$api" || { echo "compression: the server did not start" >&2; exit 1; }
url="http://127.0.0.1:$api"
metric() { metric_at "$url" "$1"; }
metric_at() {  # metric_at URL MEASURE -> that vitrina_cache_compression measure
  curl -fs "$1/metrics" | awk -v m="vitrina_cache_compression{measure=\"$2\"}" '$1 == m {print $2}'
}

# 1. Bytes on the wire, once the stored variants are final (the background recompression done).
declare -A size
for path in "/catalog" "/catalog?cut=Fair"; do
  for coding in identity gzip br; do
    header=()
    [[ $coding != identity ]] && header=(-H "Accept-Encoding: $coding")
    curl -fs -o /dev/null "${header[@]}" "$url$path"
  done
done
for _ in $(seq 600); do  # the br of the full catalog takes seconds
  [[ $(metric recompressions) == 4 ]] && break
  sleep 0.5
done
for path in "/catalog" "/catalog?cut=Fair"; do
  for coding in identity gzip br; do
    header=()
    [[ $coding != identity ]] && header=(-H "Accept-Encoding: $coding")
    size["$path $coding"]=$(curl -fs -o "$state/body" -w '%{size_download}' "${header[@]}" "$url$path")
  done
done
curl -fs "$url/catalog?cut=Fair" >"$state/fair.json"
curl -fs -H "Accept-Encoding: gzip" "$url/catalog?cut=Fair" >"$state/fair.json.gz"
gunzip -c "$state/fair.json.gz" | cmp -s - "$state/fair.json" ||
  { echo "compression: the gzip answer does not decode to the identity answer" >&2; exit 1; }

# 2. Cached ?cut=Fair in gzip against nginx's gzip_static on the same bytes.
mkdir -p "$state/static"
cp "$state/fair.json" "$state/fair.json.gz" "$state/static/"
nginx_port=$((base + 14))
bench_nginx "$state/nginx" "$nginx_port" "$state/static" "$(nproc)" fair.json "gzip_static on;"
bench_pids+=("$nginx_pid")
curl -fsS -H "Accept-Encoding: gzip" -D "$state/nginx-headers" \
  "http://127.0.0.1:$nginx_port/static/fair.json" | cmp -s - "$state/fair.json.gz" ||
  { echo "compression: nginx does not serve the same gzip bytes" >&2; exit 1; }
rps() {  # rps URL -> requests/s, requests, wrk's user and system CPU seconds
  python3 - wrk -t2 -c"$connections" -d"$duration" -H "Accept-Encoding: gzip" "$1" <<'PY'
import re, resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True).stdout
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
rate = re.search(r"^Requests/sec:\s+(\S+)", out, re.M).group(1)
count = re.search(r"^\s*(\d+) requests in", out, re.M).group(1)
print(rate, count, usage.ru_utime, usage.ru_stime)
PY
}
cpu_ticks() {  # cpu_ticks PID... -> user and system clock ticks of those processes, all threads
  local user=0 system=0 pid fields
  for pid in "$@"; do
    # After "(comm) ", field 0 is the state: utime and stime (fields 14 and 15) are 11 and 12.
    read -r -a fields < <(sed 's/.*) //' "/proc/$pid/stat")
    user=$((user + fields[11]))
    system=$((system + fields[12]))
  done
  echo "$user $system"
}
# CPU per request of each process during a run (the 2 cores are shared by the server, Redis and
# wrk, so what each costs decides the requests/s): microseconds of user and system time.
redis_pid=$("${redis[@]}" INFO server | awk -F: '/^process_id:/ {print $2}' | tr -d '\r')
mapfile -t nginx_workers < <(pgrep -P "$nginx_pid")
ticks_per_second=$(getconf CLK_TCK)
measured() {  # measured URL PID... -> requests/s, µs/request "user sys" of PIDs, of Redis, of wrk
  local before after redis_before redis_after result
  read -r -a before < <(cpu_ticks "${@:2}")
  read -r -a redis_before < <(cpu_ticks "$redis_pid")
  read -r -a result < <(rps "$1")
  read -r -a after < <(cpu_ticks "${@:2}")
  read -r -a redis_after < <(cpu_ticks "$redis_pid")
  python3 -c "import sys; r, n, wu, ws, u0, s0, u1, s1, ru0, rs0, ru1, rs1, hz = map(float, sys.argv[1:]); \
us = lambda seconds: f'{seconds * 1e6 / n:.1f}'; \
print(r, us((u1 - u0) / hz), us((s1 - s0) / hz), us((ru1 - ru0) / hz), us((rs1 - rs0) / hz), us(wu), us(ws))" \
    "${result[@]}" "${before[@]}" "${after[@]}" "${redis_before[@]}" "${redis_after[@]}" \
    "$ticks_per_second"
}
compressions_before=$(metric compressions)
rps "$url/catalog?cut=Fair" >/dev/null  # warm-up runs, not counted
rps "http://127.0.0.1:$nginx_port/static/fair.json" >/dev/null
api_rps=()
cpu_rows=()
nginx_rps=()
for run in $(seq "$runs"); do
  read -r a api_user api_sys redis_user redis_sys api_wrk_user api_wrk_sys < <(
    measured "$url/catalog?cut=Fair" "$api_pid")
  read -r n nginx_user nginx_sys _ _ nginx_wrk_user nginx_wrk_sys < <(
    measured "http://127.0.0.1:$nginx_port/static/fair.json" "${nginx_workers[@]}")
  api_rps+=("$a")
  nginx_rps+=("$n")
  cpu_rows+=("$api_user $api_sys $redis_user $redis_sys $api_wrk_user $api_wrk_sys $nginx_user $nginx_sys $nginx_wrk_user $nginx_wrk_sys")
  echo "cut=Fair gzip run $run: vitrina $a req/s, nginx gzip_static $n req/s"
done
compressions_after=$(metric compressions)

# 3. The full-catalog miss: identity, gzip, br in turns, the entry and its variants deleted first.
#    A server of its own, configured as served: the 7.3 MB answer is compressed at the fast level
#    for the request, then recompressed in the background (seconds of Brotli on one of 2 cores),
#    so each compressed miss waits for its recompression to end before the next one is measured.
#    (CACHE_RECOMPRESS_MIN_BYTES=0 would turn the recompression off, but also compress every
#    answer at the middle level on the request's path: not what a served miss does.)
miss_port=$((base + 11))
PORT=$miss_port HOST=127.0.0.1 THREADS=$(nproc) DB_POOL_SIZE=8 CACHE_TTL_SECONDS=3600 \
  CACHE_CLIENT_MISSES_PER_MINUTE=0 "$binary" serve \
  >"$state/api-miss.log" 2>&1 &
bench_pids+=("$!")
bench_wait_ready "$miss_port" || { echo "compression: the miss server did not start" >&2; exit 1; }
miss_url="http://127.0.0.1:$miss_port"
miss_ms() {  # miss_ms CODING -> milliseconds of one miss (then waits for its recompression)
  "${redis[@]}" DEL "catalog:all" "{catalog:all}:gzip" "{catalog:all}:br" >/dev/null
  local header=() before seconds
  [[ $1 != identity ]] && header=(-H "Accept-Encoding: $1")
  before=$(metric_at "$miss_url" recompressions)
  seconds=$(curl -fs -o /dev/null "${header[@]}" -w '%{time_total}' "$miss_url/catalog")
  if [[ $1 != identity ]]; then
    for _ in $(seq 600); do
      [[ $(metric_at "$miss_url" recompressions) != "$before" ]] && break
      sleep 0.1
    done
  fi
  python3 -c "import sys; print(f'{float(sys.argv[1]) * 1000:.1f}')" "$seconds"
}
declare -A miss
for coding in identity gzip br; do miss_ms "$coding" >/dev/null; done  # warm-up
for run in $(seq "$misses"); do
  line="full-catalog miss run $run:"
  for coding in identity gzip br; do
    t=$(miss_ms "$coding")
    miss[$coding]+="$t "
    line+=" $coding $t ms"
  done
  echo "$line"
done

python3 - "$out_json" "$runs" "$duration" "$connections" "$compressions_before" \
  "$compressions_after" <<EOF
import json, statistics, sys
out, runs, duration, connections, c_before, c_after = sys.argv[1:7]
size = {
$(for key in "${!size[@]}"; do echo "  \"$key\": ${size[$key]},"; done)
}
api = [float(x) for x in "${api_rps[*]}".split()]
cpu_names = ["vitrina_user", "vitrina_system", "redis_user", "redis_system", "wrk_with_vitrina_user",
             "wrk_with_vitrina_system", "nginx_user", "nginx_system", "wrk_with_nginx_user",
             "wrk_with_nginx_system"]
cpu_rows = [[float(x) for x in row.split()] for row in """$(printf '%s\n' "${cpu_rows[@]}")""".splitlines()]
nginx = [float(x) for x in "${nginx_rps[*]}".split()]
miss = {
  "identity": [float(x) for x in "${miss[identity]}".split()],
  "gzip": [float(x) for x in "${miss[gzip]}".split()],
  "br": [float(x) for x in "${miss[br]}".split()],
}
def sizes(path):
  identity = size[f"{path} identity"]
  return {"identity": identity, "gzip": size[f"{path} gzip"], "br": size[f"{path} br"],
          "gzip_fraction": round(size[f"{path} gzip"] / identity, 4),
          "br_fraction": round(size[f"{path} br"] / identity, 4)}
ratios = [a / n for a, n in zip(api, nginx)]
med = {k: statistics.median(v) for k, v in miss.items()}
result = {
  "binary": "$binary",
  "build_type": "$(grep -s '^CMAKE_BUILD_TYPE' "$(dirname "$(dirname "$binary")")/CMakeCache.txt" | cut -d= -f2)",
  "bytes_on_wire": {"/catalog": sizes("/catalog"), "/catalog?cut=Fair": sizes("/catalog?cut=Fair")},
  "cached_fair_gzip_vs_nginx_gzip_static": {
    "runs": int(runs), "duration": duration, "connections": int(connections),
    "vitrina_rps": api, "nginx_rps": nginx, "ratios": [round(r, 3) for r in ratios],
    "median_ratio": round(statistics.median(ratios), 3),
    "compressions_during_runs": int(float(c_after)) - int(float(c_before)),
    "cpu_us_per_request": {name: round(statistics.median(row[i] for row in cpu_rows), 1)
                           for i, name in enumerate(cpu_names)},
  },
  "full_catalog_miss_ms": {
    "runs": miss, "median": med,
    "gzip_over_identity": round(med["gzip"] / med["identity"], 3),
    "br_over_identity": round(med["br"] / med["identity"], 3),
  },
}
json.dump(result, open(out, "w"), indent=2)
lines = [f"binary {result['binary']} ({result['build_type'] or 'unknown build type'})"]
for path, s in result["bytes_on_wire"].items():
  lines.append(f"{path}: identity {s['identity']} B, gzip {s['gzip']} B ({s['gzip_fraction']:.3f}), "
               f"br {s['br']} B ({s['br_fraction']:.3f})")
c = result["cached_fair_gzip_vs_nginx_gzip_static"]
lines.append(f"cached ?cut=Fair gzip: vitrina/nginx gzip_static median {c['median_ratio']:.3f} over "
             f"{c['runs']} runs (compressions during the runs: {c['compressions_during_runs']})")
u = c["cpu_us_per_request"]
lines.append(f"CPU per request, medians (user + system, µs): vitrina {u['vitrina_user']} + "
             f"{u['vitrina_system']}, its Redis {u['redis_user']} + {u['redis_system']}, wrk "
             f"{u['wrk_with_vitrina_user']} + {u['wrk_with_vitrina_system']}; nginx {u['nginx_user']} + "
             f"{u['nginx_system']}, wrk {u['wrk_with_nginx_user']} + {u['wrk_with_nginx_system']}")
m = result["full_catalog_miss_ms"]
lines.append(f"full-catalog miss medians: identity {med['identity']:.1f} ms, gzip {med['gzip']:.1f} ms "
             f"({m['gzip_over_identity']:.2f}x), br {med['br']:.1f} ms ({m['br_over_identity']:.2f}x)")
text = "\n".join(lines) + "\n"
open(out.removesuffix(".json") + ".txt", "w").write(text)
print(text, end="")
EOF
