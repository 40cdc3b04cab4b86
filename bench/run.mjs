#!/usr/bin/env node
// npm run bench: Wisp against the official SDKs, mcp-lite and the raw floors, in one run.
//   npm run bench                       everything (about 10 minutes on 2 cores)
//   npm run bench -- --quick            1 × 2 s per target, 10 s leak check (a smoke run)
//   npm run bench -- --phases=throughput,bun --only='wisp|raw'
//   npm run bench -- --phases=redis     Wisp on @wisp/redis vs memory storage (a redis-server of its own)
//   npm run bench -- --smoke            start every server, check every target answers right
//   npm run bench -- --render=bench/results/<date>.json   rewrite its .md from the JSON
// Each phase runs as its own process under `flock /tmp/wisp-bench.lock` (other test runs on
// the machine take the same lock), pinned to the load core; servers are pinned to the other.
// Writes bench/results/<date>.json and bench/results/<date>.md.
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, BUILD, bunPath, buildWisp, ensureBenchDeps, ensureNode24, ensureRedisServer, ensureTaskset, ensureWrk } from './lib/tools.mjs';
import { LOAD_CORE, SERVER_CORE } from './lib/proc.mjs';
import { markdown } from './lib/report.mjs';
import { bundleSizes, coreSize } from './lib/size.mjs';

const started = performance.now();
const args = Object.fromEntries(process.argv.slice(2).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k, v ?? '1']; }));
const quick = !!args.quick;
const LOCK = process.env.BENCH_LOCK ?? '/tmp/wisp-bench.lock';
const config = {
  runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3)),
  seconds: Number(process.env.BENCH_SECONDS ?? (quick ? 2 : 3)),
  warm: Number(process.env.BENCH_WARM ?? 1),
  shortRuns: Number(process.env.BENCH_SHORT_RUNS ?? (quick ? 1 : 3)),
  shortSeconds: Number(process.env.BENCH_SHORT_SECONDS ?? 2),
  conns: Number(process.env.BENCH_CONNS ?? 50),
  leakSeconds: Number(process.env.BENCH_LEAK_SECONDS ?? (quick ? 9 : 60)),
  serverCore: SERVER_CORE,
  loadCore: LOAD_CORE,
};
const phases = new Set((args.phases ?? 'throughput,sessions,redis,leak,node24,bun,size').split(','));
if (args['no-node24']) phases.delete('node24');
if (args['no-bun']) phases.delete('bun');
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

if (args.render) { // re-render a results file's markdown (after changing lib/report.mjs)
  const res = JSON.parse(readFileSync(args.render, 'utf8'));
  const md = markdown(res);
  writeFileSync(args.render.replace(/\.json$/, '.md'), md);
  console.log(md);
  process.exit(0);
}
if (cpus().length < 2) log('warning: fewer than 2 cores; server and load generator will share one');
if (!ensureTaskset()) throw new Error('taskset (util-linux) is required to pin the server and the load generator');
ensureBenchDeps();
const wrk = ensureWrk();
const redisServer = phases.has('redis') || args.smoke ? ensureRedisServer() : null;
if (!redisServer) phases.delete('redis');
const node20 = process.execPath;
const bun = phases.has('bun') || args.smoke ? bunPath() : null;
const node24 = phases.has('node24') ? await ensureNode24() : null;
log(`building the Wisp server bundles`);
await buildWisp();
mkdirSync(join(BUILD, 'phases'), { recursive: true });

let lockWaitSeconds = 0;
const versionOf = (bin) => spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();

function runPhase(name, node, extraEnv = {}) {
  const out = join(BUILD, 'phases', `${name}-${process.pid}.json`);
  rmSync(out, { force: true });
  log(`phase ${name} on ${versionOf(node)} (waiting for ${LOCK})`);
  const t0 = performance.now();
  const r = spawnSync('flock', [LOCK, 'taskset', '-c', LOAD_CORE, node20, join(BENCH, 'lib/phase.mjs'), name, out], {
    stdio: 'inherit',
    env: {
      ...process.env, BENCH_NODE: node, BENCH_BUN: bun ?? '', BENCH_WRK: wrk ?? '', BENCH_REDIS_SERVER: redisServer ?? '',
      BENCH_RUNS: String(config.runs), BENCH_SECONDS: String(config.seconds), BENCH_WARM: String(config.warm), BENCH_SHORT_RUNS: String(config.shortRuns), BENCH_SHORT_SECONDS: String(config.shortSeconds), BENCH_CONNS: String(config.conns),
      BENCH_LEAK_SECONDS: String(config.leakSeconds), ...(args.only ? { BENCH_ONLY: args.only } : {}), ...extraEnv,
    },
  });
  if (r.status !== 0) throw new Error(`phase ${name} failed (exit ${r.status})`);
  const result = JSON.parse(readFileSync(out, 'utf8'));
  const spent = (performance.now() - t0) / 1000;
  lockWaitSeconds += Math.max(0, spent - result.phaseSeconds - 0.5); // time flock waited for other users
  log(`phase ${name} done in ${result.phaseSeconds.toFixed(0)} s (${spent.toFixed(0)} s with the wait for the lock)`);
  return result;
}

if (args.smoke) {
  runPhase('smoke', node20);
  if (node24) runPhase('smoke', node24);
  process.exit(0);
}

const res = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGb: Math.round(totalmem() / 2 ** 30) },
  config: { ...config, loadgen: wrk ? `wrk (${spawnSync(wrk, ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0].trim()})` : 'autocannon' },
  node: {},
};
const v20 = versionOf(node20);
res.node[v20] = {};
if (phases.has('throughput')) Object.assign(res.node[v20], runPhase('throughput', node20));
if (phases.has('sessions')) res.node[v20].sessions = runPhase('sessions', node20);
if (phases.has('redis')) res.node[v20].redis = runPhase('redis', node20);
if (phases.has('leak')) res.node[v20].leak = runPhase('leak', node20);
if (node24) res.node[versionOf(node24)] = runPhase('throughput', node24);
if (bun && phases.has('bun')) {
  res.bunVersion = versionOf(bun);
  res.bun = runPhase('bun', node20);
}
if (phases.has('size')) res.size = { quickstart: await bundleSizes(), core: await coreSize(), coreStateless: await coreSize('@wisp/core/stateless') };
res.wallSeconds = (performance.now() - started) / 1000;
res.lockWaitSeconds = lockWaitSeconds;

const stamp = res.date.replace(/:/g, '-').replace(/\..*/, '');
mkdirSync(join(BENCH, 'results'), { recursive: true });
const md = markdown(res);
writeFileSync(join(BENCH, 'results', `${stamp}.json`), JSON.stringify(res, null, 2));
writeFileSync(join(BENCH, 'results', `${stamp}.md`), md);
console.log(md);
log(`wrote bench/results/${stamp}.json and .md (${res.wallSeconds.toFixed(0)} s, of which ${lockWaitSeconds.toFixed(0)} s waiting for the lock)`);
