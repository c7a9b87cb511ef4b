#!/usr/bin/env bash
# The integration suite several times in a row while wrk loads another API on this machine:
# the check that the suite holds on a busy 2-core machine (no test may depend on spare CPU).
#
#   make run                                    # in another terminal: the API on :8080
#   tools/integration-under-load.sh [RUNS]      # RUNS: 5
#
# Settings (environment): LOAD_URL (http://127.0.0.1:8080/catalog?cut=Ideal&limit=50, the API
# to load; only 127.0.0.1), TEST_DIR (build/test), TEST_PORTS (29100), OUT (.run/under-load).
# wrk runs in 30 s windows (-t1 -c8) until the last run ends; each run's log and a summary line
# (exit code, seconds, load average, ctest's counts) go to OUT; the exit code is 1 when any run
# failed. The run quoted in the closing note of #23: docs/results/integration-5x-under-load.txt.
set -u
cd "$(dirname "$0")/.." || exit 2
runs=${1:-5}
url=${LOAD_URL:-http://127.0.0.1:8080/catalog?cut=Ideal&limit=50}
out=${OUT:-.run/under-load}
case $url in
  http://127.0.0.1:*) ;;
  *) echo "integration-under-load: LOAD_URL must be on 127.0.0.1" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || { echo "integration-under-load: wrk is missing (apt-get install wrk)" >&2; exit 2; }
curl -fsS -o /dev/null "$url" || { echo "integration-under-load: $url does not answer (make run?)" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out/stop"
(while [[ ! -e $out/stop ]]; do wrk -t1 -c8 -d30s "$url" >>"$out/wrk.log" 2>&1; done) &
loader=$!
trap 'touch "$out/stop"; kill "$loader" 2>/dev/null; wait "$loader" 2>/dev/null' EXIT

failed=0
for run in $(seq 1 "$runs"); do
  start=$(date +%s)
  make --no-print-directory integration TEST_DIR="${TEST_DIR:-build/test}" \
    TEST_PORTS="${TEST_PORTS:-29100}" >"$out/run-$run.log" 2>&1
  status=$?
  ((status == 0)) || failed=1
  line="run $run: exit $status, $(($(date +%s) - start)) s, load $(cut -d' ' -f1-3 /proc/loadavg);"
  line+=" $(grep -hE 'tests passed|skipped' "$out/run-$run.log" | tr '\n' ' ')"
  echo "$line" | tee -a "$out/summary"
done
rates=$(grep -h 'Requests/sec' "$out/wrk.log" | awk '{print $2}' | sort -n)
echo "load: $(echo "$rates" | wc -l) windows of 30 s, median $(echo "$rates" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') req/s" |
  tee -a "$out/summary"
exit "$failed"
