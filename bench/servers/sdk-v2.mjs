// The official SDK v2: @modelcontextprotocol/server 2.x createMcpHandler (a fresh McpServer per
// request; 2026-07-28 requests on its modern path, 2025 requests on its stateless legacy
// fallback) on @modelcontextprotocol/node's toNodeHandler, as their READMEs show it.
import http from 'node:http';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { z } from 'zod';
import { ECHO, EXTRA_TOOLS, HOST, PORT, RESOURCE, SERVER_INFO, ready } from './common.mjs';

function makeServer() {
  const server = new McpServer(SERVER_INFO);
  const input = z.object({ text: z.string() });
  server.registerTool(ECHO.name, { description: ECHO.description, inputSchema: input }, async ({ text }, ctx) => {
    const progressToken = ctx.mcpReq._meta?.progressToken;
    if (progressToken !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken, progress: 1, total: 1 } });
    return { content: [{ type: 'text', text }] };
  });
  for (const name of EXTRA_TOOLS) {
    server.registerTool(name, { description: `Tool ${name}`, inputSchema: input }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
  }
  server.registerResource(RESOURCE.name, RESOURCE.uri, { mimeType: RESOURCE.mimeType }, async (uri) => ({ contents: [{ uri: uri.href, mimeType: RESOURCE.mimeType, text: RESOURCE.text }] }));
  return server;
}

const handler = createMcpHandler(() => makeServer());
const node = http.createServer(toNodeHandler(handler));
node.keepAliveTimeout = 5000;
node.listen(PORT, HOST, () => ready('sdk-v2'));
