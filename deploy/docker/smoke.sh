#!/usr/bin/env bash
# Build → push → pull → run → check, for the container image, on one machine:
#
#   deploy/docker/smoke.sh
#
# 1. builds the image (Dockerfile at the repository root; the base image is made locally when no
#    registry is reachable, deploy/docker/make-base-image.sh),
# 2. starts a local registry (Debian's `docker-registry`, the CNCF distribution server) on
#    127.0.0.1:$REGISTRY_PORT, pushes the image, deletes the local tag and pulls it back,
# 3. starts the local services (tools/services.sh), and with the pulled image: `migrate`, `etl run`
#    of the bundled diamonds, `users promote` of the demo admin (tools/demo-admin.sh),
# 4. runs the API container (--network=host, HOST=0.0.0.0, PORT=$APP_PORT) and checks the
#    HEALTHCHECK, the non-root user, /healthz, /readyz, /docs, the web console at / (and its
#    Content-Security-Policy), 401 without a token, and
#    /catalog?cut=Fair with a token (MISS then HIT), then runs the Postman collection against it,
# 5. prints the figures (build time, image size, time to healthy, memory) and stops everything it
#    started (container, registry, services, and dockerd if it started it).
#
# Settings (environment): SMOKE_STATE (.run/smoke), SMOKE_PORTS (27400, the services' PORT_BASE),
# REGISTRY_PORT (5000), APP_PORT (8081), IMAGE_TAG (smoke), JOBS (2, compile jobs in the build),
# KEEP=1 leaves the container, registry and services running.
set -euo pipefail
cd "$(dirname "$0")/../.."

state=${SMOKE_STATE:-.run/smoke}
ports=${SMOKE_PORTS:-27400}
registry_port=${REGISTRY_PORT:-5000}
app_port=${APP_PORT:-8081}
tag=${IMAGE_TAG:-smoke}
jobs=${JOBS:-2}
registry="127.0.0.1:$registry_port"
image="$registry/vitrina:$tag"
container=vitrina-smoke-$app_port
mkdir -p "$state/smoke"
state=$(cd "$state" && pwd)
logs="$state/smoke"

say() { printf 'smoke: %s\n' "$*"; }
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
  printf 'smoke: FAIL: %s\n' "$*" >&2
  exit 1
}
# shellcheck source=deploy/docker/engine.sh
. deploy/docker/engine.sh

registry_pid='' started_services=''
cleanup() {
  local status=$?
  if [[ ${KEEP:-0} == 1 ]]; then
    say "KEEP=1: container $container, registry $registry and the services are left running"
    exit "$status"
  fi
  docker rm -f "$container" >/dev/null 2>&1 || true
  if [[ -n $registry_pid ]]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  if [[ -n $started_services ]]; then
    tools/services.sh stop "$state" >/dev/null 2>&1 || true
  fi
  docker_engine_down
  exit "$status"
}
trap cleanup EXIT

# --- the engine --------------------------------------------------------------------------------
docker_engine_up "$logs"
deploy/docker/make-base-image.sh debian:bookworm-slim

# --- build -------------------------------------------------------------------------------------
[[ -f tools/node/node_modules/swagger-ui-dist/swagger-ui-bundle.js ]] ||
  fail "Swagger UI's files are missing (tools/install-deps.sh)"
say "docker build (JOBS=$jobs; log: $logs/build.log)"
t0=$(date +%s.%N)
docker build --network=host --build-arg JOBS="$jobs" -t "vitrina:$tag" . >"$logs/build.log" 2>&1 ||
  fail "docker build: $(tail -n 20 "$logs/build.log")"
build_seconds=$(elapsed "$t0")
size_bytes=$(docker image inspect -f '{{.Size}}' "vitrina:$tag")

# --- registry: push, forget, pull --------------------------------------------------------------
command -v docker-registry >/dev/null || fail "docker-registry missing (apt-get install docker-registry)"
cat >"$logs/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $logs/registry
  delete:
    enabled: true
http:
  addr: $registry
YAML
docker-registry serve "$logs/registry.yml" >"$logs/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://$registry/v2/" >/dev/null || fail "registry did not start: $(cat "$logs/registry.log")"
docker tag "vitrina:$tag" "$image"
t0=$(date +%s.%N)
docker push "$image" >"$logs/push.log" 2>&1 || fail "docker push: $(tail -n 5 "$logs/push.log")"
push_seconds=$(elapsed "$t0")
pushed_digest=$(grep -o 'sha256:[0-9a-f]\{64\}' "$logs/push.log" | tail -n 1)
docker rmi "$image" >/dev/null
t0=$(date +%s.%N)
docker pull "$image" >"$logs/pull.log" 2>&1 || fail "docker pull: $(tail -n 5 "$logs/pull.log")"
pull_seconds=$(elapsed "$t0")
pulled_digest=$(docker image inspect -f '{{index .RepoDigests 0}}' "$image")
[[ $pulled_digest == *"$pushed_digest" ]] || fail "pulled $pulled_digest, pushed $pushed_digest"
say "pushed and pulled $image ($pushed_digest)"

# --- services, schema, data, demo admin (all through the pulled image) -------------------------
status=$(tools/services.sh status "$state" 2>/dev/null || true)
if grep -q down <<<"$status" || [[ -z $status ]]; then
  started_services=1
fi
tools/services.sh start "$state" "$ports" >"$logs/services.log" 2>&1 ||
  fail "services: $(tail -n 10 "$logs/services.log")"
set -a
# shellcheck disable=SC1091 # written by services.sh
. "$state/env"
set +a
# The container gets the variables one by one: --env-file would keep the quotes of env's values.
container_env=(-e VITRINA_ENV=development -e "DATABASE_URL=$DATABASE_URL" -e "REDIS_URL=$REDIS_URL"
  -e "FIREBASE_AUTH_EMULATOR_HOST=$FIREBASE_AUTH_EMULATOR_HOST"
  -e "FIREBASE_PROJECT_ID=$FIREBASE_PROJECT_ID" -e "FIREBASE_API_KEY=$FIREBASE_API_KEY"
  -e "APPLICATIONINSIGHTS_CONNECTION_STRING=$APPLICATIONINSIGHTS_CONNECTION_STRING")
run_image() { docker run --rm --network=host "${container_env[@]}" "$image" "$@"; }
run_image migrate >"$logs/migrate.log" 2>&1 || fail "migrate: $(tail -n 5 "$logs/migrate.log")"
run_image etl run --spec /app/datasets/diamonds.yaml --if-changed /app/datasets/diamonds.csv.gz \
  >"$logs/etl.log" 2>&1 || fail "etl run: $(tail -n 5 "$logs/etl.log")"
# tools/demo-admin.sh calls `BINARY users ...`: the binary here is the image.
cat >"$logs/vitrina-in-docker" <<SH
#!/bin/sh
exec docker run --rm --network=host -e "DATABASE_URL=$DATABASE_URL" "$image" "\$@"
SH
chmod +x "$logs/vitrina-in-docker"
tools/demo-admin.sh "$logs/vitrina-in-docker" "$state/env" >"$logs/demo-admin.log" 2>&1 ||
  fail "demo admin: $(cat "$logs/demo-admin.log")"
# shellcheck disable=SC1091
. "$state/env"

# --- run the API container ---------------------------------------------------------------------
docker rm -f "$container" >/dev/null 2>&1 || true
t0=$(date +%s.%N)
docker run -d --name "$container" --network=host --memory 512m --pids-limit 256 --read-only \
  --health-interval 1s --health-start-period 5s \
  -e HOST=0.0.0.0 -e PORT="$app_port" "${container_env[@]}" "$image" >/dev/null
for _ in $(seq 1 300); do
  health=$(docker inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null || echo gone)
  [[ $health == healthy ]] && break
  [[ $(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null) == true ]] ||
    fail "the container exited: $(docker logs --tail 20 "$container" 2>&1)"
  sleep 0.1
done
[[ $health == healthy ]] || fail "not healthy after 30 s: $(docker logs --tail 20 "$container" 2>&1)"
healthy_seconds=$(elapsed "$t0")

base="http://127.0.0.1:$app_port"
check() { # NAME EXPECTED ACTUAL
  [[ $2 == "$3" ]] || fail "$1: expected '$2', got '$3'"
  say "ok  $1: $3"
}
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "runs as" 10001 "$(docker exec "$container" id -u)"
check "GET /healthz" 200 "$(code "$base/healthz")"
check "GET /readyz" 200 "$(code "$base/readyz")"
check "GET /docs" 200 "$(code "$base/docs")"
check "GET / (the console)" 200 "$(code "$base/")"
check "GET /console/app.js" 200 "$(code "$base/console/app.js")"
check "the console's policy forbids inline scripts" "script-src 'self';" \
  "$(curl -fsS -D - -o /dev/null "$base/" | tr -d '\r' | grep -io "script-src 'self';")"
check "GET /catalog?cut=Fair without a token" 401 "$(code "$base/catalog?cut=Fair")"
token=$(curl -fsS -H 'Content-Type: application/json' "$base/login" \
  -d "$(jq -cn --arg e "$DEMO_ADMIN_EMAIL" --arg p "$DEMO_ADMIN_PASSWORD" '{email: $e, password: $p}')" |
  jq -r .access_token)
[[ -n $token && $token != null ]] || fail "login as $DEMO_ADMIN_EMAIL returned no token"
fair() {
  curl -fsS -D "$logs/headers" -o "$logs/body.json" -H "Authorization: Bearer $token" \
    "$base/catalog?cut=Fair"
  tr -d '\r' <"$logs/headers" | awk -F': ' 'tolower($1) == "x-cache" {print $2}'
}
redis-cli -u "$REDIS_URL" DEL catalog:cut=Fair >/dev/null
check "GET /catalog?cut=Fair X-Cache" MISS "$(fair)"
check "GET /catalog?cut=Fair X-Cache (again)" HIT "$(fair)"
fair_count=$(jq .count "$logs/body.json")
check "GET /catalog?cut=Fair: count items, all Fair" true \
  "$(jq '(.items | length) == .count and .count > 0 and ([.items[].cut == "Fair"] | all)' "$logs/body.json")"
say "    $fair_count items with cut=Fair"

newman=tools/node/node_modules/.bin/newman
if [[ -x $newman ]]; then
  "$newman" run postman/vitrina.postman_collection.json -e postman/local.postman_environment.json \
    --env-var "baseUrl=$base" --env-var "adminEmail=$DEMO_ADMIN_EMAIL" \
    --env-var "adminPassword=$DEMO_ADMIN_PASSWORD" --reporters cli --reporter-cli-no-banner \
    --reporter-cli-no-success-assertions --color off --timeout-script 300000 \
    >"$logs/newman.log" 2>&1 ||
    fail "Postman collection against the container: $(tail -n 40 "$logs/newman.log")"
  say "ok  Postman collection: $(grep -E '│ +assertions' "$logs/newman.log" | tr -s ' │' ' ')"
fi

memory=$(docker stats --no-stream --format '{{.MemUsage}}' "$container")
printf '\nsmoke: figures\n'
printf '  build (docker build, JOBS=%s)   %.0f s\n' "$jobs" "$build_seconds"
printf '  image size                       %s MB\n' "$((size_bytes / 1000000))"
printf '  push / pull (local registry)     %.1f s / %.1f s\n' "$push_seconds" "$pull_seconds"
printf '  start to healthy                 %.1f s\n' "$healthy_seconds"
printf '  memory after the checks          %s\n' "$memory"
say "all checks passed"
