// Load and check for bench/soak_serve.sh (issue 18). `load`: CLIENTS keep-alive connections POST
// Anthropic-shaped picker calls to `picktune serve` for SECONDS, each call with its own
// X-Picktune-Agent-Step (client:seq) and prompt tag; every 200 is appended (synchronously, before
// it counts) to ACK_LOG as "trace_id step answer_text_json". Refused connections (the server is being killed and
// restarted) are retried after a pause. `check`: compares ACK_LOG with `picktune export traces` JSONL.
// Usage: node soak_serve.js load PORT CLIENTS SECONDS ACK_LOG | node soak_serve.js check ACK_LOG EXPORT_JSONL
'use strict';
const fs = require('fs');
const http = require('http');

const SYSTEM = 'You pick files.\n<project_file_tree>\nsrc/app.js\nsrc/db/users.js\nsrc/routes/login.js\nREADME.md\n' +
  '</project_file_tree>';
const prompt = (step) => `<user_request>fix the login bug ${step}</user_request>`;

function post(agent, port, step) {
  const body = JSON.stringify({
    model: 'claude-soak', max_tokens: 256, system: SYSTEM,
    messages: [{ role: 'user', content: prompt(step) }],
  });
  return new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/anthropic/v1/messages', agent,
      headers: {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body),
        'x-api-key': 'sk-soak-not-a-key', 'anthropic-version': '2023-06-01', 'x-picktune-agent-step': step,
      },
    }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({ status: res.statusCode, id: res.headers['x-picktune-trace-id'], data }));
      res.on('error', (e) => resolve({ status: 0, error: e.code || String(e) }));
    });
    req.setTimeout(30000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, error: e.code || String(e) }));
    req.end(body);
  });
}

async function load(port, clients, seconds, ackLog) {
  const fd = fs.openSync(ackLog, 'a');
  const end = Date.now() + seconds * 1000;
  const counts = { sent: 0, ok: 0, upstream_fault: 0, refused_or_reset: 0, ok_without_id: 0, by_status: {} };
  const worker = async (w) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let seq = 0; Date.now() < end; ++seq) {
      const step = `soak-${w}-${seq}`;
      ++counts.sent;
      const r = await post(agent, port, step);
      counts.by_status[r.status] = (counts.by_status[r.status] || 0) + 1;
      if (r.status === 200) {
        if (!r.id) { ++counts.ok_without_id; continue; }
        // The answer's text when the body is a well-formed answer ("-" for a garbage 200 passed through).
        let text = '-';
        try {
          text = JSON.stringify(JSON.parse(r.data).content[0].text);
        } catch (e) { /* a fault the fake sends as a 200 */ }
        fs.writeSync(fd, `${r.id} ${step} ${text}\n`);
        ++counts.ok;
      } else if (r.status === 0) {
        ++counts.refused_or_reset;
        await new Promise((res) => setTimeout(res, 50));
      } else {
        ++counts.upstream_fault;
      }
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
  fs.closeSync(fd);
  process.stdout.write(JSON.stringify(counts) + '\n');
}

function check(ackLog, exportJsonl) {
  const acked = new Map();  // trace id -> step
  for (const line of fs.readFileSync(ackLog, 'utf8').split('\n')) {
    if (!line) continue;
    const [id, step, ...rest] = line.split(' ');
    const text = rest.join(' ');
    acked.set(id, { step, text: text === '-' ? null : JSON.parse(text) });
  }
  const rows = new Map(), stepRows = new Map();
  let rowsTotal = 0, corrupt = 0, duplicateIds = 0;
  const problems = [];
  for (const line of fs.readFileSync(exportJsonl, 'utf8').split('\n')) {
    if (!line) continue;
    ++rowsTotal;
    let r;
    try {
      r = JSON.parse(line);
      if (typeof r.payload === 'string') r.payload = JSON.parse(r.payload);
    } catch (e) {
      ++corrupt;
      if (problems.length < 5) problems.push(`unparsable row: ${line.slice(0, 120)}`);
      continue;
    }
    if (rows.has(r.id)) ++duplicateIds;
    rows.set(r.id, r);
    stepRows.set(r.agent_step_id, (stepRows.get(r.agent_step_id) || 0) + 1);
  }
  let lost = 0, mismatched = 0, duplicated = 0;
  for (const [id, { step, text }] of acked) {
    const r = rows.get(id);
    if (!r) {
      ++lost;
      if (problems.length < 5) problems.push(`acknowledged trace ${id} (${step}) not in the store`);
      continue;
    }
    if ((stepRows.get(step) || 0) !== 1) ++duplicated;
    const p = r.payload || {};
    const msg = JSON.stringify(p.messages || []);
    // A row that decodes but does not hold what was sent and answered is corrupt too.
    if (r.agent_step_id !== step || p.status !== 200 || !msg.includes(step) || typeof p.output !== 'string' ||
        (text !== null && p.output !== text) || p.system !== SYSTEM || JSON.stringify(r).includes('sk-soak-not-a-key')) {
      ++mismatched;
      if (problems.length < 5) problems.push(`trace ${id} (${step}) differs from what was sent: ${JSON.stringify(r).slice(0, 200)}`);
    }
  }
  // Every request's step stored at most once, acknowledged or not (a replay never stores a call twice).
  let stepsStoredTwice = 0;
  for (const n of stepRows.values()) if (n > 1) ++stepsStoredTwice;
  const out = {
    acknowledged: acked.size, rows: rowsTotal, lost, duplicate_ids: duplicateIds, steps_stored_twice: stepsStoredTwice,
    acknowledged_duplicated: duplicated, corrupt_rows: corrupt, mismatched_rows: mismatched, problems,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  return lost + duplicateIds + stepsStoredTwice + corrupt + mismatched === 0 && acked.size > 0;
}

const [cmd, ...a] = process.argv.slice(2);
if (cmd === 'load') {
  load(Number(a[0]), Number(a[1]), Number(a[2]), a[3]).catch((e) => { console.error(e); process.exit(1); });
} else if (cmd === 'check') {
  process.exit(check(a[0], a[1]) ? 0 : 1);
} else {
  console.error('usage: node soak_serve.js load PORT CLIENTS SECONDS ACK_LOG | check ACK_LOG EXPORT_JSONL');
  process.exit(2);
}
