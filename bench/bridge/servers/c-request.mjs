// C. Hand-written minimal bridge that builds a real (native) Request and reads the real Response.
//   MODE=stream : body = Readable.toWeb(incoming), duplex:'half'; response body via arrayBuffer()
//   MODE=buffer : body collected from 'data' first, passed as a Buffer; response body via text()
//   MODE=reader : like stream, but response body drained with body.getReader() and res.write per chunk
import http from 'node:http';
import { Readable } from 'node:stream';
import { webHandler, ready } from './logic.mjs';

const mode = process.env.MODE || 'stream';

function toHeaders(raw) {
  const h = new Headers();
  for (let i = 0; i < raw.length; i += 2) h.append(raw[i], raw[i + 1]);
  return h;
}
function collect(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
function outHeaders(response) {
  const o = {};
  response.headers.forEach((v, k) => { o[k] = v; });
  return o;
}

const server = http.createServer(async (req, res) => {
  try {
    const url = `http://${req.headers.host}${req.url}`;
    const init = { method: req.method, headers: toHeaders(req.rawHeaders) };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (mode === 'buffer') init.body = await collect(req);
      else { init.body = Readable.toWeb(req); init.duplex = 'half'; }
    }
    const response = await webHandler(new Request(url, init));
    const headers = outHeaders(response);
    if (mode === 'reader') {
      res.writeHead(response.status, headers);
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          res.write(value);
        }
      }
      res.end();
    } else if (mode === 'buffer') {
      const text = await response.text();
      headers['content-length'] = Buffer.byteLength(text);
      res.writeHead(response.status, headers);
      res.end(text);
    } else {
      const buf = Buffer.from(await response.arrayBuffer());
      headers['content-length'] = buf.length;
      res.writeHead(response.status, headers);
      res.end(buf);
    }
  } catch (e) {
    res.writeHead(500); res.end(String(e));
  }
});
ready(server, `C request ${mode}`);
