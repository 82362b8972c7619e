#!/usr/bin/env bash
# Builds everything with clang-14 ASan + UBSan (and the libFuzzer targets) in build-asan and runs
# the whole CTest suite there through scripts/test.sh (so the PostgreSQL tests get their server).
# Any sanitizer report fails the run, including one from a child process (picktune, the fakes)
# whose exit code a test might have tolerated: reports go to files that are checked afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitize_env.sh
REPORTS="$(mktemp -d /tmp/picktune-sanitize.XXXXXX)"
trap 'rm -rf "$REPORTS"' EXIT
export ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$REPORTS/ubsan"
start=$(date +%s)
status=0
bash scripts/test.sh "$@" || status=$?
if compgen -G "$REPORTS/*" >/dev/null; then
  echo "sanitize: sanitizer reports:" >&2
  for f in "$REPORTS"/*; do echo "--- $(basename "$f")" >&2; cat "$f" >&2; done
  status=1
fi
echo "sanitize: $([ "$status" = 0 ] && echo ok || echo FAILED) in $(( $(date +%s) - start ))s (build + tests, $PICKTUNE_BUILD_DIR)"
exit "$status"
