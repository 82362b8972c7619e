#!/usr/bin/env bash
# collect against what users would run instead (issue 22 item 2), in one run on the same data:
# `picktune collect` on a SQLite store of N synthetic traces (bench_collect --generate), the store's
# read floor (`picktune export traces`: read + decode + write JSONL), the Node.js peer
# (bench/peers/collect_peer.js) and the jq peer (bench/peers/collect_peer.jq) on the exported
# JSONL. Same recipe everywhere (ft_filepicker_topk_003: Key, top-2, dash lines, blobbified
# history, with-context relabels) and a 10% validation split by step. Checks that the outputs
# agree: picktune's and node's records are the same multiset of lines (sorted md5), jq's count
# equals theirs on the same subset. jq runs on the first PT_BENCH_JQ_TRACES lines of both exports
# only (newest first, so the same steps): it takes ~10 ms per trace, and its index of all relabels
# grows worse than linearly (minutes for 200,000).
# Usage: bash bench/bench_collect_peers.sh [BUILD_DIR]
#   env: PT_BENCH_TRACES=N (200000), PT_BENCH_JQ_TRACES=N (2000), PT_BENCH_DIR=DIR (kept, reused)
# The last line of output is a JSON summary (read by bench/run.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
N=${PT_BENCH_TRACES:-200000}
JQ_N=${PT_BENCH_JQ_TRACES:-2000}
if [ -n "${PT_BENCH_DIR:-}" ]; then
  DIR=$PT_BENCH_DIR
  mkdir -p "$DIR"
else
  DIR=$(mktemp -d)
  trap 'rm -rf "$DIR"' EXIT
fi
P=("$BUILD/picktune" --store "sqlite:$DIR/bench.db")
TEACHER=anthropic:claude-opus-4-20250514
RECIPE_FLAGS=(--kinds Key --top-k 2 --stop-dashes --blobbify-history --with-context --validation-fraction 0.1)
cmake --build "$BUILD" -j2 --target picktune bench_collect >/dev/null
if [ ! -f "$DIR/traces.jsonl" ]; then
  "$BUILD/bench_collect" --generate "$DIR/rows.jsonl" "$N"
  "${P[@]}" import jsonl "$DIR/rows.jsonl"
  rm -f "$DIR/rows.jsonl"
  "${P[@]}" export traces -o "$DIR/traces.jsonl"
fi
[ -f "$DIR/relabels.jsonl" ] || "${P[@]}" export relabels -o "$DIR/relabels.jsonl"
BYTES=$(stat -c %s "$DIR/traces.jsonl")
cat "$DIR/traces.jsonl" "$DIR/relabels.jsonl" >/dev/null  # page cache warm for every side
timed() {  # label, command…: prints "wall user sys" of one run (stdout to $DIR/LABEL.out)
  local label=$1 t
  shift
  t=$( { /usr/bin/time -f "%e %U %S" "$@" >"$DIR/$label.out"; } 2>&1 | tail -1)
  [[ "$t" =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+$ ]] || { echo "bench_collect_peers: $label failed: $t" >&2; exit 1; }
  echo "$t"
}
rm -f "$DIR"/pt.jsonl "$DIR"/pt-validation.jsonl "$DIR"/pt.manifest.json "$DIR"/floor.jsonl
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
PT=$(timed picktune "${P[@]}" collect --teacher $TEACHER --recipe ft_filepicker_topk_003 --validation-fraction 0.1 -o "$DIR/pt")
FLOOR=$(timed floor "${P[@]}" export traces -o "$DIR/floor.jsonl")
NODE=$(timed node node "$ROOT/bench/peers/collect_peer.js" --traces "$DIR/traces.jsonl" --relabels "$DIR/relabels.jsonl" \
  --teacher $TEACHER "${RECIPE_FLAGS[@]}" -o "$DIR/node")
head -n "$JQ_N" "$DIR/traces.jsonl" >"$DIR/jq-traces.jsonl"
head -n "$JQ_N" "$DIR/relabels.jsonl" >"$DIR/jq-relabels.jsonl"
JQ_BYTES=$(stat -c %s "$DIR/jq-traces.jsonl")
JQ=$(timed jq jq -n -c --arg teacher $TEACHER --argjson kinds '["Key"]' --argjson topk 2 --argjson dashes true \
  --argjson blob true --argjson ctx true --slurpfile rel "$DIR/jq-relabels.jsonl" -f "$ROOT/bench/peers/collect_peer.jq" \
  "$DIR/jq-traces.jsonl")
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
# Agreement: picktune's samples vs node's; the record multisets; jq's count vs node on the same subset.
PT_SAMPLES=$(jq '.samples + .validation_samples' "$DIR/pt.manifest.json")
NODE_SAMPLES=$(jq '.samples + .validation_samples' "$DIR/node.out")
sorted_md5() { cat "$@" | LC_ALL=C sort -S 256M | md5sum | cut -d' ' -f1; }
SAME_RECORDS=false
[ "$(sorted_md5 "$DIR/pt.jsonl" "$DIR/pt-validation.jsonl")" = "$(sorted_md5 "$DIR/node.jsonl" "$DIR/node-validation.jsonl")" ] &&
  SAME_RECORDS=true
JQ_SAMPLES=$(wc -l <"$DIR/jq.out")
node "$ROOT/bench/peers/collect_peer.js" --traces "$DIR/jq-traces.jsonl" --relabels "$DIR/jq-relabels.jsonl" \
  --teacher $TEACHER "${RECIPE_FLAGS[@]}" -o "$DIR/node-sub" >"$DIR/node-sub.out"
NODE_SUB_SAMPLES=$(jq '.samples + .validation_samples' "$DIR/node-sub.out")
JQ_SAME=false
[ "$(sorted_md5 "$DIR/jq.out")" = "$(sorted_md5 "$DIR/node-sub.jsonl" "$DIR/node-sub-validation.jsonl")" ] && JQ_SAME=true
rate() { echo "$1" | awk -v b="$2" '{printf "%.1f", b/1e6/$1}'; }
line() {  # label, "wall user sys", bytes
  echo "$2" | awk -v l="$1" -v b="$3" '{printf "%-34s wall %7.2f s  user %6.2f s  sys %5.2f s  %7.1f MB/s of input\n", l, $1, $2, $3, b/1e6/$1}'
}
echo "input: $N traces, $(echo "$BYTES" | awk '{printf "%.1f MB", $1/1e6}') of exported JSONL in $DIR; load before $LOAD0, after $LOAD1"
line "picktune collect (recipe, 10% val)" "$PT" "$BYTES"
line "read floor: picktune export traces" "$FLOOR" "$BYTES"
line "node collect_peer.js" "$NODE" "$BYTES"
line "jq collect_peer.jq ($JQ_N traces)" "$JQ" "$JQ_BYTES"
echo "samples: picktune $PT_SAMPLES, node $NODE_SAMPLES (records identical as sets: $SAME_RECORDS); jq $JQ_SAMPLES vs node $NODE_SUB_SAMPLES on the subset (identical: $JQ_SAME)"
j() { echo "$1" | awk '{printf "{\"wall_s\":%s,\"user_s\":%s,\"sys_s\":%s}", $1, $2, $3}'; }
echo "{\"traces\":$N,\"input_bytes\":$BYTES,\"jq_traces\":$JQ_N,\"jq_input_bytes\":$JQ_BYTES,\"load_before\":\"$LOAD0\",\"load_after\":\"$LOAD1\",\"picktune\":$(j "$PT"),\"floor\":$(j "$FLOOR"),\"node\":$(j "$NODE"),\"jq\":$(j "$JQ"),\"samples\":{\"picktune\":$PT_SAMPLES,\"node\":$NODE_SAMPLES,\"records_identical\":$SAME_RECORDS,\"jq\":$JQ_SAMPLES,\"node_on_jq_subset\":$NODE_SUB_SAMPLES,\"jq_identical\":$JQ_SAME}}"
