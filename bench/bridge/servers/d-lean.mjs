// D. "Lean exchange" bridge: no Request/Response objects at all.
import http from 'node:http';
import { leanHandler, ready } from './logic.mjs';

// MODE=undici: same bridge, but touch globalThis.Response once at start-up. On Node 20 the
// fetch globals are lazy getters; touching one loads the bundled undici into the process.
if (process.env.MODE === 'undici') void globalThis.Response;

function exchange(req) {
  return {
    method: req.method,
    url: req.url,
    header: (name) => req.headers[name],
    text: () => new Promise((resolve, reject) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString()));
      req.on('error', reject);
    }),
  };
}

const server = http.createServer(async (req, res) => {
  try {
    const out = await leanHandler(exchange(req));
    out.headers['content-length'] = Buffer.byteLength(out.body);
    res.writeHead(out.status, out.headers);
    res.end(out.body);
  } catch (e) {
    res.writeHead(500); res.end(String(e));
  }
});
ready(server, 'D lean');
