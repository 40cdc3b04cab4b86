// Shared request logic for every variant: the same checks, the same parse,
// the same serialisation. Only the bridge around it differs.
const RESULT = { content: [{ type: 'text', text: 'hello' }] };
const JSON_CT = 'application/json';

export const port = Number(process.argv[2] || process.env.PORT || 3000);
export const host = '127.0.0.1';

// Returns [status, bodyString]. ct/accept are header values (string|undefined|null).
export function mcpLogic(method, ct, accept, bodyText) {
  if (method !== 'POST') return [405, '{"error":"method"}'];
  if (!ct || !ct.startsWith(JSON_CT)) return [415, '{"error":"content-type"}'];
  if (!accept || !accept.includes(JSON_CT)) return [406, '{"error":"accept"}'];
  const msg = JSON.parse(bodyText);
  return [200, JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: RESULT })];
}

// Web-standard handler: (Request) => Promise<Response>. Used by B and C.
export async function webHandler(req) {
  const h = req.headers;
  const ct = h.get('content-type');
  const accept = h.get('accept');
  const text = req.method === 'POST' ? await req.text() : '';
  const [status, body] = mcpLogic(req.method, ct, accept, text);
  return new Response(body, { status, headers: { 'content-type': JSON_CT } });
}

// Lean-exchange handler used by D: ex = { method, url, header(name), text() }
// returns { status, headers, body: string }.
export async function leanHandler(ex) {
  const text = ex.method === 'POST' ? await ex.text() : '';
  const [status, body] = mcpLogic(ex.method, ex.header('content-type'), ex.header('accept'), text);
  return { status, headers: { 'content-type': JSON_CT }, body };
}

export function ready(server, name) {
  server.listen(port, host, () => {
    console.log(`${name} listening on http://${host}:${port} pid=${process.pid} node=${process.version}`);
  });
  // Bounded lifetime: never outlive a benchmark by much even if the driver dies.
  const ttl = Number(process.env.SERVER_TTL_S || 300);
  setTimeout(() => process.exit(0), ttl * 1000).unref();
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
}
