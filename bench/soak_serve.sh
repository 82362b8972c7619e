#!/usr/bin/env bash
# Soak of `picktune serve` (issue 18): concurrent keep-alive clients (bench/soak_serve.js) send
# picker calls for SOAK_SECONDS through the proxy to a loopback fake that fails SOAK_FAIL_RATE of
# them (429/500/529/timeouts/truncated/garbage bodies), while the server is kill -9'd SOAK_KILLS
# times at even intervals and restarted on the same port and store. Then a graceful stop, and the
# check: every trace acknowledged with a 200 is in the SQLite store exactly once, holding what was
# sent and answered; no call stored twice; no row that does not decode; PRAGMA integrity_check ok.
# Usage: bash bench/soak_serve.sh [BUILD_DIR]   (default build; needs picktune and picktune-fake)
#   env SOAK_SECONDS (60) SOAK_CLIENTS (32) SOAK_KILLS (3) SOAK_FAIL_RATE (0.3).
# Last stdout line: one JSON object with the counts (bench/run.sh renders it); exit 1 on a failed check.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
SECONDS_TOTAL=${SOAK_SECONDS:-60} CLIENTS=${SOAK_CLIENTS:-32} KILLS=${SOAK_KILLS:-3} FAIL_RATE=${SOAK_FAIL_RATE:-0.3}
for f in picktune picktune-fake; do
  [ -x "$BUILD/$f" ] || { echo "soak_serve: $BUILD/$f not built" >&2; exit 1; }
done
for tool in node sqlite3; do
  command -v "$tool" >/dev/null || { echo "soak_serve: $tool not found (run scripts/setup.sh)" >&2; exit 1; }
done

# GET /healthz answered 200 (bash's /dev/tcp: no HTTP client needed).
healthy() {
  local line=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3
  read -r -t 2 line <&3 || true
  exec 3<&- 3>&-
  [[ "$line" == *" 200 "* ]]
}

W=$(mktemp -d "${TMPDIR:-/tmp}/picktune-soak.XXXXXX")
FAKE_PID="" SERVE_PID="" LOAD_PID=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  for p in $LOAD_PID $SERVE_PID $FAKE_PID; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
log() { echo "[soak $(date -u +%H:%M:%S)] $*" >&2; }

# The fake upstream: its timeout fault sleeps 3 s, beyond the proxy's 1 s upstream timeout (504).
"$BUILD/picktune-fake" llm --fail-rate "$FAIL_RATE" --seed 7 --timeout-ms 3000 --threads 200 >"$W/fake.out" 2>"$W/fake.err" &
FAKE_PID=$!
for _ in $(seq 100); do grep -q '^PORT ' "$W/fake.out" 2>/dev/null && break; sleep 0.05; done
UP_PORT=$(awk '/^PORT /{print $2}' "$W/fake.out")
[ -n "$UP_PORT" ] || { echo "soak_serve: the fake did not start" >&2; exit 1; }

STORE="sqlite:$W/soak.db"
PORT=""
start_serve() {  # on PORT once known; the first start takes any free port
  "$BUILD/picktune" --store "$STORE" serve --listen "127.0.0.1:${PORT:-0}" --spool "$W/spool" \
    --anthropic-upstream "http://127.0.0.1:$UP_PORT" --upstream-timeout-ms 1000 --no-access-log 2>>"$W/serve.err" &
  SERVE_PID=$!
  for _ in $(seq 200); do
    if [ -z "$PORT" ]; then
      PORT=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\).*#\1#p' "$W/serve.err" | tail -n 1)
    fi
    [ -n "$PORT" ] && healthy "$PORT" && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || { tail -n 5 "$W/serve.err" >&2; return 1; }
    sleep 0.05
  done
  echo "soak_serve: serve did not come up" >&2
  return 1
}

start_serve
log "serve on :$PORT (pid $SERVE_PID), fake on :$UP_PORT failing $FAIL_RATE; $CLIENTS clients for ${SECONDS_TOTAL}s, $KILLS kill -9"
node "$ROOT/bench/soak_serve.js" load "$PORT" "$CLIENTS" "$SECONDS_TOTAL" "$W/acked.log" >"$W/load.json" &
LOAD_PID=$!
T0=$(date +%s.%N)
RESTART_MS=()
for k in $(seq "$KILLS"); do
  at=$(awk -v s="$SECONDS_TOTAL" -v k="$k" -v n="$KILLS" 'BEGIN{printf "%.3f", s * k / (n + 1)}')
  sleep "$(awk -v t0="$T0" -v at="$at" -v now="$(date +%s.%N)" 'BEGIN{d = t0 + at - now; printf "%.3f", (d > 0 ? d : 0)}')"
  kill -9 "$SERVE_PID"
  wait "$SERVE_PID" 2>/dev/null || true
  r0=$(date +%s%N)
  start_serve
  RESTART_MS+=("$(( ($(date +%s%N) - r0) / 1000000 ))")
  log "kill -9 #$k at ${at}s; back up in ${RESTART_MS[-1]} ms (pid $SERVE_PID)"
done
wait "$LOAD_PID"
LOAD_PID=""
kill -TERM "$SERVE_PID"
wait "$SERVE_PID" || { echo "soak_serve: the final graceful stop failed" >&2; tail -n 5 "$W/serve.err" >&2; exit 1; }
SERVE_PID=""
SPOOL_LEFT=$(find "$W/spool" -type f | wc -l)

"$BUILD/picktune" --store "$STORE" export traces -o "$W/traces.jsonl"
INTEGRITY=$(sqlite3 "$W/soak.db" 'PRAGMA integrity_check;' | tr '\n' ' ' | sed 's/ $//')
rc=0
node "$ROOT/bench/soak_serve.js" check "$W/acked.log" "$W/traces.jsonl" >"$W/check.json" || rc=$?
[ "$INTEGRITY" = ok ] || rc=1
jq -c --argjson load "$(cat "$W/load.json")" --arg integrity "$INTEGRITY" --argjson spool_left "$SPOOL_LEFT" \
  --argjson seconds "$SECONDS_TOTAL" --argjson clients "$CLIENTS" --argjson kills "$KILLS" \
  --argjson fail_rate "$FAIL_RATE" --argjson restart_ms "[$(IFS=,; echo "${RESTART_MS[*]:-}")]" \
  '. + {seconds: $seconds, clients: $clients, kills: $kills, fail_rate: $fail_rate, restart_ms: $restart_ms,
        load: $load, integrity: $integrity, spool_segments_left: $spool_left, passed: ($integrity == "ok")}
   | .passed = (.passed and '"$([ $rc = 0 ] && echo true || echo false)"')' "$W/check.json"
exit "$rc"
