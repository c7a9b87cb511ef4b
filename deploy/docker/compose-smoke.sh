#!/usr/bin/env bash
# compose.yaml, end to end on one machine:
#
#   deploy/docker/compose-smoke.sh
#
# 1. starts a Docker engine if none answers, and makes the debian:bookworm-slim base image where no
#    registry is reachable (deploy/docker/make-base-image.sh),
# 2. `docker-compose build` (Debian 12's docker-compose 1.29, or `docker compose` when present),
# 3. `up -d` with every port moved to COMPOSE_PORTS.. (so it runs next to other stacks), and waits
#    for the API's /readyz,
# 4. checks: the one-shot ETL exited 0 after uploading to Azurite and loading from there
#    (az://, the only source it is given), the API's /healthz,
#    /readyz, 401 without a token, a user signed up through the API (Firebase Auth emulator), and
#    /catalog?cut=Fair MISS then HIT with every item Fair,
# 5. prints the figures and removes what it started (`down --volumes`, and dockerd if it started
#    it; KEEP=1 leaves the stack up).
#
# Settings (environment): COMPOSE_PORTS (27500: PostgreSQL, +1 Redis, +2 Azurite, +3..+7 the
# Firebase emulator's ports, +8 the API), COMPOSE_PROJECT (vitrina-smoke), COMPOSE_STATE
# (.run/compose-smoke: logs), VITRINA_BUILD_JOBS (2: compile jobs of the API image),
# BUILD_SERVICES (all; e.g. "postgres redis azurite firebase" to reuse a vitrina:local image),
# KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/../.."

base=${COMPOSE_PORTS:-27500}
project=${COMPOSE_PROJECT:-vitrina-smoke}
state=${COMPOSE_STATE:-.run/compose-smoke}
mkdir -p "$state"
logs=$(cd "$state" && pwd)
export VITRINA_PG_PORT=$base VITRINA_REDIS_PORT=$((base + 1)) VITRINA_AZURITE_PORT=$((base + 2))
export VITRINA_FIREBASE_AUTH_PORT=$((base + 3)) VITRINA_FIREBASE_HUB_PORT=$((base + 4))
export VITRINA_FIREBASE_LOGGING_PORT=$((base + 5)) VITRINA_FIREBASE_EVENTARC_PORT=$((base + 6))
export VITRINA_FIREBASE_TASKS_PORT=$((base + 7)) VITRINA_API_PORT=$((base + 8))
export VITRINA_BUILD_JOBS=${VITRINA_BUILD_JOBS:-2}

say() { printf 'compose-smoke: %s\n' "$*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
  printf 'compose-smoke: FAIL: %s\n' "$*" >&2
  exit 1
}
# shellcheck source=deploy/docker/engine.sh
. deploy/docker/engine.sh

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null; then
  compose=(docker-compose)
else
  fail "neither 'docker compose' nor docker-compose (apt-get install docker-compose)"
fi
compose+=(-p "$project" -f compose.yaml)

started_stack=''
cleanup() {
  local status=$?
  if [[ ${KEEP:-0} == 1 ]]; then
    say "KEEP=1: the stack '$project' is left running (${compose[*]} down --volumes)"
    exit "$status"
  fi
  if [[ -n $started_stack ]]; then
    "${compose[@]}" logs --no-color >"$logs/compose.log" 2>&1 || true
    "${compose[@]}" down --volumes >"$logs/down.log" 2>&1 || true
  fi
  docker_engine_down
  exit "$status"
}
trap cleanup EXIT

# --- the engine and the base image -------------------------------------------------------------
docker_engine_up "$logs"
deploy/docker/make-base-image.sh debian:bookworm-slim
[[ -f tools/node/node_modules/swagger-ui-dist/swagger-ui-bundle.js ]] ||
  fail "Swagger UI's files are missing (tools/install-deps.sh)"

# Where this machine's TLS goes through an inspecting proxy, npm inside the build needs its CA:
# the host's local CAs (EXTRA_CA_DIR) are copied into the emulators' build context (ignored by git).
ca_context=deploy/compose/emulators/ca
find "$ca_context" -name '*.crt' -delete
for ca in "${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"/*.crt; do
  if [[ -f $ca ]]; then cp "$ca" "$ca_context/"; fi
done

# --- build and start ---------------------------------------------------------------------------
# BUILD_SERVICES: which services to build (default: all); `up` then builds nothing, so an image
# left out must exist already (e.g. vitrina:local tagged from smoke.sh's build).
read -r -a build_services <<<"${BUILD_SERVICES:-}"
say "${compose[*]} build ${build_services[*]:-(all)} (log: $logs/build.log)"
t0=$(date +%s.%N)
"${compose[@]}" build "${build_services[@]}" >"$logs/build.log" 2>&1 ||
  fail "build: $(tail -n 20 "$logs/build.log")"
build_seconds=$(elapsed "$t0")
for image in vitrina:local vitrina-compose/postgres:local vitrina-compose/redis:local \
  vitrina-compose/emulators:local; do
  docker image inspect "$image" >/dev/null 2>&1 || fail "image $image missing (BUILD_SERVICES?)"
done

api="http://127.0.0.1:$VITRINA_API_PORT"
say "up -d (API on $api)"
started_stack=1
t0=$(date +%s.%N)
"${compose[@]}" up -d --no-build >"$logs/up.log" 2>&1 || fail "up: $(tail -n 20 "$logs/up.log")"
for _ in $(seq 1 600); do
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$api/readyz") == 200 ]] && break
  sleep 0.5
done
[[ $(curl -s -o /dev/null -w '%{http_code}' "$api/readyz") == 200 ]] ||
  fail "the API is not ready after 300 s: $("${compose[@]}" logs --tail 20 2>&1)"
up_seconds=$(elapsed "$t0")

check() { # NAME EXPECTED ACTUAL
  [[ $2 == "$3" ]] || fail "$1: expected '$2', got '$3'"
  say "ok  $1: $3"
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

etl_container=$("${compose[@]}" ps -q etl)
check "ETL job exit code" 0 "$(docker inspect -f '{{.State.ExitCode}}' "$etl_container")"
docker logs "$etl_container" >"$logs/etl.log" 2>&1
grep -q 'uploaded /app/datasets/diamonds.csv.gz to az://datasets/diamonds.csv.gz' "$logs/etl.log" ||
  fail "the ETL did not upload to Azurite: $(tail -n 5 "$logs/etl.log")"
check "GET /healthz" 200 "$(code "$api/healthz")"
check "GET /readyz" 200 "$(code "$api/readyz")"
check "GET /catalog?cut=Fair without a token" 401 "$(code "$api/catalog?cut=Fair")"

credentials=$(jq -cn --arg e "smoke-$RANDOM@vitrina.test" '{email: $e, password: "compose-smoke-1"}')
check "POST /signup" 201 "$(code -H 'Content-Type: application/json' "$api/signup" -d "$credentials")"
token=$(curl -fsS -H 'Content-Type: application/json' "$api/login" -d "$credentials" | jq -r .access_token)
[[ -n $token && $token != null ]] || fail "POST /login returned no token"
fair() {
  curl -fsS -D "$logs/headers" -o "$logs/body.json" -H "Authorization: Bearer $token" \
    "$api/catalog?cut=Fair"
  tr -d '\r' <"$logs/headers" | awk -F': ' 'tolower($1) == "x-cache" {print $2}'
}
check "GET /catalog?cut=Fair X-Cache" MISS "$(fair)"
check "X-Cache-Key" catalog:cut=Fair \
  "$(tr -d '\r' <"$logs/headers" | awk -F': ' 'tolower($1) == "x-cache-key" {print $2}')"
check "GET /catalog?cut=Fair X-Cache (again)" HIT "$(fair)"
fair_count=$(jq .count "$logs/body.json")
check "GET /catalog?cut=Fair: count items, all Fair" true \
  "$(jq '(.items | length) == .count and .count > 0 and ([.items[].cut == "Fair"] | all)' "$logs/body.json")"
say "    $fair_count items with cut=Fair"

printf '\ncompose-smoke: figures\n'
printf '  build of %s (API compile jobs: %s)   %.0f s\n' "${build_services[*]:-all services}" \
  "$VITRINA_BUILD_JOBS" "$build_seconds"
printf '  up -d to /readyz 200 (ETL included)       %.1f s\n' "$up_seconds"
for image in vitrina:local vitrina-compose/postgres:local vitrina-compose/redis:local \
  vitrina-compose/emulators:local; do
  printf '  image %-34s %s MB\n' "$image" \
    "$(($(docker image inspect -f '{{.Size}}' "$image") / 1000000))"
done
say "all checks passed"
