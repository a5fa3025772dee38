#!/usr/bin/env bash
# check_format.sh SOURCE_ROOT: every C++ file of the project is as clang-format (.clang-format)
# writes it. Names each file that is not.
set -u
cd "$1" || exit 1
command -v clang-format >/dev/null || { echo "clang-format not installed"; exit 1; }
bad=0
while IFS= read -r f; do
  clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || { echo "not clang-formatted: $f"; bad=1; }
done < <(find src include tests -name '*.cpp' -o -name '*.hpp' | sort)
exit $bad
