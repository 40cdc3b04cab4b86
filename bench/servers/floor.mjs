// The floor's whole "framework": parse the JSON-RPC body, answer a fixed valid result.
// No validation beyond what the floor needs to be a valid MCP peer for this benchmark.
import { randomUUID } from 'node:crypto';
import { ECHO, EXTRA_TOOLS, RESOURCE, SERVER_INFO } from './common.mjs';

const INPUT = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
const TOOL_LIST = [ECHO, ...EXTRA_TOOLS.map((name) => ({ name, description: `Tool ${name}` }))].map((t) => ({ ...t, inputSchema: INPUT }));
/** A raw Map of sessions: what "RSS per idle session" costs with no framework at all. */
export const sessions = new Map();

/** Returns [status, headers, body] or, for tools/call with a progressToken, { sse: [frames] }. */
export function floorAnswer(msg) {
  const { id, method, params } = msg;
  switch (method) {
    case 'initialize': {
      const sessionId = randomUUID();
      sessions.set(sessionId, { protocolVersion: params.protocolVersion, clientInfo: params.clientInfo, capabilities: params.capabilities });
      const result = { protocolVersion: params.protocolVersion, capabilities: { tools: {}, resources: {} }, serverInfo: SERVER_INFO };
      return [200, { 'content-type': 'application/json', 'mcp-session-id': sessionId }, JSON.stringify({ jsonrpc: '2.0', id, result })];
    }
    case 'tools/list':
      return [200, JSON_HEADERS, JSON.stringify({ jsonrpc: '2.0', id, result: { tools: TOOL_LIST } })];
    case 'resources/read':
      return [200, JSON_HEADERS, JSON.stringify({ jsonrpc: '2.0', id, result: { contents: [{ uri: RESOURCE.uri, mimeType: RESOURCE.mimeType, text: RESOURCE.text }] } })];
    case 'tools/call': {
      const response = JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: params.arguments.text }] } });
      const token = params._meta?.progressToken;
      if (token === undefined) return [200, JSON_HEADERS, response];
      // The same frames Wisp sends for a 2025-11-25 call that reports progress:
      // a priming event (id, retry, empty data), the progress notification, the result.
      const stream = `s${++streamSeq}`;
      return { sse: [
        `id: ${stream}_0\nretry: 1000\ndata:\n\n`,
        `id: ${stream}_1\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: 1, total: 1 } })}\n\n`,
        `id: ${stream}_2\ndata: ${response}\n\n`,
      ] };
    }
    default:
      if (id === undefined) return [202, {}, ''];
      return [200, JSON_HEADERS, JSON.stringify({ jsonrpc: '2.0', id, result: {} })];
  }
}
let streamSeq = 0;
const JSON_HEADERS = { 'content-type': 'application/json' };
export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' };
