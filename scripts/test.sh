#!/usr/bin/env bash
# The whole test suite: source checks, unit tests and API tests against the
# real binary, all built with AddressSanitizer and UndefinedBehaviorSanitizer
# and -Werror, then browser tests of the web app in Debian's Chromium. Ends
# with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh || exit 1

B=build-test
if [ ! -f $B/build.ninja ]; then
  meson setup $B --buildtype=debug -Db_sanitize=address,undefined -Dwerror=true \
    -Db_lundef=false >/dev/null || exit 1
fi
ninja -C $B || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
mkdir -p tests/artifacts
passed=0 failed=0

count() { # reads "N passed, N failed" from a log
  local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  if [ -z "$line" ]; then failed=$((failed + 1)); return; fi
  passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

echo "== source checks"
if scripts/checksrc.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== unit tests"
$B/unit > tests/artifacts/unit.tap 2>&1
grep -E '^(not ok|#)' tests/artifacts/unit.tap | grep -v '^# suite' | head -50
tail -n 1 tests/artifacts/unit.tap
count tests/artifacts/unit.tap

echo "== API tests"
PINGAN_BIN="$PWD/$B/pingan" PINGAN_DEMO_DATA="$PWD/node_modules" \
  node --test --test-reporter=tap tests/api/ > tests/artifacts/api.tap 2>&1
grep -E '^\s*(not ok|# (pass|fail))' tests/artifacts/api.tap | head -50
api_pass=$(grep -E '^# pass [0-9]+' tests/artifacts/api.tap | tail -n 1 | awk '{print $3}')
api_fail=$(grep -E '^# fail [0-9]+' tests/artifacts/api.tap | tail -n 1 | awk '{print $3}')
if [ -z "$api_pass" ]; then failed=$((failed + 1)); else
  passed=$((passed + api_pass)); failed=$((failed + ${api_fail:-0})); fi

echo "== UI tests (Chromium)"
if scripts/web.sh > tests/artifacts/web-build.log 2>&1; then
  PINGAN_BIN="$PWD/$B/pingan" PINGAN_DEMO_DATA="$PWD/node_modules" \
    node --test --test-reporter=tap tests/ui/ > tests/artifacts/ui.tap 2>&1
  grep -E '^\s*(not ok|# (pass|fail))' tests/artifacts/ui.tap | head -50
  ui_pass=$(grep -E '^# pass [0-9]+' tests/artifacts/ui.tap | tail -n 1 | awk '{print $3}')
  ui_fail=$(grep -E '^# fail [0-9]+' tests/artifacts/ui.tap | tail -n 1 | awk '{print $3}')
  if [ -z "$ui_pass" ]; then failed=$((failed + 1)); else
    passed=$((passed + ui_pass)); failed=$((failed + ${ui_fail:-0})); fi
else
  cat tests/artifacts/web-build.log; failed=$((failed + 1))
fi
echo "== fuzzing (${PINGAN_FUZZ_SECONDS:-10} s a target; longer runs: docs/testing.md)"
scripts/fuzz.sh "${PINGAN_FUZZ_SECONDS:-10}" > tests/artifacts/fuzz.txt 2>&1
grep -E '^(ok|FAIL|  )' tests/artifacts/fuzz.txt | grep -v '^ok' | head -20
tail -n 1 tests/artifacts/fuzz.txt
count tests/artifacts/fuzz.txt

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
