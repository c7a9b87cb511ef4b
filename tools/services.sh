#!/usr/bin/env bash
# Real local stand-ins for Vitrina's cloud services, kept in one state folder.
#
#   tools/services.sh start  STATE_DIR PORT_BASE [SERVICE...]   (default: all)
#   tools/services.sh stop   STATE_DIR
#   tools/services.sh status STATE_DIR
#   tools/services.sh redis-cluster STATE_DIR PORT_BASE
#
# SERVICE: postgres (PORT_BASE+0)  redis (+1)  azurite (+2)
#          firebase (auth +3, hub +4, logging +5, eventarc +6, tasks +7, ui +8 disabled)
#          appinsights (+9)
# redis-cluster: three masters on PORT_BASE, +1, +2 (their cluster bus on +3, +4, +5).
#
# start is idempotent (a running service is left alone) and writes STATE_DIR/env:
# KEY=VALUE lines for every service that is up, for `set -a; . STATE_DIR/env`.
# Environment: FIREBASE_PROJECT_ID (default demo-vitrina), REDIS_MAXMEMORY (256mb per Redis),
# VITRINA_PG_USER (the user PostgreSQL runs as when this runs as root; default postgres).
set -euo pipefail

readonly ALL_SERVICES=(postgres redis azurite firebase appinsights)
# The keys write_env owns in STATE/env; it keeps every other line.
readonly ENV_KEYS='DATABASE_URL|PGHOST|PGPORT|PGUSER|PGDATABASE|REDIS_URL|AZURE_STORAGE_CONNECTION_STRING|FIREBASE_AUTH_EMULATOR_HOST|FIREBASE_PROJECT_ID|FIREBASE_API_KEY|APPLICATIONINSIGHTS_CONNECTION_STRING|APPINSIGHTS_CAPTURE_URL|REDIS_CLUSTER_NODES'
readonly AZURITE_ACCOUNT=devstoreaccount1
# Azurite's published development key (not a secret).
readonly AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly TOOLS_DIR
readonly NODE_BIN="$TOOLS_DIR/node/node_modules/.bin"
readonly FIREBASE_TIMEOUT=90
readonly DEFAULT_TIMEOUT=30
FIREBASE_PROJECT_ID="${FIREBASE_PROJECT_ID:-demo-vitrina}"
PG_USER="${VITRINA_PG_USER:-postgres}"

export NO_UPDATE_NOTIFIER=1

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

say() { echo "services: $*"; }
die() {
  echo "services: $*" >&2
  exit 1
}

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do :; done # the newest installed major
  if [[ -x ${dir:-}/pg_ctl ]]; then
    echo "$dir"
  elif command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
  else
    die "PostgreSQL binaries not found (run tools/install-deps.sh)"
  fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_port PORT TIMEOUT_S [PID]: wait for the port; give up early if PID dies.
wait_port() {
  local port=$1 pid=${3:-} deadline=$((SECONDS + $2))
  while ! port_open "$port"; do
    if [[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null; then
      return 1
    fi
    if ((SECONDS >= deadline)); then
      return 1
    fi
    sleep 0.1
  done
}

# The memory bound every Redis of ours runs with (docs/cache.md, "Memory"): a cap, and eviction
# of keys that have a TTL only, least frequently used first. Cached answers have TTLs; the key
# registry has none, so no eviction can make a write miss an answer it must delete; one-off
# answers (a user's junk queries) go before answers many requests read.
redis_memory_options() {
  echo "--maxmemory ${REDIS_MAXMEMORY:-256mb} --maxmemory-policy volatile-lfu"
}

# wait_redis PORT PIDFILE: a daemonized redis-server writes its pid file once
# running; give up when it has not after a few seconds or its process is gone.
wait_redis() {
  local port=$1 pidfile=$2 deadline=$((SECONDS + DEFAULT_TIMEOUT)) grace=$((SECONDS + 5))
  while ! port_open "$port"; do
    if [[ -s $pidfile ]]; then
      pid_alive "$pidfile" || return 1
    elif ((SECONDS >= grace)); then
      return 1
    fi
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}

pid_alive() {
  local file=$1 pid
  [[ -s $file ]] || return 1
  pid="$(head -n1 "$file")"
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  # A killed daemon can linger as a zombie until init reaps it; that is not alive.
  local stat
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ ${stat%% *} != Z ]]
}

# A service is up when its pid is alive and its recorded port answers.
recorded_port() { cat "$STATE/ports/$1" 2>/dev/null || true; }

is_up() {
  local svc=$1 port pidfile
  port="$(recorded_port "$svc")"
  [[ -n $port ]] || return 1
  case $svc in
    postgres) pidfile="$STATE/pg/data/postmaster.pid" ;;
    redis) pidfile="$STATE/redis/redis.pid" ;;
    *) pidfile="$STATE/pids/$svc.pid" ;;
  esac
  pid_alive "$pidfile" && port_open "${port%% *}"
}

fail_with_log() {
  local svc=$1 log=$2
  {
    echo "services: $svc failed to start; last lines of $log:"
    tail -n 25 "$log" 2>/dev/null | sed 's/^/    /'
  } >&2
  return 1
}

# Whether a server could bind the port now: a bind with SO_REUSEADDR, as every server here does.
# A listener fails it, and so does a connection holding the port (an outgoing one took it as its
# local port, from the ephemeral range), which a connect-only check cannot see; what a server of
# ours left behind (its connections closing, TIME-WAIT) does not, as the server's own bind wouldn't.
port_bindable() {
  python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null
}

check_port_free() {
  local svc=$1 port=$2 held
  port_bindable "$port" && return 0
  echo "services: $svc: port $port is already in use:" >&2
  held="$(ss -Htan "( sport = :$port )" 2>/dev/null | head -n 3 || true)"
  [[ -n $held ]] && printf '    %s\n' "${held//$'\n'/$'\n    '}" >&2
  ((port < 32768)) || echo "    (port $port is in the ephemeral range 32768-60999; use a PORT_BASE below 32768)" >&2
  return 1
}

# Launch a long-running command in its own session, stdio to a log, with its
# pid (= process group) in a pid file so stop can end it and its children.
launch() {
  local pidfile=$1 log=$2
  shift 2
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$log" 2>&1 9>&- &
  local i
  for i in $(seq 50); do
    [[ -s $pidfile ]] && return 0
    sleep 0.02
  done
}

# ---------------------------------------------------------------- PostgreSQL

# Run a PostgreSQL server binary as a non-root user: postgres refuses root.
as_pg() {
  if [[ $(id -u) == 0 ]]; then
    # From /: the current directory may be out of that user's reach, too.
    (cd / && runuser -u "$PG_USER" -- "$@")
  else
    "$@"
  fi
}

# STATE/pg holds data/, run/ (socket) and postgres.log, all owned by the
# server's user. When that user cannot reach STATE (e.g. a clone under /root),
# the folder is a fresh mktemp directory in /tmp and STATE/pg a symlink to it.
prepare_pg_dir() {
  local pgdir="$STATE/pg"
  if [[ -d $pgdir ]]; then
    return 0
  fi
  if [[ $(id -u) == 0 ]]; then
    id -u "$PG_USER" >/dev/null 2>&1 || die "postgres: user $PG_USER does not exist (set VITRINA_PG_USER)"
    if runuser -u "$PG_USER" -- test -x "$STATE" 2>/dev/null; then
      mkdir -p "$pgdir"
    else
      local real
      real="$(mktemp -d "${TMPDIR:-/tmp}/vitrina-pg.XXXXXX")"
      chmod 755 "$real"
      ln -sfn "$real" "$pgdir"
    fi
    chown "$PG_USER:" "$pgdir/"
  else
    mkdir -p "$pgdir"
  fi
}

# The real path of STATE/pg: the server's user may not be able to follow STATE.
pg_home() {
  readlink -f "$STATE/pg"
}

start_postgres() {
  local port=$1 bin log t0=$SECONDS
  bin="$(pg_bin)"
  if is_up postgres; then
    say "postgres already up on 127.0.0.1:$(recorded_port postgres)"
    return 0
  fi
  check_port_free postgres "$port" || return 1
  prepare_pg_dir
  local pgdir
  pgdir="$(pg_home)"
  log="$pgdir/postgres.log"
  if [[ ! -s $pgdir/data/PG_VERSION ]]; then
    rm -rf "${pgdir:?}/data"
    as_pg mkdir -p "$pgdir/run"
    if ! as_pg "$bin/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$STATE/logs/initdb.log" 2>&1; then
      fail_with_log postgres "$STATE/logs/initdb.log"
      return 1
    fi
    # Dev-box tuning; fsync stays on so timings resemble a real server.
    cat <<'EOF' | as_pg tee -a "$pgdir/data/postgresql.conf" >/dev/null

# --- Vitrina local dev settings (tools/services.sh) ---
listen_addresses = '127.0.0.1'
max_connections = 200
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 256MB
max_wal_size = 2GB
checkpoint_timeout = 15min
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
EOF
  fi
  as_pg mkdir -p "$pgdir/run"
  if ! as_pg "$bin/pg_ctl" -D "$pgdir/data" -l "$log" -w -t "$DEFAULT_TIMEOUT" \
    -o "-p $port -k '$pgdir/run' -c listen_addresses=127.0.0.1" start >/dev/null 2>&1 9>&-; then
    fail_with_log postgres "$log"
    return 1
  fi
  echo "$port" >"$STATE/ports/postgres"
  if ! wait_port "$port" "$DEFAULT_TIMEOUT"; then
    fail_with_log postgres "$log"
    return 1
  fi
  local exists
  exists="$("$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -XtAc \
    "select 1 from pg_database where datname = 'vitrina'")"
  if [[ $exists != 1 ]]; then
    "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres vitrina
  fi
  say "postgres up on 127.0.0.1:$port ($((SECONDS - t0)) s)"
}

stop_postgres() {
  local bin
  bin="$(pg_bin)"
  if pid_alive "$STATE/pg/data/postmaster.pid"; then
    as_pg "$bin/pg_ctl" -D "$(pg_home)/data" -m fast -w -t 30 stop >/dev/null
    say "postgres stopped"
  fi
  rm -f "$STATE/ports/postgres"
}

# --------------------------------------------------------------------- Redis

start_redis() {
  local port=$1 t0=$SECONDS
  if is_up redis; then
    say "redis already up on 127.0.0.1:$(recorded_port redis)"
    return 0
  fi
  check_port_free redis "$port" || return 1
  mkdir -p "$STATE/redis"
  local log="$STATE/logs/redis.log"
  # shellcheck disable=SC2046 # the memory options are words on purpose
  if ! redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
    $(redis_memory_options) \
    --daemonize yes --pidfile "$STATE/redis/redis.pid" --logfile "$log" \
    --dir "$STATE/redis" 9>&-; then
    fail_with_log redis "$log"
    return 1
  fi
  echo "$port" >"$STATE/ports/redis"
  if ! wait_redis "$port" "$STATE/redis/redis.pid"; then
    fail_with_log redis "$log"
    return 1
  fi
  say "redis up on 127.0.0.1:$port ($((SECONDS - t0)) s)"
}

stop_redis_port() {
  local port=$1 pidfile=$2
  if pid_alive "$pidfile"; then
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
    stop_pidfile "$pidfile"
  fi
}

stop_redis() {
  local port
  port="$(recorded_port redis)"
  if [[ -n $port ]] && pid_alive "$STATE/redis/redis.pid"; then
    stop_redis_port "$port" "$STATE/redis/redis.pid"
    say "redis stopped"
  fi
  rm -f "$STATE/ports/redis"
}

# ------------------------------------------------------------------- Azurite

start_azurite() {
  local port=$1 t0=$SECONDS
  if is_up azurite; then
    say "azurite already up on 127.0.0.1:$(recorded_port azurite)"
    return 0
  fi
  [[ -x $NODE_BIN/azurite-blob ]] || die "azurite: $NODE_BIN/azurite-blob missing (run tools/install-deps.sh)"
  check_port_free azurite "$port" || return 1
  mkdir -p "$STATE/azurite"
  local log="$STATE/logs/azurite.log"
  launch "$STATE/pids/azurite.pid" "$log" "$NODE_BIN/azurite-blob" \
    --blobHost 127.0.0.1 --blobPort "$port" --location "$STATE/azurite" \
    --skipApiVersionCheck --disableTelemetry --loose
  echo "$port" >"$STATE/ports/azurite"
  if ! wait_port "$port" "$DEFAULT_TIMEOUT" "$(cat "$STATE/pids/azurite.pid" 2>/dev/null)"; then
    fail_with_log azurite "$log"
    return 1
  fi
  say "azurite up on 127.0.0.1:$port ($((SECONDS - t0)) s)"
}

# ------------------------------------------------------------------ Firebase

start_firebase() {
  local base=$1 t0=$SECONDS
  local port=$((base + 3))
  if is_up firebase; then
    say "firebase already up on 127.0.0.1:$(recorded_port firebase | cut -d' ' -f1)"
    return 0
  fi
  [[ -x $NODE_BIN/firebase ]] || die "firebase: $NODE_BIN/firebase missing (run tools/install-deps.sh)"
  local p
  for p in $port $((base + 4)) $((base + 5)); do
    check_port_free firebase "$p" || return 1
  done
  local dir="$STATE/firebase"
  # HOME, XDG dirs and TMPDIR point inside STATE: firebase-tools keeps its
  # config there, and the hub's locator file (one per project id, in TMPDIR)
  # must not collide with another state dir running the same project.
  mkdir -p "$dir/home" "$dir/config" "$dir/cache" "$dir/tmp"
  cat >"$dir/firebase.json" <<EOF
{
  "emulators": {
    "singleProjectMode": true,
    "auth": { "host": "127.0.0.1", "port": $port },
    "hub": { "host": "127.0.0.1", "port": $((base + 4)) },
    "logging": { "host": "127.0.0.1", "port": $((base + 5)) },
    "eventarc": { "host": "127.0.0.1", "port": $((base + 6)) },
    "tasks": { "host": "127.0.0.1", "port": $((base + 7)) },
    "ui": { "enabled": false, "host": "127.0.0.1", "port": $((base + 8)) }
  }
}
EOF
  local log="$STATE/logs/firebase.log"
  : >"$log"
  (
    cd "$dir"
    launch "$STATE/pids/firebase.pid" "$log" env \
      HOME="$dir/home" XDG_CONFIG_HOME="$dir/config" XDG_CACHE_HOME="$dir/cache" TMPDIR="$dir/tmp" \
      NO_UPDATE_NOTIFIER=1 CI=1 \
      "$NODE_BIN/firebase" emulators:start --only auth --project "$FIREBASE_PROJECT_ID" \
      --config "$dir/firebase.json"
  )
  echo "$port $base" >"$STATE/ports/firebase"
  if ! wait_port "$port" "$FIREBASE_TIMEOUT" "$(cat "$STATE/pids/firebase.pid" 2>/dev/null)"; then
    fail_with_log firebase "$log"
    return 1
  fi
  say "firebase auth emulator up on 127.0.0.1:$port, project $FIREBASE_PROJECT_ID ($((SECONDS - t0)) s)"
}

# ------------------------------------------------------ App Insights capture

start_appinsights() {
  local port=$1 t0=$SECONDS
  if is_up appinsights; then
    say "appinsights capture already up on 127.0.0.1:$(recorded_port appinsights)"
    return 0
  fi
  check_port_free appinsights "$port" || return 1
  mkdir -p "$STATE/appinsights"
  local log="$STATE/logs/appinsights.log"
  launch "$STATE/pids/appinsights.pid" "$log" python3 "$TOOLS_DIR/appinsights-capture.py" \
    --host 127.0.0.1 --port "$port" --out "$STATE/appinsights/envelopes.jsonl"
  echo "$port" >"$STATE/ports/appinsights"
  if ! wait_port "$port" "$DEFAULT_TIMEOUT" "$(cat "$STATE/pids/appinsights.pid" 2>/dev/null)"; then
    fail_with_log appinsights "$log"
    return 1
  fi
  say "appinsights capture up on 127.0.0.1:$port ($((SECONDS - t0)) s)"
}

# ------------------------------------------------------------- Redis Cluster

cluster_ports() { recorded_port redis-cluster; }

cluster_ok() {
  local first=$1
  redis-cli -h 127.0.0.1 -p "$first" cluster info 2>/dev/null | grep -q '^cluster_state:ok'
}

start_redis_cluster() {
  local base=$1 t0=$SECONDS
  local ports=("$base" $((base + 1)) $((base + 2))) p up=0
  for p in "${ports[@]}"; do
    if pid_alive "$STATE/redis-cluster/$p/redis.pid" && port_open "$p"; then
      up=$((up + 1))
    fi
  done
  if ((up == 3)) && cluster_ok "$base"; then
    say "redis cluster already up on 127.0.0.1:${ports[0]}-${ports[2]}"
  else
    # The cluster keeps no data, so a partial or stale one is rebuilt from scratch.
    stop_redis_cluster quiet
    for p in "${ports[@]}" $((base + 3)) $((base + 4)) $((base + 5)); do
      check_port_free redis-cluster "$p" || return 1
    done
    for p in "${ports[@]}"; do
      local dir="$STATE/redis-cluster/$p"
      rm -rf "$dir"
      mkdir -p "$dir"
      # An explicit bus port: the default (port + 10000) only exists for ports <= 55535.
      # shellcheck disable=SC2046 # the memory options are words on purpose
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-port $((p + 3)) \
        $(redis_memory_options) \
        --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000 \
        --save "" --appendonly no --daemonize yes --pidfile "$dir/redis.pid" \
        --logfile "$STATE/logs/redis-cluster-$p.log" --dir "$dir" 9>&- ||
        fail_with_log redis-cluster "$STATE/logs/redis-cluster-$p.log" || return 1
    done
    echo "${ports[*]}" >"$STATE/ports/redis-cluster"
    for p in "${ports[@]}"; do
      wait_redis "$p" "$STATE/redis-cluster/$p/redis.pid" || fail_with_log redis-cluster "$STATE/logs/redis-cluster-$p.log" || return 1
    done
    local log="$STATE/logs/redis-cluster-create.log"
    if ! redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes \
      </dev/null >"$log" 2>&1; then
      fail_with_log redis-cluster "$log"
      return 1
    fi
    local deadline=$((SECONDS + DEFAULT_TIMEOUT)) all_ok
    while :; do
      all_ok=1
      for p in "${ports[@]}"; do
        cluster_ok "$p" || all_ok=0
      done
      ((all_ok)) && break
      if ((SECONDS >= deadline)); then
        redis-cli -h 127.0.0.1 -p "$base" cluster info >>"$log" 2>&1 || true
        fail_with_log redis-cluster "$log"
        return 1
      fi
      sleep 0.2
    done
    say "redis cluster up on 127.0.0.1:${ports[0]}-${ports[2]} ($((SECONDS - t0)) s)"
  fi
  write_env
}

stop_redis_cluster() {
  local ports p stopped=0
  ports="$(cluster_ports)"
  for p in $ports; do
    if pid_alive "$STATE/redis-cluster/$p/redis.pid"; then
      stop_redis_port "$p" "$STATE/redis-cluster/$p/redis.pid"
      stopped=1
    fi
  done
  rm -f "$STATE/ports/redis-cluster"
  if ((stopped)) && [[ ${1:-} != quiet ]]; then
    say "redis cluster stopped"
  fi
}

# ------------------------------------------------------------------- general

# Send TERM to a pid file's process group, then KILL after a grace period.
stop_pidfile() {
  local file=$1 pid i
  pid_alive "$file" || {
    rm -f "$file"
    return 0
  }
  pid="$(head -n1 "$file")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

stop_daemon() {
  local svc=$1
  if pid_alive "$STATE/pids/$svc.pid"; then
    stop_pidfile "$STATE/pids/$svc.pid"
    say "$svc stopped"
  fi
  rm -f "$STATE/pids/$svc.pid" "$STATE/ports/$svc"
}

# Quote a value for a shell when it needs it (single quotes; none inside).
env_line() {
  local key=$1 value=$2
  if [[ $value =~ ^[A-Za-z0-9_./:@,+-]*$ ]]; then
    printf '%s=%s\n' "$key" "$value"
  else
    printf "%s='%s'\n" "$key" "$value"
  fi
}

write_env() {
  local tmp="$STATE/env.tmp" port
  {
    if is_up postgres; then
      port="$(recorded_port postgres)"
      env_line DATABASE_URL "postgresql://postgres@127.0.0.1:$port/vitrina"
      env_line PGHOST 127.0.0.1
      env_line PGPORT "$port"
      env_line PGUSER postgres
      env_line PGDATABASE vitrina
    fi
    if is_up redis; then
      env_line REDIS_URL "redis://127.0.0.1:$(recorded_port redis)"
    fi
    if is_up azurite; then
      port="$(recorded_port azurite)"
      env_line AZURE_STORAGE_CONNECTION_STRING "DefaultEndpointsProtocol=http;AccountName=$AZURITE_ACCOUNT;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$port/$AZURITE_ACCOUNT;"
    fi
    if is_up firebase; then
      port="$(recorded_port firebase | cut -d' ' -f1)"
      env_line FIREBASE_AUTH_EMULATOR_HOST "127.0.0.1:$port"
      env_line FIREBASE_PROJECT_ID "$FIREBASE_PROJECT_ID"
      env_line FIREBASE_API_KEY demo-key
    fi
    if is_up appinsights; then
      port="$(recorded_port appinsights)"
      env_line APPLICATIONINSIGHTS_CONNECTION_STRING "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:$port/"
      env_line APPINSIGHTS_CAPTURE_URL "http://127.0.0.1:$port"
    fi
    local cports
    cports="$(cluster_ports)"
    if [[ -n $cports ]] && cluster_ok "${cports%% *}"; then
      local nodes
      # shellcheck disable=SC2086 # one argument per port
      nodes="$(printf '127.0.0.1:%s,' $cports)"
      env_line REDIS_CLUSTER_NODES "${nodes%,}"
    fi
    # What other tools added (demo-admin.sh's DEMO_ADMIN_*) survives a service's restart.
    if [[ -f $STATE/env ]]; then
      grep -v -E "^($ENV_KEYS)=" "$STATE/env" || true
    fi
  } >"$tmp"
  mv -f "$tmp" "$STATE/env"
}

cmd_start() {
  local base=$1
  shift
  local services=("$@")
  ((${#services[@]})) || services=("${ALL_SERVICES[@]}")
  local svc port pids=() names=() failed=0
  for svc in "${services[@]}"; do
    case $svc in
      postgres) port=$base ;;
      redis) port=$((base + 1)) ;;
      azurite) port=$((base + 2)) ;;
      firebase) port=$base ;; # uses base+3..+8
      appinsights) port=$((base + 9)) ;;
      *) die "unknown service: $svc (known: ${ALL_SERVICES[*]})" ;;
    esac
    "start_$svc" "$port" &
    pids+=($!)
    names+=("$svc")
  done
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed=1
  done
  write_env
  if ((failed)); then
    die "some services failed to start (logs in $STATE/logs); stop them with: $0 stop $STATE"
  fi
}

cmd_stop() {
  stop_daemon firebase &
  local fb=$!
  stop_daemon azurite
  stop_daemon appinsights
  stop_redis
  stop_redis_cluster
  stop_postgres
  wait "$fb" || true
  rm -f "$STATE/env"
}

cmd_status() {
  local svc port
  for svc in "${ALL_SERVICES[@]}"; do
    if is_up "$svc"; then
      port="$(recorded_port "$svc" | cut -d' ' -f1)"
      printf '%-14s up    127.0.0.1:%s\n' "$svc" "$port"
    else
      printf '%-14s down\n' "$svc"
    fi
  done
  local cports
  cports="$(cluster_ports)"
  if [[ -n $cports ]] && cluster_ok "${cports%% *}"; then
    printf '%-14s up    127.0.0.1:%s\n' redis-cluster "${cports// /,}"
  else
    printf '%-14s down\n' redis-cluster
  fi
}

main() {
  (($# >= 2)) || usage
  local cmd=$1
  STATE=$2
  shift 2
  case $cmd in
    start | redis-cluster)
      (($# >= 1)) || usage
      [[ $1 =~ ^[0-9]+$ ]] || die "PORT_BASE must be a number: $1"
      ;;
    stop | status) (($# == 0)) || usage ;;
    *) usage ;;
  esac
  if [[ $cmd == status || $cmd == stop ]] && [[ ! -d $STATE ]]; then
    [[ $cmd == status ]] && cmd_status
    return 0
  fi
  mkdir -p "$STATE"
  STATE="$(cd "$STATE" && pwd)"
  readonly STATE
  mkdir -p "$STATE/logs" "$STATE/pids" "$STATE/ports"
  # One start/stop at a time per state dir. Every daemon is started with fd 9
  # closed so the lock is not inherited by it.
  exec 9>"$STATE/.lock"
  flock 9
  case $cmd in
    start) cmd_start "$@" ;;
    redis-cluster) start_redis_cluster "$1" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
  esac
}

main "$@"
