// A. raw node:http baseline.
import http from 'node:http';
import { mcpLogic, ready } from './logic.mjs';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const text = chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString();
    const [status, body] = mcpLogic(req.method, req.headers['content-type'], req.headers['accept'], text);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
ready(server, 'A raw');
