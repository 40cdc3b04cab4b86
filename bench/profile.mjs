#!/usr/bin/env node
// CPU profile of one target under load: where a server's time goes.
//   node bench/profile.mjs <target-id> [--seconds=6] [--node=/path/to/node] [--top=30]
//   e.g. node bench/profile.mjs wisp-2025      (ids: see lib/targets.mjs, or `npm run bench -- --smoke`)
//        node bench/profile.mjs wisp-2025-redis   (starts a redis-server like the redis phase does)
// Starts the target's server with --cpu-prof, drives it with the target's request(s) like the
// bench does (50 connections, under flock /tmp/wisp-bench.lock), then prints the top self-time
// functions and the self time per source file (bundle lines are mapped back to their source).
// Writes bench/.build/prof/<target>-<pid>.cpuprofile (open it in Chrome DevTools for the tree).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD, buildWisp, ensureRedisServer, ensureWrk } from './lib/tools.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k, v ?? '1']; }));
const target = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!target) { console.error('usage: node bench/profile.mjs <target-id> [--seconds=6] [--node=...] [--top=30]'); process.exit(2); }

if (!args.child) {
  await buildWisp();
  const wrk = ensureWrk();
  const r = spawnSync('flock', ['/tmp/wisp-bench.lock', 'taskset', '-c', process.env.BENCH_LOAD_CORE ?? '1', process.execPath, new URL(import.meta.url).pathname, ...process.argv.slice(2), '--child'], {
    stdio: 'inherit', env: { ...process.env, BENCH_WRK: wrk ?? '', BENCH_REDIS_SERVER: /redis/.test(target) ? (ensureRedisServer() ?? '') : '' },
  });
  process.exit(r.status ?? 1);
}

const { SERVERS, CALL_JSON, CALL_SSE, INITIALIZE, TOOLS_LIST, BUN_CALL, REDIS_JSON, REDIS_SSE, REDIS_INITIALIZE } = await import('./lib/targets.mjs');
const { startServer, allocPort } = await import('./lib/proc.mjs');
const { load } = await import('./lib/load.mjs');
const { check } = await import('./lib/mcp.mjs');
const all = [...CALL_JSON, ...CALL_SSE, ...INITIALIZE, ...TOOLS_LIST, ...BUN_CALL, ...REDIS_JSON.filter((x) => !x.base), ...REDIS_SSE.filter((x) => !x.base), ...REDIS_INITIALIZE.filter((x) => !x.base)];
const t = all.find((x) => x.id === target);
if (!t) throw new Error(`unknown target ${target}; one of ${all.map((x) => x.id).join(', ')}`);
const spec = SERVERS[t.server];
const dir = join(BUILD, 'prof');
mkdirSync(dir, { recursive: true });
const name = `${target}-${process.pid}`;
// --node-args='--single-threaded-gc' etc.: extra runtime flags for the server.
const extra = args['node-args'] ? args['node-args'].split(' ').filter(Boolean) : [];
const profSpec = { ...spec, args: [...(spec.args ?? []), ...extra, '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`] };
const { bunPath } = await import('./lib/tools.mjs');
const bins = { node: args.node ?? process.execPath, bun: bunPath() };
let redis = null;
if (spec.redis) {
  if (!process.env.BENCH_REDIS_SERVER) throw new Error('redis-server is not installed (apt-get install redis-server)');
  redis = await (await import('./lib/redis.mjs')).startRedisServer(process.env.BENCH_REDIS_SERVER);
}
const s = startServer(profSpec, await allocPort(), bins, { ...(TOOLS_LIST.includes(t) ? { TOOLS: '1000' } : {}), ...(redis ? { REDIS_URL: redis.url } : {}) });
await s.ready;
const requests = await t.requests(s.url);
await check(s.url, requests[0], t.expect);
const seconds = Number(args.seconds ?? 6);
const r = await load({ wrk: process.env.BENCH_WRK || null, url: s.url, requests, seconds, connections: TOOLS_LIST.includes(t) ? 1 : 50 });
await s.stop();
await redis?.stop();
console.log(`${target} on ${spec.runtime === 'bun' ? bins.bun : bins.node}: ${r.rps.toFixed(0)} req/s under the profiler (${r.requests} requests in ${seconds} s)`);

const profile = JSON.parse(readFileSync(join(dir, `${name}.cpuprofile`), 'utf8'));
// Bundle line -> source file, from esbuild's `// path/to/file.ts` section comments.
const sections = new Map();
const sourceOf = (url, line) => {
  const file = url.replace(/^file:\/\//, '');
  if (!/\.build\/wisp-node(-redis)?\.mjs$/.test(file)) return file.replace(/^.*node_modules\//, '').replace(/^\/work\/main\//, '');
  if (!sections.has(file)) {
    const marks = [];
    readFileSync(file, 'utf8').split('\n').forEach((l, i) => { const m = /^\/\/ (\S+\.(?:ts|mjs|js))$/.exec(l); if (m) marks.push([i, m[1]]); });
    sections.set(file, marks);
  }
  let src = 'wisp-node.mjs';
  for (const [start, f] of sections.get(file)) { if (start <= line) src = f; else break; }
  return src.replace(/^\.\.\//g, '');
};
const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFn = new Map(), byFile = new Map();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byNode.get(id).callFrame;
  const file = url ? sourceOf(url, lineNumber) : '';
  const key = `${functionName || '(anonymous)'}  ${file}${url ? `:${lineNumber + 1}` : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
  const fileKey = file || functionName;
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
}
const top = Number(args.top ?? 30);
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`\nTop self time (${(total / 1e6).toFixed(1)} s sampled; per request ≈ ${(total / r.requests).toFixed(1)} µs incl. idle):`);
for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
console.log('\nSelf time by source file:');
for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
for (const f of readdirSync(dir)) if (f.endsWith('.cpuprofile') && !f.startsWith(name)) rmSync(join(dir, f), { force: true });
console.log(`\nprofile: ${join(dir, `${name}.cpuprofile`)}`);
