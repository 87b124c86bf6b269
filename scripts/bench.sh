#!/usr/bin/env bash
# Benchmarks (figures, never pass/fail). Builds release binaries in build-bench/, loads
# the demo district into a scratch database, adds N synthetic events (bench/load_events),
# starts the server on loopback and measures with wrk, in the same run:
#   /healthz (the ceiling of this server on this machine), the scoped event list (street
#   centre), event get (random ids, district centre), search, the cockpit's counts
#   (GET /api/v1/stats/events, from roll-up tables) and the exact total of a state filter
#   on the event list (one connection), durable event create (grid worker), the orgs and
#   locate figures of earlier issues; then in-process grid locates per second
#   (bench/bench_locate) and the server's memory. Each wrk figure is the median of ROUNDS
#   runs of DURATION seconds, at 32 connections and then at one (the latency of a request
#   alone), also given as a share of the /healthz ceiling. Each figure's line ends with
#   the load average (1, 5, 15 min) when it was taken: other work on the machine shows.
#
#   scripts/bench.sh [--events N] [--rounds R] [--duration S] [--keep DIR] [--dir DIR]
#     --events N    synthetic events to load (default 1000000; 100000 for a quick run)
#     --rounds R    wrk runs per figure (default 3); --duration S seconds each (default 5)
#     --dir DIR     put the scratch database under DIR (default $TMPDIR or /tmp; it must be
#                   a real disk, not tmpfs, or durable creates measure nothing)
#     --keep DIR    keep the database in DIR; when DIR/p.db exists, reuse it as it is (no
#                   demo, no loading; the earlier runs' creates are in it)
#   The old positional form `scripts/bench.sh ROUNDS DURATION` still works.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=1000000 ROUNDS=3 DURATION=5 KEEP="" PARENT=${TMPDIR:-/tmp}
pos=()
while [ $# -gt 0 ]; do
  case $1 in
    --events) EVENTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --keep) KEEP=$2; shift 2 ;;
    --dir) PARENT=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) pos+=("$1"); shift ;;
  esac
done
[ ${#pos[@]} -ge 1 ] && ROUNDS=${pos[0]}
[ ${#pos[@]} -ge 2 ] && DURATION=${pos[1]}

PINGAN_EXTRA_PACKAGES="wrk" scripts/deps.sh
# a build directory of its own: build/ is usually a developer's debug build
[ -d build-bench ] || meson setup build-bench --buildtype=release >/dev/null
ninja -C build-bench pingan bench_locate load_events >/dev/null

if [ -n "$KEEP" ]; then
  mkdir -p "$KEEP"
  dir=$(cd "$KEEP" && pwd)
else
  dir=$(mktemp -d "$PARENT/pingan-bench.XXXXXX")
fi
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [ -z "$KEEP" ] && rm -rf "$dir"
  return 0
}
trap cleanup EXIT
db="$dir/p.db"
fstype=$(stat -f -c %T "$dir")
[ "$fstype" = tmpfs ] && echo "bench: warning: '$dir' is on tmpfs: fsync is free there, creates will look fast"

commit() {
  local c
  c=$(git rev-parse --short HEAD 2>/dev/null) || { echo "not a git checkout"; return; }
  git diff --quiet HEAD -- src meson.build migrations && echo "commit $c" || echo "commit $c + local changes"
}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo)," \
  "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); database on $fstype;" \
  "$(commit)"
if [ -f "$db" ]; then
  echo "reusing $db ($(du -m "$db" | cut -f1) MB)"
else
  t0=$(date +%s%N)
  PINGAN_DEMO_EVENTS=0 ./build-bench/pingan --db "$db" demo --district 330108 >/dev/null \
    2>"$dir/demo.err" || { cat "$dir/demo.err" >&2; exit 1; }
  echo "demo district (no events) loaded in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  ./build-bench/load_events --db "$db" --events "$EVENTS" 2>"$dir/load.err" ||
    { cat "$dir/load.err" >&2; exit 1; }
  echo "  (load average $(cut -d' ' -f1-3 /proc/loadavg) after loading)"
fi

# the benchmark's centre accounts log in without a second factor (the demo enrols none):
# otherwise their sessions are restricted to enrolment and every list answers 403
PINGAN_TOTP_ROLES= PINGAN_PASSWORD_MAX_AGE_DAYS=0 \
  ./build-bench/pingan --db "$db" --listen 127.0.0.1:0 --access-log=false --log-level=warn serve \
  >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.:]*' "$dir/out") || { echo "bench: the server did not start:" >&2; cat "$dir/err" >&2; exit 1; }
rss() { awk -v k="$1" '$1==k":" {printf "%.1f", $2/1024}' "/proc/$pid/status"; }
echo "server pid $pid on $base; RSS at start $(rss VmRSS) MB"

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
login() {
  local pw
  pw=$(awk -v u="$1" '$1==u {print $2}' "$dir/demo-accounts.txt")
  curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$pw\"}" "$base/api/v1/auth/login" | json 'd["token"]'
}
street=$(login street.centre)
centre=$(login centre)
worker=$(login gridworker)
auth() { echo "Authorization: Bearer $1"; }
maxid=$(curl -sf -H "$(auth "$centre")" "$base/api/v1/events?limit=1" | json 'd["items"][0]["id"]')
total=$(curl -sf -H "$(auth "$centre")" "$base/api/v1/events?limit=1" | json 'd["total"]')
# report points for the creates: those of the newest 100 events inside a grid
curl -sf -H "$(auth "$centre")" "$base/api/v1/events?limit=100" |
  json '"\n".join("%r %r" % (e["point"]["lon"], e["point"]["lat"]) for e in d["items"] if e["grid"])' \
  >"$dir/points"
echo "events in the database: $total (ids up to $maxid)"

median() { sort -g | awk '{a[NR]=$1} END {if (NR) print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ms() { # wrk latency ("812.00us", "1.20ms", "2.01s") in ms
  awk '{v=$1; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        printf "%.3f\n", v * (u=="us" ? 0.001 : u=="s" ? 1000 : u=="m" ? 60000 : 1)}'
}
names=()
wrk_rounds() { # connections [wrk args...]: prints "median-rate median-p50-ms errors rates..."
  local conns=$1; shift
  local rates=() lats=() errs=0 out
  for _ in $(seq "$ROUNDS"); do
    out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${DURATION}s" --timeout 30s --latency "$@")
    rates+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
    lats+=("$(echo "$out" | awk '$1=="50%" {print $2}' | ms)")
    errs=$(( errs + $(echo "$out" | awk '/Non-2xx/ {n+=$NF}
      /Socket errors/ {gsub(/,/, ""); n+=$4+$6+$8+$10} END {print n+0}') ))
  done
  printf '%.1f %.3f %s %s\n' "$(printf '%s\n' "${rates[@]}" | median)" \
    "$(printf '%s\n' "${lats[@]}" | median)" "$errs" \
    "$(printf '%.0f/' "${rates[@]}" | sed 's,/$,,')"
}
# measure NAME MODE [wrk args...]: MODE "both" runs 32 connections then one connection
# (the latency of a request alone), "one" only one connection
measure() {
  local name=$1 mode=$2; shift 2
  local r32="- - 0 -" r1
  [ "$mode" = both ] && r32=$(wrk_rounds 32 "$@")
  r1=$(wrk_rounds 1 "$@")
  echo "$r32 $r1" >"$dir/fig.$name"
  names+=("$name")
  read -r a b e32 ra c d e1 rb <<<"$r32 $r1"
  printf '%-20s c32: %9s req/s p50 %8s ms (%s)   c1: %8s req/s p50 %6s ms (%s)%s  load %s\n' \
    "$name" "$a" "$b" "$ra" "$c" "$d" "$rb" "$( [ $((e32 + e1)) -gt 0 ] && echo "  $((e32 + e1)) ERRORS")" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
}
q_search=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("垃圾桶满溢"))')
echo "wrk -t2 -c32, then -t1 -c1, on the same cores as the server; $ROUNDS rounds x ${DURATION}s;" \
  "medians (the rounds' req/s in brackets)"
measure healthz both "$base/healthz"
measure events_list_scoped both -H "$(auth "$street")" "$base/api/v1/events?limit=20"
measure event_get both -H "$(auth "$centre")" -s bench/wrk_event_get.lua "$base" -- "$maxid"
measure events_search both -H "$(auth "$centre")" "$base/api/v1/events?q=$q_search"
if curl -sf -o /dev/null -H "$(auth "$centre")" "$base/api/v1/stats/events"; then
  measure cockpit_stats both -H "$(auth "$centre")" "$base/api/v1/stats/events"
else
  echo "cockpit_stats        (no GET /api/v1/stats/events in this build)"
fi
measure state_filter_total one -H "$(auth "$centre")" "$base/api/v1/events?state=handling&limit=1"
measure orgs_children both -H "$(auth "$street")" "$base/api/v1/orgs/330108001/children"
measure locate both -H "$(auth "$street")" "$base/api/v1/locate?lon=120.2116&lat=30.2088"
measure event_create both -H "$(auth "$worker")" -s bench/wrk_event_create.lua "$base" -- "$dir/points"
rss_now=$(rss VmRSS)
rss_peak=$(rss VmHWM)
after=$(curl -sf -H "$(auth "$centre")" "$base/api/v1/events?limit=1" | json 'd["total"]')
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
grep -v '"level":"info"' "$dir/err" | grep -v 'no holiday data' | head -5 || true

read -r ceiling _ <"$dir/fig.healthz"
echo
echo "summary: medians; share of the /healthz ceiling (${ceiling} req/s at 32 connections)"
printf '  %-20s %12s %8s %12s %12s\n' "" "req/s (c32)" "ceiling" "p50 (c32)" "p50 alone"
for n in "${names[@]}"; do
  read -r a b e32 _ c d e1 _ <"$dir/fig.$n"
  if [ "$a" = - ]; then a=$c b=$d; fi
  awk -v n="$n" -v r="$a" -v l="$b" -v l1="$d" -v c="$ceiling" -v e=$((e32 + e1)) \
    'BEGIN {printf "  %-20s %12.1f %7.2f%% %9.2f ms %9.2f ms%s\n", n, r, 100*r/c, l, l1,
            (e > 0 ? "  (" e " errors)" : "")}'
done
echo "  (state_filter_total runs on one connection only: its req/s is one client's)"
echo "  server RSS after the runs: ${rss_now} MB (peak ${rss_peak} MB); events now: $after" \
  "($((after - total)) created); database $(du -cm "$db"* | tail -1 | cut -f1) MB"
echo "in-process locate (bench/bench_locate, one core):"
./build-bench/bench_locate | sed 's/^/  /'
