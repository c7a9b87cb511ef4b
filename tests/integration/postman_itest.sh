#!/usr/bin/env bash
# Runs the Postman collection (postman/vitrina.postman_collection.json) with newman against a real
# `vitrina serve`: its own database loaded with the diamonds dataset by the ETL, the local Redis,
# the Firebase Auth emulator, and the demo admin made by tools/demo-admin.sh. Fails on any failed
# assertion. Registered in tests/CMakeLists.txt with the label `integration`.
#
#   tests/integration/postman_itest.sh VITRINA_BINARY
#
# Needs DATABASE_URL, REDIS_URL, FIREBASE_AUTH_EMULATOR_HOST (tools/with-services.sh exports
# them). Without them it skips (exit 77), or fails when VITRINA_REQUIRE_SERVICES=1.
# POSTMAN_ITEST_EVERY (default 5) loads every Nth diamond; 1 loads all of them.
set -euo pipefail

bin=$(realpath "${1:?usage: postman_itest.sh VITRINA_BINARY}")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
newman=tools/node/node_modules/.bin/newman

missing=()
for name in DATABASE_URL REDIS_URL FIREBASE_AUTH_EMULATOR_HOST; do
  [[ -n ${!name:-} ]] || missing+=("$name")
done
[[ -x $newman ]] || missing+=("$newman (tools/install-deps.sh)")
if ((${#missing[@]})); then
  echo "postman_itest: missing ${missing[*]}"
  [[ ${VITRINA_REQUIRE_SERVICES:-0} == 1 ]] && exit 1
  exit 77
fi

work=$(mktemp -d)
server_pid=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A database of its own, as the other API tests have (same server, another name).
database=vitrina_postman
admin_url="${DATABASE_URL%/*}/postgres"
export DATABASE_URL="${DATABASE_URL%/*}/$database"
PGOPTIONS="-c client_min_messages=warning" psql "$admin_url" -X -q -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"

# One Redis node (not the cluster the run may also provide), emptied: the cache keys do not name
# the database, so answers cached by other suites must not be served here.
unset REDIS_CLUSTER_NODES
redis-cli -u "$REDIS_URL" FLUSHALL >/dev/null

export VITRINA_ENV=development DATASET_SPEC=datasets/diamonds.yaml MIGRATIONS_DIR=migrations
export FIREBASE_PROJECT_ID=${FIREBASE_PROJECT_ID:-demo-vitrina} CACHE_ENABLED=true
export AUTH_PUBLIC_READS=false LOG_LEVEL=warn THREADS=2 DB_POOL_SIZE=4
# The collection's preflight request comes from this origin (its cors_origin variable).
export CORS_ALLOWED_ORIGINS=http://localhost:5173
# Each run records one wrong-password login; shared buckets must not turn later runs into 429s.
export LOGIN_MAX_FAILURES_PER_ADDRESS=1000 LOGIN_MAX_FAILURES_PER_EMAIL=1000
unset DEV_ADMIN_TOKEN APPLICATIONINSIGHTS_CONNECTION_STRING

"$bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }
# Every 5th diamond by default (10,788 rows, spread over all prices and cuts); 1 loads all 53,940.
every=${POSTMAN_ITEST_EVERY:-5}
gzip -dc datasets/diamonds.csv.gz | awk -v every="$every" 'NR == 1 || NR % every == 0' \
  >"$work/diamonds.csv"
"$bin" etl run --spec datasets/diamonds.yaml "$work/diamonds.csv" >"$work/etl.log" 2>&1 ||
  { cat "$work/etl.log"; exit 1; }

tools/demo-admin.sh "$bin" "$work/env"
# shellcheck disable=SC1091 # written just above
. "$work/env"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOST=127.0.0.1 PORT=$port "$bin" serve >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 200); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "postman_itest: the server exited"; cat "$work/server.log"; exit 1; }
  sleep 0.1
done

status=0
"$newman" run postman/vitrina.postman_collection.json \
  -e postman/local.postman_environment.json \
  --env-var "baseUrl=http://127.0.0.1:$port" \
  --env-var "adminEmail=$DEMO_ADMIN_EMAIL" --env-var "adminPassword=$DEMO_ADMIN_PASSWORD" \
  --env-var strict_cache_miss=true \
  --reporters cli --reporter-cli-no-banner --reporter-cli-no-console --color off \
  --timeout-request 60000 --timeout-script 300000 || status=$?

# A second run against the same server: the collection must be re-runnable (the first request of
# ?cut=Fair may then be a HIT, so the strict MISS check is off).
if ((status == 0)); then
  "$newman" run postman/vitrina.postman_collection.json \
    -e postman/local.postman_environment.json \
    --env-var "baseUrl=http://127.0.0.1:$port" \
    --env-var "adminEmail=$DEMO_ADMIN_EMAIL" --env-var "adminPassword=$DEMO_ADMIN_PASSWORD" \
    --reporters cli --reporter-cli-no-banner --reporter-cli-no-console --reporter-cli-no-summary \
    --reporter-cli-no-success-assertions --color off --timeout-request 60000 --timeout-script 300000 || status=$?
fi

if ((status != 0)); then
  echo "postman_itest: newman failed (status $status); server log tail:"
  tail -n 40 "$work/server.log"
fi
exit "$status"
