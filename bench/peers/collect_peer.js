#!/usr/bin/env node
// The peer of `picktune collect` that users of the original scripts run (issue 22 item 2): what
// collect-tuning-data.ts did, on exported JSONL (`picktune export traces|relabels`): join each
// get-relevant-files trace with the teacher's relabel (by trace id, then agent step + request
// kind, then the production key; newest wins), apply the recipe (top-K valid paths, three dash
// lines, blobbified history), dedup identical inputs, split by sha256 of the step, write Gemini
// records. No token counting (picktune counts every token exactly; the peer does less work).
// Usage: node collect_peer.js --traces T.jsonl --relabels R.jsonl --teacher M -o PREFIX
//          [--kinds Key,Non-Obvious] [--top-k K] [--stop-dashes] [--blobbify-history]
//          [--with-context] [--validation-fraction F] [--seed S]
// Prints a JSON summary (samples, validation_samples, traces_read, dropped) on stdout.
'use strict';
const fs = require('fs');
const crypto = require('crypto');

const DASHES = '--------------------------------\n--------------------------------\n--------------------------------';
const LIMIT = 'Remember to focus on the most important files and limit your selection to ';

function parseArgs(argv) {
  const o = { kinds: ['Key', 'Non-Obvious'], topK: null, stopDashes: false, blobbify: false, withContext: null,
              fraction: null, seed: null };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i], next = () => argv[++i];
    if (a === '--traces') o.traces = next();
    else if (a === '--relabels') o.relabels = next();
    else if (a === '--teacher') o.teacher = next();
    else if (a === '-o') o.out = next();
    else if (a === '--kinds') o.kinds = next().split(',');
    else if (a === '--top-k') o.topK = Number(next());
    else if (a === '--stop-dashes') o.stopDashes = true;
    else if (a === '--blobbify-history') o.blobbify = true;
    else if (a === '--with-context') o.withContext = true;
    else if (a === '--validation-fraction') o.fraction = Number(next());
    else if (a === '--seed') o.seed = next();
    else throw new Error(`collect_peer.js: unknown flag ${a}`);
  }
  if (!o.traces || !o.relabels || !o.teacher || !o.out) throw new Error('collect_peer.js: --traces, --relabels, --teacher and -o are required');
  return o;
}

// Calls fn(line) for each non-empty line of a file, reading it in 4 MB chunks.
function eachLine(path, fn) {
  const fd = fs.openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  let rest = '';
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    const text = rest + buf.toString('utf8', 0, n);
    let start = 0, nl;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      if (nl > start) fn(text.slice(start, nl));
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest) fn(rest);
  fs.closeSync(fd);
}

// Newer wins; equal times go to the greater id.
const newer = (a, b) => a.at > b.at || (a.at === b.at && a.id > b.id);

function loadRelabels(o) {
  const byTrace = new Map(), byStepKind = new Map(), byProduction = new Map();
  const put = (map, key, r) => {
    const list = map.get(key);
    if (list) list.push(r); else map.set(key, [r]);
  };
  eachLine(o.relabels, (line) => {
    const row = JSON.parse(line);
    if (row.model !== o.teacher) return;
    const p = row.payload || {};
    const kind = typeof p.request_type === 'string' ? p.request_type : null;
    if (kind && !o.kinds.includes(kind)) return;
    const r = { id: row.id, at: Date.parse(row.created_at), kind, output: typeof p.output === 'string' ? p.output : null,
                withContext: typeof p.with_context === 'boolean' ? p.with_context : null, user: row.user_id,
                input: typeof p.user_input_id === 'string' ? p.user_input_id : '' };
    if (typeof p.trace_id === 'string' && p.trace_id) put(byTrace, p.trace_id, r);
    else if (kind) put(byStepKind, row.agent_step_id + '\x1f' + kind, r);
    else put(byProduction, row.agent_step_id, r);
  });
  return { byTrace, byStepKind, byProduction };
}

// The newest relabel of `list` that fits: the kind (when recorded) and the context requirement.
function best(list, kind, o, fit) {
  let pick = null, mismatch = false;
  for (const r of list || []) {
    if (r.kind && r.kind !== kind) continue;
    if (fit && !fit(r)) continue;
    if (o.withContext !== null && r.withContext !== null && r.withContext !== o.withContext) { mismatch = true; continue; }
    if (!pick || newer(r, pick)) pick = r;
  }
  return { pick, mismatch };
}

function join(idx, row, kind, userInput, o) {
  let b = best(idx.byTrace.get(row.id), kind, o);
  if (b.pick) return b;
  const c = best(idx.byStepKind.get(row.agent_step_id + '\x1f' + kind), kind, o);
  if (c.pick) return c;
  const same = (x, y) => !x || !y || x === y;
  const d = best(idx.byProduction.get(row.agent_step_id), kind, o, (r) => same(r.user, row.user_id) && same(r.input, userInput));
  return { pick: d.pick, mismatch: b.mismatch || c.mismatch || d.mismatch };
}

const texts = (content) => {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.filter((p) => p && p.type === 'text').map((p) => p.text);
};
const isDashes = (line) => line.length >= 3 && /^-+$/.test(line);

function beforeDashes(text) {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; ++i)
    if (isDashes(lines[i].trim())) return lines.slice(0, i).join('\n') + (i ? '\n' : '');
  return text;
}

// Production parse: trimmed lines without spaces, not absolute, without '..'; leading '/' stripped; first 30.
function productionPaths(text) {
  const out = [], seen = new Set();
  for (let line of text.split('\n')) {
    line = line.trim();
    if (!line || line.includes(' ') || line.includes('..')) continue;
    if (/^[A-Za-z]:/.test(line) || line[0] === '~' || line[0] === '\\') continue;
    if (line[0] === '/') line = line.slice(1);
    if (!line || seen.has(line)) continue;
    seen.add(line);
    out.push(line);
    if (out.length >= 30) break;
  }
  return out;
}

function recipeAnswer(answer, o) {
  let body = o.topK ? productionPaths(beforeDashes(answer)).slice(0, o.topK).join('\n')
                    : (o.stopDashes ? beforeDashes(answer) : answer).trim();
  if (body && o.stopDashes) body += '\n' + DASHES;
  return body;
}

// Rewrites "…limit your selection to N files." in the last user turn (top-K, dash instruction).
function rewritePrompt(turns, o) {
  if (!o.topK && !o.stopDashes) return;
  for (let t = turns.length - 1; t >= 0; --t) {
    if (turns[t].role === 'model') continue;
    const parts = turns[t].parts;
    for (let i = parts.length - 1; i >= 0; --i) {
      const text = parts[i].text, a = text.lastIndexOf(LIMIT);
      if (a < 0) continue;
      const m = /^\d+/.exec(text.slice(a + LIMIT.length));
      if (!m) continue;
      const numEnd = a + LIMIT.length + m[0].length;
      const end = text.startsWith(' files.', numEnd) ? numEnd + 7 : numEnd;
      parts[i].text = text.slice(0, a + LIMIT.length) + (o.topK || m[0]) + text.slice(numEnd, end) +
        (o.stopDashes ? ` Make sure to end your response with three lines of dashes, ie: "${DASHES}"` : '') + text.slice(end);
      return;
    }
    if (o.stopDashes) parts[parts.length - 1].text += `\n\nMake sure to end your response with three lines of dashes, ie: "${DASHES}"`;
    return;
  }
}

// Returns [record, inputKey] or a drop reason.
function buildRecord(p, answer, o) {
  const body = recipeAnswer(answer, o);
  if (!body) return 'empty_answer';
  const system = (typeof p.system === 'string' ? [p.system] : texts(p.system)).filter((s) => s);
  const turns = [];
  for (const m of p.messages) {
    const parts = texts(m.content).filter((s) => s).map((text) => ({ text }));
    if (parts.length) turns.push({ role: m.role === 'assistant' ? 'model' : 'user', parts });
  }
  if (!turns.some((t) => t.role === 'user')) return 'no_input';
  rewritePrompt(turns, o);
  turns.push({ role: 'model', parts: [{ text: body }] });
  if (o.blobbify)
    for (let i = 0; i + 1 < turns.length; ++i) {
      if (turns[i].role !== 'model') continue;
      turns[i].role = 'user';
      for (const part of turns[i].parts) part.text = `<previous_assistant_message>${part.text}</previous_assistant_message>`;
    }
  const contents = [];
  for (const t of turns) {
    const last = contents[contents.length - 1];
    if (last && last.role === t.role) last.parts.push(...t.parts);
    else contents.push(t);
  }
  const record = system.length ? { systemInstruction: { role: 'system', parts: system.map((text) => ({ text })) }, contents }
                               : { contents };
  const input = JSON.stringify([system, contents.slice(0, -1)]);
  return [JSON.stringify(record), crypto.createHash('sha1').update(input).digest('base64')];
}

function inValidation(key, o) {
  if (o.fraction === null) return false;
  const hex = crypto.createHash('sha256').update(o.seed === null ? key : `${o.seed}:${key}`).digest('hex');
  return parseInt(hex.slice(0, 8), 16) / 0xffffffff <= o.fraction;
}

function main() {
  const o = parseArgs(process.argv.slice(2));
  const idx = loadRelabels(o);
  const train = fs.openSync(o.out + '.jsonl', 'w');
  const val = o.fraction === null ? null : fs.openSync(o.out + '-validation.jsonl', 'w');
  const pending = { train: [], val: [] };
  const flush = (which, fd, force) => {
    if (pending[which].length && (force || pending[which].length >= 512)) {
      fs.writeSync(fd, pending[which].join(''));
      pending[which] = [];
    }
  };
  const seen = new Set(), dropped = {};
  const drop = (why) => { dropped[why] = (dropped[why] || 0) + 1; };
  let read = 0, samples = 0, validation = 0;
  eachLine(o.traces, (line) => {
    const row = JSON.parse(line);
    if (row.type !== 'get-relevant-files') return;
    ++read;
    const p = row.payload;
    if (!p || typeof p !== 'object' || !Array.isArray(p.messages)) return drop('unparseable_payload');
    const kind = p.request_type;
    if (typeof kind !== 'string') return drop('no_request_type');
    if (!o.kinds.includes(kind)) return drop('kind_filtered');
    const joined = join(idx, row, kind, typeof p.user_input_id === 'string' ? p.user_input_id : '', o);
    if (!joined.pick) return drop(joined.mismatch ? 'relabel_context_mismatch' : 'no_relabel');
    if (joined.pick.output === null) return drop('relabel_unreadable');
    const built = buildRecord(p, joined.pick.output, o);
    if (typeof built === 'string') return drop(built);
    if (seen.has(built[1])) return drop('duplicate_input');
    seen.add(built[1]);
    if (val !== null && inValidation(row.agent_step_id, o)) {
      ++validation;
      pending.val.push(built[0] + '\n');
      flush('val', val, false);
    } else {
      ++samples;
      pending.train.push(built[0] + '\n');
      flush('train', train, false);
    }
  });
  flush('train', train, true);
  fs.closeSync(train);
  if (val !== null) {
    flush('val', val, true);
    fs.closeSync(val);
  }
  process.stdout.write(JSON.stringify({ traces_read: read, samples, validation_samples: validation, dropped }) + '\n');
}

main();
