#!/usr/bin/env bash
# The micro-benchmarks (Google Benchmark, bench/*/*_bench.cpp) in a release build, medians of
# BENCH_MICRO_REPETITIONS repetitions, written to docs/results/micro-benchmarks.json; then the
# tables and figures the docs quote are regenerated from that file (bench/report/micro_report.py).
#   bench/micro/run.sh [RELEASE_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/release}
repetitions=${BENCH_MICRO_REPETITIONS:-5}
benches=(vitrina_auth_bench vitrina_telemetry_bench)

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DVITRINA_BUILD_BENCH=ON >/dev/null
ninja -C "$build" -j "$(nproc)" "${benches[@]}"

raw=$(mktemp -d)
trap 'rm -rf "$raw"' EXIT
for bench in "${benches[@]}"; do
  binary=$(find "$build/bench" -type f -name "$bench" | head -n1)
  echo "== $bench ($repetitions repetitions)"
  "$binary" --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
    --benchmark_out="$raw/$bench.json" --benchmark_out_format=json >/dev/null
done
python3 bench/report/micro_report.py collect docs/results/micro-benchmarks.json "$raw"/*.json
python3 bench/report/micro_report.py render docs/results/micro-benchmarks.json docs
