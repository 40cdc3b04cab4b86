// mcp-lite 0.10 on Hono/Node (or on Bun.serve when run by Bun), as its README shows it.
// MODE=session adds InMemorySessionAdapter (needed for initialize/session metrics); the
// default is its stateless transport. mcp-lite answers SSE whenever Accept allows it, so
// the JSON measurements send `Accept: application/json`.
import { InMemorySessionAdapter, McpServer, StreamableHttpTransport } from 'mcp-lite';
import { z } from 'zod';
import { ECHO, EXTRA_TOOLS, HOST, MODE, PORT, RESOURCE, SERVER_INFO, ready } from './common.mjs';

const mcp = new McpServer({ ...SERVER_INFO, schemaAdapter: (schema) => z.toJSONSchema(schema) });
const input = z.object({ text: z.string() });
mcp.tool(ECHO.name, {
  description: ECHO.description,
  inputSchema: input,
  handler: async ({ text }, ctx) => {
    if (ctx.progress) await ctx.progress({ progress: 1, total: 1 });
    return { content: [{ type: 'text', text }] };
  },
});
for (const name of EXTRA_TOOLS) mcp.tool(name, { description: `Tool ${name}`, inputSchema: input, handler: ({ text }) => ({ content: [{ type: 'text', text }] }) });
mcp.resource(RESOURCE.uri, { name: RESOURCE.name, mimeType: RESOURCE.mimeType }, async (uri) => ({ contents: [{ uri: uri.href, mimeType: RESOURCE.mimeType, text: RESOURCE.text }] }));

const transport = new StreamableHttpTransport(MODE === 'session' ? { sessionAdapter: new InMemorySessionAdapter({ maxEventBufferSize: 1024 }) } : {});
const httpHandler = transport.bind(mcp);

if (globalThis.Bun) {
  Bun.serve({ port: PORT, hostname: HOST, fetch: (request) => httpHandler(request) });
  ready('mcp-lite-bun');
} else {
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.all('/mcp', (c) => httpHandler(c.req.raw));
  serve({ fetch: app.fetch, port: PORT, hostname: HOST }, () => ready('mcp-lite-node'));
}
