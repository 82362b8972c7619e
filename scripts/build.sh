#!/usr/bin/env bash
# Installs dependencies (scripts/setup.sh) and builds picktune, its tests and benchmarks into
# build/ (override with PICKTUNE_BUILD_DIR; PICKTUNE_BUILD_TARGETS="picktune" builds only those
# targets, as scripts/quickstart.sh does). Idempotent; incremental on re-runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR="${PICKTUNE_BUILD_DIR:-build}"
# Under CI (CI=true, set by .ci/run) every warning is an error (PICKTUNE_WERROR; scripts/test.sh and
# scripts/sanitize.sh both build through here).
WERROR=OFF
[ "${CI:-}" = true ] && WERROR=ON
# A new build directory uses Ninja: it starts a library's compiles before the libraries it links
# are built, so both cores stay busy (bench/NOTES.md, "A fresh quickstart"). An existing
# directory keeps the generator it was made with.
GENERATOR=()
[ -f "$BUILD_DIR/CMakeCache.txt" ] || GENERATOR=(-G Ninja)
cmake -S . -B "$BUILD_DIR" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE="${PICKTUNE_BUILD_TYPE:-RelWithDebInfo}" -DPICKTUNE_WERROR="$WERROR" \
  ${PICKTUNE_CMAKE_ARGS:-} >/dev/null
# PICKTUNE_BUILD_TARGETS: build only these targets (the quickstart builds only `picktune`).
TARGETS=()
for t in ${PICKTUNE_BUILD_TARGETS:-}; do TARGETS+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j"$(nproc)" "${TARGETS[@]}"
