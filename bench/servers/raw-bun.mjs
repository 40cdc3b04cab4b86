// Floor on Bun: a bare Bun.serve, same answer as raw-node.
import { HOST, PORT, ready } from './common.mjs';
import { SSE_HEADERS, floorAnswer } from './floor.mjs';

Bun.serve({
  port: PORT,
  hostname: HOST,
  async fetch(request) {
    if (request.method !== 'POST') return new Response(null, { status: 405 });
    const answer = floorAnswer(await request.json());
    if (answer.sse) return new Response(answer.sse.join(''), { headers: SSE_HEADERS });
    const [status, headers, body] = answer;
    return new Response(body || null, { status, headers });
  },
});
ready('raw-bun');
