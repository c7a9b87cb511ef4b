#!/usr/bin/env bash
# Run a command with every local service up, then stop them again.
#
#   tools/with-services.sh STATE_DIR PORT_BASE -- CMD [ARG...]
#
# Starts all services (tools/services.sh start), plus a 3-node Redis Cluster
# on PORT_BASE+20..+25 when WITH_REDIS_CLUSTER=1 (REDIS_CLUSTER_PORT_BASE
# overrides), exports STATE_DIR/env into CMD's environment, and stops
# everything when CMD ends, however it ends. Exits with CMD's status.
set -euo pipefail

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

if (($# < 4)) || [[ $3 != -- ]]; then
  usage
fi
state=$1
base=$2
shift 3
[[ $base =~ ^[0-9]+$ ]] || usage

services="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/services.sh"

stopped=0
# shellcheck disable=SC2317 # called by the EXIT trap
stop_services() {
  ((stopped)) && return 0
  stopped=1
  "$services" stop "$state" || echo "with-services: stopping services failed" >&2
}
trap stop_services EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$services" start "$state" "$base"
if [[ ${WITH_REDIS_CLUSTER:-0} == 1 ]]; then
  "$services" redis-cluster "$state" "${REDIS_CLUSTER_PORT_BASE:-$((base + 20))}"
fi

set -a
# shellcheck disable=SC1091 # written by services.sh
. "$state/env"
set +a

status=0
"$@" || status=$?
exit "$status"
