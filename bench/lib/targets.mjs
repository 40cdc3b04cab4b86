// The catalogue: servers under test, and what each metric sends to which server.
// To add a server under test: add it to SERVERS, then add targets for the metrics it supports.
import { callRequest, initializeRequest, listRequest, openSession } from './mcp.mjs';

export const SERVERS = {
  raw: { label: 'raw node:http (floor)', runtime: 'node', file: 'servers/raw-node.mjs', sessions: true },
  hono: { label: 'bare Hono on @hono/node-server (floor)', runtime: 'node', file: 'servers/hono-node.mjs' },
  wisp: { label: 'Wisp (@wisp/node)', runtime: 'node', file: '.build/wisp-node.mjs', sessions: true },
  // `redis: true`: started with REDIS_URL of the redis-server the phase runs (lib/redis.mjs).
  'wisp-redis': { label: 'Wisp (@wisp/node) on @wisp/redis', runtime: 'node', file: '.build/wisp-node-redis.mjs', sessions: true, redis: true },
  sdk1: { label: 'SDK v1 stateful (JSON)', runtime: 'node', file: 'servers/sdk-v1.mjs', env: { MODE: 'stateful' }, sessions: true },
  'sdk1-sse': { label: 'SDK v1 stateful (SSE)', runtime: 'node', file: 'servers/sdk-v1.mjs', env: { MODE: 'stateful-sse' } },
  'sdk1-stateless': { label: 'SDK v1 stateless', runtime: 'node', file: 'servers/sdk-v1.mjs', env: { MODE: 'stateless' } },
  sdk2: { label: 'SDK v2 createMcpHandler + @modelcontextprotocol/node', runtime: 'node', file: 'servers/sdk-v2.mjs' },
  'mcp-lite': { label: 'mcp-lite on Hono/Node (stateless)', runtime: 'node', file: 'servers/mcp-lite.mjs' },
  'mcp-lite-session': { label: 'mcp-lite on Hono/Node (InMemorySessionAdapter)', runtime: 'node', file: 'servers/mcp-lite.mjs', env: { MODE: 'session' }, sessions: true },
  'raw-bun': { label: 'bare Bun.serve (floor)', runtime: 'bun', file: 'servers/raw-bun.mjs' },
  'wisp-bun': { label: 'Wisp (@wisp/bun)', runtime: 'bun', file: 'servers/wisp-bun.ts', args: ['--conditions=wisp-source'] },
  'mcp-lite-bun': { label: 'mcp-lite on Bun.serve', runtime: 'bun', file: 'servers/mcp-lite.mjs' },
};

const fixed = (request) => async () => [request];
const inSession = (request) => async (url) => {
  const session = await openSession(url);
  return [{ ...request, headers: { ...request.headers, ...session } }];
};
// mcp-lite 0.10 answers SSE whenever Accept allows it, and checks MCP-Protocol-Version
// against what it speaks (up to 2025-06-18).
const lite = (request) => ({ ...request, headers: { ...request.headers, 'mcp-protocol-version': '2025-06-18' } });
const ACCEPT_JSON = 'application/json';

const JSON_RESULT = { sse: false, text: 'hello' };
const SSE_RESULT = { sse: true, text: 'hello', progress: true };

/** Metric 1: tools/call, JSON responses. `floor: true` marks the ratio base. */
export const CALL_JSON = [
  { id: 'raw', server: 'raw', label: 'raw node:http', floor: true, requests: fixed(callRequest({ era: 2025 })), expect: JSON_RESULT },
  { id: 'hono', server: 'hono', label: 'bare Hono/Node', requests: fixed(callRequest({ era: 2025 })), expect: JSON_RESULT },
  { id: 'wisp-2025', server: 'wisp', label: 'Wisp 2025 session', wisp: true, requests: inSession(callRequest({ era: 2025 })), expect: JSON_RESULT },
  { id: 'wisp-2026', server: 'wisp', label: 'Wisp 2026 stateless', wisp: true, requests: fixed(callRequest({ era: 2026 })), expect: JSON_RESULT },
  { id: 'mcp-lite', server: 'mcp-lite', label: 'mcp-lite (Accept: application/json)', requests: fixed(lite(callRequest({ era: 2025, accept: ACCEPT_JSON }))), expect: JSON_RESULT },
  { id: 'sdk2', server: 'sdk2', label: 'SDK v2 (2026 request)', requests: fixed(callRequest({ era: 2026 })), expect: JSON_RESULT },
  { id: 'sdk1', server: 'sdk1', label: 'SDK v1 stateful JSON', requests: inSession(callRequest({ era: 2025 })), expect: JSON_RESULT },
  { id: 'sdk1-stateless', server: 'sdk1-stateless', label: 'SDK v1 stateless', requests: fixed(callRequest({ era: 2025 })), expect: JSON_RESULT },
];

/** Metric 2: tools/call whose handler sends one progress notification first (an SSE response). */
export const CALL_SSE = [
  { id: 'raw-sse', server: 'raw', label: 'raw node:http, same SSE frames', floor: true, requests: fixed(callRequest({ era: 2025, progress: true })), expect: SSE_RESULT },
  { id: 'wisp-2025-sse', server: 'wisp', label: 'Wisp 2025 session, SSE', wisp: true, requests: inSession(callRequest({ era: 2025, progress: true })), expect: SSE_RESULT },
  { id: 'wisp-2026-sse', server: 'wisp', label: 'Wisp 2026, SSE', wisp: true, requests: fixed(callRequest({ era: 2026, progress: true })), expect: SSE_RESULT },
  { id: 'mcp-lite-sse', server: 'mcp-lite', label: 'mcp-lite, SSE', requests: fixed(lite(callRequest({ era: 2025, progress: true }))), expect: SSE_RESULT },
  { id: 'sdk2-sse', server: 'sdk2', label: 'SDK v2 (2026, auto → SSE)', requests: fixed(callRequest({ era: 2026, progress: true })), expect: SSE_RESULT },
  { id: 'sdk1-sse', server: 'sdk1-sse', label: 'SDK v1 stateful SSE', requests: inSession(callRequest({ era: 2025, progress: true })), expect: SSE_RESULT },
];

/** Metric 3a: initialize per second (each one opens a session where the server keeps sessions). */
const INIT = {}; // JSON or SSE: the SDK v2 legacy fallback answers initialize as SSE
export const INITIALIZE = [
  { id: 'raw-init', server: 'raw', label: 'raw node:http + Map', floor: true, requests: fixed(initializeRequest()), expect: INIT },
  { id: 'wisp-init', server: 'wisp', label: 'Wisp (memory storage)', wisp: true, requests: fixed(initializeRequest()), expect: INIT },
  { id: 'mcp-lite-init', server: 'mcp-lite-session', label: 'mcp-lite (InMemorySessionAdapter)', requests: fixed(initializeRequest()), expect: INIT },
  { id: 'sdk2-init', server: 'sdk2', label: 'SDK v2 (stateless legacy fallback)', requests: fixed(initializeRequest()), expect: INIT },
  { id: 'sdk1-init', server: 'sdk1', label: 'SDK v1 stateful', requests: fixed(initializeRequest()), expect: INIT },
];

/**
 * Redis rows: Wisp 2025 sessions on @wisp/redis against the same server on memory storage,
 * measured round-robin in the same series, so each ratio compares runs taken side by side.
 * `base: true` marks the memory row a ratio is taken against (kept even when --only leaves it out).
 */
export const REDIS_JSON = [
  { id: 'wisp-2025-mem', server: 'wisp', label: 'Wisp 2025 session, memory storage', wisp: true, base: true, requests: inSession(callRequest({ era: 2025 })), expect: JSON_RESULT },
  { id: 'wisp-2025-redis', server: 'wisp-redis', label: 'Wisp 2025 session, @wisp/redis', wisp: true, requests: inSession(callRequest({ era: 2025 })), expect: JSON_RESULT },
];
export const REDIS_SSE = [
  { id: 'wisp-2025-sse-mem', server: 'wisp', label: 'Wisp 2025 session, SSE, memory storage', wisp: true, base: true, requests: inSession(callRequest({ era: 2025, progress: true })), expect: SSE_RESULT },
  { id: 'wisp-2025-sse-redis', server: 'wisp-redis', label: 'Wisp 2025 session, SSE, @wisp/redis', wisp: true, requests: inSession(callRequest({ era: 2025, progress: true })), expect: SSE_RESULT },
];
export const REDIS_INITIALIZE = [
  { id: 'wisp-init-mem', server: 'wisp', label: 'Wisp initialize, memory storage', wisp: true, base: true, requests: fixed(initializeRequest()), expect: INIT },
  { id: 'wisp-init-redis', server: 'wisp-redis', label: 'Wisp initialize, @wisp/redis', wisp: true, requests: fixed(initializeRequest()), expect: INIT },
];
/** The Redis targets: req/s of the @wisp/redis row ≥ `min` × its memory row's. */
export const REDIS_TARGETS = [
  { metric: 'json', id: 'wisp-2025-redis', base: 'wisp-2025-mem', min: 0.8, what: 'tools/call JSON' },
  { metric: 'sse', id: 'wisp-2025-sse-redis', base: 'wisp-2025-sse-mem', min: 0.6, what: 'tools/call SSE' },
  { metric: 'initialize', id: 'wisp-init-redis', base: 'wisp-init-mem', min: 0.7, what: 'initialize/s' },
];

/** Metric 5: tools/list with 1 000 registered tools (plus echo), one connection. */
const LIST = { tools: 1001 };
export const TOOLS_LIST = [
  { id: 'raw-list', server: 'raw', label: 'raw node:http', floor: true, requests: fixed(listRequest({ era: 2025 })), expect: LIST },
  { id: 'wisp-list', server: 'wisp', label: 'Wisp 2025 session', wisp: true, requests: inSession(listRequest({ era: 2025 })), expect: LIST },
  { id: 'wisp-list-2026', server: 'wisp', label: 'Wisp 2026', wisp: true, requests: fixed(listRequest({ era: 2026 })), expect: LIST },
  { id: 'mcp-lite-list', server: 'mcp-lite', label: 'mcp-lite', requests: fixed(lite(listRequest({ era: 2025, accept: ACCEPT_JSON }))), expect: LIST },
  { id: 'sdk2-list', server: 'sdk2', label: 'SDK v2 (2026)', requests: fixed(listRequest({ era: 2026 })), expect: LIST },
  { id: 'sdk1-list', server: 'sdk1', label: 'SDK v1 stateful', requests: inSession(listRequest({ era: 2025 })), expect: LIST },
];

/** Metric 4 (cold start) for these servers; RSS per idle session for those with `sessions`. */
export const COLD_START = ['raw', 'hono', 'wisp', 'mcp-lite', 'mcp-lite-session', 'sdk2', 'sdk1', 'sdk1-stateless'];

/** On Bun: tools/call JSON against a bare Bun.serve. */
export const BUN_CALL = [
  { id: 'raw-bun', server: 'raw-bun', label: 'bare Bun.serve', floor: true, requests: fixed(callRequest({ era: 2025 })), expect: JSON_RESULT },
  { id: 'wisp-bun-2025', server: 'wisp-bun', label: 'Wisp 2025 session', wisp: true, requests: inSession(callRequest({ era: 2025 })), expect: JSON_RESULT },
  { id: 'wisp-bun-2026', server: 'wisp-bun', label: 'Wisp 2026 stateless', wisp: true, requests: fixed(callRequest({ era: 2026 })), expect: JSON_RESULT },
  { id: 'mcp-lite-bun', server: 'mcp-lite-bun', label: 'mcp-lite', requests: fixed(lite(callRequest({ era: 2025, accept: ACCEPT_JSON }))), expect: JSON_RESULT },
];

/** Leak check: Wisp under every response mode at once (a rotation of the four requests). */
export const LEAK_MODES = [
  { mode: '2025 JSON', request: callRequest({ era: 2025 }), session: true },
  { mode: '2025 SSE', request: callRequest({ era: 2025, progress: true }), session: true },
  { mode: '2026 JSON', request: callRequest({ era: 2026 }) },
  { mode: '2026 SSE', request: callRequest({ era: 2026, progress: true }) },
];
