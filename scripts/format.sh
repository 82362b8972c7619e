#!/usr/bin/env bash
# Formats every C++ source of picktune with clang-format-14 (.clang-format), or with --check
# lists the files that are not formatted and exits 1. CI runs the check (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
CF="$(command -v clang-format-14 || command -v clang-format || true)"
[ -n "$CF" ] || { echo "format: clang-format-14 is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(git ls-files 'src/*.h' 'src/*.cpp' 'tests/*.h' 'tests/*.cpp' 'bench/*.cpp' 'bench/*.h' | grep -v '^tests/fuzz/corpus/')
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    "$CF" --style=file "$f" | cmp -s - "$f" || bad+=("$f")
  done
  if [ "${#bad[@]}" -gt 0 ]; then
    printf 'format: not formatted (run bash scripts/format.sh): %s\n' "${bad[@]}" >&2
    exit 1
  fi
  echo "format: ${#files[@]} files ok"
else
  "$CF" --style=file -i "${files[@]}"
fi
