#!/usr/bin/env bash
# Sets up, builds only the `picktune` binary (tests build in scripts/test.sh) and runs the main
# job (`picktune quickstart`) on the bundled sample history, with the embedded SQLite store under
# ./picktune-out/. Puts `picktune` on the PATH (/usr/local/bin symlink) when it can.
# Idempotent; run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
# A unity build (PICKTUNE_UNITY, CMakeLists.txt): about half the CPU time of a cold compile.
PICKTUNE_SETUP_SDKS=0 PICKTUNE_BUILD_TARGETS=picktune PICKTUNE_CMAKE_ARGS="-DPICKTUNE_UNITY=ON ${PICKTUNE_CMAKE_ARGS:-}" bash scripts/build.sh
BUILD_DIR="${PICKTUNE_BUILD_DIR:-build}"
BINARY="$(cd "$BUILD_DIR" && pwd)/picktune"
# A symlink in /usr/local/bin, unless something else already owns that name.
LINK=/usr/local/bin/picktune
if [ -w "$(dirname "$LINK")" ] && { [ ! -e "$LINK" ] || [ "$(readlink -f "$LINK")" = "$(readlink -f "$BINARY")" ]; }; then
  ln -sfn "$BINARY" "$LINK"
fi
exec "$BINARY" quickstart "$@"
