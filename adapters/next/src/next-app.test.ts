/**
 * The real thing: examples/next is built with `next build` and served with `next start` on
 * 127.0.0.1, then the official clients talk to both of its routes, `/mcp` (Node.js runtime) and
 * `/edge/mcp` (Edge runtime), which serve the same Wisp server module through createNextHandler:
 * - the v1 SDK (2025 era): initialize → tools/call with a real elicitation/create → resources/read → DELETE;
 * - the v2 client pinned to 2026-07-28: tools/call answered `input_required`, retried with the answer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Json = Record<string, any>;
const MODERN = "2026-07-28";
const APP_DIR = fileURLToPath(new URL("../../../examples/next/", import.meta.url));
const NEXT_BIN = fileURLToPath(new URL("../../../node_modules/next/dist/bin/next", import.meta.url));
const BUILD_TIMEOUT = 300_000;
const READY_TIMEOUT = 30_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const nextEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  NODE_ENV: "production", // vitest sets "test", which Next rejects as non-standard
  NEXT_TELEMETRY_DISABLED: "1",
  WISP_REQUEST_STATE_SECRET: "a-test-secret-that-is-at-least-32-bytes!",
});

/** Runs `next build`, bounded; resolves with its duration in ms, rejects with its output on failure. */
function nextBuild(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [NEXT_BIN, "build", "--webpack"], { cwd: APP_DIR, env: nextEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`next build took longer than ${BUILD_TIMEOUT} ms:\n${output}`));
    }, BUILD_TIMEOUT);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(performance.now() - started);
      else reject(new Error(`next build failed (${code ?? signal}):\n${output}`));
    });
  });
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

let child: ChildProcess | undefined;
let output = "";
let base: string;

/** Starts `next start` and polls until it answers, bounded; fails early if the process exits. */
async function nextStart(): Promise<void> {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: APP_DIR, env: nextEnv(), stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  let exited = false;
  child.once("exit", () => (exited = true));
  const deadline = Date.now() + READY_TIMEOUT;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`next start exited before it was ready:\n${output}`);
    try {
      const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`next start was not ready within ${READY_TIMEOUT} ms:\n${output}`);
}

/** SIGTERM, a bounded wait, then SIGKILL: by PID, only the process this test started. */
async function stop(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  const ms = await nextBuild();
  console.info(`[next-app.test] next build took ${(ms / 1000).toFixed(1)} s`);
  await nextStart();
}, BUILD_TIMEOUT + READY_TIMEOUT + 10_000);

afterAll(async () => {
  await stop(child);
}, 15_000);

interface Seen {
  method: string;
  sessionId: string | null;
  hasInputResponses: boolean;
  hasRequestState: boolean;
  metaVersion: unknown;
}

function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    if (request.method === "POST") {
      const body = JSON.parse(await request.clone().text()) as Json;
      const params = (body.params ?? {}) as Json;
      seen.push({
        method: body.method ?? "(response)",
        sessionId: request.headers.get("mcp-session-id"),
        hasInputResponses: "inputResponses" in params,
        hasRequestState: "requestState" in params,
        metaVersion: params._meta?.["io.modelcontextprotocol/protocolVersion"],
      });
    }
    return fetch(request);
  };
}

const ROUTES = [
  { path: "/mcp", runtime: "nodejs" },
  { path: "/edge/mcp", runtime: "edge" },
] as const;

describe.each(ROUTES)("examples/next under `next start`: $path ($runtime runtime)", ({ path, runtime }) => {
  it("2025 era: the v1 SDK initializes, answers an elicitation, reads a resource and DELETEs its session", async () => {
    const url = `${base}${path}`;
    const seen: Seen[] = [];
    const client = new ClientV1({ name: "v1-client", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    const asked: Json[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params as Json);
      return { action: "accept", content: { confirm: true } };
    });
    const transport = new TransportV1(new URL(url), { fetch: recordingFetch(seen) });
    await withTimeout(client.connect(transport), 10_000, "initialize");
    try {
      const sessionId = transport.sessionId;
      expect(sessionId).toBeTruthy();
      expect(client.getServerVersion()).toMatchObject({ name: "next-example", version: "1.0.0" });

      const called = await withTimeout(client.callTool({ name: "confirm_action", arguments: { action: "deploy" } }), 10_000, "tools/call");
      expect(called.content).toEqual([{ type: "text", text: `deploy: confirmed (legacy, ${runtime})` }]);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ message: "Really deploy?", requestedSchema: { properties: { confirm: { type: "boolean" } } } });
      expect(seen.some((s) => s.method === "(response)" && s.sessionId === sessionId)).toBe(true);

      const read = await withTimeout(client.readResource({ uri: "notes://today" }), 5_000, "resources/read");
      expect(read.contents).toEqual([{ uri: "notes://today", mimeType: "text/plain", text: `Served by Next.js (${runtime}).` }]);

      await withTimeout(transport.terminateSession(), 5_000, "DELETE");
      expect(transport.sessionId).toBeUndefined();
      const after = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": sessionId!, "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 99, method: "tools/list" }),
      });
      expect(after.status).toBe(404);
    } finally {
      await client.close();
    }
  });

  it("2026 era: the v2 client completes tools/call through an input_required round", async () => {
    const seen: Seen[] = [];
    const client = new ClientV2({ name: "v2-client", version: "2.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: MODERN } } });
    const asked: Json[] = [];
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(request.params as Json);
      return { action: "accept", content: { confirm: true } };
    });
    await withTimeout(client.connect(new TransportV2(new URL(`${base}${path}`), { fetch: recordingFetch(seen) })), 10_000, "connect");
    try {
      expect(client.getProtocolEra()).toBe("modern");
      const called = await withTimeout(client.callTool({ name: "confirm_action", arguments: { action: "rollback" } }), 10_000, "tools/call");
      expect(called.content).toEqual([{ type: "text", text: `rollback: confirmed (modern, ${runtime})` }]);
      expect(asked).toHaveLength(1);
      const calls = seen.filter((s) => s.method === "tools/call");
      expect(calls).toHaveLength(2);
      expect(calls.every((s) => s.sessionId === null && s.metaVersion === MODERN)).toBe(true);
      expect(calls[0]).toMatchObject({ hasInputResponses: false, hasRequestState: false });
      expect(calls[1]).toMatchObject({ hasInputResponses: true, hasRequestState: true });
    } finally {
      await client.close();
    }
  });
});

describe("next start", () => {
  it("logged no errors while serving both routes", () => {
    expect(output).not.toMatch(/\b(Error|TypeError|ReferenceError)\b/);
  });
});
