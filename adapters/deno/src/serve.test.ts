/**
 * @wisp/deno on real Deno (the `deno` binary from the npm package, a devDependency): every
 * server here is a Deno process started from Node, talked to over 127.0.0.1, and stopped by PID.
 * Deno resolves `@wisp/core` and `@wisp/deno` through the import map in the repository's
 * deno.json (JSR-style names, local sources) and npm packages from node_modules, offline.
 * - serve.fixture.ts: path routing, remoteIp and assigns, the Host check, shutdown through an
 *   AbortSignal that ends SSE streams cleanly;
 * - examples/deno: `deno serve` on `export default server`, and main.ts with serve(), under the
 *   official clients of both protocol eras;
 * - `deno check`: the adapter, the example and the fixture type-check against Deno's own types.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer as createNetServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

type Json = Record<string, any>;
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const DENO = join(root, "node_modules/.bin/deno");
const DENO_ENV = { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
const PERMISSIONS = ["--cached-only", "--allow-net", "--allow-env", "--allow-read"];
const MODERN = "2026-07-28";
const ACCEPT = "application/json, text/event-stream";

// ---------- processes: started with bounded waits, always stopped by PID ----------

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
}

const started = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

function spawnDeno(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  if (!existsSync(DENO)) throw new Error(`${DENO} is missing: run npm ci (the deno package is a devDependency of @wisp/deno)`);
  const child = spawn(DENO, args, { cwd: root, env: { ...process.env, ...DENO_ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
  return { child, output: () => output };
}

/** Spawns `deno run … script` and resolves with the first URL it prints (bounded). */
function startDeno(script: string, env: Record<string, string> = {}, urlPattern = /listening on (http:\/\/\S+)/): Promise<Running> {
  const { child, output } = spawnDeno(["run", ...PERMISSIONS, script], env);
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`deno run ${script} printed no URL within 30 s:\n${output()}`)), 30_000);
    const exited = (code: number | null) => fail(new Error(`deno run ${script} exited early (${code}):\n${output()}`));
    const printed = () => {
      const match = urlPattern.exec(output());
      if (!match) return;
      settle();
      resolve({ child, url: match[1], output });
    };
    const settle = () => {
      clearTimeout(timer);
      child.off("exit", exited);
      child.stdout!.off("data", printed);
    };
    const fail = (error: Error) => {
      settle();
      void stop(child);
      reject(error);
    };
    child.once("exit", exited);
    child.stdout!.on("data", printed);
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves with how the process ended. */
async function stop(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  const ended = () => ({ code: child.exitCode, signal: child.signalCode });
  if (child.exitCode !== null || child.signalCode !== null) return ended();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const wait = (ms: number) => Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, ms))]);
  child.kill("SIGTERM");
  await wait(5_000);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await wait(2_000);
  }
  started.delete(child);
  return ended();
}

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

/** Polls until something answers on the URL (servers that print no URL of ours). */
async function waitForHttp(url: string, child: ChildProcess, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      await fetch(url, { method: "OPTIONS", signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`nothing answered on ${url} within ${ms} ms`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------- raw HTTP ----------

function modernMeta(capabilities: Json = {}): Json {
  return {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": capabilities,
    "io.modelcontextprotocol/clientInfo": { name: "deno-adapter-test", version: "1.0.0" },
  };
}

/** A stateless 2026-07-28 tools/call; resolves with the JSON-RPC message. */
async function modernCall(url: string, name: string, args: Json, headers: Record<string, string> = {}): Promise<Json> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": name, ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args, _meta: modernMeta() } }),
  });
  expect(res.status).toBe(200);
  return lastMessage(res);
}

async function lastMessage(res: Response): Promise<Json> {
  const text = await withTimeout(res.text(), 10_000, "the response body");
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) return JSON.parse(text) as Json;
  const data = text.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).filter(Boolean);
  return JSON.parse(data.at(-1)!) as Json;
}

async function legacySession(url: string): Promise<string> {
  const headers = { "content-type": "application/json", accept: ACCEPT };
  const init = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } }),
  });
  expect(init.status).toBe(200);
  await init.text();
  const sessionId = init.headers.get("mcp-session-id")!;
  const initialized = await fetch(url, { method: "POST", headers: { ...headers, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" }, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' });
  expect(initialized.status).toBe(202);
  return sessionId;
}

/** A request with a Host header of our choosing (fetch may not set one). */
function statusWithHost(url: string, host: string): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: modernMeta() } });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname, port, path: pathname, method: "POST", headers: { host, "content-type": "application/json", accept: ACCEPT, "mcp-protocol-version": MODERN, "mcp-method": "tools/list" } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.setTimeout(5_000, () => req.destroy(new Error("timed out")));
    req.once("error", reject);
    req.end(body);
  });
}

const textOf = (result: Json) => (result.content as Json[]).map((block) => block.text).join("");

// ---------- the adapter ----------

describe("@wisp/deno serve() on Deno", () => {
  let server: Running;

  beforeAll(async () => {
    server = await startDeno("adapters/deno/src/serve.fixture.ts", { PORT: "0" });
  }, 40_000);

  afterAll(async () => {
    if (server) await stop(server.child);
  });

  it("listens on 127.0.0.1 at /mcp; other paths answer 404 with a JSON-RPC error", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    for (const path of ["/", "/other", "/mcp/extra"]) {
      const res = await fetch(new URL(path, server.url), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(((await res.json()) as Json).error.message).toContain("/mcp");
    }
  });

  it("passes the caller's address as ctx.transport.remoteIp and seeds ctx.assigns", async () => {
    const reply = await modernCall(server.url, "whoami", {}, { "user-agent": "wisp-deno-test" });
    expect(JSON.parse(textOf(reply.result))).toEqual({ remoteIp: "127.0.0.1", assigns: { userAgent: "wisp-deno-test" } });
  });

  it("checks the Host header on loopback (DNS rebinding): 403 for a foreign host", async () => {
    const port = new URL(server.url).port;
    expect(await statusWithHost(server.url, `evil.example:${port}`)).toBe(403);
    expect(await statusWithHost(server.url, `localhost:${port}`)).toBe(200);
  });

  it("aborting the signal (on SIGTERM) ends an open SSE stream cleanly, shuts down and exits 0", async () => {
    const sessionId = await legacySession(server.url);
    const headers = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" };
    const stream = await fetch(server.url, { headers: { ...headers, accept: "text/event-stream" } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let streamEnd: number | undefined;
    let streamError: unknown;
    const drained = (async () => {
      while (!(await reader.read()).done);
      streamEnd = Date.now();
    })().catch((error) => void (streamError = error));

    const call = await fetch(server.url, {
      method: "POST",
      headers: { ...headers, accept: ACCEPT, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "slow", arguments: { ms: 1_000 } } }),
    });
    expect(textOf((await lastMessage(call)).result)).toBe("done after 1000 ms");
    expect(streamEnd, "the GET stream ended early").toBeUndefined();

    const stopAt = Date.now();
    const { code } = await stop(server.child);
    await withTimeout(drained, 5_000, "the GET stream to end");
    expect(streamError).toBeUndefined();
    expect(streamEnd!).toBeGreaterThanOrEqual(stopAt);
    expect(code).toBe(0);
    expect(server.output()).toMatch(/stopped in \d+ ms/);
  }, 20_000);
});

// ---------- examples/deno ----------

describe("examples/deno on Deno", () => {
  const running: Running[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => stop(r.child)));
  });

  it("`deno serve` on `export default server` (server.fetch as is): the v1 SDK client calls a tool with elicitation", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const { child, output } = spawnDeno(["serve", ...PERMISSIONS, "--host", "127.0.0.1", "--port", String(port), "examples/deno/src/server.ts"]);
    running.push({ child, url, output });
    await waitForHttp(url, child);

    const client = new Client({ name: "default-export", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { count: 3 } }));
    await withTimeout(client.connect(new StreamableHTTPClientTransport(new URL(url))), 10_000, "connect");
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "wisp-deno-example" });
      const rolled = await withTimeout(client.callTool({ name: "roll_dice", arguments: { sides: 6 } }), 10_000, "roll_dice");
      expect(textOf(rolled)).toMatch(/^\d \+ \d \+ \d = \d+$/);
    } finally {
      await client.close();
    }
  }, 40_000);

  it("main.ts with serve(): the v2 client pinned to 2026-07-28 sees its own address, answers input_required, reads the resource; SIGTERM exits 0", async () => {
    const main = await startDeno("examples/deno/src/main.ts", { PORT: "0" }, /MCP endpoint at (http:\/\/\S+)/);
    running.push(main);
    const client = new ClientV2({ name: "example-v2", version: "1.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: MODERN } } });
    const asked: Json[] = [];
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(request.params as Json);
      return { action: "accept", content: { count: 2 } };
    });
    await withTimeout(client.connect(new TransportV2(new URL(main.url))), 10_000, "connect");
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      expect(textOf(await client.callTool({ name: "whoami", arguments: {} }))).toMatch(/^You are 127\.0\.0\.1, calling 127\.0\.0\.1:\d+\/mcp\.$/);
      expect(textOf(await withTimeout(client.callTool({ name: "roll_dice", arguments: { sides: 20 } }), 10_000, "roll_dice"))).toMatch(/^\d+ \+ \d+ = \d+$/);
      expect(asked).toHaveLength(1);
      expect(asked[0].message).toBe("How many d20 should I roll?");
      const info = await client.readResource({ uri: "runtime://info" });
      expect(JSON.parse((info.contents[0] as Json).text).runtime).toMatch(/^Deno\//);
    } finally {
      await client.close();
    }
    expect((await stop(main.child)).code).toBe(0);
  }, 40_000);
});

// ---------- types ----------

describe("deno check", () => {
  it("the adapter, the example and the conformance entry type-check against Deno's own types, offline", async () => {
    const { child, output } = spawnDeno(["check", "--cached-only", "adapters/deno/src/index.ts", "examples/deno/src/main.ts", "examples/deno/src/server.ts", "examples/conformance/src/main-deno.ts"]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const code = await withTimeout(exited, 90_000, "deno check").finally(() => stop(child));
    expect(code, output()).toBe(0);
  }, 100_000);
});
