#!/usr/bin/env bash
# Creates (or repairs) the demo administrator for a local run, against the Firebase Auth emulator.
#
#   tools/demo-admin.sh VITRINA_BINARY [ENV_FILE]
#
# Needs DATABASE_URL (migrated), FIREBASE_AUTH_EMULATOR_HOST and FIREBASE_PROJECT_ID in the
# environment (tools/services.sh writes them to STATE_DIR/env). Emulator only: it refuses to run
# without FIREBASE_AUTH_EMULATOR_HOST or with VITRINA_ENV=production, so it can never create a
# known password on a real Firebase project. Idempotent:
#   1. sign in to the emulator with the demo credentials; if the account is missing, sign up;
#   2. make sure `users` has a row for that uid (the emulator keeps no accounts across restarts,
#      PostgreSQL does: a row for the same email with an older uid is replaced);
#   3. `vitrina users promote` and `vitrina users activate`.
# With ENV_FILE, DEMO_ADMIN_EMAIL and DEMO_ADMIN_PASSWORD are (re)written into it.
set -euo pipefail

bin=${1:?usage: tools/demo-admin.sh VITRINA_BINARY [ENV_FILE]}
env_file=${2:-}
email=${DEMO_ADMIN_EMAIL:-admin@vitrina.test}
password=${DEMO_ADMIN_PASSWORD:-vitrina-demo-admin}

die() {
  echo "demo-admin: $*" >&2
  exit 1
}

[[ -n ${FIREBASE_AUTH_EMULATOR_HOST:-} ]] ||
  die "FIREBASE_AUTH_EMULATOR_HOST is not set: the demo admin exists only with the emulator"
[[ ${VITRINA_ENV:-development} != production ]] ||
  die "VITRINA_ENV=production: refusing to create a demo admin"
: "${DATABASE_URL:?demo-admin: DATABASE_URL is not set}"

toolkit="http://$FIREBASE_AUTH_EMULATOR_HOST/identitytoolkit.googleapis.com/v1"
credentials=$(jq -cn --arg e "$email" --arg p "$password" \
  '{email: $e, password: $p, returnSecureToken: true}')

# Prints the uid of the emulator account for the demo credentials, creating it if needed.
emulator_uid() {
  local reply message
  reply=$(curl -sS -H 'Content-Type: application/json' \
    "$toolkit/accounts:signInWithPassword?key=${FIREBASE_API_KEY:-demo-key}" -d "$credentials")
  message=$(jq -r '.error.message // empty' <<<"$reply")
  if [[ -z $message ]]; then
    jq -r '.localId' <<<"$reply"
    return
  fi
  [[ $message == EMAIL_NOT_FOUND ]] ||
    die "emulator sign-in for $email failed: $message (delete the account or set DEMO_ADMIN_PASSWORD)"
  reply=$(curl -sS -H 'Content-Type: application/json' \
    "$toolkit/accounts:signUp?key=${FIREBASE_API_KEY:-demo-key}" -d "$credentials")
  message=$(jq -r '.error.message // empty' <<<"$reply")
  [[ -z $message ]] || die "emulator sign-up for $email failed: $message"
  jq -r '.localId' <<<"$reply"
}

uid=$(emulator_uid)
[[ -n $uid && $uid != null ]] || die "the emulator returned no uid for $email"

# The same row POST /signup would insert (always active, never admin); promotion is the CLI's job.
psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -v uid="$uid" -v email="$email" >/dev/null <<'SQL'
BEGIN;
DELETE FROM users WHERE lower(email) = lower(:'email') AND uid <> :'uid';
INSERT INTO users (uid, email) VALUES (:'uid', :'email') ON CONFLICT (uid) DO NOTHING;
COMMIT;
SQL

for change in activate promote; do
  out=$("$bin" users "$change" "$email" 2>&1) || die "vitrina users $change $email failed: $out"
done

if [[ -n $env_file ]]; then
  touch "$env_file"
  tmp="$env_file.demo-admin.tmp"
  grep -v -E '^DEMO_ADMIN_(EMAIL|PASSWORD)=' "$env_file" >"$tmp" || true
  printf 'DEMO_ADMIN_EMAIL=%s\nDEMO_ADMIN_PASSWORD=%s\n' "$email" "$password" >>"$tmp"
  mv -f "$tmp" "$env_file"
fi
echo "demo-admin: $email is an active admin (uid $uid)"
