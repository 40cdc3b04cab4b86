// One phase of the benchmark, run by run.mjs under `flock /tmp/wisp-bench.lock` (so each lock
// hold is one phase, a few minutes at most) and pinned to the load core.
//   node lib/phase.mjs <phase> <out.json>     phases: smoke | throughput | sessions | redis | leak | bun
// Environment: BENCH_NODE (server runtime), BENCH_BUN, BENCH_WRK, BENCH_REDIS_SERVER (redis-server binary, '' = none), BENCH_RUNS, BENCH_SECONDS,
// BENCH_WARM, BENCH_CONNS, BENCH_SHORT_RUNS, BENCH_SHORT_SECONDS, BENCH_LEAK_SECONDS, BENCH_SESSIONS, BENCH_ONLY (regex on target ids).
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import { allocPort, startServer } from './proc.mjs';
import { load } from './load.mjs';
import { check, initializeBody, openSession, resultOf } from './mcp.mjs';
import { startRedisServer } from './redis.mjs';
import { BUN_CALL, CALL_JSON, CALL_SSE, COLD_START, INITIALIZE, LEAK_MODES, REDIS_INITIALIZE, REDIS_JSON, REDIS_SSE, SERVERS, TOOLS_LIST } from './targets.mjs';

const [phase, outFile] = process.argv.slice(2);
const env = process.env;
const bins = { node: env.BENCH_NODE || process.execPath, bun: env.BENCH_BUN };
const wrk = env.BENCH_WRK || null;
const redisBin = env.BENCH_REDIS_SERVER || null;
const RUNS = Number(env.BENCH_RUNS ?? 3);
const SECONDS = Number(env.BENCH_SECONDS ?? 3);
const WARM = Number(env.BENCH_WARM ?? 1);
const CONNS = Number(env.BENCH_CONNS ?? 50);
// initialize/s, tools/list latency and Bun: shorter runs keep the whole bench under 10 minutes.
const SHORT_RUNS = Number(env.BENCH_SHORT_RUNS ?? RUNS);
const SHORT_SECONDS = Number(env.BENCH_SHORT_SECONDS ?? Math.min(SECONDS, 2));
const ONLY = env.BENCH_ONLY ? new RegExp(env.BENCH_ONLY) : null;
const log = (m) => process.stderr.write(`${m}\n`);
const median = (a) => { const b = a.filter(Number.isFinite).sort((x, y) => x - y); if (!b.length) return NaN; const h = b.length >> 1; return b.length % 2 ? b[h] : (b[h - 1] + b[h]) / 2; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The phase's redis-server (lib/redis.mjs), started when a server under test first needs one. */
let redis = null;
async function redisServer() {
  if (!redisBin) throw new Error('redis-server is not installed (apt-get install redis-server): the @wisp/redis rows need one');
  redis ??= await startRedisServer(redisBin);
  return redis;
}

/** Starts each server the targets need once (same server + env = same process). */
async function startAll(targets, extraEnv = {}) {
  const running = new Map();
  for (const t of targets) {
    if (running.has(t.server)) continue;
    const spec = SERVERS[t.server];
    const env = spec.redis ? { ...extraEnv, REDIS_URL: (await redisServer()).url } : extraEnv;
    running.set(t.server, startServer(spec, await allocPort(), bins, env));
  }
  await Promise.all([...running.values()].map((s) => s.ready));
  return running;
}
const stopAll = (running) => Promise.all([...running.values()].map((s) => s.stop()));

/**
 * Measures each target RUNS × SECONDS at `connections`, round-robin (run 1 of every target,
 * then run 2 …) so drift and background noise spread over all targets instead of hitting one.
 */
async function series(targets, { connections = CONNS, seconds = SECONDS, runs = RUNS, warm = WARM, extraEnv, only = ONLY } = {}) {
  targets = targets.filter((t) => !only || only.test(t.id));
  const running = await startAll(targets, extraEnv);
  const results = Object.fromEntries(targets.map((t) => [t.id, { id: t.id, label: t.label, server: t.server, serverLabel: SERVERS[t.server].label, floor: !!t.floor, wisp: !!t.wisp, runs: [] }]));
  try {
    for (const t of targets) {
      const s = running.get(t.server);
      const requests = await t.requests(s.url);
      const c = await check(s.url, requests[0], t.expect);
      results[t.id].responseBytes = c.bytes;
      if (warm > 0) await load({ wrk, url: s.url, requests, seconds: warm, connections, node: bins.node });
    }
    for (let run = 1; run <= runs; run++) {
      for (const t of targets) {
        const s = running.get(t.server);
        const requests = await t.requests(s.url); // a fresh session per run: idle ones may have expired
        await check(s.url, requests[0], t.expect);
        const onRedis = SERVERS[t.server].redis;
        const cpu0 = s.cpuSeconds();
        const redisCpu0 = onRedis ? redis.cpuSeconds() : NaN;
        const r = await load({ wrk, url: s.url, requests, seconds, connections, node: bins.node });
        const cpu = s.cpuSeconds() - cpu0;
        delete r.raw;
        r.serverCpuUsPerReq = r.requests ? (cpu * 1e6) / r.requests : NaN;
        r.serverCoreShare = cpu / seconds;
        if (onRedis) { // redis-server's own CPU over the same run, per request served
          const redisCpu = redis.cpuSeconds() - redisCpu0;
          r.redisCpuUsPerReq = r.requests ? (redisCpu * 1e6) / r.requests : NaN;
          r.redisCoreShare = redisCpu / seconds;
        }
        results[t.id].runs.push(r);
        log(`  run ${run} ${t.id.padEnd(20)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  cpu ${r.serverCpuUsPerReq.toFixed(1)} µs/req${onRedis ? `  redis-server ${r.redisCpuUsPerReq.toFixed(1)} µs/req` : ''}${r.non2xx ? `  NON-2XX ${r.non2xx}` : ''}${r.errors ? `  ${r.errors}` : ''}`);
      }
    }
  } finally {
    await stopAll(running);
  }
  for (const r of Object.values(results)) {
    r.rps = median(r.runs.map((x) => x.rps));
    r.p50 = median(r.runs.map((x) => x.p50));
    r.p99 = median(r.runs.map((x) => x.p99));
    r.serverCpuUsPerReq = median(r.runs.map((x) => x.serverCpuUsPerReq));
    r.serverCoreShare = median(r.runs.map((x) => x.serverCoreShare));
    if (SERVERS[r.server].redis) {
      r.redis = true;
      r.redisCpuUsPerReq = median(r.runs.map((x) => x.redisCpuUsPerReq));
      r.redisCoreShare = median(r.runs.map((x) => x.redisCoreShare));
    }
    r.non2xx = r.runs.reduce((s, x) => s + x.non2xx, 0);
    r.errors = r.runs.map((x) => x.errors).filter(Boolean).join('; ');
  }
  return results;
}

// ---- node:http client for cold start and session creation (no fetch: undici's lazy load would skew timings)
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function httpPost(url, headers, body, { agent: a = agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: a }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const INIT_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function openSessionRaw(url) {
  const init = await httpPost(url, INIT_HEADERS, initializeBody());
  const id = init.headers['mcp-session-id'];
  if (init.status !== 200 || !id) throw new Error(`initialize failed: ${init.status} ${init.text.slice(0, 200)}`);
  const version = resultOf(init.text, init.headers['content-type']).protocolVersion;
  const note = await httpPost(url, { ...INIT_HEADERS, 'mcp-session-id': id, 'mcp-protocol-version': version }, '{"jsonrpc":"2.0","method":"notifications/initialized"}');
  if (note.status >= 300) throw new Error(`notifications/initialized failed: ${note.status}`);
}

async function createSessions(url, count, concurrency = 50) {
  let next = 0;
  const worker = async () => { while (next++ < count) await openSessionRaw(url); };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Spawn → first successful initialize response (polled on fresh connections every ms). */
async function coldStart(spec) {
  const port = await allocPort();
  const s = startServer(spec, port, bins);
  const body = initializeBody();
  for (;;) {
    try {
      const r = await httpPost(s.url, INIT_HEADERS, body, { agent: false });
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (s.child.exitCode !== null) throw new Error(`server exited during cold start:\n${s.output()}`);
    if (performance.now() - s.startedAt > 20_000) throw new Error(`no initialize answer within 20 s:\n${s.output()}`);
    await sleep(1);
  }
  return { server: s, ms: performance.now() - s.startedAt };
}

/**
 * RSS and heap per idle session: `sessions` more sessions after `warm` ones, in a server process
 * of its own whose young generation has a fixed size. V8 otherwise enlarges the young generation
 * in jumps (up to 32 MB on Node 20) while many objects survive, at moments no warm-up can
 * predict: a jump during the measured sessions was counted as theirs (+16 MB over 10 000
 * sessions, 1.6 KB a session, for servers keeping 0.2–0.3 KB of heap a session). Both servers
 * get the same flags; the cold starts are measured without them.
 */
async function sessionMemory(spec, warm, sessions) {
  const fixedYoung = { ...spec, args: [...(spec.args ?? []), `--min-semi-space-size=${YOUNG_MB}`, `--max-semi-space-size=${YOUNG_MB}`] };
  const server = startServer(fixedYoung, await allocPort(), bins);
  try {
    await server.ready;
    await createSessions(server.url, warm);
    const before = await server.mem();
    const t0 = performance.now();
    await createSessions(server.url, sessions);
    const createMs = performance.now() - t0;
    const after = await server.mem();
    return {
      sessions,
      warmupSessions: warm,
      semiSpaceMb: YOUNG_MB,
      rssPerSessionKb: (after.rss - before.rss) / sessions / 1024,
      heapPerSessionKb: (after.heapUsed - before.heapUsed) / sessions / 1024,
      externalPerSessionKb: (after.external - before.external) / sessions / 1024,
      youngGrowthKb: ((after.spaceSizes?.new_space ?? 0) - (before.spaceSizes?.new_space ?? 0)) / 1024,
      rssBeforeMb: before.rss / 2 ** 20,
      rssAfterMb: after.rss / 2 ** 20,
      sessionsPerSecond: sessions / (createMs / 1000),
    };
  } finally {
    await server.stop();
  }
}
const YOUNG_MB = 16;

async function sessionsPhase() {
  const out = {};
  log('initialize per second');
  out.initialize = await series(INITIALIZE, { runs: SHORT_RUNS, seconds: SHORT_SECONDS });

  log('cold start and RSS per idle session');
  const SESSIONS = Number(env.BENCH_SESSIONS ?? 10_000);
  const WARM_SESSIONS = Number(env.BENCH_WARM_SESSIONS ?? 5_000);
  const COLD_START_RUNS = Number(env.BENCH_COLD_RUNS ?? 5);
  out.coldStart = {};
  const ids = COLD_START.filter((id) => !ONLY || ONLY.test(id));
  const times = Object.fromEntries(ids.map((id) => [id, []]));
  const memory = {};
  // Round-robin (raw, then Wisp, then raw …), so each pair of cold starts is taken moments apart.
  for (let i = 0; i < COLD_START_RUNS; i++) {
    for (const id of ids) {
      const spec = SERVERS[id];
      const { server, ms } = await coldStart(spec);
      times[id].push(ms);
      await server.ready; // the READY line (prints after listen) is not part of the cold start
      await server.stop();
    }
  }
  for (const id of ids) if (SERVERS[id].sessions) memory[id] = await sessionMemory(SERVERS[id], WARM_SESSIONS, SESSIONS);
  for (const id of ids) {
    out.coldStart[id] = { id, label: SERVERS[id].label, runsMs: times[id], ms: median(times[id]), memory: memory[id] };
    log(`  ${id.padEnd(18)} cold start ${median(times[id]).toFixed(0)} ms (${times[id].map((t) => t.toFixed(0)).join(' / ')})${memory[id] ? `; ${memory[id].rssPerSessionKb.toFixed(2)} KB RSS, ${memory[id].heapPerSessionKb.toFixed(2)} KB heap per idle session` : ''}`);
  }

  log('tools/list with 1 000 tools (1 connection)');
  out.toolsList = await series(TOOLS_LIST, { connections: 1, runs: SHORT_RUNS, seconds: SHORT_SECONDS, extraEnv: { TOOLS: '1000' } });
  return out;
}

/**
 * Wisp on @wisp/redis against Wisp on memory storage, each metric one series with both servers
 * measured round-robin: tools/call JSON and SSE in a 2025 session, initialize/s. redis-server is
 * emptied between series (no server uses it then).
 */
async function redisPhase() {
  const server = await redisServer();
  log(`Wisp on @wisp/redis (redis-server ${server.version}, core ${server.core}) against memory storage`);
  // --only picks Redis rows; the memory row each is compared with is measured too.
  const pick = (targets) => targets.filter((t) => !ONLY || ONLY.test(t.id) || (t.base && targets.some((o) => !o.base && ONLY.test(o.id))));
  const out = { redisServer: { version: server.version, core: server.core } };
  log(`tools/call, JSON responses (${RUNS} × ${SECONDS} s, ${CONNS} connections)`);
  out.json = await series(pick(REDIS_JSON), { only: null });
  await server.flush();
  log('tools/call, SSE responses');
  out.sse = await series(pick(REDIS_SSE), { only: null });
  await server.flush();
  log(`initialize per second (${SHORT_RUNS} × ${SHORT_SECONDS} s)`);
  out.initialize = await series(pick(REDIS_INITIALIZE), { only: null, runs: SHORT_RUNS, seconds: SHORT_SECONDS });
  return out;
}

async function leakPhase() {
  const seconds = Number(env.BENCH_LEAK_SECONDS ?? 60);
  const segments = 3;
  const s = startServer(SERVERS.wisp, await allocPort(), bins);
  await s.ready;
  try {
    const session = await openSession(s.url);
    const requests = LEAK_MODES.map((m) => (m.session ? { ...m.request, headers: { ...m.request.headers, ...session } } : m.request));
    for (const [i, m] of LEAK_MODES.entries()) await check(s.url, requests[i], { text: 'hello' });
    log(`leak check: Wisp, ${LEAK_MODES.map((m) => m.mode).join(' + ')} in rotation, ${seconds} s`);
    await load({ wrk, url: s.url, requests, seconds: 5, connections: CONNS, node: bins.node }); // warm-up (JIT, pools)
    const samples = [{ t: 0, requests: 0, mem: await s.mem() }];
    let total = 0;
    for (let i = 1; i <= segments; i++) {
      const r = await load({ wrk, url: s.url, requests, seconds: Math.round(seconds / segments), connections: CONNS, node: bins.node });
      total += r.requests;
      if (r.non2xx || r.errors) log(`  non-2xx ${r.non2xx} ${r.errors}`);
      samples.push({ t: (i * seconds) / segments, requests: total, rps: r.rps, mem: await s.mem() });
      const d = samples.at(-1).mem.heapUsed - samples[0].mem.heapUsed;
      log(`  after ${samples.at(-1).t.toFixed(0)} s: ${total} requests, heapUsed ${(samples.at(-1).mem.heapUsed / 2 ** 20).toFixed(2)} MB (Δ ${(d / 1024).toFixed(1)} KB, ${(d / total).toFixed(3)} B/request)`);
    }
    const first = samples[0].mem, last = samples.at(-1).mem;
    // Does the session still answer? (a request that kept working all along)
    await check(s.url, requests[0], { text: 'hello' });
    return {
      modes: LEAK_MODES.map((m) => m.mode), seconds, requests: total,
      heapDeltaBytes: last.heapUsed - first.heapUsed,
      bytesPerRequest: (last.heapUsed - first.heapUsed) / total,
      // The slope over the last two segments: what a longer run would keep adding.
      bytesPerRequestLate: (last.heapUsed - samples[1].mem.heapUsed) / (total - samples[1].requests),
      externalDeltaBytes: last.external - first.external,
      rssDeltaMb: (last.rss - first.rss) / 2 ** 20,
      // Code space grows as V8 compiles more (optimized code, feedback): not data a request left behind.
      codeSpaceDeltaBytes: (last.spaces?.code_space ?? 0) - (first.spaces?.code_space ?? 0),
      dataBytesPerRequest: (last.heapUsed - (last.spaces?.code_space ?? 0) - first.heapUsed + (first.spaces?.code_space ?? 0)) / total,
      samples: samples.map((x) => ({ t: x.t, requests: x.requests, heapUsed: x.mem.heapUsed, external: x.mem.external, rss: x.mem.rss, spaces: x.mem.spaces })),
    };
  } finally {
    await s.stop();
  }
}

async function smoke() {
  const onRedis = [...REDIS_JSON, ...REDIS_SSE, ...REDIS_INITIALIZE].filter((t) => SERVERS[t.server].redis);
  if (!redisBin) log(`  SKIP ${onRedis.map((t) => t.id).join(', ')}: redis-server is not installed`);
  const all = [...CALL_JSON, ...CALL_SSE, ...INITIALIZE, ...(redisBin ? onRedis : [])];
  const running = await startAll(all.filter((t) => !ONLY || ONLY.test(t.id)));
  const listing = await startAll(TOOLS_LIST.filter((t) => !ONLY || ONLY.test(t.id)), { TOOLS: '1000' });
  const problems = [];
  const run = async (t, s) => {
    try {
      const requests = await t.requests(s.url);
      const c = await check(s.url, requests[0], t.expect);
      log(`  ok ${t.id.padEnd(20)} ${c.bytes} bytes`);
    } catch (e) { problems.push(t.id); log(`  FAIL ${t.id}: ${e.message}`); }
  };
  for (const t of all) if (running.has(t.server) && (!ONLY || ONLY.test(t.id))) await run(t, running.get(t.server));
  for (const t of TOOLS_LIST) if (listing.has(t.server) && (!ONLY || ONLY.test(t.id))) await run(t, listing.get(t.server));
  await stopAll(running);
  await stopAll(listing);
  if (bins.bun) {
    const bun = await startAll(BUN_CALL);
    for (const t of BUN_CALL) await run(t, bun.get(t.server));
    await stopAll(bun);
  }
  return { problems };
}

const t0 = performance.now();
let result;
if (phase === 'smoke') result = await smoke();
else if (phase === 'throughput') {
  log(`tools/call, JSON responses (${RUNS} × ${SECONDS} s, ${CONNS} connections)`);
  const json = await series(CALL_JSON);
  log(`tools/call, SSE responses`);
  const sse = env.BENCH_SSE === '0' ? {} : await series(CALL_SSE);
  result = { json, sse };
} else if (phase === 'sessions') result = await sessionsPhase();
else if (phase === 'redis') result = await redisPhase();
else if (phase === 'leak') result = await leakPhase();
else if (phase === 'bun') {
  log(`Bun: tools/call, JSON responses (${SHORT_RUNS} × ${SHORT_SECONDS} s)`);
  result = { json: await series(BUN_CALL, { runs: SHORT_RUNS, seconds: SHORT_SECONDS }) };
} else throw new Error(`unknown phase ${phase}`);
await redis?.stop();
result.phaseSeconds = (performance.now() - t0) / 1000;
if (outFile) writeFileSync(outFile, JSON.stringify(result, null, 2));
agent.destroy();
process.exit(result.problems?.length ? 1 : 0);
