#!/usr/bin/env bash
# Assessment benchmark (figures, never pass/fail): builds release binaries in build-bench/,
# loads the demo district into a scratch database, writes the assessment facts of N events in
# one month (bench/bench_assess.c) and times every indicator for every level, R rounds; then
# one drill-down count. docs/performance.md has the figures.
#
#   scripts/bench_assess.sh [--events N] [--rounds R] [--dir DIR] [--keep DIR]
#
# --keep DIR keeps the database in DIR (made if missing); a later run with the same
# --keep DIR reuses it and skips the load (a million facts take 15-60 s to write).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=1000000 ROUNDS=5 PARENT=${TMPDIR:-/tmp} KEEP=
while [ $# -gt 0 ]; do
  case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --dir) PARENT=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_assess: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
scripts/deps.sh >/dev/null
[ -d build-bench ] || meson setup build-bench --buildtype=release >/dev/null
ninja -C build-bench pingan bench_assess >/dev/null
if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  dir=$(cd "$KEEP" && pwd)
else
  dir=$(mktemp -d "$PARENT/pingan-bench-assess.XXXXXX")
  trap 'rm -rf "$dir"' EXIT
fi
load=$EVENTS
if [ -n "$KEEP" ] && [ -f "$dir/p.db" ]; then
  echo "reusing $dir/p.db (its facts are kept; --events ignored)"
  load=0
else
  PINGAN_DEMO_EVENTS=0 PINGAN_DEMO_DATA="$PWD/node_modules" ./build-bench/pingan --db "$dir/p.db" \
    demo --district 330108 >/dev/null 2>"$dir/demo.err" || { cat "$dir/demo.err" >&2; exit 1; }
fi
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
./build-bench/bench_assess --db "$dir/p.db" --events "$load" --rounds "$ROUNDS" 2>/dev/null
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
