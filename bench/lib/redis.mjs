// The redis-server the Redis rows run against: started by the bench itself on a free loopback
// port, nothing persisted, pinned to the load core (the server under test keeps core 0 to itself,
// as it would with Redis on another machine; BENCH_REDIS_CORE moves it), at the load generator's
// nice level. Stopped by PID, also when the phase process exits early.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { LOAD_CORE, allocPort, cpuSecondsOf } from './proc.mjs';

const NICE = process.getuid?.() === 0 ? (process.env.BENCH_NICE ?? '-10') : '0';
const CORE = process.env.BENCH_REDIS_CORE ?? LOAD_CORE;

/** One command over RESP (no client library needed): resolves with the raw reply text. */
function command(port, args, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => socket.destroy(new Error(`redis ${args[0]}: no reply within ${timeoutMs} ms`)), timeoutMs);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    socket.on('data', (d) => {
      reply += d;
      if (reply.endsWith('\r\n')) { clearTimeout(timer); socket.end(); resolve(reply); }
    });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

/**
 * Starts redis-server (`bin`) pinned to the load core. Returns { url, port, pid, version,
 * cpuSeconds(), flush(), stop() }.
 */
export async function startRedisServer(bin) {
  const port = await allocPort();
  const version = /v=(\S+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '?';
  const args = ['-n', NICE, 'taskset', '-c', CORE, bin, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'];
  // `nice` and `taskset` exec redis-server, so the child's pid is redis-server's.
  const child = spawn('nice', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  // A phase that throws or is interrupted must not leave a redis-server behind.
  process.once('exit', kill);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await command(port, ['PING'], 1_000)).startsWith('+PONG')) break;
    } catch { /* not listening yet */ }
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) { kill(); throw new Error(`redis-server did not answer PING within 10 s:\n${out}`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    version,
    core: CORE,
    /** CPU seconds (user+sys, all threads) redis-server has used so far, from /proc/<pid>/stat. */
    cpuSeconds: () => cpuSecondsOf(child.pid),
    /** Empties it (between series, once no server uses it). */
    flush: () => command(port, ['FLUSHALL']),
    stop: () => new Promise((resolve) => {
      process.off('exit', kill);
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(kill, 3000).unref();
    }),
  };
}
