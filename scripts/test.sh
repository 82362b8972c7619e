#!/usr/bin/env bash
# Sets up, builds and runs every test (CTest over the GoogleTest executables).
# Idempotent; run as root on Debian 12: `bash scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR="${PICKTUNE_BUILD_DIR:-build}"
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" "$@"
