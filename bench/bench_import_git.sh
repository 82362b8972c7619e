#!/usr/bin/env bash
# `import git` against git itself (issue 22, item 5): on a clone of data/sample/express.bundle,
# times `git log --name-status` over the same history (the peer: the walk and diffs git does for
# us, plain and with our flags: -M, first-parent diffs of merges, -z) against
# `picktune import git` of that clone into a fresh SQLite store, and the windowed imports
# (`--since 2099-01-01`, which must read nothing, and `--max 100`). Wall seconds, best of 3; the
# CPU seconds (ours and git's) and peak RSS of one more plain import.
# Usage: bash bench/bench_import_git.sh [BUILD_DIR]   The last line of output is a JSON summary.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
git clone -q "$ROOT/data/sample/express.bundle" "$DIR/express" 2>/dev/null
REPO=$DIR/express
COMMITS=$(git -C "$REPO" rev-list --count HEAD)

best() {  # best wall seconds of 3 runs of "$@" (stdout discarded)
  local b="" s e
  for _ in 1 2 3; do
    rm -f "$DIR"/store.db*
    s=$(date +%s.%N)
    "$@" >/dev/null || { echo "bench_import_git: failed: $*" >&2; exit 1; }
    e=$(date +%s.%N)
    b=$(echo "$s $e ${b:-1e9}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}
import() { "$BUILD/picktune" --store "sqlite:$DIR/store.db" import git "$REPO" "$@"; }

GIT_PLAIN=$(best git -C "$REPO" log --name-status HEAD)
GIT_OURS=$(best git -C "$REPO" log --reverse --topo-order --diff-merges=first-parent -M --name-status -z HEAD --)
OURS=$(best import)
# One more plain import for its CPU (ours and git's: time counts waited-for children) and peak RSS.
rm -f "$DIR"/store.db*
read -r CPU_U CPU_S RSS_KB < <({ /usr/bin/time -f "%U %S %M" "$BUILD/picktune" --store "sqlite:$DIR/store.db" import git "$REPO" >/dev/null; } 2>&1 | tail -1)
FUTURE=$(best import --since 2099-01-01)
MAX100=$(best import --max 100)
CPU=$(echo "$CPU_U $CPU_S" | awk '{print $1 + $2}')
echo "$COMMITS commits: git log --name-status ${GIT_PLAIN}s (with our flags ${GIT_OURS}s); import git ${OURS}s (${CPU} CPU-s, peak RSS ${RSS_KB} kB); --since 2099-01-01 ${FUTURE}s; --max 100 ${MAX100}s" >&2
jq -n -c --argjson commits "$COMMITS" --argjson git "$GIT_PLAIN" --argjson git_flags "$GIT_OURS" --argjson ours "$OURS" \
  --argjson future "$FUTURE" --argjson max100 "$MAX100" --argjson cpu "$CPU" --argjson rss "$RSS_KB" \
  '{commits: $commits, git_log_s: $git, git_log_flags_s: $git_flags, import_s: $ours, import_cpu_s: $cpu, import_maxrss_kb: $rss, since_future_s: $future, max100_s: $max100}'
