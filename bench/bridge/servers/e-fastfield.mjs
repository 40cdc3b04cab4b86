// E. Like D on the way in, but the core returns a real (native) Response and
// also stashes { status, headers, body } under a symbol; the bridge reads the
// symbol and never touches the Response's stream. Falls back to the stream
// when the field is absent (e.g. user code returned its own Response).
//   MODE=plain   : the core builds new Response(body, { status, headers: {...} }) (native Headers built inside)
//   MODE=lazy    : the core returns a lazy Response (prototype chain -> Response.prototype, instanceof works);
//                  a native Response is only built if user code touches headers/body/text()/... (Hono-style)
//   MODE=lazyplain : diagnostic - same lazy object but its prototype chain does NOT include Response.prototype
import http from 'node:http';
import { mcpLogic, ready } from './logic.mjs';

const mode = process.env.MODE || 'plain';
const FAST = Symbol.for('wisp.fastBody');
const JSON_CT = 'application/json';

function exchange(req) {
  return {
    method: req.method,
    url: req.url,
    header: (name) => req.headers[name],
    text: () => new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString()));
      req.on('error', reject);
    }),
  };
}

// Lazy Response: only the fast field; native Response materialised on first use.
const REAL = Symbol('wisp.realResponse');
const lazyProto = Object.create(mode === 'lazyplain' ? Object.prototype : Response.prototype);
function real(self) {
  const f = self[FAST];
  return (self[REAL] ||= new Response(f.body, { status: f.status, headers: f.headers }));
}
for (const k of ['headers', 'body', 'bodyUsed', 'ok', 'redirected', 'statusText', 'type', 'url']) {
  Object.defineProperty(lazyProto, k, { get() { return real(this)[k]; } });
}
Object.defineProperty(lazyProto, 'status', { get() { return this[FAST].status; } });
for (const k of ['text', 'json', 'arrayBuffer', 'blob', 'formData', 'clone']) {
  Object.defineProperty(lazyProto, k, { value() { return real(this)[k](); } });
}

// The "core": returns a Response, with the fast field attached.
async function core(ex) {
  const text = ex.method === 'POST' ? await ex.text() : '';
  const [status, body] = mcpLogic(ex.method, ex.header('content-type'), ex.header('accept'), text);
  const headers = { 'content-type': JSON_CT };
  let r;
  if (mode === 'lazy' || mode === 'lazyplain') r = Object.create(lazyProto);
  else r = new Response(body, { status, headers });
  r[FAST] = { status, headers, body };
  return r;
}

const server = http.createServer(async (req, res) => {
  try {
    const response = await core(exchange(req));
    const fast = response[FAST];
    if (fast) {
      const headers = { ...fast.headers, 'content-length': Buffer.byteLength(fast.body) };
      res.writeHead(fast.status, headers);
      res.end(fast.body);
      return;
    }
    const headers = {};
    response.headers.forEach((v, k) => { headers[k] = v; });
    const buf = Buffer.from(await response.arrayBuffer());
    headers['content-length'] = buf.length;
    res.writeHead(response.status, headers);
    res.end(buf);
  } catch (e) {
    res.writeHead(500); res.end(String(e));
  }
});
ready(server, `E fastfield ${mode}`);
