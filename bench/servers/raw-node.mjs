// Floor: raw node:http. Reads the body, parses it, answers a fixed valid result
// (as JSON, or as the same SSE frames Wisp sends when the call carries a progressToken).
import http from 'node:http';
import { HOST, PORT, ready } from './common.mjs';
import { SSE_HEADERS, floorAnswer } from './floor.mjs';

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') { res.writeHead(405).end(); return; }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let msg;
    try { msg = JSON.parse(chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString()); } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
      return;
    }
    const answer = floorAnswer(msg);
    if (answer.sse) {
      res.writeHead(200, SSE_HEADERS);
      for (let i = 0; i < answer.sse.length - 1; i++) res.write(answer.sse[i]);
      res.end(answer.sse[answer.sse.length - 1]);
      return;
    }
    const [status, headers, body] = answer;
    res.writeHead(status, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 5000;
server.listen(PORT, HOST, () => ready('raw-node'));
