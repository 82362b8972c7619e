#!/usr/bin/env bash
# Whole-process token counting (issue 22, item 1): `picktune tokens` (tokenizer loaded from its
# compiled cache) against the npm package's JavaScript tokenizer run the way a user would
# (tests/tokenizer/js/gemma_tokenize.js --counts, a fresh node process that loads
# tokenizer.json), wall time of the whole process, on (a) one small file and (b) a corpus of the
# text files of express's history (distinct blobs of .js/.md/.json/… files, valid UTF-8, in
# history order, until ~9.2 MB). Counts must be identical per file.
# Usage: bash bench/bench_tokens_process.sh [BUILD_DIR]   env: PT_BENCH_TOK_MB (default 9.2)
# The last line of output is a JSON summary (read by bench/run.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
MB=${PT_BENCH_TOK_MB:-9.2}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
JS="$ROOT/tests/tokenizer/js/gemma_tokenize.js"
export PICKTUNE_CACHE_DIR="$DIR/cache"  # a fresh cache, built by the warm-up run below

git clone -q "$ROOT/data/sample/express.bundle" "$DIR/express" 2>/dev/null
mkdir -p "$DIR/corpus"
# Writes the corpus files and DIR/corpus.json (the same texts as a JSON array, in file order).
(cd "$DIR/express" && git rev-list --objects --all |
  git cat-file --batch-check='%(objecttype) %(objectname) %(rest)' |
  awk '$1 == "blob" && $3 ~ /\.(js|md|json|html|ejs|css|txt|yml)$/ {print $2}') |
  (cd "$DIR/express" && git cat-file --batch) |
  node -e '
    const fs = require("fs"), path = require("path");
    const [dir, limit] = [process.argv[1], Number(process.argv[2]) * 1e6];
    const chunks = []; process.stdin.on("data", (c) => chunks.push(c)); process.stdin.on("end", () => {
      const buf = Buffer.concat(chunks), texts = [], dec = new TextDecoder("utf-8", { fatal: true });
      let at = 0, total = 0;
      while (at < buf.length && total < limit) {
        const nl = buf.indexOf(10, at), size = Number(buf.toString("latin1", at, nl).split(" ")[2]);
        const body = buf.subarray(nl + 1, nl + 1 + size); at = nl + 2 + size;
        let text; try { text = dec.decode(body); } catch { continue; }
        if (text.includes("\0")) continue;
        fs.writeFileSync(path.join(dir, "corpus", String(texts.length).padStart(5, "0") + ".txt"), body);
        texts.push(text); total += body.length;
      }
      fs.writeFileSync(path.join(dir, "corpus.json"), JSON.stringify(texts));
      fs.writeFileSync(path.join(dir, "one.json"), JSON.stringify([texts[0]]));
    });' "$DIR" "$MB"
FILES=("$DIR"/corpus/*.txt)
ONE=${FILES[0]}
BYTES=$(cat "${FILES[@]}" | wc -c)

best() {  # best wall seconds of N runs of "$@" (stdout discarded)
  local n=$1 b="" s e
  shift
  for _ in $(seq "$n"); do
    s=$(date +%s.%N)
    "$@" >/dev/null || { echo "bench_tokens_process: failed: $*" >&2; exit 1; }
    e=$(date +%s.%N)
    b=$(echo "$s $e ${b:-1e9}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}
ours() { "$BUILD/picktune" tokens --json "$@"; }

ours "$ONE" >/dev/null  # builds the cache (not timed)
OURS_ONE=$(best 5 ours "$ONE")
JS_ONE=$(best 3 node "$JS" --counts "$DIR/one.json")
OURS_ALL=$(best 3 ours "${FILES[@]}")
JS_ALL=$(best 1 node "$JS" --counts "$DIR/corpus.json")

# Per-file counts, ours vs JS, in file order.
ours "${FILES[@]}" | jq -s -c '[.[].tokens]' >"$DIR/ours.json"
node "$JS" --counts "$DIR/corpus.json" | jq -c . >"$DIR/js.json"
MISMATCHES=$(jq -n --slurpfile a "$DIR/ours.json" --slurpfile b "$DIR/js.json" \
  '[range(0; [$a[0], $b[0]] | map(length) | max) as $i | select($a[0][$i] != $b[0][$i])] | length')
TOKENS=$(jq 'add' "$DIR/ours.json")

echo "one file ($(stat -c %s "$ONE") bytes): ours ${OURS_ONE}s, JS ${JS_ONE}s" >&2
echo "corpus (${#FILES[@]} files, $BYTES bytes): ours ${OURS_ALL}s, JS ${JS_ALL}s; per-file count mismatches: $MISMATCHES" >&2
jq -n -c --argjson files "${#FILES[@]}" --argjson bytes "$BYTES" --argjson one_bytes "$(stat -c %s "$ONE")" \
  --argjson ours_one "$OURS_ONE" --argjson js_one "$JS_ONE" --argjson ours_all "$OURS_ALL" --argjson js_all "$JS_ALL" \
  --argjson mismatches "$MISMATCHES" --argjson tokens "$TOKENS" \
  '{files: $files, bytes: $bytes, one_bytes: $one_bytes, ours_one_s: $ours_one, js_one_s: $js_one,
    ours_corpus_s: $ours_all, js_corpus_s: $js_all, count_mismatches: $mismatches, tokens: $tokens}'
