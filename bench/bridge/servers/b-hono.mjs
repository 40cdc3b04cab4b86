// B. @hono/node-server 2.x serving the web-standard handler.
//   MODE=override   : getRequestListener default (overrideGlobalObjects: true => lightweight Request/Response globals)
//   MODE=nooverride : overrideGlobalObjects: false (handler's `new Response` is the native undici one)
//   MODE=app        : a Hono app (`app.post('/mcp', ...)`) on serve's listener, handler via c.req.raw
import http from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { webHandler, ready } from './logic.mjs';

const mode = process.env.MODE || 'override';
let fetchFn = webHandler;
if (mode === 'app') {
  const { Hono } = await import('hono');
  const app = new Hono();
  app.post('/mcp', (c) => webHandler(c.req.raw));
  fetchFn = app.fetch;
}
const listener = getRequestListener(fetchFn, { overrideGlobalObjects: mode !== 'nooverride' });
ready(http.createServer(listener), `B hono ${mode}`);
