// The same server on mcp-lite + Hono/Node, as its README shows it.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { McpServer, StreamableHttpTransport } from 'mcp-lite';
import { z } from 'zod';

const mcp = new McpServer({ name: 'demo', version: '1.0.0', schemaAdapter: (s) => z.toJSONSchema(s) });
mcp.tool('add', { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }),
  handler: ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }) });
const handler = new StreamableHttpTransport().bind(mcp);
const app = new Hono();
app.all('/mcp', (c) => handler(c.req.raw));
serve({ fetch: app.fetch, port: 3000 });
