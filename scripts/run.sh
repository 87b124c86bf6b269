#!/usr/bin/env bash
# Installs dependencies, builds the server and the web app (web/dist), loads
# the demo district into data/pingan.db (once) and serves the app and the API
# at http://127.0.0.1:8080. Settings: PINGAN_* variables or flags passed
# through, e.g. scripts/run.sh --listen 127.0.0.1:9090
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build pingan >/dev/null
scripts/web.sh   # web/dist, served at / (skipped when up to date)
./build/pingan "$@" demo --district "${PINGAN_DISTRICT:-330108}"
exec ./build/pingan "$@" serve
