#!/bin/sh
# First start: a cluster with the database `vitrina`; then PostgreSQL in the foreground on
# 127.0.0.1:$PGPORT (compose.yaml runs it with the host's network). Trust authentication, as in
# tools/services.sh: a local development stack, reachable from this machine only.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -k /tmp" start >/dev/null
  createdb -h /tmp -U postgres vitrina
  pg_ctl -D "$PGDATA" -w -m fast stop >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses=127.0.0.1 -p "$PGPORT" -k /tmp -c max_connections=200
