#!/usr/bin/env bash
# A new user's first run (issue 20): a fresh clone of this checkout's HEAD (with ../shared beside
# it, as CI has), then `bash scripts/quickstart.sh` with CCACHE_DISABLE=1, so the compile is as
# cold as on a fresh machine (Debian packages already installed: the target is "under 3 minutes
# after the packages are installed"). Prints wall and CPU seconds of the whole script, of its
# compile (from Ninja's log) and the load average around it; the last line is a JSON summary.
# Usage: bash bench/bench_quickstart.sh   (takes about 3 minutes; run it on a quiet machine)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
ln -s "$(cd "$ROOT/../shared" && pwd)" "$DIR/shared"
git clone -q "$ROOT" "$DIR/picktune"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
cd "$DIR/picktune"
# PICKTUNE_BUILD_DIR is the user's choice; the benchmark uses the default `build`.
env -u PICKTUNE_BUILD_DIR CCACHE_DISABLE=1 /usr/bin/time -f '%e %U %S' -o "$DIR/time" \
  bash scripts/quickstart.sh >"$DIR/out.log" 2>"$DIR/err.log" ||
  { echo "bench_quickstart: scripts/quickstart.sh failed:" >&2; tail -20 "$DIR/err.log" >&2; exit 1; }
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
read -r WALL USER SYS <"$DIR/time"
# Ninja's log: start and end milliseconds of each step; the compile spans the first start to the
# last end.
BUILD_S=$(awk 'NR>1{if(min==""||$1<min)min=$1; if($2>max)max=$2} END{printf "%.1f", (max-min)/1000}' build/.ninja_log)
echo "fresh quickstart: ${WALL}s wall (${USER}s user + ${SYS}s system CPU); compile ${BUILD_S}s wall; load average before $LOAD_BEFORE, after $LOAD_AFTER" >&2
jq -n -c --argjson wall "$WALL" --argjson user "$USER" --argjson sys "$SYS" --argjson build "$BUILD_S" \
  --arg load_before "$LOAD_BEFORE" --arg load_after "$LOAD_AFTER" \
  '{wall_s: $wall, user_s: $user, system_s: $sys, compile_wall_s: $build, load_before: $load_before, load_after: $load_after}'
