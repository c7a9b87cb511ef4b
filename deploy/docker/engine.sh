# shellcheck shell=bash
# Sourced by the Docker smoke scripts: a Docker engine for the run.
#   docker_engine_up LOG_DIR   uses the running engine, or starts dockerd (log: LOG_DIR/dockerd.log)
#                              and sets docker_engine_pid; calls the script's fail() when it can't
#   docker_engine_down         stops the dockerd that docker_engine_up started, if it did
docker_engine_pid=''

docker_engine_up() {
  docker info >/dev/null 2>&1 && return 0
  command -v dockerd >/dev/null || fail "no Docker engine (tools/install-deps.sh --with-docker)"
  say "starting dockerd (log: $1/dockerd.log)"
  # No bridge network on these machines: builds and containers use the host's (docs/deploy.md).
  dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=overlay2 \
    >"$1/dockerd.log" 2>&1 &
  docker_engine_pid=$!
  local _
  for _ in $(seq 1 50); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || fail "dockerd did not start: $(tail -n 5 "$1/dockerd.log")"
}

docker_engine_down() {
  [[ -n $docker_engine_pid ]] || return 0
  kill "$docker_engine_pid" 2>/dev/null || true
  wait "$docker_engine_pid" 2>/dev/null || true
  docker_engine_pid=''
}
