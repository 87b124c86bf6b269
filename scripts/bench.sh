#!/usr/bin/env bash
# Benchmarks (figures, never pass/fail): builds a release binary, loads the demo district
# into a scratch database, then measures with wrk on loopback:
#   /healthz (the ceiling of this server on this machine), an authenticated scoped org
#   listing, locate, and login; and in-process grid locates per second (bench_locate).
# Each wrk figure is the median of ROUNDS runs of DURATION seconds. Usage:
#   scripts/bench.sh [ROUNDS=3] [DURATION=5]
set -euo pipefail
cd "$(dirname "$0")/.."
PINGAN_EXTRA_PACKAGES="wrk" scripts/deps.sh
ROUNDS=${1:-3}
DURATION=${2:-5}
[ -d build ] || meson setup build --buildtype=release >/dev/null
ninja -C build pingan bench_locate >/dev/null

dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
./build/pingan --db "$dir/p.db" demo --district 330108 >/dev/null
./build/pingan --db "$dir/p.db" --listen 127.0.0.1:0 --access-log=false serve >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$dir/out")
pw=$(awk '$1=="street.centre"{print $2}' "$dir/demo-accounts.txt")
token=$(curl -s -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"street.centre\",\"password\":\"$pw\"}" "$base/api/v1/auth/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
run() { # name path [header]
  local name=$1 url="$base$2" hdr=${3:-}
  local rates=() lats=()
  for _ in $(seq "$ROUNDS"); do
    out=$(wrk -t2 -c32 -d"${DURATION}s" --latency ${hdr:+-H "$hdr"} "$url")
    rates+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
    lats+=("$(echo "$out" | awk '$1=="50%" {print $2}')")
  done
  rate=$(printf '%s\n' "${rates[@]}" | median)
  printf '%-34s %10.0f req/s   p50 latency %s\n' "$name" "$rate" "${lats[$((ROUNDS/2))]}"
  echo "$rate"  >"$dir/rate.$name"
}
echo "machine: $(nproc) cores; rounds $ROUNDS x ${DURATION}s; wrk -t2 -c32; medians"
run healthz /healthz
run orgs_children_scoped /api/v1/orgs/330108001/children "Authorization: Bearer $token"
run locate "/api/v1/locate?lon=120.2116&lat=30.2088" "Authorization: Bearer $token"
ceiling=$(cat "$dir/rate.healthz")
for n in orgs_children_scoped locate; do
  awk -v a="$(cat "$dir/rate.$n")" -v c="$ceiling" -v n="$n" \
    'BEGIN {printf "%-34s %9.0f%% of the /healthz ceiling\n", n, 100*a/c}'
done
echo "in-process locate:"
./build/bench_locate
