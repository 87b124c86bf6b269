#!/usr/bin/env bash
# Installs dependencies, builds, loads the demo district into data/pingan.db
# (once) and serves http://127.0.0.1:8080. Settings: PINGAN_* variables or
# flags passed through, e.g. scripts/run.sh --listen 127.0.0.1:9090
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build pingan >/dev/null
./build/pingan "$@" demo --district "${PINGAN_DISTRICT:-330108}"
exec ./build/pingan "$@" serve
