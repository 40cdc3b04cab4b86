/**
 * Child processes for tests: started with bounded waits (for a printed URL or an HTTP answer),
 * always stopped by PID (SIGTERM, then SIGKILL), tied to a suite's or a test's lifetime through
 * vitest hooks, and killed on exit if a test left one behind. Plus freePort, withTimeout, sleep.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer as createNetServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll } from "vitest";

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A started server process and the URL it serves. */
export interface Running {
  child: ChildProcess;
  url: string;
  /** Everything the process printed so far (stdout, and stderr unless inherited). */
  output: () => string;
}

/** A spawned process whose output is being collected. */
export interface Spawned {
  child: ChildProcess;
  output: () => string;
}

export interface SpawnOptions {
  /** Added to process.env. */
  env?: Record<string, string | undefined>;
  /** Default: the repository root. */
  cwd?: string;
  /** "inherit" shows the process's stderr in the test output instead of collecting it. */
  stderr?: "pipe" | "inherit";
}

const started = new Set<ChildProcess>();
const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
process.once("exit", () => {
  for (const child of started) if (alive(child)) child.kill("SIGKILL");
});

/** Spawns `bin args…`, collects its output, and registers it for cleanup on exit. */
export function spawnProcess(bin: string, args: string[], options: SpawnOptions = {}): Spawned {
  const child = spawn(bin, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", options.stderr ?? "pipe"],
  });
  started.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk));
  return { child, output: () => output };
}

export interface UrlWait {
  /** Its first capture group is the URL. Default: /listening on (http:\/\/\S+)/. */
  pattern?: RegExp;
  timeoutMs: number;
  /** Names the process in errors, e.g. "bun serve.fixture.ts". */
  what: string;
}

/** Resolves with the first URL the process prints; rejects (and stops it) if it exits first or prints none in time. */
export function waitForUrl({ child, output }: Spawned, { pattern = /listening on (http:\/\/\S+)/, timeoutMs, what }: UrlWait): Promise<Running> {
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${what} printed no URL within ${timeoutMs / 1000} s:\n${output()}`)), timeoutMs);
    const exited = (code: number | null) => fail(new Error(`${what} exited early (${code}):\n${output()}`));
    const printed = () => {
      const match = pattern.exec(output());
      if (!match) return;
      settle();
      resolve({ child, url: match[1], output });
    };
    const settle = () => {
      clearTimeout(timer);
      child.off("exit", exited);
      child.stdout!.off("data", printed);
      child.stderr?.off("data", printed);
    };
    const fail = (error: Error) => {
      settle();
      void stop(child);
      reject(error);
    };
    child.once("exit", exited);
    child.stdout!.on("data", printed);
    child.stderr?.on("data", printed);
  });
}

/** spawnProcess, then waitForUrl. */
export function startProcess(bin: string, args: string[], options: SpawnOptions & UrlWait): Promise<Running> {
  return waitForUrl(spawnProcess(bin, args, options), options);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how the process ended (bounded). */
export async function stop(child: ChildProcess, graceMs = 5_000): Promise<{ code: number | null; signal: string | null }> {
  const ended = () => ({ code: child.exitCode, signal: child.signalCode });
  if (!alive(child)) return ended();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const wait = (ms: number) => Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
  child.kill("SIGTERM");
  await wait(graceMs);
  if (alive(child)) {
    child.kill("SIGKILL");
    await wait(2_000);
  }
  started.delete(child);
  return ended();
}

/**
 * Starts a process before the current suite's tests (the hook bounded by `hookTimeoutMs`) and
 * stops it after them; the returned function gives the running process inside tests.
 */
export function useRunning(start: () => Promise<Running>, hookTimeoutMs: number): () => Running {
  let running: Running | undefined;
  beforeAll(async () => {
    running = await start();
  }, hookTimeoutMs);
  afterAll(async () => {
    if (running) await stop(running.child);
  });
  return () => running!;
}

/** Registers an afterEach that stops every process handed to the returned function during the test. */
export function stopAfterEach(): <T extends { child: ChildProcess }>(proc: T) => T {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => stop(child)));
  });
  return (proc) => {
    children.push(proc.child);
    return proc;
  };
}

/** Resolves with the exit code once the process ends by itself; rejects after `ms` (and stops it either way). */
export function exitCodeOf(child: ChildProcess, ms: number, what: string): Promise<number | null> {
  const exited = alive(child) ? new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code))) : Promise.resolve(child.exitCode);
  return withTimeout(exited, ms, what).finally(() => stop(child));
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export interface HttpWait {
  timeoutMs?: number;
  /** Default "OPTIONS": any answer will do. */
  method?: string;
  /** Wait for a 2xx answer, not just any answer. */
  ok?: boolean;
  intervalMs?: number;
  /** Bound of each attempt. Default 1 s. */
  requestTimeoutMs?: number;
  /** Added to errors (e.g. the server's output). */
  output?: () => string;
}

/** Polls until something answers on the URL (for servers that print no URL of their own); fails early if the process ends. */
export async function waitForHttp(url: string, child: ChildProcess, { timeoutMs = 20_000, method = "OPTIONS", ok = false, intervalMs = 100, requestTimeoutMs = 1_000, output }: HttpWait = {}): Promise<void> {
  const printed = () => (output ? `:\n${output()}` : "");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(child)) throw new Error(`the server exited with ${child.exitCode ?? child.signalCode}${printed()}`);
    try {
      const res = await fetch(url, { method, signal: AbortSignal.timeout(requestTimeoutMs) });
      if (!ok || res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`nothing answered on ${url} within ${timeoutMs} ms${printed()}`);
}

/** Rejects with a message naming `what` if `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `"A=1 deno run --flag file.ts"` of the root package.json → env { A: "1" }, the binary in node_modules/.bin, its args. */
export function scriptCommand(name: string): { bin: string; args: string[]; env: Record<string, string> } {
  const scripts = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
  const script = scripts[name];
  if (!script) throw new Error(`the root package.json has no "${name}" script`);
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [key, ...value] = words.shift()!.split("=");
    env[key] = value.join("=");
  }
  const bin = join(root, "node_modules/.bin", words.shift()!);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm ci (bun and deno are devDependencies of @wisp/bun and @wisp/deno)`);
  return { bin, args: words, env };
}
