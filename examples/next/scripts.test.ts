/**
 * The example's npm scripts pick their address like every other example: PORT (default 3003, so
 * it runs beside `npm start` on 3000) and HOST (default 127.0.0.1, never every interface). Run
 * for real: `npm run dev -w @wisp/example-next` under each environment, the listening socket read
 * from /proc (Linux only), then npm stopped by its PID, which must take Next down with it. MCP
 * over the built app: adapters/next/src/next-app.test.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, root, sleep, stop, waitForUrl } from "../../test-kit/process.js";

const DEFAULT_PORT = 3003;

/** The addresses with a TCP socket listening on `port` (IPv4 dotted, IPv6 as the kernel's hex). */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let table: string;
    try {
      table = readFileSync(file, "utf8");
    } catch {
      continue; // no IPv6
    }
    for (const line of table.trim().split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [address, hexPort] = local!.split(":");
      if (state !== "0A" || Number.parseInt(hexPort!, 16) !== port) continue;
      found.push(address!.length === 8 ? address!.match(/../g)!.reverse().map((byte) => Number.parseInt(byte, 16)).join(".") : address!);
    }
  }
  return found;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Process groups of the npm processes this file started, by their PID. */
const groups: number[] = [];
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};
afterEach(() => {
  // Whatever a broken script left behind (a Next that npm's SIGTERM never reached) goes with its group.
  for (const pgid of groups.splice(0)) if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
});

/** `npm run dev` with PORT/HOST as given (undefined: unset); resolves with the URL Next printed and where it listens. */
async function dev(env: { PORT?: string; HOST?: string }) {
  // vitest's NODE_ENV=test is one Next refuses; a HOST or PORT from the outer shell must not leak in.
  const childEnv: Record<string, string | undefined> = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  for (const name of ["NODE_ENV", "PORT", "HOST"]) delete childEnv[name];
  const child: ChildProcess = spawn("npm", ["run", "dev", "-w", "@wisp/example-next"], {
    cwd: root,
    env: { ...childEnv, ...env } as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  groups.push(child.pid!);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  const spawned = { child, output: () => output };
  try {
    const { url } = await waitForUrl(spawned, { pattern: /Local:\s+(http:\/\/\S+)/, timeoutMs: 60_000, what: "npm run dev -w @wisp/example-next" });
    const port = Number(new URL(url).port);
    expect(await until(() => listeners(port).length > 0, 30_000), `nothing listens on ${port}:\n${spawned.output()}`).toBe(true);
    return { url, listening: listeners(port), port };
  } finally {
    // npm alone is signalled: the script execs Next, so npm's forwarded SIGTERM reaches it.
    const ended = await stop(spawned.child);
    expect(ended.code ?? ended.signal, spawned.output()).not.toBe("SIGKILL");
  }
}

describe.skipIf(process.platform !== "linux")("examples/next: npm run dev picks its address from PORT and HOST", () => {
  it("PORT sets the port; without HOST it listens on 127.0.0.1 only; stopping npm frees the port", async () => {
    const port = await freePort();
    const { url, listening } = await dev({ PORT: String(port) });
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(listening).toEqual(["127.0.0.1"]);
    expect(await until(() => listeners(port).length === 0, 10_000), `port ${port} still held after npm was stopped`).toBe(true);
  }, 90_000);

  it("HOST overrides the address", async () => {
    const port = await freePort();
    const { url, listening } = await dev({ PORT: String(port), HOST: "127.0.0.2" });
    expect(url).toBe(`http://127.0.0.2:${port}`);
    expect(listening).toEqual(["127.0.0.2"]);
  }, 90_000);

  it(`without PORT it listens on ${DEFAULT_PORT}, beside npm start's 3000`, async (context) => {
    if (listeners(DEFAULT_PORT).length > 0) context.skip(`port ${DEFAULT_PORT} is taken on this machine`);
    const { url, listening } = await dev({});
    expect(url).toBe(`http://127.0.0.1:${DEFAULT_PORT}`);
    expect(listening).toEqual(["127.0.0.1"]);
  }, 90_000);
});
