#!/usr/bin/env bash
# Student training on 1 vs 2 threads (issue 21 "fast", issue 22 item 4): imports a history
# (default data/sample/express.bundle) into a fresh SQLite store, then runs
# `student train --teacher truth --holdout-newest 0.2 --threads N` for N = 1 and 2, alternating,
# ROUNDS times each, and reports every round's ratio and their median (the figure bench/run.sh
# judges: a round's two runs are adjacent in time, and this VM drifts between two speeds over
# minutes, up to 1.5x), and the best and the median wall seconds of each side. The model files of
# 1 and 2 threads must be the same apart from `trained_at` (else it fails).
# Usage: bash bench/bench_train_threads.sh [BUILD_DIR] [BUNDLE] [ROUNDS]   Last line: JSON summary.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-build}" && pwd)
BUNDLE=${2:-$ROOT/data/sample/express.bundle}
ROUNDS=${3:-3}
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
PT=("$BUILD/picktune" --store "sqlite:$DIR/store.db")
"${PT[@]}" import git "$BUNDLE" >/dev/null
TRACES=$(sqlite3 "$DIR/store.db" 'select count(*) from traces' 2>/dev/null || echo null)

# train N OUT: wall seconds of one training on N threads, the model to OUT.
train() {
  local s e
  s=$(date +%s.%N)
  "${PT[@]}" student train --teacher truth --holdout-newest 0.2 --threads "$1" -o "$2" >/dev/null 2>"$DIR/train.err" ||
    { echo "bench_train_threads: training on $1 thread(s) failed: $(tail -n 1 "$DIR/train.err")" >&2; exit 1; }
  e=$(date +%s.%N)
  echo "$s $e" | awk '{printf "%.3f", $2 - $1}'
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{a[NR]=$1} END{print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
without_time() { jq -S 'del(.. | .trained_at?)' "$1"; }

ONE="" TWO=""
for r in $(seq "$ROUNDS"); do
  a=$(train 1 "$DIR/m1.json") b=$(train 2 "$DIR/m2.json")
  echo "round $r: 1 thread ${a}s, 2 threads ${b}s ($(echo "$a $b" | awk '{printf "%.2f", $1/$2}')x)" >&2
  ONE+="$a " TWO+="$b "
done
cmp -s <(without_time "$DIR/m1.json") <(without_time "$DIR/m2.json") ||
  { echo "bench_train_threads: the 1- and 2-thread model files differ" >&2; exit 1; }
best() { tr ' ' '\n' | sed '/^$/d' | sort -g | head -n 1; }
M1=$(echo "$ONE" | median) M2=$(echo "$TWO" | median) B1=$(echo "$ONE" | best) B2=$(echo "$TWO" | best)
PAIRS=$(paste -d' ' <(echo "$ONE" | tr ' ' '\n' | sed '/^$/d') <(echo "$TWO" | tr ' ' '\n' | sed '/^$/d') |
  awk '{printf "%.3f ", $1 / $2}')
echo "$(basename "$BUNDLE"): $TRACES traces; $ROUNDS rounds: best 1 thread ${B1}s, 2 threads ${B2}s; medians ${M1}s, ${M2}s; same model" >&2
jq -n -c --arg history "$(basename "$BUNDLE" .bundle)" --argjson traces "$TRACES" --argjson rounds "$ROUNDS" \
  --argjson one "$B1" --argjson two "$B2" --argjson one_median "$M1" --argjson two_median "$M2" \
  --arg ones "$ONE" --arg twos "$TWO" --arg pairs "$PAIRS" '
  def nums: split(" ") | map(select(. != "") | tonumber);
  ($pairs | nums | sort) as $p
  | {history: $history, traces: $traces, rounds: $rounds, one_thread_s: $one, two_threads_s: $two, ratio: ($one / $two),
     one_thread_median_s: $one_median, two_threads_median_s: $two_median,
     round_ratio_median: (if ($p | length) % 2 == 1 then $p[($p | length - 1) / 2] else ($p[($p | length) / 2 - 1] + $p[($p | length) / 2]) / 2 end),
     one_thread_runs: ($ones | nums), two_thread_runs: ($twos | nums), round_ratios: ($pairs | nums), same_model: true}'
