#!/usr/bin/env bash
# Sets up, builds and runs the main job (`picktune quickstart`) on the bundled sample history,
# with the embedded SQLite store under ./picktune-out/. Idempotent; run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR="${PICKTUNE_BUILD_DIR:-build}"
exec "$BUILD_DIR/picktune" quickstart "$@"
