// Per-op cost of web-standard objects on the hot path (µs/op), single thread.
//   taskset -c 0 node micro.mjs            (prints a markdown table)
import { Readable } from 'node:stream';

const URL_S = 'http://127.0.0.1:3000/mcp';
const BODY = '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"hello","arguments":{"name":"world"}}}';
const BODY_BUF = Buffer.from(BODY);
const OUT = '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hello"}]}}';
const HDR_OBJ = { host: '127.0.0.1:3000', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': String(BODY.length) };
const RAW = Object.entries(HDR_OBJ).flat();
const RES_INIT = { status: 200, headers: { 'content-type': 'application/json' } };

let sink;
const cases = [
  ['reference: JSON.parse(body)', () => { sink = JSON.parse(BODY); }],
  ['reference: JSON.stringify(result)', () => { sink = JSON.stringify({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'hello' }] } }); }],
  ['reference: await async fn()', async () => { sink = await (async () => 1)(); }],
  ['reference: Buffer.concat([buf]).toString()', () => { sink = Buffer.concat([BODY_BUF]).toString(); }],
  ['new URL(url)', () => { sink = new URL(URL_S); }],
  ['new Headers(obj) [4 entries]', () => { sink = new Headers(HDR_OBJ); }],
  ['new Headers() + append x4 from rawHeaders', () => { const h = new Headers(); for (let i = 0; i < RAW.length; i += 2) h.append(RAW[i], RAW[i + 1]); sink = h; }],
  ['headers.get(x2) on Headers', (() => { const h = new Headers(HDR_OBJ); return () => { sink = h.get('content-type') + h.get('accept'); }; })()],
  ['new AbortController()', () => { sink = new AbortController(); }],
  ['new AbortController().signal', () => { sink = new AbortController().signal; }],
  ['new AbortController() + signal.addEventListener', () => { const c = new AbortController(); c.signal.addEventListener('abort', () => {}); sink = c; }],
  ['new Request(url, {method, headers: obj, body: string})', () => { sink = new Request(URL_S, { method: 'POST', headers: HDR_OBJ, body: BODY }); }],
  ['new Request(url, {.., body: Buffer})', () => { sink = new Request(URL_S, { method: 'POST', headers: HDR_OBJ, body: BODY_BUF }); }],
  ['new Request(url, {.., body: ReadableStream, duplex})', () => { sink = new Request(URL_S, { method: 'POST', headers: HDR_OBJ, body: new ReadableStream({ start(c) { c.enqueue(BODY_BUF); c.close(); } }), duplex: 'half' }); }],
  ['new Request(string body) + await text()', async () => { sink = await new Request(URL_S, { method: 'POST', headers: HDR_OBJ, body: BODY }).text(); }],
  ['new Request(Buffer body) + await json()', async () => { sink = await new Request(URL_S, { method: 'POST', headers: HDR_OBJ, body: BODY_BUF }).json(); }],
  ['new Request(ReadableStream body) + await text()', async () => { sink = await new Request(URL_S, { method: 'POST', headers: HDR_OBJ, body: new ReadableStream({ start(c) { c.enqueue(BODY_BUF); c.close(); } }), duplex: 'half' }).text(); }],
  ['new Request(Readable.toWeb(nodeStream)) + await text()', async () => { sink = await new Request(URL_S, { method: 'POST', headers: HDR_OBJ, body: Readable.toWeb(Readable.from([BODY_BUF])), duplex: 'half' }).text(); }],
  ['Hono-style lazy Response: Object.create(proto) + symbol field', (() => {
    const proto = Object.create(Response.prototype); const F = Symbol('f');
    return () => { const r = Object.create(proto); r[F] = { status: 200, headers: RES_INIT.headers, body: OUT }; sink = r; };
  })()],
  ['await async fn returning Hono-style lazy Response (accessor proto)', (() => {
    const proto = Object.create(Response.prototype); const F = Symbol('f');
    for (const k of ['headers', 'body', 'bodyUsed', 'ok', 'redirected', 'statusText', 'type', 'url']) Object.defineProperty(proto, k, { get() { return 1; } });
    for (const k of ['text', 'json', 'arrayBuffer', 'blob', 'formData', 'clone']) Object.defineProperty(proto, k, { value() { return 1; } });
    const f = async () => { const r = Object.create(proto); r[F] = { status: 200, headers: RES_INIT.headers, body: OUT }; return r; };
    return async () => { sink = await f(); };
  })()],
  ['await async fn returning plain {status, headers, body}', (() => {
    const f = async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: OUT });
    return async () => { sink = await f(); };
  })()],
  ['plain result object {status, headers, body}', () => { sink = { status: 200, headers: { 'content-type': 'application/json' }, body: OUT }; }],
  ['new Response(str)', () => { sink = new Response(OUT); }],
  ['new Response(str, {status, headers: obj})', () => { sink = new Response(OUT, RES_INIT); }],
  ['new Response(str, init) + await text()', async () => { sink = await new Response(OUT, RES_INIT).text(); }],
  ['new Response(str, init) + await arrayBuffer()', async () => { sink = await new Response(OUT, RES_INIT).arrayBuffer(); }],
  ['new Response(str, init) + body.getReader() drain', async () => { const r = new Response(OUT, RES_INIT).body.getReader(); for (;;) { const x = await r.read(); if (x.done) break; sink = x.value; } }],
  ['response.headers.forEach -> plain obj', (() => { const r = new Response(OUT, RES_INIT); return () => { const o = {}; r.headers.forEach((v, k) => { o[k] = v; }); sink = o; }; })()],
  ['Response.json(obj)', () => { sink = Response.json({ jsonrpc: '2.0', id: 7 }); }],
  ['new ReadableStream(enqueue+close) + reader drain', async () => { const r = new ReadableStream({ start(c) { c.enqueue(BODY_BUF); c.close(); } }).getReader(); for (;;) { const x = await r.read(); if (x.done) break; sink = x.value; } }],
  ['new TextEncoder().encode(str) (shared encoder)', (() => { const te = new TextEncoder(); return () => { sink = te.encode(OUT); }; })()],
  ['Buffer.from(str)', () => { sink = Buffer.from(OUT); }],
];

async function time(fn, n) {
  const isAsync = fn.constructor.name === 'AsyncFunction';
  const t0 = process.hrtime.bigint();
  if (isAsync) for (let i = 0; i < n; i++) await fn();
  else for (let i = 0; i < n; i++) fn();
  // drain work the op deferred to microtasks/immediates (e.g. undici body streams start pulling
  // after the constructor returns) so it is charged to the op, not hidden.
  await new Promise((r) => setImmediate(r));
  return Number(process.hrtime.bigint() - t0) / 1e3 / n; // µs/op
}

const only = process.argv[2] ? new RegExp(process.argv[2]) : null;
console.log(`node ${process.version}`);
console.log('| op | µs/op median of 7 batches | µs/op min |');
console.log('|---|---:|---:|');
for (const [name, fn] of cases) {
  if (only && !only.test(name)) continue;
  // calibrate: batch of ~50 ms
  await time(fn, 2000);
  let n = 2000;
  const t = await time(fn, n);
  n = Math.max(500, Math.round(50_000 / Math.max(t, 0.01)));
  const res = [];
  for (let b = 0; b < 7; b++) res.push(await time(fn, n));
  res.sort((a, b) => a - b);
  console.log(`| ${name} | ${res[3].toFixed(2)} | ${res[0].toFixed(2)} |`);
  if (globalThis.gc) gc();
}
