#!/usr/bin/env node
// Runs the official MCP conformance suite (@modelcontextprotocol/conformance) on Node 22
// (installed on demand, see node22.mjs) and summarises the checks it wrote.
// Spec: shared/spec/conformance.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode22, installOnce, TOOLS_DIR } from './node22.mjs';

export const DEFAULT_VERSION = '0.2.0-alpha.12';
export const KNOWN_VERSIONS = ['0.2.0-alpha.12', '0.1.16'];
const PKG = '@modelcontextprotocol/conformance';

const USAGE = `Usage:
  node scripts/conformance.mjs --url URL [options] [suite args...]        # runs \`conformance server\`
  node scripts/conformance.mjs SUBCOMMAND [options] [suite args...]       # e.g. list --server
  node scripts/conformance.mjs --install-only [--version V]...            # just install

Options (everything else is passed to the suite unchanged, e.g. --scenario NAME,
--suite pending, --spec-version 2025-11-25, --requirements 2026-07-28, --timeout MS,
--expected-failures FILE, -o DIR):
  --url URL                     server endpoint, e.g. http://127.0.0.1:3000/mcp
  --version V                   suite version, exact pin (default ${DEFAULT_VERSION}; also 0.1.16)
  --strict / --no-strict        strict (default): exit 1 if any check is FAILURE or WARNING
  --allow-warnings-in S[,S...]  tolerate WARNINGs (not FAILUREs) in these scenarios (repeatable)
  --keep-output                 keep the temporary results directory (default: deleted
                                unless the exit code is non-zero)
  --install-only                install Node 22 and the suite version(s), then exit
  -h, --help                    this text

Exit code: the suite's exit code if non-zero; otherwise, in strict mode, 1 when any
FAILURE or untolerated WARNING was recorded (or a server run recorded no checks); else 0.`;

/** Validates an exact version pin (no ranges or tags: alpha releases change checks). */
function checkVersion(version) {
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(version)) {
    throw new Error(`conformance: --version must be an exact version like ${DEFAULT_VERSION}, got "${version}"`);
  }
}

/**
 * Installs the suite version (once) into <repo>/.tools/conformance-<version>/.
 * @returns {Promise<string>} path to the suite's CLI entry (dist/index.js)
 */
export async function ensureConformance(version = DEFAULT_VERSION) {
  checkVersion(version);
  const dir = join(TOOLS_DIR, `conformance-${version}`);
  const pkgDir = (d) => join(d, 'node_modules', ...PKG.split('/'));
  const ready = (d) => {
    try {
      const pkg = JSON.parse(readFileSync(join(pkgDir(d), 'package.json'), 'utf8'));
      return pkg.version === version && existsSync(join(pkgDir(d), pkg.bin.conformance));
    } catch {
      return false;
    }
  };
  await installOnce(dir, `${PKG}@${version}`, ready);
  const pkg = JSON.parse(readFileSync(join(pkgDir(dir), 'package.json'), 'utf8'));
  return join(pkgDir(dir), pkg.bin.conformance);
}

/** Lists every checks.json below `dir`. */
function findChecksFiles(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findChecksFiles(p));
    else if (entry.name === 'checks.json') found.push(p);
  }
  return found.sort();
}

/** `server-tools-call-image-2026-01-01T10-00-00-000Z` → `tools-call-image`. */
function scenarioFromDir(dirName) {
  const m = /^(?:server|client|authorization)-(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:-\d+)?Z$/.exec(dirName);
  return m ? m[1] : dirName;
}

function short(check) {
  let text = check.errorMessage;
  if (!text && check.details !== undefined) text = JSON.stringify(check.details);
  text = String(text ?? check.description ?? '').replace(/\s+/g, ' ').trim();
  return text.length > 240 ? `${text.slice(0, 237)}...` : text;
}

/**
 * Reads every checks.json under `outputDir`.
 * @returns {{scenarios: Record<string, {SUCCESS:number, FAILURE:number, WARNING:number, INFO:number, SKIPPED:number, total:number}>,
 *            failures: CheckRow[], warnings: CheckRow[]}}
 * where CheckRow = {scenario, id, status, message (short one-liner), errorMessage?, details?, allowed (tolerated warning)}
 */
export function summarize(outputDir, { allowWarningsIn = [] } = {}) {
  const scenarios = {};
  const failures = [];
  const warnings = [];
  for (const file of findChecksFiles(outputDir)) {
    const scenario = scenarioFromDir(basename(dirname(file)));
    const counts = (scenarios[scenario] ??= { SUCCESS: 0, FAILURE: 0, WARNING: 0, INFO: 0, SKIPPED: 0, total: 0 });
    let checks;
    try {
      checks = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      failures.push({ scenario, id: '(checks.json)', status: 'FAILURE', message: `unreadable: ${e.message}`, allowed: false });
      continue;
    }
    for (const check of Array.isArray(checks) ? checks : []) {
      counts[check.status] = (counts[check.status] ?? 0) + 1;
      counts.total++;
      const row = {
        scenario,
        id: check.id,
        status: check.status,
        message: short(check),
        errorMessage: check.errorMessage,
        details: check.details,
        allowed: false,
      };
      if (check.status === 'FAILURE') failures.push(row);
      if (check.status === 'WARNING') warnings.push({ ...row, allowed: allowWarningsIn.includes(scenario) });
    }
  }
  return { scenarios, failures, warnings };
}

function formatSummary({ scenarios, failures, warnings }, { suiteCode, code, strict, notes }) {
  const lines = ['', '=== Wisp conformance summary ==='];
  const names = Object.keys(scenarios).sort();
  const width = Math.max(8, ...names.map((n) => n.length));
  for (const name of names) {
    const c = scenarios[name];
    const mark = c.FAILURE ? '✗' : c.WARNING ? '!' : '✓';
    const extra = [c.INFO && `${c.INFO} info`, c.SKIPPED && `${c.SKIPPED} skipped`].filter(Boolean).join(', ');
    lines.push(
      `${mark} ${name.padEnd(width)}  ${String(c.SUCCESS).padStart(3)} ok  ${String(c.FAILURE).padStart(3)} fail  ${String(c.WARNING).padStart(3)} warn${extra ? `  (${extra})` : ''}`,
    );
  }
  if (!names.length) lines.push('(no checks.json found)');
  if (failures.length) {
    lines.push('', `FAILURES (${failures.length}):`);
    for (const f of failures) lines.push(`  ✗ [${f.scenario}] ${f.id}: ${f.message}`);
  }
  if (warnings.length) {
    lines.push('', `WARNINGS (${warnings.length}):`);
    for (const w of warnings) lines.push(`  ! [${w.scenario}] ${w.id}: ${w.message}${w.allowed ? '  (tolerated)' : ''}`);
  }
  for (const n of notes) lines.push(`note: ${n}`);
  const totals = Object.values(scenarios).reduce((a, c) => ((a.ok += c.SUCCESS), (a.fail += c.FAILURE), (a.warn += c.WARNING), a), {
    ok: 0, fail: 0, warn: 0,
  });
  lines.push(
    '',
    `Scenarios: ${names.length}; checks: ${totals.ok} ok, ${totals.fail} failed, ${totals.warn} warnings; ` +
      `suite exit ${suiteCode}; ${strict ? 'strict' : 'non-strict'} → exit ${code}`,
  );
  return lines.join('\n');
}

function hasOutputDirArg(args) {
  const i = args.findIndex((a) => a === '-o' || a === '--output-dir' || a.startsWith('--output-dir='));
  if (i < 0) return null;
  return args[i].includes('=') ? args[i].split('=').slice(1).join('=') : args[i + 1];
}

/**
 * Runs the conformance suite on Node 22.
 * @param {object} opts
 * @param {string} [opts.url]              server URL (required for the `server` subcommand)
 * @param {string} [opts.version]          exact suite version (default 0.2.0-alpha.12)
 * @param {string[]} [opts.args]           extra suite args, e.g. ['--scenario', 'ping']
 * @param {boolean} [opts.strict=true]     non-zero code on any FAILURE/WARNING in checks.json
 * @param {string[]} [opts.allowWarningsIn] scenarios whose WARNINGs are tolerated
 * @param {string} [opts.subcommand='server'] suite subcommand (`list`, ...); only `server` is summarised
 * @param {boolean} [opts.quiet=false]     capture suite output in `output` instead of streaming it
 * @param {boolean} [opts.printSummary=false] print the summary to stdout
 * @param {boolean} [opts.keepOutput=false] keep the temporary results directory (always kept when code != 0)
 * @returns {Promise<{code:number, suiteCode:number, failures:object[], warnings:object[],
 *                    scenarios:Record<string,object>, summary:string, output:string, outputDir:string|null}>}
 */
export async function runConformance({
  url,
  version = DEFAULT_VERSION,
  args = [],
  strict = true,
  allowWarningsIn = [],
  subcommand = 'server',
  quiet = false,
  printSummary = false,
  keepOutput = false,
} = {}) {
  const isServer = subcommand === 'server';
  if (isServer && !url) throw new Error('conformance: a server run needs a url (--url http://127.0.0.1:PORT/mcp)');
  const [node, entry] = await Promise.all([ensureNode22(), ensureConformance(version)]);

  const suiteArgs = [subcommand];
  if (url) suiteArgs.push('--url', url);
  suiteArgs.push(...args);
  let outputDir = null;
  let tempDir = null;
  if (isServer) {
    const given = hasOutputDirArg(args);
    if (given) outputDir = resolve(given);
    else {
      outputDir = tempDir = mkdtempSync(join(tmpdir(), 'wisp-conformance-'));
      suiteArgs.push('-o', outputDir);
    }
  }

  if (!quiet) process.stderr.write(`[conformance ${version}] ${relative(process.cwd(), entry)} ${suiteArgs.join(' ')}\n`);
  const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` };
  let output = '';
  const suiteCode = await new Promise((res, rej) => {
    const child = spawn(node, [entry, ...suiteArgs], { env, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    if (quiet) {
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
    }
    child.on('error', rej);
    child.on('close', (code, signal) => res(code ?? (signal ? 128 : 1)));
  });

  let result = { scenarios: {}, failures: [], warnings: [] };
  const notes = [];
  let code = suiteCode;
  if (isServer) {
    result = summarize(outputDir, { allowWarningsIn });
    const ran = Object.keys(result.scenarios);
    for (const s of allowWarningsIn) if (!ran.includes(s)) notes.push(`--allow-warnings-in ${s}: scenario did not run`);
    const untolerated = result.failures.length + result.warnings.filter((w) => !w.allowed).length;
    if (strict && code === 0 && untolerated > 0) code = 1;
    if (strict && code === 0 && ran.length === 0) {
      notes.push('no checks were recorded (unknown or not-applicable scenario?)');
      code = 1;
    }
  }
  const keep = keepOutput || code !== 0;
  if (tempDir && keep) notes.push(`results kept in ${tempDir}`);
  else if (outputDir && !tempDir) notes.push(`results in ${outputDir}`);
  const summary = isServer ? formatSummary(result, { suiteCode, code, strict, notes }) : '';
  if (printSummary && summary) console.log(summary);
  if (tempDir && !keep) rmSync(tempDir, { recursive: true, force: true });
  return { code, suiteCode, ...result, summary, output, outputDir: tempDir && !keep ? null : outputDir };
}

/** Splits our own options from the args passed through to the suite. */
export function parseCliArgs(argv) {
  const opts = { subcommand: 'server', versions: [], strict: true, allowWarningsIn: [], args: [], installOnly: false, keepOutput: false };
  let i = 0;
  if (argv[0] && !argv[0].startsWith('-')) opts.subcommand = argv[i++];
  const value = (name) => {
    const v = argv[++i];
    if (v === undefined) throw new Error(`conformance: ${name} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = (name) => inline ?? value(name);
    if (flag === '--url') opts.url = val('--url');
    else if (flag === '--version') opts.versions.push(val('--version'));
    else if (flag === '--strict') opts.strict = true;
    else if (flag === '--no-strict') opts.strict = false;
    else if (flag === '--allow-warnings-in') opts.allowWarningsIn.push(...val('--allow-warnings-in').split(',').filter(Boolean));
    else if (flag === '--keep-output') opts.keepOutput = true;
    else if (flag === '--install-only') opts.installOnly = true;
    else if (flag === '-h' || flag === '--help') opts.help = true;
    else opts.args.push(a);
  }
  return opts;
}

async function main(argv) {
  const opts = parseCliArgs(argv);
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  if (opts.installOnly) {
    const node = await ensureNode22();
    console.log(`node: ${node}`);
    for (const v of opts.versions.length ? opts.versions : KNOWN_VERSIONS) console.log(`conformance ${v}: ${await ensureConformance(v)}`);
    return 0;
  }
  if (opts.versions.length > 1) throw new Error('conformance: give --version once for a run');
  if (opts.subcommand === 'server' && !opts.url) {
    console.error(USAGE);
    return 2;
  }
  const { code } = await runConformance({
    url: opts.url,
    version: opts.versions[0] ?? DEFAULT_VERSION,
    args: opts.args,
    strict: opts.strict,
    allowWarningsIn: opts.allowWarningsIn,
    subcommand: opts.subcommand,
    keepOutput: opts.keepOutput,
    printSummary: true,
  });
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
