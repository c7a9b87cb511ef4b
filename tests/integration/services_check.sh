#!/usr/bin/env bash
# The first integration test: every service the suite uses answers, or the run fails naming the
# one that does not (CTest runs every other integration test after this one: FIXTURES_REQUIRED).
# Under VITRINA_REQUIRE_SERVICES=1 (make test) a service whose variable is unset fails too.
set -uo pipefail

failed=0
required=${VITRINA_REQUIRE_SERVICES:-0}

report() {  # report NAME VARIABLE OK DETAIL
  if [[ $3 == 1 ]]; then
    echo "services: $1 answers ($2)"
  else
    echo "services: $1 does NOT answer ($2): $4" >&2
    failed=1
  fi
}

# curl_answers URL: any HTTP status counts, a refused connection does not.
curl_answers() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "$1" | grep -qv '^000$'; }

check() {  # check NAME VARIABLE COMMAND...
  local name=$1 variable=$2
  shift 2
  if [[ -z ${!variable:-} ]]; then
    if [[ $required == 1 ]]; then
      echo "services: $name is not configured ($variable is unset)" >&2
      failed=1
    else
      echo "services: $name not configured ($variable unset): its tests will skip"
    fi
    return
  fi
  if output=$("$@" 2>&1); then
    report "$name" "$variable" 1 ""
  else
    report "$name" "$variable" 0 "${output:-no answer}"
  fi
}

pg() { psql "$DATABASE_URL" -XAtqc 'SELECT 1' >/dev/null; }
redis_single() { [[ $(redis-cli -u "$REDIS_URL" PING) == PONG ]]; }
redis_cluster() {
  local node
  for node in ${REDIS_CLUSTER_NODES//,/ }; do
    redis-cli -h "${node%:*}" -p "${node##*:}" CLUSTER INFO | grep -q 'cluster_state:ok' ||
      { echo "node $node"; return 1; }
  done
}
azurite() {
  local endpoint
  endpoint=$(sed -n 's/.*BlobEndpoint=\([^;]*\).*/\1/p' <<<"$AZURE_STORAGE_CONNECTION_STRING")
  curl_answers "$endpoint"
}
emulator() { curl_answers "http://$FIREBASE_AUTH_EMULATOR_HOST/"; }
capture() { curl_answers "$APPINSIGHTS_CAPTURE_URL"; }

check PostgreSQL DATABASE_URL pg
check Redis REDIS_URL redis_single
check "Redis Cluster" REDIS_CLUSTER_NODES redis_cluster
check "Azurite (Blob Storage)" AZURE_STORAGE_CONNECTION_STRING azurite
check "Firebase Auth emulator" FIREBASE_AUTH_EMULATOR_HOST emulator
check "Application Insights capture" APPINSIGHTS_CAPTURE_URL capture
exit $failed
