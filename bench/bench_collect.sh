#!/usr/bin/env bash
# collect throughput (issue 5): builds a synthetic SQLite store of N traces (default 200,000:
# Key + Non-Obvious per step, one teacher relabel each), exports the traces as JSONL, and times
# `cat` of that JSONL against `picktune collect` on the store (MB/s of the same input bytes):
# both from the page cache, and both uncached (the file's / the store's cached pages dropped
# first with `dd iflag=nocache`, which needs no privileges; in a VM the host may still cache them).
# Usage: bash bench/bench_collect.sh [BUILD_DIR]   env: PT_BENCH_TRACES=N, PT_BENCH_DIR=DIR (kept)
# The last line of output is a JSON summary (read by bench/run.sh).
set -euo pipefail
BUILD=${1:-build}
N=${PT_BENCH_TRACES:-200000}
if [ -n "${PT_BENCH_DIR:-}" ]; then
  DIR=$PT_BENCH_DIR
  mkdir -p "$DIR"
else
  DIR=$(mktemp -d)
  trap 'rm -rf "$DIR"' EXIT
fi
P="$BUILD/picktune --store sqlite:$DIR/bench.db"
TEACHER=anthropic:claude-opus-4-20250514
cmake --build "$BUILD" -j2 --target picktune bench_collect >/dev/null
if [ ! -f "$DIR/traces.jsonl" ]; then
  "$BUILD/bench_collect" --generate "$DIR/rows.jsonl" "$N"
  $P import jsonl "$DIR/rows.jsonl"
  rm -f "$DIR/rows.jsonl"
  $P export traces -o "$DIR/traces.jsonl"
fi
BYTES=$(stat -c %s "$DIR/traces.jsonl")
best() {  # best wall seconds of 3 runs of "$@" (stdout discarded)
  local b=""
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    b=$(echo "$s $e ${b:-1e9}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}
drop_cache() { for f in "$@"; do [ -f "$f" ] && dd if="$f" iflag=nocache count=0 status=none; done; return 0; }
cold_cat() { drop_cache "$DIR/traces.jsonl"; cat "$DIR/traces.jsonl"; }
CAT=$(best cat "$DIR/traces.jsonl")
CAT_COLD=$(best cold_cat)
cat "$DIR/traces.jsonl" >/dev/null  # warm again
RUNS=""  # JSON objects of the collect runs, comma-separated
run_collect() {  # cold (0|1), label, flags…
  local cold=$1 label=$2; shift 2
  local t
  rm -f "$DIR"/out.jsonl "$DIR"/out-validation.jsonl "$DIR"/out.manifest.json  # each run writes new files
  sync
  [ "$cold" = 1 ] && drop_cache "$DIR/bench.db" "$DIR/bench.db-wal"
  t=$( { /usr/bin/time -f "%e %U %S %M" $P collect --teacher $TEACHER -o "$DIR/out" "$@" >/dev/null; } 2>&1 | tail -1)
  if ! [[ "$t" =~ ^[0-9.]+\ [0-9.]+\ [0-9.]+\ [0-9]+$ ]]; then
    echo "bench_collect: collect $* failed: $t" >&2
    exit 1
  fi
  RUNS+="${RUNS:+,}$(echo "$t" | awk -v l="$label" -v a="$*" -v cold="$cold" '{
    printf "{\"label\":\"%s\",\"args\":\"%s\",\"cold\":%s,\"wall_s\":%s,\"user_s\":%s,\"sys_s\":%s,\"max_rss_kb\":%s}", l, a, cold ? "true" : "false", $1, $2, $3, $4 }')"
  local c=$CAT
  [ "$cold" = 1 ] && c=$CAT_COLD
  echo "$t" | awk -v l="$label" -v b="$BYTES" -v c="$c" '{
    printf "%-28s wall %6.2f s  user %6.2f s  sys %5.2f s  peak RSS %4d MB  %7.1f MB/s wall (%.3fx cat)  %7.1f MB/s per CPU-second\n",
      l, $1, $2, $3, $4/1024, b/1e6/$1, (b/$1)/(b/c), b/1e6/($2+$3) }'
}
echo "input: $N traces, $(echo "$BYTES" | awk '{printf "%.1f MB", $1/1e6}') of exported JSONL in $DIR"
echo "cat: best of 3 $(echo "$CAT" | awk -v b="$BYTES" '{printf "%.3f s = %.0f MB/s", $1, b/1e6/$1}') from the page cache, $(echo "$CAT_COLD" | awk -v b="$BYTES" '{printf "%.3f s = %.0f MB/s", $1, b/1e6/$1}') uncached"
run_collect 0 "--recipe ft_filepicker_topk_003" --recipe ft_filepicker_topk_003
run_collect 0 "--with-context (both kinds)" --with-context
run_collect 1 "--recipe ft_filepicker_topk_003, store uncached" --recipe ft_filepicker_topk_003
uptime
echo "{\"traces\":$N,\"input_bytes\":$BYTES,\"cat_best_s\":$CAT,\"cat_cold_best_s\":$CAT_COLD,\"teacher\":\"$TEACHER\",\"runs\":[$RUNS]}"
