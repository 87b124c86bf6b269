#!/usr/bin/env bash
# Runs the source checks (see checksrc.py) and the formatting check.
cd "$(dirname "$0")/.." || exit 1
python3 scripts/checksrc.py || exit 1
# the formatting of .clang-format (Debian 12's clang-format 14)
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tests/unit/*.h' 'bench/*.c' 2>/dev/null)
[ -n "$files" ] || files=$(find src tests/unit bench -name '*.[ch]')
if ! clang-format --dry-run --Werror $files 2>/tmp/pingan-format.$$; then
  head -n 40 /tmp/pingan-format.$$
  echo "clang-format: the files above are not formatted; run: clang-format -i <files>"
  rm -f /tmp/pingan-format.$$
  exit 1
fi
rm -f /tmp/pingan-format.$$
echo "clang-format: ok"
