#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into build-fuzz/, then runs each for SECONDS
# (default 10) over its committed seed corpus (fuzz/corpus/TARGET, which
# also holds the reproducers of every crash found so far) and a working
# corpus in build-fuzz/corpus/TARGET that grows between runs, with the
# dictionary fuzz/TARGET.dict when there is one.
#   scripts/fuzz.sh [SECONDS] [TARGET...]
# Crash reproducers land in tests/artifacts/fuzz/; the last line is
# "N passed, N failed" (one per target).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
shift || true
B=build-fuzz
all=(fuzz_json fuzz_route fuzz_form fuzz_csv fuzz_geojson fuzz_echarts fuzz_pii fuzz_request fuzz_query)
targets=("${all[@]}")
[ $# -gt 0 ] && targets=("$@")

scripts/deps.sh || exit 1 # clang and libclang-rt-14-dev (libFuzzer) among them
if [ ! -f $B/build.ninja ]; then
  CC=clang meson setup $B --buildtype=debug -Dfuzz=true -Db_sanitize=address,undefined \
    -Db_lundef=false >/dev/null || exit 1
fi
ninja -C $B "${targets[@]/#/fuzz/}" >/dev/null || { ninja -C $B "${targets[@]/#/fuzz/}"; exit 1; }

export PINGAN_DEMO_DATA=${PINGAN_DEMO_DATA:-$PWD/node_modules}
# the request targets' demo district, built once (again when they are rebuilt)
export PINGAN_FUZZ_CACHE=$PWD/$B/fuzz-demo
[ "$B/fuzz/fuzz_request" -nt "$PINGAN_FUZZ_CACHE/pingan.db" ] && rm -rf "$PINGAN_FUZZ_CACHE"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
art=tests/artifacts/fuzz
mkdir -p "$art"
passed=0 failed=0
for t in "${targets[@]}"; do
  mkdir -p "$B/corpus/$t"
  log="$art/$t.log"
  # -close_fd_mask=1: the targets' stdout (import messages) is noise; the
  # sanitizer reports still go to stderr
  dict=()
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  if $B/fuzz/$t "${dict[@]}" -max_total_time="$secs" -timeout=30 -rss_limit_mb=3072 -max_len=65536 \
      -close_fd_mask=1 -print_final_stats=1 -artifact_prefix="$art/$t-" \
      "$B/corpus/$t" "fuzz/corpus/$t" > "$log" 2>&1; then
    runs=$(grep -aoE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
    echo "ok   $t ($secs s, ${runs:-?} runs)"
    passed=$((passed + 1))
  else
    echo "FAIL $t (see $log; reproducer: $(ls -t "$art/$t"-* 2>/dev/null | head -n 1))"
    grep -aE 'ERROR|SUMMARY|runtime error|^fuzz:' "$log" | head -n 5
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
