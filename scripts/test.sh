#!/usr/bin/env bash
# Sets up, builds and runs every test (CTest over the GoogleTest executables).
# Idempotent; run as root on Debian 12: `bash scripts/test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR="${PICKTUNE_BUILD_DIR:-build}"
# The PostgreSQL store tests need a server: start a throwaway one (stopped on exit) unless
# PICKTUNE_TEST_PG_URI already names one. Under CI=true those tests fail without it.
if [ -z "${PICKTUNE_TEST_PG_URI:-}" ]; then
  ROOT="$PWD"
  PG_DIR="$(mktemp -d /tmp/picktune-pg.XXXXXX)"
  trap 'bash "$ROOT/scripts/pg_test_server.sh" stop "$PG_DIR"' EXIT
  PICKTUNE_TEST_PG_URI="$(bash scripts/pg_test_server.sh start "$PG_DIR")"
  export PICKTUNE_TEST_PG_URI
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" "$@"
