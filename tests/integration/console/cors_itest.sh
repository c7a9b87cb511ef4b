#!/usr/bin/env bash
# CORS from a real browser (docs/api.md, "Browser pages on other origins"): headless Chromium
# (Debian's chromium driven by playwright-core) opens a page served by a small static server on
# one 127.0.0.1 port, and the page calls a `vitrina serve` on another port with
# `fetch(..., {headers: {Authorization: "Bearer ..."}})`, which the browser preflights. The API
# allows that page's origin: the reads and a write succeed and the page reads the exposed headers.
# The same page loaded as http://localhost:PORT is another origin: the browser blocks its calls.
# The scenarios are in cors_itest.mjs. Registered in tests/CMakeLists.txt (label integration).
#
#   tests/integration/console/cors_itest.sh VITRINA_BINARY
#
# Needs DATABASE_URL (tools/with-services.sh exports it); without it it skips (exit 77), or fails
# when VITRINA_REQUIRE_SERVICES=1. A missing browser fails under CI, make test or
# VITRINA_REQUIRE_BROWSER=1 and skips otherwise, as console_itest.sh does.
set -euo pipefail

bin=$(realpath "${1:?usage: cors_itest.sh VITRINA_BINARY}")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
cd "$root"

if [[ -z ${DATABASE_URL:-} ]]; then
  echo "cors_itest: missing DATABASE_URL"
  [[ ${VITRINA_REQUIRE_SERVICES:-0} == 1 ]] && exit 1
  exit 77
fi
# shellcheck source=tests/integration/support/browser.sh
. tests/integration/support/browser.sh
require_browser cors_itest

work=$(mktemp -d)
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A database of its own, migrated and loaded with every 500th diamond by the ETL.
admin_url="${DATABASE_URL%/*}/postgres"
PGOPTIONS="-c client_min_messages=warning" psql "$admin_url" -X -q -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS vitrina_cors_browser WITH (FORCE)" \
  -c "CREATE DATABASE vitrina_cors_browser"
unset REDIS_URL REDIS_CLUSTER_NODES FIREBASE_AUTH_EMULATOR_HOST FIREBASE_PROJECT_ID \
  APPLICATIONINSIGHTS_CONNECTION_STRING
export DATABASE_URL="${DATABASE_URL%/*}/vitrina_cors_browser" DATASET_SPEC=datasets/diamonds.yaml
export VITRINA_ENV=development MIGRATIONS_DIR=migrations LOG_LEVEL=info ACCESS_LOG_FLUSH_SECONDS=0
gzip -dc datasets/diamonds.csv.gz | awk 'NR == 1 || NR % 500 == 0' >"$work/diamonds.csv"
"$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }
"$bin" etl run --spec "$DATASET_SPEC" "$work/diamonds.csv" >"$work/etl.log" 2>&1 ||
  { cat "$work/etl.log"; exit 1; }

wait_for() {
  local url=$1 pid=$2 log=$3
  for _ in $(seq 1 300); do
    curl -fsS "$url" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "cors_itest: $url: the server exited"; cat "$log"; exit 1; }
    sleep 0.1
  done
  echo "cors_itest: $url did not answer"
  exit 1
}

# The page's origin: a static server with an empty page (the scenario runs its fetches in it).
page_port=$(free_port)
mkdir "$work/page"
echo '<!DOCTYPE html><title>another origin</title><p>cors test page</p>' >"$work/page/index.html"
python3 -m http.server "$page_port" --bind 127.0.0.1 --directory "$work/page" \
  >"$work/page.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$page_port/" "${pids[-1]}" "$work/page.log"

token=cors-browser-admin-token
api_port=$(free_port)
CORS_ALLOWED_ORIGINS="http://127.0.0.1:$page_port" DEV_ADMIN_TOKEN=$token CACHE_ENABLED=false \
  HOST=127.0.0.1 PORT=$api_port THREADS=2 DB_POOL_SIZE=2 "$bin" serve >"$work/server.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$api_port/healthz" "${pids[-1]}" "$work/server.log"

status=0
API_URL="http://127.0.0.1:$api_port" \
  ALLOWED_PAGE="http://127.0.0.1:$page_port/" OTHER_PAGE="http://localhost:$page_port/" \
  API_TOKEN=$token node tests/integration/console/cors_itest.mjs || status=$?
if ((status != 0)); then
  echo "cors_itest: failed; the server's log:"
  tail -n 40 "$work/server.log"
  exit "$status"
fi

# The browser really preflighted: the server answered OPTIONS with 204 to the allowed page and
# with 403 to the other one.
for expected in 204 403; do
  if ! grep -q "\"method\":\"OPTIONS\".*\"status\":$expected" "$work/server.log"; then
    echo "cors_itest: no preflight answered $expected in the server's log:"
    grep '"method":"OPTIONS"' "$work/server.log" || true
    exit 1
  fi
done
echo "cors_itest: passed"
