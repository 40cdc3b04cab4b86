/**
 * npm run fleet: a redis-server (or REDIS_URL's), two Wisp instances on it, and a plain
 * round-robin proxy in front, on 127.0.0.1. Prints one MCP endpoint, the proxy's; every request
 * to it goes to the next instance, whatever its session. SIGINT/SIGTERM stop everything this
 * process started, by PID: the proxy, the instances, then redis-server.
 *   PORT      the proxy's port (default 3000; 0 = any free port)
 *   REDIS_URL use this Redis instead of starting one (nothing of it is stopped or flushed)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type RoundRobinProxy, startRoundRobinProxy } from "./proxy.js";

const INSTANCES = ["a", "b"];
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

const say = (line: string) => console.error(`fleet: ${line}`);

interface Started {
  name: string;
  child: ChildProcess;
  /** Resolves once the process has exited (and been reaped). */
  exited: Promise<void>;
}

/** Everything this process started, in start order (redis-server first); `shutdown` stops them all. */
const started: Started[] = [];
let proxy: RoundRobinProxy | undefined;
let stopping: Promise<never> | undefined;

/** Spawns a child and remembers it; an unexpected exit stops the whole fleet. */
function launch(name: string, bin: string, args: string[], options: { env?: NodeJS.ProcessEnv; ipc?: boolean }): Started {
  const child = spawn(bin, args, {
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "inherit", ...(options.ipc ? (["ipc"] as const) : [])],
  });
  // A binary that is not there emits 'error' and maybe never 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const entry: Started = { name, child, exited };
  started.push(entry);
  child.once("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") say(`${bin} is not installed${bin === "redis-server" ? ": apt-get install redis-server (or brew install redis), or set REDIS_URL" : ""}`);
    else say(`${name} failed to start: ${error.message}`);
    void shutdown(1);
  });
  child.once("exit", (code, signal) => {
    if (stopping) return;
    say(`${name} (pid ${child.pid}) exited unexpectedly (${signal ?? `code ${code}`}); stopping the fleet`);
    void shutdown(1);
  });
  return entry;
}

/** Resolves with the first match of `pattern` in the child's stdout (bounded); the rest of its stdout goes to stderr. */
function waitForLine({ name, child }: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  let seen = "";
  let found: RegExpExecArray | undefined;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${seen}`)), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during startup:\n${seen}`));
    });
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      if (found) {
        for (const line of chunk.split("\n")) if (line) console.error(`[${name}] ${line}`);
        return;
      }
      seen += chunk;
      const match = pattern.exec(seen);
      if (!match) return;
      found = match;
      clearTimeout(timer);
      resolve(match);
    });
  });
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone (bounded). */
async function stopProcess({ child, exited }: Started): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const within = (ms: number) => Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);
  child.kill("SIGTERM");
  await within(STOP_GRACE_MS);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await within(2_000);
  }
}

/** Stops the proxy, then the instances, then redis-server (which they were using), and exits. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    await proxy?.close();
    const redis = started.filter((s) => s.name === "redis-server");
    await Promise.all(started.filter((s) => !redis.includes(s)).map(stopProcess));
    await Promise.all(redis.map(stopProcess));
    const stopped = started.filter((s) => s.child.pid !== undefined);
    say(`stopped ${stopped.map((s) => `${s.name} (pid ${s.child.pid})`).join(", ") || "nothing"}`);
    process.exit(code);
  })();
  return stopping;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void shutdown(0));

say(`pid ${process.pid}, starting ${process.env.REDIS_URL ? "" : "redis-server, "}${INSTANCES.length} instances and the proxy`);
try {
  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    say(`using Redis at ${new URL(redisUrl).host} (REDIS_URL)`);
  } else {
    const port = await freePort();
    // Nothing persisted: no RDB snapshots, no append-only file.
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"];
    const redis = launch("redis-server", "redis-server", args, {});
    await waitForLine(redis, /Ready to accept connections/, START_TIMEOUT_MS);
    redisUrl = `redis://127.0.0.1:${port}`;
    say(`redis-server (pid ${redis.child.pid}) on 127.0.0.1:${port}, nothing persisted`);
  }

  const instanceFile = fileURLToPath(new URL("./instance.ts", import.meta.url));
  const instances = await Promise.all(
    INSTANCES.map(async (name) => {
      // Same runtime flags as this process (tsx's loader, the wisp-source condition).
      const instance = launch(`instance ${name}`, process.execPath, [...process.execArgv, instanceFile], {
        env: { ...process.env, INSTANCE: name, PORT: "0", HOST: "127.0.0.1", REDIS_URL: redisUrl },
        ipc: true,
      });
      const [, url] = await waitForLine(instance, /listening on (http:\/\/\S+)/, START_TIMEOUT_MS);
      say(`instance ${name} (pid ${instance.child.pid}) on port ${new URL(url).port}`);
      return { name, url: new URL(url).origin };
    }),
  );

  proxy = await startRoundRobinProxy(instances, { port: Number(process.env.PORT ?? 3000), log: (line) => say(line) });
  console.log(`Wisp fleet listening on ${proxy.url}/mcp (instances ${INSTANCES.join(", ")} behind a round-robin proxy; Ctrl-C stops everything)`);
} catch (error) {
  if (!stopping) {
    say(error instanceof Error ? error.message : String(error));
    await shutdown(1);
  }
}
