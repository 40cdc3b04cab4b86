/**
 * `npm start` as the README runs it (from the repository root, PORT=0), stopped by a signal to the
 * npm process alone, by PID: SIGTERM, SIGINT, SIGHUP. Every process of the tree (npm, the server,
 * anything the server started) must be gone within a few seconds, and the port must refuse
 * connections. The tree is read from /proc before signalling, so Linux only.
 */
import { readFileSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { ACCEPT, LATEST } from "../../../test-kit/mcp.js";
import { type Running, sleep, startProcess, withTimeout } from "../../../test-kit/process.js";

/** PIDs this file saw in a tree; SIGKILLed after each test if a test failed before they ended. */
const seen = new Set<number>();
afterEach(() => {
  for (const pid of seen) if (state(pid) !== "gone") process.kill(pid, "SIGKILL");
  seen.clear();
});

/** "gone" once the process is dead: a zombie has released its sockets; reaping is its parent's job (init's here, for orphans). */
function state(pid: number): "running" | "gone" {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z") ? "gone" : "running";
  } catch {
    return "gone";
  }
}

/** `pid` and all its descendants, from the parent PID of every process in /proc. */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // ended while we looked
    }
  }
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]!) ?? []));
  return all;
}

async function allGone(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = pids.filter((pid) => state(pid) !== "gone");
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}

async function npmStart(): Promise<Running> {
  return startProcess("npm", ["start"], { env: { PORT: "0", NO_COLOR: "1" }, pattern: /MCP endpoint at (http:\/\/\S+)/, timeoutMs: 30_000, what: "npm start" });
}

const initialize = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "t", version: "1" } } });
const post = (url: string) => fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT }, body: initialize, signal: AbortSignal.timeout(3_000) });

const cases = [
  // npm forwards SIGTERM and SIGINT to the server, which closes and exits 0; npm then exits 0.
  { signal: "SIGTERM", npmExit: { code: 0, signal: null }, said: "stopping (SIGTERM)" },
  { signal: "SIGINT", npmExit: { code: 0, signal: null }, said: "stopping (SIGINT)" },
  // npm does not catch SIGHUP and dies of it; the server sees its parent go and stops itself.
  { signal: "SIGHUP", npmExit: { code: null, signal: "SIGHUP" }, said: "stopping (parent process" },
] as const;

describe.skipIf(process.platform !== "linux")("npm start stops, whole tree, on a signal to npm", () => {
  for (const { signal, npmExit, said } of cases) {
    it(`${signal}: npm and every process under it are gone, the port refuses connections`, async () => {
      const running = await npmStart();
      const npm = running.child;
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => npm.once("exit", (code, sig) => resolve({ code, signal: sig })));
      const served = await post(running.url);
      expect(served.status).toBe(200);
      await served.text();

      const pids = tree(npm.pid!);
      for (const pid of pids) seen.add(pid);
      expect(pids.length, `npm and the server at least: ${pids}`).toBeGreaterThanOrEqual(2);

      process.kill(npm.pid!, signal);
      expect(await withTimeout(exited, 5_000, `npm start to exit after ${signal}:\n${running.output()}`)).toEqual(npmExit);
      expect(await allGone(pids, 5_000), `still running after ${signal}:\n${running.output()}`).toEqual([]);
      expect(running.output()).toContain(said);
      await expect(post(running.url)).rejects.toThrow();
    }, 45_000);
  }
});
