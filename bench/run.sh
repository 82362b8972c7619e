#!/usr/bin/env bash
# Runs every benchmark in bench/ once, with its comparison measured in the same run (`cat` and
# `jq` of the same JSONL, the npm package's JavaScript tokenizer), and rewrites bench/RESULTS.md
# (atomically) with figures, targets, machine info and the exact commands; bench/NOTES.md is
# appended as the hand-written part. Raw Google Benchmark JSON and logs: BUILD_DIR/bench-out/.
# Usage: bash bench/run.sh [BUILD_DIR]   (default build-bench; configured RelWithDebInfo)
#   PT_BENCH_QUICK=1: every benchmark at small sizes, written to bench/RESULTS-quick.md instead.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${1:-build-bench}
QUICK=${PT_BENCH_QUICK:-0}
[ "$QUICK" = 0 ] || QUICK=1
if [ "$QUICK" = 1 ]; then
  DEST=bench/RESULTS-quick.md OUT=$BUILD/bench-out-quick
  ROWS=20000 COLLECT_TRACES=10000 COLLECT_JQ_TRACES=500 TOK_MB=1 TOKENS_PROCESS_MB=1 RELABEL_TRACES=2000 HTTP_CALLS=2000 GIT_MAX=800 IDLE_SAMPLE_S=2 SOAK_SECONDS=10
else
  DEST=bench/RESULTS.md OUT=$BUILD/bench-out
  ROWS=1000000 COLLECT_TRACES=200000 COLLECT_JQ_TRACES=2000 TOK_MB=20 TOKENS_PROCESS_MB=9.2 RELABEL_TRACES=20000 HTTP_CALLS=20000 GIT_MAX="" IDLE_SAMPLE_S=5 SOAK_SECONDS=60
fi
TARGETS=(picktune picktune-fake bench_import_sqlite bench_postgres bench_collect bench_tokenizer bench_relabel
  bench_score bench_http_multi bench_ranker bench_trace_pages bench_serve bench_http_servers bench_student_quality)
for tool in jq node sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done

W=$(mktemp -d /tmp/picktune-bench.XXXXXX)  # shown as $TMP in the commands
PG_DIR=""
cleanup() {
  [ -z "$PG_DIR" ] || bash scripts/pg_test_server.sh stop "$PG_DIR" || true
  rm -rf "$W"
  rm -f "$DEST.tmp.$$"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export TMPDIR=$W
rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=bench/results_md.sh
source bench/results_md.sh

log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
# The command as recorded in RESULTS.md: shell-quoted, repo-relative, the temp dir as $TMP.
show() { printf '%q ' "$@" | sed -e "s#$W#\$TMP#g" -e "s#$ROOT/##g" -e 's/ $//'; }
now() { date +%s.%N; }
# CPU jiffies of the whole machine (busy) and of this script's finished children.
machine_busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
children_ticks() { sed 's/.*) //' "/proc/$$/stat" | awk '{print $14+$15}'; }
TICK=$(getconf CLK_TCK)
# "pid ticks comm" of every process (ticks: user + system CPU so far).
proc_ticks() {
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk '{
    o = index($0, "("); c = o; for (k = length($0); k > o; k--) if (substr($0, k, 1) == ")") { c = k; break }
    split(substr($0, c + 2), f, " "); print $1, f[12] + f[13], substr($0, o + 1, c - o - 1) }'
}
# busy_sample SECONDS: sets BUSY_BEFORE_PCT (share of all cores busy) and BUSY_PROCS (processes
# above 10% of a core) over that many seconds.
busy_sample() {
  local b0 b1 p0
  b0=$(machine_busy_ticks) p0=$(proc_ticks)
  sleep "$1"
  b1=$(machine_busy_ticks)
  BUSY_BEFORE_PCT=$(awk -v a="$b0" -v b="$b1" -v t="$TICK" -v s="$1" -v n="$(nproc)" 'BEGIN{x = 100*(b-a)/(t*s*n); printf "%.0f", (x > 100 ? 100 : x)}')
  BUSY_PROCS=$(proc_ticks | awk -v t="$TICK" -v s="$1" 'NR == FNR { a[$1] = $2; next }
    ($1 in a) && ($2 - a[$1]) / (t * s) > 0.1 { c = $0; sub(/^[^ ]+ [^ ]+ /, "", c); printf "%s%s %.0f%%", sep, c, 100 * ($2 - a[$1]) / (t * s); sep = ", " }' \
    <(echo "$p0") -)
}

declare -A CMDS RC WALL
FAILED=()
# run_bench NAME [VAR=VALUE…] -- ARGV…: runs ARGV with those variables under /usr/bin/time;
# output to $OUT/NAME.log, "wall user sys maxrss_kB" to $OUT/NAME.time. A failure is recorded.
run_bench() {
  local name=$1 envs=()
  shift
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local shown
  shown="${SHOWN_PREFIX:-}$(show "${envs[@]}" "$@")"
  CMDS[$name]+="$shown"$'\n'
  log "$name: $shown"
  local rc=0 t0
  t0=$(now)
  env "${envs[@]}" /usr/bin/time -f '%e %U %S %M' -o "$OUT/$name.time" "$@" >>"$OUT/$name.log" 2>&1 || rc=$?
  WALL[$name]=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.0f", b-a}')
  RC[$name]=$rc
  if [ "$rc" != 0 ]; then
    FAILED+=("$name")
    log "$name FAILED (exit $rc); last lines of $OUT/$name.log:"
    tail -n 5 "$OUT/$name.log" >&2 || true
  fi
  return 0
}
# run_gbench NAME [VAR=VALUE…] -- ARGV…: run_bench of a Google Benchmark binary, JSON to $OUT/NAME.json.
run_gbench() { run_bench "$@" "--benchmark_out=$OUT/$1.json" --benchmark_out_format=json; }
# best_of N CMD…: the best wall seconds of N runs of CMD (stdout to /dev/null).
best_of() {
  local n=$1 best="" s
  shift
  for _ in $(seq "$n"); do
    s=$(now)
    "$@" >/dev/null
    best=$(awk -v a="$s" -v b="$(now)" -v c="${best:-1e9}" 'BEGIN{d=b-a; printf "%.4f", (d < c ? d : c)}')
  done
  echo "$best"
}
# CPU seconds used so far by the throwaway PostgreSQL server (postmaster, its reaped and live children).
pg_cpu_s() {
  local pid
  pid=$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  { sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12+$13+$14+$15}'
    # shellcheck disable=SC2013  # a list of pids separated by spaces
    for c in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do
      sed 's/.*) //' "/proc/$c/stat" 2>/dev/null | awk '{print $12+$13}'
    done; } | awk -v t="$TICK" '{s+=$1} END{printf "%.1f", s/t}'
}

# ---- build ----
log "building into $BUILD (RelWithDebInfo): ${TARGETS[*]}"
B0=$(now)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$OUT/build.log" 2>&1
cmake --build "$BUILD" -j"$(nproc)" --target "${TARGETS[@]}" >>"$OUT/build.log" 2>&1 ||
  { tail -n 30 "$OUT/build.log" >&2; exit 1; }
BUILD_S=$(awk -v a="$B0" -v b="$(now)" 'BEGIN{printf "%.0f", b-a}')
BIN=$BUILD

# ---- machine state before ----
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
busy_sample "$IDLE_SAMPLE_S"
START_UTC=$(date -u '+%Y-%m-%d %H:%M UTC')
T_START=$(now)
BUSY0=$(machine_busy_ticks)
CHILD0=$(children_ticks)
PG_CPU=0

# ---- 1. import into SQLite, with cat and jq of the same JSONL ----
run_gbench import PT_BENCH_ROWS=$ROWS "PT_BENCH_KEEP=$W/import.jsonl" -- "$BIN/bench_import_sqlite"
IMPORT_BYTES="" CAT_IMPORT_S="" JQ_IMPORT_S=""
if [ -f "$W/import.jsonl" ]; then
  C0=$(now)
  IMPORT_BYTES=$(stat -c %s "$W/import.jsonl")
  CMDS[import]+="$(show cat "$W/import.jsonl") > /dev/null   # best of 3, page cache warm"$'\n'
  CAT_IMPORT_S=$(best_of 3 cat "$W/import.jsonl")
  CMDS[import]+="$(show jq -c . "$W/import.jsonl") > /dev/null   # once"$'\n'
  log "import: cat best of 3 ${CAT_IMPORT_S}s; jq -c . on $((IMPORT_BYTES / 1000000)) MB"
  JQ_IMPORT_S=$(best_of 1 jq -c . "$W/import.jsonl")
  rm -f "$W/import.jsonl"
  WALL[import]=$(awk -v w="${WALL[import]}" -v a="$C0" -v b="$(now)" 'BEGIN{printf "%.0f", w + b - a}')
fi

# ---- 2. PostgreSQL: throwaway server on loopback ----
PG_DIR=$(mktemp -d /tmp/picktune-pg.XXXXXX)
if PICKTUNE_TEST_PG_URI=$(bash scripts/pg_test_server.sh start "$PG_DIR" 2>>"$OUT/postgres.log"); then
  export PICKTUNE_TEST_PG_URI  # via the environment only: the URI holds a password
  # shellcheck disable=SC2016  # shown literally in RESULTS.md
  SHOWN_PREFIX='PICKTUNE_TEST_PG_URI=$(bash scripts/pg_test_server.sh start $PGDIR) ' \
    run_gbench postgres PT_BENCH_ROWS=$ROWS -- "$BIN/bench_postgres"
  PG_CPU=$(pg_cpu_s)
  unset PICKTUNE_TEST_PG_URI
else
  RC[postgres]=1 FAILED+=(postgres)
  log "postgres: the throwaway server did not start (see $OUT/postgres.log)"
fi
bash scripts/pg_test_server.sh stop "$PG_DIR"
PG_DIR=""
# shellcheck disable=SC2016
CMDS[postgres]+='bash scripts/pg_test_server.sh stop $PGDIR'$'\n'

# ---- 3. collect vs cat (bench_collect.sh), and its micro benchmarks ----
run_bench collect PT_BENCH_TRACES=$COLLECT_TRACES -- bash bench/bench_collect.sh "$BIN"
tail -n 1 "$OUT/collect.log" | jq -e . >"$OUT/collect.json" 2>/dev/null || {
  [ "${RC[collect]}" != 0 ] || FAILED+=(collect)
  RC[collect]=1
}
run_gbench collect_micro -- "$BIN/bench_collect"
# collect vs the Node.js and jq peers and the store's read floor, same data, same run (issue 22)
run_bench collect_peers PT_BENCH_TRACES=$COLLECT_TRACES PT_BENCH_JQ_TRACES=$COLLECT_JQ_TRACES -- \
  bash bench/bench_collect_peers.sh "$BIN"
tail -n 1 "$OUT/collect_peers.log" | jq -e . >"$OUT/collect_peers.json" 2>/dev/null || {
  [ "${RC[collect_peers]}" != 0 ] || FAILED+=(collect_peers)
  RC[collect_peers]=1
}

# ---- 4. tokenizer vs the npm package's JavaScript (run inside the benchmark) ----
run_gbench tokenizer PICKTUNE_BENCH_MB=$TOK_MB -- "$BIN/bench_tokenizer"
# whole `picktune tokens` processes vs whole JS processes (issue 22), from the compiled cache
run_bench tokens_process PT_BENCH_TOK_MB=$TOKENS_PROCESS_MB -- bash bench/bench_tokens_process.sh "$BIN"
tail -n 1 "$OUT/tokens_process.log" | jq -e . >"$OUT/tokens_process.json" 2>/dev/null || {
  [ "${RC[tokens_process]}" != 0 ] || FAILED+=(tokens_process)
  RC[tokens_process]=1
}

# ---- 5. relabel orchestration and the HTTP layer against the zero-latency fake ----
run_gbench relabel BENCH_RELABEL_TRACES=$RELABEL_TRACES -- "$BIN/bench_relabel"
run_gbench http_multi BENCH_HTTP_CALLS=$HTTP_CALLS -- "$BIN/bench_http_multi"
run_gbench serve -- "$BIN/bench_serve"
# the HTTP server library behind serve: cpp-httplib vs libmicrohttpd, same clients, same run
run_gbench http_servers -- "$BIN/bench_http_servers"
# 60 s of load with 30% upstream faults and three kill -9 of `picktune serve`: nothing acknowledged lost
run_bench serve_soak SOAK_SECONDS=$SOAK_SECONDS -- bash bench/soak_serve.sh "$BIN"
tail -n 1 "$OUT/serve_soak.log" | jq -e . >"$OUT/serve_soak.json" 2>/dev/null || {
  [ "${RC[serve_soak]}" != 0 ] || FAILED+=(serve_soak)
  RC[serve_soak]=1
}

# ---- 6. scoring ----
run_gbench score -- "$BIN/bench_score"

# ---- 6b. the /traces pages of `picktune serve`: keyset pages on ROWS traces vs OFFSET (issue 19) ----
run_gbench trace_pages PT_BENCH_TRACES=$ROWS -- "$BIN/bench_trace_pages"

# ---- 7. the local student: speed, then quality on the express sample ----
run_gbench ranker -- "$BIN/bench_ranker"
run_bench ranker_import -- "$BIN/picktune" --store "sqlite:$W/express.db" import git ${GIT_MAX:+--max "$GIT_MAX"} \
  data/sample/express.bundle
run_bench ranker_quality -- "$BIN/bench_ranker" "--quality=sqlite:$W/express.db" "--model=$W/student.json"

# ---- 7b. the student on the four histories of ../shared/datasets: learners, LORO, ablation (issue 21) ----
DATASETS=${PT_BENCH_DATASETS:-$ROOT/../shared/datasets}
[ -d "$DATASETS" ] || DATASETS=$ROOT/../../shared/datasets
SQ_ARGS=()
for r in express black ripgrep fzf; do
  [ -f "$DATASETS/$r.bundle" ] || continue
  run_bench student_quality_import -- "$BIN/picktune" --store "sqlite:$W/sq_$r.db" import git ${GIT_MAX:+--max "$GIT_MAX"} \
    "$DATASETS/$r.bundle"
  SQ_ARGS+=("--repo=$r=sqlite:$W/sq_$r.db@$DATASETS/$r.bundle")
done
run_bench student_quality -- "$BIN/bench_student_quality" --threads=2 "--out=$OUT/student_quality.json" "${SQ_ARGS[@]}"

# ---- 8. import git vs git log over the same history (issue 22) ----
run_bench import_git -- bash bench/bench_import_git.sh "$BIN"
tail -n 1 "$OUT/import_git.log" | jq -e . >"$OUT/import_git.json" 2>/dev/null || {
  [ "${RC[import_git]}" != 0 ] || FAILED+=(import_git)
  RC[import_git]=1
}

# ---- 9. student training on 1 vs 2 threads over the express sample (issues 21 and 22) ----
run_bench train_threads -- bash bench/bench_train_threads.sh "$BIN" data/sample/express.bundle "$([ "$QUICK" = 1 ] && echo 1 || echo 5)"
tail -n 1 "$OUT/train_threads.log" | jq -e . >"$OUT/train_threads.json" 2>/dev/null || {
  [ "${RC[train_threads]}" != 0 ] || FAILED+=(train_threads)
  RC[train_threads]=1
}

# ---- 10. the quickstart's main job on the sample history, per step (issue 22) ----
run_bench quickstart_job -- bash bench/bench_quickstart_job.sh "$BIN" data/sample/express.bundle "$([ "$QUICK" = 1 ] && echo 1 || echo 5)"
tail -n 1 "$OUT/quickstart_job.log" | jq -e . >"$OUT/quickstart_job.json" 2>/dev/null || {
  [ "${RC[quickstart_job]}" != 0 ] || FAILED+=(quickstart_job)
  RC[quickstart_job]=1
}

# ---- machine state after ----
T_END=$(now)
RUN_S=$(awk -v a="$T_START" -v b="$T_END" 'BEGIN{printf "%.0f", b-a}')
BUSY_S=$(awk -v a="$BUSY0" -v b="$(machine_busy_ticks)" -v t="$TICK" 'BEGIN{printf "%.1f", (b-a)/t}')
OURS_S=$(awk -v a="$CHILD0" -v b="$(children_ticks)" -v t="$TICK" -v p="$PG_CPU" 'BEGIN{printf "%.1f", (b-a)/t+p}')
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- RESULTS.md ----
{
  render_import
  render_postgres
  render_collect
  render_collect_peers
  render_tokenizer
  render_tokens_process
  render_relabel
  render_http
  render_serve
  render_serve_soak
  render_http_servers
  render_score
  render_trace_pages
  render_ranker
  render_student_quality
  render_import_git
  render_train_threads
  render_quickstart_job
} >"$W/sections.md"
{
  render_header
  render_summary
  cat "$W/sections.md"
  render_notes
} >"$DEST.tmp.$$"
mv "$DEST.tmp.$$" "$DEST"
log "wrote $DEST (benchmarks took ${RUN_S}s; raw JSON and logs in $OUT)"
if [ "${#FAILED[@]}" -gt 0 ]; then
  log "failed: ${FAILED[*]}"
  exit 1
fi
