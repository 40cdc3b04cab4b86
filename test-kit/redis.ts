/**
 * A real `redis-server` for tests: started on a free loopback port with nothing persisted,
 * stopped by PID. `.ci/run` installs it with apt; a machine without it fails loudly here
 * instead of skipping.
 */
import { execFileSync } from "node:child_process";
import { type Spawned, freePort, spawnProcess, stop, withTimeout } from "./process.js";

export interface RedisServer {
  url: string;
  port: number;
  /** The running process (replaced by `restart`). */
  proc: Spawned;
  /** Stops the server (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`), empty. */
  start(): Promise<void>;
  /** Runs one redis-cli command against it and returns its output. */
  cli(...args: string[]): string;
}

/** The redis-server binary, or a clear error saying how to get one. */
export function redisServerBinary(): string {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("redis-server is not installed: `apt-get install redis-server` (.ci/run does this on a fresh machine)");
  }
}

async function launch(port: number): Promise<Spawned> {
  const proc = spawnProcess(redisServerBinary(), ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "notice"]);
  await withTimeout(
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (/Ready to accept connections/.test(proc.output())) resolve();
        else if (proc.child.exitCode !== null) reject(new Error(`redis-server exited early:\n${proc.output()}`));
        else setTimeout(check, 20);
      };
      check();
    }),
    10_000,
    "redis-server to accept connections",
  );
  return proc;
}

/** Starts a redis-server for the calling suite; call `stop()` in afterAll. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server: RedisServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    proc: await launch(port),
    async stop() {
      await stop(server.proc.child);
    },
    async start() {
      server.proc = await launch(port);
    },
    cli(...args) {
      return execFileSync("redis-cli", ["-p", String(port), ...args], { encoding: "utf8" });
    },
  };
  return server;
}
