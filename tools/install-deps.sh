#!/usr/bin/env bash
# Install what Vitrina needs to build, test and run locally: Debian packages,
# then the pinned npm tools in tools/node (Firebase Auth emulator, Azurite,
# newman, swagger-ui-dist, playwright-core). --with-browser adds Debian's chromium for the
# browser tests. Idempotent, and quick when everything is present.
#
#   tools/install-deps.sh [--with-browser] [--with-docker]
#
# Runs apt-get only for packages that are missing, and npm ci only when
# tools/node/package-lock.json is newer than the installed tree.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export DEBIAN_FRONTEND=noninteractive
export NO_UPDATE_NOTIFIER=1

with_browser=0
with_docker=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) with_browser=1 ;;
    --with-docker) with_docker=1 ;;
    -h | --help)
      sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "deps: unknown option: $arg" >&2
      exit 2
      ;;
  esac
done

apt_packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config clang-format clang-tidy
  # libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libpq-dev
  libhiredis-dev libssl-dev libcurl4-openssl-dev libcsv-dev libyaml-cpp-dev
  libcli11-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libbenchmark-dev zlib1g-dev libbrotli-dev
  # services and measuring tools
  postgresql postgresql-contrib redis-server redis-tools nginx wrk gnuplot-nox
  curl jq python3
  # ss: services.sh names the sockets holding a port it cannot use
  iproute2
  # the deployment's tests (tests/deploy/): shellcheck, and PyYAML to read the generated YAML
  shellcheck python3-yaml
  # docs: the diagrams (Graphviz), the deck (pandoc writes .pptx) and its test (LibreOffice
  # Impress converts it to PDF, poppler lists the PDF's pictures; DejaVu is the fonts they use)
  graphviz pandoc libreoffice-impress poppler-utils fonts-dejavu-core
)
# A Node.js from elsewhere (e.g. NodeSource, which ships its own npm) conflicts
# with Debian's npm package, so only fall back to Debian's when there is none.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_packages+=(nodejs npm)
fi
if [[ $with_browser == 1 ]]; then
  apt_packages+=(chromium chromium-driver)
fi
if [[ $with_docker == 1 ]]; then
  apt_packages+=(docker.io containerd runc debootstrap docker-registry docker-compose)
fi

# One dpkg-query call for all packages; a package never seen prints nothing.
missing=()
installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${apt_packages[@]}" 2>/dev/null || true)"
for pkg in "${apt_packages[@]}"; do
  if ! grep -qE "^${pkg//./\\.} .i" <<<"$installed"; then  # ii or hi: installed
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "deps: apt ok (all ${#apt_packages[@]} present)"
else
  echo "deps: apt installing ${#missing[@]} missing: ${missing[*]}"
  sudo=()
  if [[ $(id -u) != 0 ]]; then
    sudo=(sudo)
  fi
  log="$(mktemp -t vitrina-apt.XXXXXX.log)"
  if ! { "${sudo[@]}" apt-get update -q &&
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "deps: apt-get failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
  echo "deps: apt ok (installed ${#missing[@]})"
fi

node_dir="$here/node"
stamp="$node_dir/node_modules/.package-lock.json"
if [[ -f $stamp && ! $stamp -ot $node_dir/package-lock.json ]]; then
  echo "deps: npm ok (tools/node up to date)"
else
  echo "deps: npm ci in tools/node (takes a minute or more on a cold cache)"
  log="$(mktemp -t vitrina-npm.XXXXXX.log)"
  # --ignore-scripts: see tools/node/.npmrc for why no install script is needed.
  if ! (cd "$node_dir" && npm ci --no-audit --no-fund --ignore-scripts) >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "deps: npm ci failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
  echo "deps: npm ok ($(cd "$node_dir" && node -p 'Object.entries(require("./package.json").dependencies).map(([k, v]) => k + "@" + v).join(" ")'))"
fi
