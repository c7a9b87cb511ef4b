#!/bin/sh
# The Firebase Auth emulator on 127.0.0.1:$FIREBASE_AUTH_PORT (compose.yaml runs it with the
# host's network, so every port it opens is configurable, as in tools/services.sh).
set -eu
cat >"$HOME/firebase.json" <<JSON
{
  "emulators": {
    "singleProjectMode": true,
    "auth": { "host": "127.0.0.1", "port": ${FIREBASE_AUTH_PORT:-9099} },
    "hub": { "host": "127.0.0.1", "port": ${FIREBASE_HUB_PORT:-4400} },
    "logging": { "host": "127.0.0.1", "port": ${FIREBASE_LOGGING_PORT:-4500} },
    "eventarc": { "host": "127.0.0.1", "port": ${FIREBASE_EVENTARC_PORT:-9299} },
    "tasks": { "host": "127.0.0.1", "port": ${FIREBASE_TASKS_PORT:-9499} },
    "ui": { "enabled": false }
  }
}
JSON
cd "$HOME"
exec firebase emulators:start --only auth --project "${FIREBASE_PROJECT_ID:-demo-vitrina}" \
  --config "$HOME/firebase.json"
