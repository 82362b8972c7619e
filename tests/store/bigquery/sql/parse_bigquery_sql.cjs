// Parses GoogleSQL statements with node-sql-parser's BigQuery grammar, for
// tests/store/bigquery/bigquery_sql_dialect_test.cpp: reads a JSON array of statement texts from the
// file argv[2], loads the package from $PT_NODE_MODULES, and prints one JSON line per statement:
// {"ok": true} or {"ok": false, "error": "..."} (the parser's message, first line).
'use strict';
const fs = require('fs');
const path = require('path');

const { Parser } = require(path.join(process.env.PT_NODE_MODULES, 'node-sql-parser/build/bigquery'));
const parser = new Parser();
const statements = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
for (const sql of statements) {
  try {
    parser.astify(sql, { database: 'bigquery' });
    process.stdout.write(JSON.stringify({ ok: true }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(e.message).split('\n')[0] }) + '\n');
  }
}
