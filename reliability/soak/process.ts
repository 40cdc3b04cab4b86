/**
 * Starts the soak server as a real child process (as test-kit/process.ts starts servers: wait for
 * the printed URLs, bounded), reads its memory over the side channel, and stops it by PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MemoryReport } from "./memory-channel.js";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

export interface ServerConfig {
  sessionTimeoutMs: number;
  keepAliveMs: number;
  sweepIntervalMs: number;
}

export interface SoakServer {
  child: ChildProcess;
  /** The MCP endpoint. */
  url: string;
  /** process.memoryUsage() after GC, and open connections. */
  memory: () => Promise<MemoryReport>;
  output: () => string;
  stop: () => Promise<void>;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const children = new Set<ChildProcess>();
// A driver that dies (or is interrupted) must not leave a server behind.
process.once("exit", () => {
  for (const child of children) if (alive(child)) child.kill("SIGKILL");
});

export function serverArgs(config: ServerConfig): string[] {
  return [
    "--expose-gc", "--conditions=wisp-source", "--import", "tsx", "reliability/soak/server.ts",
    "--session-timeout", String(config.sessionTimeoutMs),
    "--keep-alive", String(config.keepAliveMs),
    "--sweep-interval", String(config.sweepIntervalMs),
  ];
}

export async function startServer(config: ServerConfig, timeoutMs = 30_000): Promise<SoakServer> {
  const child = spawn(process.execPath, serverArgs(config), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const urls = await new Promise<{ url: string; memoryUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed no URLs within ${timeoutMs / 1000} s`), timeoutMs);
    const check = () => {
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      const memoryUrl = /memory on (http:\/\/\S+)/.exec(output)?.[1];
      if (!url || !memoryUrl) return;
      clearTimeout(timer);
      child.off("exit", exited);
      resolve({ url, memoryUrl });
    };
    const exited = (code: number | null) => fail(`exited early (${code})`);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`the soak server ${why}:\n${output}`));
    };
    child.on("exit", exited);
    child.stdout!.on("data", check);
  });
  return {
    child,
    url: urls.url,
    output: () => output,
    memory: async () => {
      const res = await fetch(urls.memoryUrl, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`memory side channel answered ${res.status}`);
      return (await res.json()) as MemoryReport;
    },
    stop: () => stop(child),
  };
}

/** SIGTERM, then SIGKILL after 6 s; resolves once the process is gone. */
async function stop(child: ChildProcess): Promise<void> {
  if (alive(child)) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const wait = (ms: number) => Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
    child.kill("SIGTERM");
    await wait(6_000);
    if (alive(child)) {
      child.kill("SIGKILL");
      await wait(2_000);
    }
  }
  children.delete(child);
}

/** Runs `use` against a fresh server, always stopping it; a failure carries the server's last output. */
export async function withServer<T>(config: ServerConfig, use: (server: SoakServer) => Promise<T>): Promise<T> {
  const server = await startServer(config);
  try {
    return await use(server);
  } catch (error) {
    const printed = server.output().trim();
    if (error instanceof Error && printed) error.message += `\n--- the soak server printed:\n${printed.slice(-3_000)}`;
    throw error;
  } finally {
    await server.stop();
  }
}
