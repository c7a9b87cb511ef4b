# shellcheck shell=bash
# Sourced by the browser tests' runners (run from the repository's root):
#   require_browser NAME
# returns when Chromium ($CHROMIUM, else /usr/bin/chromium) and playwright-core in tools/node are
# there; otherwise says what is missing and exits 1 where a browser is required (CI,
# VITRINA_REQUIRE_BROWSER=1 or VITRINA_REQUIRE_SERVICES=1), else 77 (ctest's skip).
require_browser() {
  local chromium=${CHROMIUM:-/usr/bin/chromium} missing=()
  [[ -x $chromium ]] || missing+=("$chromium")
  [[ -f tools/node/node_modules/playwright-core/package.json ]] ||
    missing+=("playwright-core in tools/node")
  ((${#missing[@]} == 0)) && return 0
  echo "$1: no browser: missing ${missing[*]} (tools/install-deps.sh --with-browser)"
  if [[ ${CI:-} != "" && ${CI:-} != false ]] || [[ ${VITRINA_REQUIRE_BROWSER:-0} == 1 ]] ||
    [[ ${VITRINA_REQUIRE_SERVICES:-0} == 1 ]]; then
    exit 1
  fi
  exit 77
}
