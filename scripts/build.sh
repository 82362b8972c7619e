#!/usr/bin/env bash
# Installs dependencies (scripts/setup.sh) and builds picktune, its tests and benchmarks into
# build/ (override with PICKTUNE_BUILD_DIR; PICKTUNE_BUILD_TARGETS="picktune" builds only those
# targets, as scripts/quickstart.sh does). Idempotent; incremental on re-runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR="${PICKTUNE_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${PICKTUNE_BUILD_TYPE:-RelWithDebInfo}" ${PICKTUNE_CMAKE_ARGS:-} >/dev/null
TARGETS=()
for t in ${PICKTUNE_BUILD_TARGETS:-}; do TARGETS+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"$(nproc)" "${TARGETS[@]}"
