/**
 * The checks the Bun and Deno adapter tests share: their serve.fixture.ts (routing, remoteIp and
 * assigns, the Host check, a graceful stop that ends SSE streams) and their examples under the
 * official clients of both eras.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { expect, it } from "vitest";
import { ACCEPT, type Json, LATEST, MODERN, lastMessage, legacySession, modernCall, statusWithHost, textOf } from "./mcp.js";
import { type Running, stop, withTimeout } from "./process.js";

// ---------- serve.fixture.ts ----------

/** The tests every runtime's serve.fixture.ts passes, against `server()`: routing, remoteIp and assigns, the Host check. */
export function itServesTheFixture(server: () => Running, userAgent: string, meta: Json) {
  it("listens on 127.0.0.1 at /mcp; other paths answer 404 with a JSON-RPC error", async () => {
    const { url } = server();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    for (const path of ["/", "/other", "/mcp/extra"]) {
      const res = await fetch(new URL(path, url), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe("application/json");
      expect(((await res.json()) as Json).error.message).toContain("/mcp");
    }
  });

  it("passes the caller's address as ctx.transport.remoteIp and seeds ctx.assigns", async () => {
    const reply = await modernCall(server().url, "whoami", {}, { headers: { "user-agent": userAgent }, meta });
    expect(JSON.parse(textOf(reply.result))).toEqual({ remoteIp: "127.0.0.1", assigns: { userAgent } });
  });

  it("checks the Host header on loopback (DNS rebinding): 403 for a foreign host", async () => {
    const { url } = server();
    const port = new URL(url).port;
    expect(await statusWithHost(url, `evil.example:${port}`, meta)).toBe(403);
    expect(await statusWithHost(url, `localhost:${port}`, meta)).toBe(200);
  });
}

/** A 2025 session with its GET stream open and drained in the background. */
export interface SessionStream {
  /** The session's headers (id and protocol version). */
  session: Record<string, string>;
  /** When the GET stream ended, and how it failed if it did. */
  state: { end?: number; error?: unknown };
  drained: Promise<void>;
  /** A tools/call POSTed in the session; resolves with the JSON-RPC message. */
  call(id: number, name: string, args: Json): Promise<Json>;
}

/** Opens a legacy session and its GET stream (200), read until it ends. */
export async function openSessionStream(url: string): Promise<SessionStream> {
  const sessionId = await legacySession(url);
  const session = { "mcp-session-id": sessionId, "mcp-protocol-version": LATEST };
  const stream = await fetch(url, { headers: { ...session, accept: "text/event-stream" } });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  const state: SessionStream["state"] = {};
  const drained = (async () => {
    while (!(await reader.read()).done);
    state.end = Date.now();
  })().catch((error) => void (state.error = error));
  const call = async (id: number, name: string, args: Json) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { ...session, accept: ACCEPT, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } }),
    });
    return lastMessage(res);
  };
  return { session, state, drained, call };
}

/** SIGTERM: the GET stream ends cleanly, after the stop; the process exits 0 and says "stopped in N ms". */
export async function expectGracefulStop(server: Running, stream: SessionStream) {
  const stopAt = Date.now();
  const { code } = await stop(server.child);
  await withTimeout(stream.drained, 5_000, "the GET stream to end");
  expect(stream.state.error).toBeUndefined();
  expect(stream.state.end!).toBeGreaterThanOrEqual(stopAt);
  expect(code).toBe(0);
  expect(server.output()).toMatch(/stopped in \d+ ms/);
}

// ---------- the examples ----------

/** `export default server` as served by the runtime: the v1 SDK client calls roll_dice, answering its elicitation. */
export async function expectDefaultExportExample(url: string, serverName: string) {
  const client = new Client({ name: "default-export", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { count: 3 } }));
  await withTimeout(client.connect(new StreamableHTTPClientTransport(new URL(url))), 10_000, "connect");
  try {
    expect(client.getServerVersion()).toMatchObject({ name: serverName });
    const rolled = await withTimeout(client.callTool({ name: "roll_dice", arguments: { sides: 6 } }), 10_000, "roll_dice");
    expect(textOf(rolled)).toMatch(/^\d \+ \d \+ \d = \d+$/);
  } finally {
    await client.close();
  }
}

/**
 * main.ts with serve(): the v2 client pinned to 2026-07-28 sees its own address, answers
 * input_required, reads runtime://info (whose runtime matches `runtime`); SIGTERM exits 0.
 */
export async function expectMainExample(main: Running, runtime: RegExp) {
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
    expect(JSON.parse((info.contents[0] as Json).text).runtime).toMatch(runtime);
  } finally {
    await client.close();
  }
  expect((await stop(main.child)).code).toBe(0);
}
