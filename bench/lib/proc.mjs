// Server processes: spawned pinned to the server core, with an IPC channel for GC + memory.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { BENCH } from './tools.mjs';

export const SERVER_CORE = process.env.BENCH_SERVER_CORE ?? '0';
export const LOAD_CORE = process.env.BENCH_LOAD_CORE ?? '1';
const NICE = process.getuid?.() === 0 ? (process.env.BENCH_NICE ?? '-10') : '0';

/**
 * spec: { runtime: 'node' | 'bun', file, env?, args? }; bins: { node, bun }.
 * Returns { child, port, startedAt, ready: Promise, mem(), stop() }.
 */
export function startServer(spec, port, bins, extraEnv = {}) {
  const bin = spec.runtime === 'bun' ? bins.bun : bins.node;
  const file = spec.file.startsWith('/') ? spec.file : join(BENCH, spec.file);
  const runtimeArgs = spec.runtime === 'bun' ? [...(spec.args ?? [])] : ['--expose-gc', ...(spec.args ?? [])];
  const cmd = ['nice', '-n', NICE, 'taskset', '-c', SERVER_CORE, bin, ...runtimeArgs, file, String(port)];
  const startedAt = performance.now();
  const child = spawn(cmd[0], cmd.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe', ...(spec.runtime === 'bun' ? [] : ['ipc'])],
    env: { ...process.env, ...spec.env, ...extraEnv, PORT: String(port) },
  });
  let out = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${spec.file} did not start in 20 s:\n${out}`)), 20_000);
    const onData = (d) => {
      out += d;
      if (out.includes('READY')) { clearTimeout(timer); resolve(); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { out += d; });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${spec.file} exited (${code}):\n${out}`)); });
  });
  ready.catch(() => {});
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}/mcp`,
    startedAt,
    ready,
    output: () => out,
    /** process.memoryUsage() after two forced GCs (Node servers only). */
    mem: () => new Promise((resolve, reject) => {
      if (!child.send) return reject(new Error('no IPC channel'));
      const timer = setTimeout(() => reject(new Error('mem timeout')), 10_000);
      child.once('message', (m) => { clearTimeout(timer); resolve(m.mem); });
      child.send('mem');
    }),
    /** CPU seconds (user+sys) the server process has used so far, from /proc (all threads). */
    cpuSeconds: () => cpuSecondsOf(child.pid),
    rssKb: () => rssOf(child.pid),
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    }),
  };
}

// `nice` and `taskset` exec the runtime, so the child's pid is the server's pid.
const HZ = 100;
/** CPU seconds (utime + stime, every thread) process `pid` has used, from /proc/<pid>/stat; NaN once it is gone. */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / HZ; // utime + stime
  } catch { return NaN; }
}
function rssOf(pid) {
  try { return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch { return NaN; }
}

// Below Linux's ephemeral range (32768–60999): a port there can be taken at any moment by the
// local end of one of the load generator's own connections.
let nextPort = Number(process.env.BENCH_BASE_PORT ?? 20000 + 20 * (process.pid % 400));
/** A port that is free right now (checked by listening on it). */
export async function allocPort() {
  for (;;) {
    const port = nextPort++;
    if (nextPort >= 32000) nextPort = 20000;
    const free = await new Promise((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}
