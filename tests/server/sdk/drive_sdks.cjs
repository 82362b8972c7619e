// Drives `picktune serve` with the providers' official SDKs as an agent would (base URL changed,
// nothing else): Anthropic (@anthropic-ai/sdk), OpenAI (openai) and Gemini (@google/genai),
// streamed and not. Prints one JSON line per call: what the SDK returned (text, usage, the
// X-Picktune-Trace-Id header) for tests/server/sdk_test.cpp to check against the stored traces.
// Env: PT_PROXY (http://127.0.0.1:PORT), PT_NODE_MODULES, PT_KEY, PT_SYSTEM, PT_PROMPT,
// PT_MAX_RETRIES, PT_ONLY (optional "anthropic" | "openai" | "gemini").
'use strict';
const path = require('path');
const mods = process.env.PT_NODE_MODULES;
const Anthropic = require(path.join(mods, '@anthropic-ai/sdk')).default;
const OpenAI = require(path.join(mods, 'openai')).default;
const { GoogleGenAI } = require(path.join(mods, '@google/genai'));

const proxy = process.env.PT_PROXY;
const key = process.env.PT_KEY;
const system = process.env.PT_SYSTEM;
const prompt = process.env.PT_PROMPT;
const maxRetries = Number(process.env.PT_MAX_RETRIES || '0');
const only = process.env.PT_ONLY || '';
const step = (sdk, stream) => `${sdk}-${stream ? 'stream' : 'whole'}`;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

async function anthropic(stream) {
  const client = new Anthropic({ apiKey: key, baseURL: proxy + '/anthropic', maxRetries });
  const headers = { 'X-Picktune-Agent-Step': step('anthropic', stream), 'X-Picktune-User': 'sdk-user' };
  const req = { model: 'claude-sdk', max_tokens: 256, system, messages: [{ role: 'user', content: prompt }] };
  if (!stream) {
    const { data, response } = await client.messages.create(req, { headers }).withResponse();
    return { text: data.content.map((c) => c.text).join(''), input_tokens: data.usage.input_tokens,
             output_tokens: data.usage.output_tokens, trace_id: response.headers.get('x-picktune-trace-id') };
  }
  const { data, response } = await client.messages.create({ ...req, stream: true }, { headers }).withResponse();
  let text = '', input_tokens = 0, output_tokens = 0;
  for await (const ev of data) {
    if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
    if (ev.type === 'message_start') input_tokens = ev.message.usage.input_tokens;
    if (ev.type === 'message_delta' && ev.usage) output_tokens = ev.usage.output_tokens;
  }
  return { text, input_tokens, output_tokens, trace_id: response.headers.get('x-picktune-trace-id') };
}

async function openai(stream) {
  const client = new OpenAI({ apiKey: key, baseURL: proxy + '/openai/v1', maxRetries });
  const headers = { 'X-Picktune-Agent-Step': step('openai', stream), 'X-Picktune-User': 'sdk-user' };
  const req = { model: 'gpt-sdk', messages: [{ role: 'system', content: system }, { role: 'user', content: prompt }] };
  if (!stream) {
    const { data, response } = await client.chat.completions.create(req, { headers }).withResponse();
    return { text: data.choices[0].message.content, input_tokens: data.usage.prompt_tokens,
             output_tokens: data.usage.completion_tokens, trace_id: response.headers.get('x-picktune-trace-id') };
  }
  const { data, response } = await client.chat.completions
    .create({ ...req, stream: true, stream_options: { include_usage: true } }, { headers }).withResponse();
  let text = '', input_tokens = 0, output_tokens = 0;
  for await (const chunk of data) {
    if (chunk.choices && chunk.choices[0] && chunk.choices[0].delta.content) text += chunk.choices[0].delta.content;
    if (chunk.usage) { input_tokens = chunk.usage.prompt_tokens; output_tokens = chunk.usage.completion_tokens; }
  }
  return { text, input_tokens, output_tokens, trace_id: response.headers.get('x-picktune-trace-id') };
}

async function gemini(stream) {
  const headers = { 'X-Picktune-Agent-Step': step('gemini', stream), 'X-Picktune-User': 'sdk-user' };
  const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: proxy + '/gemini', headers,
                                                           retryOptions: { attempts: maxRetries + 1 } } });
  const req = { model: 'gemini-sdk', contents: prompt, config: { systemInstruction: system } };
  const traceOf = (r) => (r.sdkHttpResponse && r.sdkHttpResponse.headers
    ? r.sdkHttpResponse.headers['x-picktune-trace-id'] : null);
  if (!stream) {
    const r = await ai.models.generateContent(req);
    return { text: r.text, input_tokens: r.usageMetadata.promptTokenCount,
             output_tokens: r.usageMetadata.candidatesTokenCount, trace_id: traceOf(r) };
  }
  let text = '', input_tokens = 0, output_tokens = 0, trace_id = null;
  for await (const r of await ai.models.generateContentStream(req)) {
    text += r.text || '';
    if (r.usageMetadata) { input_tokens = r.usageMetadata.promptTokenCount; output_tokens = r.usageMetadata.candidatesTokenCount || output_tokens; }
    trace_id = trace_id || traceOf(r);
  }
  return { text, input_tokens, output_tokens, trace_id };
}

(async () => {
  const sdks = { anthropic, openai, gemini };
  let failed = 0;
  for (const name of Object.keys(sdks)) {
    if (only && only !== name) continue;
    for (const stream of [false, true]) {
      try {
        out({ sdk: name, stream, step: step(name, stream), ...(await sdks[name](stream)) });
      } catch (e) {
        failed++;
        out({ sdk: name, stream, step: step(name, stream), error: String(e && e.message ? e.message : e),
              status: e && e.status ? e.status : 0 });
      }
    }
  }
  process.exit(failed ? 1 : 0);
})();
