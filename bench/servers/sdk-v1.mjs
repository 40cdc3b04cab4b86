// The official SDK v1 (@modelcontextprotocol/sdk 1.x) on node:http, as its README shows it.
//   MODE=stateful (default): a session map of StreamableHTTPServerTransport, JSON responses
//                            (enableJsonResponse: true) — the fastest v1 setting;
//   MODE=stateful-sse:       the same, with the default SSE responses;
//   MODE=stateless:          a fresh McpServer + transport per request (the v1 stateless idiom).
// The body is parsed once and passed to handleRequest, as express.json() would.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ECHO, EXTRA_TOOLS, HOST, MODE, PORT, RESOURCE, SERVER_INFO, ready } from './common.mjs';

const mode = MODE || 'stateful';

function makeServer() {
  const server = new McpServer(SERVER_INFO);
  server.registerTool(ECHO.name, { description: ECHO.description, inputSchema: { text: z.string() } }, async ({ text }, extra) => {
    const progressToken = extra._meta?.progressToken;
    if (progressToken !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: 1, total: 1 } });
    return { content: [{ type: 'text', text }] };
  });
  for (const name of EXTRA_TOOLS) {
    server.registerTool(name, { description: `Tool ${name}`, inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  }
  server.registerResource(RESOURCE.name, RESOURCE.uri, { mimeType: RESOURCE.mimeType }, async (uri) => ({ contents: [{ uri: uri.href, mimeType: RESOURCE.mimeType, text: RESOURCE.text }] }));
  return server;
}

const transports = new Map();

async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
}

const node = http.createServer(async (req, res) => {
  try {
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    if (mode === 'stateless') {
      const server = makeServer();
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.on('close', () => { transport.close(); server.close(); });
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId || !isInitializeRequest(body)) {
        res.writeHead(sessionId ? 404 : 400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: No valid session ID provided' } }));
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: mode === 'stateful',
        onsessioninitialized: (id) => transports.set(id, transport),
      });
      transport.onclose = () => { if (transport.sessionId) transports.delete(transport.sessionId); };
      await makeServer().connect(transport);
    }
    await transport.handleRequest(req, res, body);
  } catch (error) {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: String(error) } }));
  }
});
node.keepAliveTimeout = 5000;
node.listen(PORT, HOST, () => ready(`sdk-v1-${mode}`));
