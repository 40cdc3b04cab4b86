// Floor: a bare Hono app on @hono/node-server, same answer as raw-node (JSON only).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HOST, PORT, ready } from './common.mjs';
import { floorAnswer } from './floor.mjs';

const app = new Hono();
app.post('/mcp', async (c) => {
  const answer = floorAnswer(await c.req.json());
  const [status, headers, body] = answer.sse ? [500, {}, 'SSE not served by this floor'] : answer;
  return c.body(body || null, status, headers);
});
serve({ fetch: app.fetch, port: PORT, hostname: HOST }, () => ready('hono-node'));
