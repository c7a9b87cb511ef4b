#!/usr/bin/env bash
# The web console end to end in headless Chromium (Debian's chromium driven by playwright-core):
# a real `vitrina serve` for the diamonds dataset, loaded by the ETL, against the run's PostgreSQL,
# Redis and Firebase Auth emulator, then the same binary serving the books spec
# (tests/data/api/books.yaml). The scenarios are in console_itest.mjs. Registered in
# tests/CMakeLists.txt with the label `integration`.
#
#   tests/integration/console/console_itest.sh VITRINA_BINARY SCREENSHOT_DIR
#
# Screenshots of the main views go to SCREENSHOT_DIR (docs/img/ holds the committed ones:
# `make console-screenshots` refreshes them).
#
# Needs DATABASE_URL, REDIS_URL, FIREBASE_AUTH_EMULATOR_HOST (tools/with-services.sh exports
# them); without them it skips (exit 77), or fails when VITRINA_REQUIRE_SERVICES=1. A missing
# browser (chromium, or playwright-core in tools/node) fails under CI (CI set), under make test
# (VITRINA_REQUIRE_SERVICES=1) or with VITRINA_REQUIRE_BROWSER=1, and skips otherwise:
# tools/install-deps.sh --with-browser (make deps) adds it.
# CONSOLE_ITEST_EVERY (default 1: all 53,940 diamonds) loads every Nth diamond.
set -euo pipefail

bin=$(realpath "${1:?usage: console_itest.sh VITRINA_BINARY SCREENSHOT_DIR}")
shots=${2:?usage: console_itest.sh VITRINA_BINARY SCREENSHOT_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
mkdir -p "$shots"
shots=$(realpath "$shots")
cd "$root"

missing=()
for name in DATABASE_URL REDIS_URL FIREBASE_AUTH_EMULATOR_HOST; do
  [[ -n ${!name:-} ]] || missing+=("$name")
done
if ((${#missing[@]})); then
  echo "console_itest: missing ${missing[*]}"
  [[ ${VITRINA_REQUIRE_SERVICES:-0} == 1 ]] && exit 1
  exit 77
fi

# shellcheck source=tests/integration/support/browser.sh
. tests/integration/support/browser.sh
require_browser console_itest

work=$(mktemp -d)
server_pid=
# shellcheck disable=SC2317 # called by the EXIT trap and between the two datasets
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT

admin_url="${DATABASE_URL%/*}/postgres"
base_url="${DATABASE_URL%/*}"
unset REDIS_CLUSTER_NODES DEV_ADMIN_TOKEN APPLICATIONINSIGHTS_CONNECTION_STRING
export VITRINA_ENV=development MIGRATIONS_DIR=migrations CONSOLE_DIR=src/console
export FIREBASE_PROJECT_ID=${FIREBASE_PROJECT_ID:-demo-vitrina} CACHE_ENABLED=true
# LOG_LEVEL=info: the access log (one line per request) is kept beside the screenshots on failure.
export AUTH_PUBLIC_READS=false LOG_LEVEL=info ACCESS_LOG_FLUSH_SECONDS=0 THREADS=2 DB_POOL_SIZE=4
export LOGIN_MAX_FAILURES_PER_ADDRESS=1000 LOGIN_MAX_FAILURES_PER_EMAIL=1000
# The 50 ms production default is for a quiet Redis next door: on a loaded test machine one slow
# reply failed the invalidation of the cache-flow step (run 1 of the 5x run: BYPASS, outbox kept).
# The paused-Redis step still sees a BYPASS: its pause (4 s) outlasts this timeout.
export CACHE_REDIS_TIMEOUT_MS=1000

# A database of its own per dataset, migrated and loaded by the ETL; the demo admin in each.
prepare() {
  local database=$1 spec=$2 csv=$3
  PGOPTIONS="-c client_min_messages=warning" psql "$admin_url" -X -q -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"
  export DATABASE_URL="$base_url/$database" DATASET_SPEC=$spec
  "$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }
  "$bin" etl run --spec "$spec" "$csv" >"$work/etl.log" 2>&1 || { cat "$work/etl.log"; exit 1; }
  tools/demo-admin.sh "$bin" "$work/env" >/dev/null
}

# The cache keys do not name the dataset (catalog:limit=50 means the same on both), so each
# server starts with an empty Redis.
serve() {
  redis-cli -u "$REDIS_URL" FLUSHALL >/dev/null
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  HOST=127.0.0.1 PORT=$port "$bin" serve >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "console_itest: the server exited"; cat "$work/server.log"; exit 1; }
    sleep 0.1
  done
  echo "console_itest: the server did not answer /healthz"
  exit 1
}

browse() {
  local dataset=$1 status=0
  # shellcheck disable=SC1091 # written by tools/demo-admin.sh
  . "$work/env"
  CONSOLE_URL="http://127.0.0.1:$port" CONSOLE_DATASET=$dataset \
    CONSOLE_SCREENSHOTS=$shots CONSOLE_ADMIN_EMAIL=$DEMO_ADMIN_EMAIL \
    CONSOLE_ADMIN_PASSWORD=$DEMO_ADMIN_PASSWORD \
    node tests/integration/console/console_itest.mjs || status=$?
  if ((status != 0)); then
    cp "$work/server.log" "$shots/failure-$dataset-server.log"
    echo "console_itest: the $dataset scenario failed; server log: $shots/failure-$dataset-server.log"
    grep -v '"msg":"request"' "$work/server.log" | tail -n 20
    exit "$status"
  fi
}

every=${CONSOLE_ITEST_EVERY:-1}
gzip -dc datasets/diamonds.csv.gz | awk -v every="$every" 'NR == 1 || NR % every == 0' \
  >"$work/diamonds.csv"
prepare vitrina_console datasets/diamonds.yaml "$work/diamonds.csv"
serve
browse diamonds
stop_server

prepare vitrina_console_books tests/data/api/books.yaml tests/data/api/books.csv
serve
browse books
echo "console_itest: both scenarios passed; screenshots in $shots"
