/**
 * The fault server as a real child process on Node, Bun or Deno: started on 127.0.0.1 port 0
 * (bounded wait for its printed URL), its FAULT side-channel lines collected as events, stopped
 * by PID only (SIGTERM, then SIGKILL), and killed on exit if anything is left behind.
 * No vitest import, so report.ts can use it outside a test run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export type Runtime = "node" | "bun" | "deno";
export const RUNTIMES: readonly Runtime[] = ["node", "bun", "deno"];

/** The command that runs reliability/faults/main-<runtime>.ts from the TypeScript sources. */
export function command(runtime: Runtime): { bin: string; args: string[]; env: Record<string, string> } {
  const main = `reliability/faults/main-${runtime}.ts`;
  if (runtime === "node") return { bin: process.execPath, args: ["--conditions=wisp-source", "--import", "tsx", main], env: {} };
  const bin = join(root, "node_modules/.bin", runtime);
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm ci (bun and deno are devDependencies of @wisp/bun and @wisp/deno)`);
  if (runtime === "bun") return { bin, args: ["--conditions=wisp-source", main], env: {} };
  return { bin, args: ["run", "--cached-only", "--allow-net", "--allow-env", "--allow-read", main], env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } };
}

/** One line of the server's side channel. */
export interface FaultEvent {
  ev: "started" | "aborted";
  tag: string;
  /** Epoch ms with sub-ms resolution, from the server's clock. */
  at: number;
  reason?: string;
}

/** The side channel's events, by kind and tag, with waiters. */
export class Events {
  readonly #seen = new Map<string, FaultEvent>();
  readonly #waiters = new Map<string, (event: FaultEvent) => void>();

  add(event: FaultEvent): void {
    const key = `${event.ev} ${event.tag}`;
    if (!this.#seen.has(key)) this.#seen.set(key, event);
    this.#waiters.get(key)?.(event);
    this.#waiters.delete(key);
  }

  get(ev: FaultEvent["ev"], tag: string): FaultEvent | undefined {
    return this.#seen.get(`${ev} ${tag}`);
  }

  count(ev: FaultEvent["ev"], prefix = ""): number {
    let n = 0;
    for (const event of this.#seen.values()) if (event.ev === ev && event.tag.startsWith(prefix)) n++;
    return n;
  }

  /** Resolves with the event, or with undefined if it has not come within `ms`. */
  wait(ev: FaultEvent["ev"], tag: string, ms: number): Promise<FaultEvent | undefined> {
    const seen = this.get(ev, tag);
    if (seen) return Promise.resolve(seen);
    const key = `${ev} ${tag}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(key);
        resolve(undefined);
      }, ms);
      this.#waiters.set(key, (event) => {
        clearTimeout(timer);
        resolve(event);
      });
    });
  }
}

export interface FaultProcess {
  runtime: Runtime;
  /** e.g. "Bun 1.4.5", as the process printed it. */
  version: string;
  child: ChildProcess;
  url: string;
  events: Events;
  output: () => string;
  /** Resolves with how the process ended (code, signal, epoch ms). */
  exited: Promise<{ code: number | null; signal: string | null; at: number }>;
  /** SIGTERM, then SIGKILL after `graceMs`; bounded. */
  stop: (graceMs?: number) => Promise<{ code: number | null; signal: string | null }>;
}

export interface FaultEnvironment {
  FAULT_CALL_TIMEOUT_MS?: string;
  FAULT_SHUTDOWN_MS?: string;
  FAULT_KEEPALIVE_MS?: string;
}

const started = new Set<ChildProcess>();
const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
process.once("exit", () => {
  for (const child of started) if (alive(child)) child.kill("SIGKILL");
});

/** Starts main-<runtime>.ts and resolves once it prints its URL (rejects, and kills it, after `timeoutMs`). */
export function startFaultServer(runtime: Runtime, env: FaultEnvironment = {}, timeoutMs = 30_000): Promise<FaultProcess> {
  const { bin, args, env: extra } = command(runtime);
  const child = spawn(bin, args, { cwd: root, env: { ...process.env, ...extra, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  const events = new Events();
  let output = "";
  let partial = "";
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    partial += chunk;
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith("FAULT ")) events.add(JSON.parse(line.slice(6)) as FaultEvent);
      else output += `${line}\n`;
    }
  });
  child.stderr!.on("data", (chunk: string) => (output += chunk));
  // Settles once the output is read to its end too ("close"), so no side-channel line is missed;
  // `at` is when the process exited.
  const exited = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) => {
    let at = 0;
    child.once("exit", () => {
      at = performance.timeOrigin + performance.now();
      started.delete(child);
    });
    child.once("close", (code, signal) => resolve({ code, signal, at: at || performance.timeOrigin + performance.now() }));
  });
  const stop = async (graceMs = 5_000) => {
    const wait = (ms: number) => Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
    if (alive(child)) {
      child.kill("SIGTERM");
      await wait(graceMs);
    }
    if (alive(child)) {
      child.kill("SIGKILL");
      await wait(2_000);
    }
    return { code: child.exitCode, signal: child.signalCode };
  };
  return new Promise<FaultProcess>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(`printed no URL within ${timeoutMs / 1000} s`), timeoutMs);
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off("data", check);
      void stop(0);
      reject(new Error(`${runtime} fault server ${why}:\n${output}`));
    };
    void exited.then(({ code }) => fail(`exited early (${code})`));
    const check = () => {
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (!url || settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout!.off("data", check);
      const version = /runtime (.+)/.exec(output)?.[1] ?? runtime;
      resolve({ runtime, version, child, url, events, output: () => output, exited, stop });
    };
    child.stdout!.on("data", check);
  });
}
