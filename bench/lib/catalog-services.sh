# Sourced by the bench scripts: their own PostgreSQL and Redis (tools/services.sh) with the
# diamonds loaded, and a cleanup on exit that stops the servers a script started (their pids in
# `bench_pids`) and then the services.
#   bench_catalog_services STATE BASE_PORT BINARY [SERVICE...]   (default: postgres redis)
# Afterwards: `state` is STATE's absolute path and the services' variables (DATABASE_URL,
# REDIS_URL, ...) are exported.
bench_pids=()

# bench_wait_ready PORT [SECONDS]: until the server on 127.0.0.1:PORT answers /readyz (60 s by
# default; a server under valgrind needs more). Fails when it never did.
bench_wait_ready() {
  local deadline=$((SECONDS + ${2:-60}))
  until curl -fs "http://127.0.0.1:$1/readyz" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

bench_cleanup() {
  local pid
  for pid in "${bench_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${bench_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  tools/services.sh stop "$state" || true
}

bench_catalog_services() {
  local binary=$3
  mkdir -p "$1"
  state=$(cd "$1" && pwd)
  trap bench_cleanup EXIT
  local services=("${@:4}")
  [[ ${#services[@]} -gt 0 ]] || services=(postgres redis)
  tools/services.sh start "$state" "$2" "${services[@]}" >/dev/null
  set -a
  # shellcheck disable=SC1091 # written by services.sh
  . "$state/env"
  set +a
  "$binary" migrate >"$state/migrate.log" 2>&1
  "$binary" etl run --spec datasets/diamonds.yaml --if-changed datasets/diamonds.csv.gz \
    >"$state/etl.log" 2>&1 || { tail "$state/etl.log" >&2; exit 1; }
  psql "$DATABASE_URL" -XqAc "VACUUM ANALYZE"
}
