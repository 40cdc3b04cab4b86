/**
 * Runs `npm run fleet` as a user would (PORT=0, no REDIS_URL, so it starts its own redis-server),
 * talks to the one URL it prints with the official v1 SDK client (the proxy sends every request
 * to the next instance), then SIGTERMs npm by PID and checks that the fleet, both instances and
 * the redis-server it started are gone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectV1, textOf } from "../../../test-kit/mcp.js";
import { type Running, sleep, startProcess, stop, withTimeout } from "../../../test-kit/process.js";

let fleet: Running | undefined;
/** The PIDs the fleet printed: its own, redis-server's, each instance's. */
let pids: Record<string, number> = {};

/** Resolves once the process `pid` no longer exists (a zombie still counts as existing); false after `ms`. */
async function gone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
      throw error;
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

beforeAll(async () => {
  fleet = await startProcess("npm", ["run", "--silent", "fleet"], {
    env: { PORT: "0", REDIS_URL: undefined, NO_COLOR: "1" },
    timeoutMs: 60_000,
    what: "npm run fleet",
  });
  // The PID lines go to stderr, the URL to stdout: wait (bounded) until all of them arrived.
  const patterns = { fleet: /fleet: pid (\d+)/, redis: /redis-server \(pid (\d+)\)/, a: /instance a \(pid (\d+)\)/, b: /instance b \(pid (\d+)\)/ };
  const all = async () => {
    for (;;) {
      const found = Object.entries(patterns).map(([name, pattern]) => [name, Number(pattern.exec(fleet!.output())?.[1])] as const);
      if (found.every(([, pid]) => pid > 0)) return Object.fromEntries(found);
      await sleep(20);
    }
  };
  pids = await withTimeout(all(), 5_000, `the fleet's PID lines:\n${fleet.output()}`);
}, 90_000);

afterAll(async () => {
  if (fleet) await stop(fleet.child); // only when a test failed before the SIGTERM below
});

describe("examples/fleet (npm run fleet)", () => {
  it("prints one URL: the proxy's MCP endpoint on 127.0.0.1", () => {
    expect(fleet!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(fleet!.output().match(/https?:\/\/\S+/g)).toEqual([fleet!.url]);
  });

  it("acts as one server: the SDK v1 client initializes, then its calls land on alternating instances", async () => {
    // Wait for the client's GET stream before calling, so the calls' POSTs follow each other at the proxy.
    let streamOpen!: () => void;
    const opened = new Promise<void>((resolve) => (streamOpen = resolve));
    const watching: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? "GET") === "GET" && response.ok) streamOpen();
      return response;
    };
    const { client, transport, asked } = await connectV1(fleet!.url, watching);
    try {
      await withTimeout(opened, 10_000, "the client's GET stream");
      const sessionId = transport.sessionId!;
      const pattern = /^Answered by instance ([ab]), pid (\d+); session (\S+)\.$/;
      const first = pattern.exec(textOf((await client.callTool({ name: "whoami", arguments: {} })) as Record<string, any>));
      const second = pattern.exec(textOf((await client.callTool({ name: "whoami", arguments: {} })) as Record<string, any>));
      expect(first, "first whoami").not.toBeNull();
      expect(second, "second whoami").not.toBeNull();
      expect([first![3], second![3]]).toEqual([sessionId, sessionId]);
      expect(new Set([first![1], second![1]])).toEqual(new Set(["a", "b"]));
      expect(Number(first![2])).toBe(pids[first![1]]);
      expect(Number(second![2])).toBe(pids[second![1]]);

      // A server→client request: the tool waits on one instance, the client's answer is POSTed to the other.
      const deployed = await client.callTool({ name: "deploy", arguments: { service: "web" } });
      expect(asked).toHaveLength(1);
      expect(asked[0].message).toBe("Deploy web to production?");
      expect(textOf(deployed as Record<string, any>)).toMatch(/^Deployed web; the tool ran on instance [ab], pid \d+\.$/);

      await transport.terminateSession();
    } finally {
      await client.close();
    }
  }, 30_000);

  it("stops everything it started on SIGTERM: no fleet, instance or redis-server PID is left", async () => {
    const child = fleet!.child;
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await withTimeout(exited, 20_000, `npm run fleet to exit after SIGTERM:\n${fleet!.output()}`)).toBe(0);
    expect(fleet!.output()).toContain(`fleet: stopped redis-server (pid ${pids.redis}), instance a (pid ${pids.a}), instance b (pid ${pids.b})`);
    for (const [name, pid] of Object.entries(pids)) expect(await gone(pid, 5_000), `${name} (pid ${pid}) is still there`).toBe(true);
    await expect(fetch(fleet!.url, { method: "POST", signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  }, 30_000);
});
