#!/usr/bin/env bash
# Runs every libFuzzer target (tests/fuzz/*.cpp, built by the build-asan configuration of
# scripts/sanitize_env.sh) for a bounded time on a temporary copy of its seed corpus
# (tests/fuzz/corpus/<target>/; the repository is never modified), two at a time.
# Total wall time ≈ PICKTUNE_FUZZ_SECONDS (default 180). Fails if any target finds a crash,
# leak, timeout or sanitizer report; crashing inputs are kept in build-asan/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/sanitize_env.sh
bash scripts/setup.sh >/dev/null
cmake -S . -B "$PICKTUNE_BUILD_DIR" -DCMAKE_BUILD_TYPE="$PICKTUNE_BUILD_TYPE" $PICKTUNE_CMAKE_ARGS >/dev/null

targets=()
for src in tests/fuzz/*.cpp; do targets+=("$(basename "$src" .cpp)"); done
cmake --build "$PICKTUNE_BUILD_DIR" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

TOTAL="${PICKTUNE_FUZZ_SECONDS:-180}"
PARALLEL=2
rounds=$(( (${#targets[@]} + PARALLEL - 1) / PARALLEL ))
PER=$(( TOTAL / rounds ))
[ "$PER" -ge 5 ] || PER=5
WORK="$(mktemp -d /tmp/picktune-fuzz.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
ARTIFACTS="$PICKTUNE_BUILD_DIR/fuzz-artifacts"
mkdir -p "$ARTIFACTS"

run_target() {
  local t="$1" bin="$PICKTUNE_BUILD_DIR/fuzz_$1"
  mkdir -p "$WORK/$t"
  cp -r "tests/fuzz/corpus/$t/." "$WORK/$t/" 2>/dev/null || true
  if "$bin" -max_total_time="$PER" -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 \
      -artifact_prefix="$ARTIFACTS/$t-" "$WORK/$t" >"$WORK/$t.log" 2>&1; then
    local runs rss
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$')"
    rss="$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$')"
    echo "fuzz: $t ok ($runs runs in ${PER}s, peak RSS ${rss} MB)"
  else
    echo "fuzz: $t FAILED; last lines of its log (inputs in $ARTIFACTS/):" >&2
    tail -n 60 "$WORK/$t.log" >&2
    return 1
  fi
}

echo "fuzz: ${#targets[@]} targets, ${PER}s each, $PARALLEL at a time"
failed=0
pids=()
for t in "${targets[@]}"; do
  run_target "$t" &
  pids+=($!)
  if [ "${#pids[@]}" -ge "$PARALLEL" ]; then
    wait "${pids[0]}" || failed=1
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" = 0 ] && echo "fuzz: ok" || { echo "fuzz: FAILED" >&2; exit 1; }
