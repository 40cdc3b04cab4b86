// The same server on the official SDK v2 (@modelcontextprotocol/server + @modelcontextprotocol/node).
import http from 'node:http';
import { McpServer, createMcpHandler } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { z } from 'zod';

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'demo', version: '1.0.0' });
  server.registerTool('add', { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
  return server;
});
http.createServer(toNodeHandler(handler)).listen(3000, '127.0.0.1');
