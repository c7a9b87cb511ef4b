#!/usr/bin/env bash
# `make run`: local services up, schema migrated, the bundled dataset uploaded to Blob Storage and
# loaded by the ETL from there, then the API in the foreground. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:?usage: tools/run.sh VITRINA_BINARY STATE_DIR PORT_BASE}
state=${2:-.run}
ports=${3:-25400}

tools/services.sh start "$state" "$ports"
trap 'echo; echo "run: stopping local services"; tools/services.sh stop "$state"' EXIT
set -a
# shellcheck disable=SC1091
. "$state/env"
set +a

"$bin" migrate
mkdir -p "$state/data"
gzip -dc datasets/diamonds.csv.gz > "$state/data/diamonds.csv"
"$bin" etl upload "$state/data/diamonds.csv" az://datasets/diamonds.csv
# --if-changed: a second `make run` finds the same checksum and keeps the loaded catalog.
"$bin" etl run --spec datasets/diamonds.yaml --if-changed az://datasets/diamonds.csv

# The demo admin (emulator only; idempotent): DEMO_ADMIN_EMAIL / DEMO_ADMIN_PASSWORD in $state/env.
if [[ -n ${FIREBASE_AUTH_EMULATOR_HOST:-} && ${VITRINA_ENV:-development} != production ]]; then
  tools/demo-admin.sh "$bin" "$state/env"
  set -a
  # shellcheck disable=SC1091
  . "$state/env"
  set +a
fi

url="http://${HOST:-127.0.0.1}:${PORT:-8080}"
cat <<BANNER

  Vitrina is starting on $url   (Ctrl-C stops it and the local services)
    web console  $url/
    API docs     $url/docs
    demo admin   ${DEMO_ADMIN_EMAIL:-(none: no Firebase emulator)}  /  ${DEMO_ADMIN_PASSWORD:-}
    Postman      import postman/vitrina.postman_collection.json + postman/local.postman_environment.json
    your shell   set -a; . $state/env; set +a

BANNER
"$bin" serve
