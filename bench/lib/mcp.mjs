// Request shapes for both protocol eras, and the few client steps the harness needs
// (creating a 2025 session, checking that an answer is the right one).
export const V2025 = '2025-11-25';
export const V2026 = '2026-07-28';
export const ACCEPT_BOTH = 'application/json, text/event-stream';
const MODERN_META = { 'io.modelcontextprotocol/protocolVersion': V2026, 'io.modelcontextprotocol/clientCapabilities': {} };
const ECHO_TEXT = 'hello';

const rpc = (id, method, params) => JSON.stringify(id === undefined ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id, method, params });

export function initializeBody(version = V2025) {
  return rpc(1, 'initialize', { protocolVersion: version, capabilities: {}, clientInfo: { name: 'wisp-bench', version: '1.0.0' } });
}

/** tools/call echo. era: 2025 | 2026; progress: ask for progress (makes the answer SSE). */
export function callRequest({ era, progress = false, accept = ACCEPT_BOTH }) {
  const params = { name: 'echo', arguments: { text: ECHO_TEXT } };
  const headers = { 'content-type': 'application/json', accept };
  if (era === 2026) {
    params._meta = { ...MODERN_META, ...(progress ? { progressToken: 1 } : {}) };
    Object.assign(headers, { 'mcp-protocol-version': V2026, 'mcp-method': 'tools/call', 'mcp-name': 'echo' });
  } else {
    if (progress) params._meta = { progressToken: 1 };
    headers['mcp-protocol-version'] = V2025;
  }
  return { headers, body: rpc(7, 'tools/call', params) };
}

export function listRequest({ era, accept = ACCEPT_BOTH }) {
  const headers = { 'content-type': 'application/json', accept };
  if (era === 2026) {
    Object.assign(headers, { 'mcp-protocol-version': V2026, 'mcp-method': 'tools/list' });
    return { headers, body: rpc(3, 'tools/list', { _meta: MODERN_META }) };
  }
  headers['mcp-protocol-version'] = V2025;
  return { headers, body: rpc(3, 'tools/list', {}) };
}

export function initializeRequest() {
  return { headers: { 'content-type': 'application/json', accept: ACCEPT_BOTH }, body: initializeBody() };
}

export async function post(url, headers, body) {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Opens a 2025 session (initialize + notifications/initialized); returns the headers to use it. */
export async function openSession(url, version = V2025) {
  const init = await post(url, { 'content-type': 'application/json', accept: ACCEPT_BOTH }, initializeBody(version));
  const id = init.headers.get('mcp-session-id');
  if (init.status !== 200 || !id) throw new Error(`initialize on ${url} failed: ${init.status} ${init.text.slice(0, 300)}`);
  const negotiated = resultOf(init.text, init.headers.get('content-type'))?.protocolVersion ?? version;
  const headers = { 'mcp-session-id': id, 'mcp-protocol-version': negotiated };
  const note = await post(url, { 'content-type': 'application/json', accept: ACCEPT_BOTH, ...headers }, rpc(undefined, 'notifications/initialized', {}));
  if (note.status >= 300) throw new Error(`notifications/initialized on ${url} failed: ${note.status} ${note.text.slice(0, 300)}`);
  return headers;
}

/** The JSON-RPC result in a JSON or SSE body (the last message with a result or error). */
export function resultOf(text, contentType) {
  let messages;
  if ((contentType ?? '').startsWith('text/event-stream')) {
    messages = text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).filter(Boolean).map((d) => JSON.parse(d));
  } else messages = [JSON.parse(text)];
  const final = messages.reverse().find((m) => 'result' in m || 'error' in m);
  if (!final) return undefined;
  if (final.error) throw new Error(`JSON-RPC error ${final.error.code}: ${final.error.message}`);
  return final.result;
}

/** Sends one request and checks it is answered the way the target claims (JSON or SSE, right result). */
export async function check(url, { headers, body }, expect) {
  const r = await post(url, headers, body);
  const ct = r.headers.get('content-type') ?? '';
  const problem = (why) => new Error(`${url}: ${why}; status ${r.status}, content-type ${ct}, body ${r.text.slice(0, 400)}`);
  if (r.status !== 200) throw problem('not 200');
  if (expect.sse !== undefined && ct.startsWith('text/event-stream') !== expect.sse) throw problem(expect.sse ? 'expected SSE' : 'expected JSON');
  let result;
  try { result = resultOf(r.text, ct); } catch (e) { throw problem(e.message); }
  if (!result) throw problem('no result');
  if (expect.text && result.content?.[0]?.text !== expect.text) throw problem('wrong tool result');
  if (expect.progress && !r.text.includes('notifications/progress')) throw problem('no progress notification');
  if (expect.tools && result.tools?.length !== expect.tools) throw problem(`expected ${expect.tools} tools, got ${result.tools?.length}`);
  return { bytes: Buffer.byteLength(r.text), result };
}

export { ECHO_TEXT };
