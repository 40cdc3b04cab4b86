/**
 * The 2024-11-05 HTTP+SSE transport (`legacySse`) on the wire, through `server.handle()`: the
 * endpoint event, 202s, answers on the stream, 404s, the checks the 2025 leg makes, and exactly
 * today's answers when the option is off. Two servers on one storage stand in for two instances.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as v from "valibot";
import { createServer } from "../create-server.js";
import type { Server } from "../server.js";
import { memoryStorage } from "../storage/memory.js";
import type { Storage } from "../storage/types.js";
import { ENDPOINT, post } from "../test-support/requests.js";
import { sseEvents } from "../test-support/sse-events.js";

const open: Server[] = [];
const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
afterEach(async () => {
  await Promise.allSettled(readers.splice(0).map((reader) => reader.cancel()));
  await Promise.allSettled(open.splice(0).map((server) => server.close()));
});

function legacyServer(options: { storage?: Storage; legacySse?: boolean } = {}): Server {
  const server = createServer({ name: "legacy", version: "1.0.0", legacySse: options.legacySse ?? true, storage: options.storage, sse: { keepAlive: 60_000 } })
    .tool("add", { description: "Adds", input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b))
    .tool("steps", { description: "Reports progress" }, async (_args, ctx) => {
      ctx.progress(1, 2, "half");
      ctx.log("info", "working");
      await new Promise((r) => setTimeout(r, 5));
      ctx.progress(2, 2, "done");
      return "stepped";
    })
    .tool("ask", { description: "Asks the user" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "Name?", schema: v.object({ name: v.string() }) });
      return answer.action === "accept" ? `Hello ${answer.content.name}` : "no name";
    });
  open.push(server);
  return server;
}

interface NamedEvent {
  event: string;
  data: string;
  message?: any;
}

/** A legacy stream read event by event, each wait bounded. */
function legacyStream(response: Response) {
  const events = sseEvents(response);
  readers.push(events.reader);
  const next = async (ms = 2_000): Promise<NamedEvent | undefined> => {
    const read = await events.next(ms);
    if (read === undefined) return undefined;
    const event = read.event ?? "message";
    return { event, data: read.data, message: event === "message" ? JSON.parse(read.data) : undefined };
  };
  return { next, cancel: events.cancel };
}

const get = (server: Server, headers: Record<string, string> = {}, host?: Parameters<Server["handle"]>[1]) =>
  server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", ...headers } }), host);

const postTo = (server: Server, endpoint: string, body: unknown, headers: Record<string, string> = {}, host?: Parameters<Server["handle"]>[1]) =>
  server.handle(new Request(new URL(endpoint, ENDPOINT), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }), host);

const INITIALIZE = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2024-11-05", capabilities: { elicitation: {} }, clientInfo: { name: "old", version: "1" } } };

/** Opens a legacy stream on `server` and initializes through `poster`: the stream and its endpoint. */
async function connectLegacy(server: Server, poster: Server = server) {
  const response = await get(server);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const stream = legacyStream(response);
  const endpoint = await stream.next();
  expect(endpoint?.event).toBe("endpoint");
  const path = endpoint!.data;
  const accepted = await postTo(poster, path, INITIALIZE);
  expect({ status: accepted.status, body: await accepted.text() }).toEqual({ status: 202, body: "" });
  expect((await stream.next())?.message).toMatchObject({ id: 0, result: { protocolVersion: "2024-11-05", serverInfo: { name: "legacy" } } });
  expect((await postTo(poster, path, { jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);
  return { stream, path, sessionId: new URL(path, ENDPOINT).searchParams.get("sessionId")! };
}

describe("legacySse (2024-11-05 HTTP+SSE)", () => {
  it("announces the endpoint first, as a relative URI with a long random sessionId", async () => {
    const server = legacyServer();
    const stream = legacyStream(await get(server));
    const first = await stream.next();
    expect(first?.event).toBe("endpoint");
    expect(first?.data).toMatch(/^\/mcp\?sessionId=[A-Za-z0-9_-]{21}$/);
    const other = legacyStream(await get(server));
    expect((await other.next())?.data).not.toBe(first?.data);
  });

  it("answers POSTs 202 with an empty body and puts the answers, progress and logs on the stream", async () => {
    const server = legacyServer();
    const { stream, path } = await connectLegacy(server);
    const listed = await postTo(server, path, { jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect({ status: listed.status, body: await listed.text() }).toEqual({ status: 202, body: "" });
    const tools = await stream.next();
    expect(tools?.event).toBe("message");
    expect(tools?.message.result.tools.map((t: { name: string }) => t.name)).toEqual(["add", "steps", "ask"]);

    expect((await postTo(server, path, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "steps", arguments: {}, _meta: { progressToken: "p" } } })).status).toBe(202);
    const seen = [await stream.next(), await stream.next(), await stream.next(), await stream.next()].map((e) => e?.message);
    expect(seen).toEqual([
      { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: "p", progress: 1, total: 2, message: "half" } },
      { jsonrpc: "2.0", method: "notifications/message", params: { level: "info", data: "working" } },
      { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: "p", progress: 2, total: 2, message: "done" } },
      { jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "stepped" }] } },
    ]);
  });

  it("delivers a server→client request on the stream and takes the client's reply by POST", async () => {
    const server = legacyServer();
    const { stream, path } = await connectLegacy(server);
    expect((await postTo(server, path, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "ask", arguments: {} } })).status).toBe(202);
    const asked = (await stream.next())?.message;
    expect(asked).toMatchObject({ method: "elicitation/create", params: { message: "Name?" } });
    expect((await postTo(server, path, { jsonrpc: "2.0", id: asked.id, result: { action: "accept", content: { name: "Ada" } } })).status).toBe(202);
    expect((await stream.next())?.message).toEqual({ jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "Hello Ada" }] } });
  });

  it("accepts a batch (2024-11-05 has them) and answers each request on the stream", async () => {
    const server = legacyServer();
    const { stream, path } = await connectLegacy(server);
    const batch = [
      { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 2 } } },
      { jsonrpc: "2.0", id: 5, method: "ping" },
    ];
    expect((await postTo(server, path, batch)).status).toBe(202);
    const answers = [(await stream.next())?.message, (await stream.next())?.message].sort((x, y) => x.id - y.id);
    expect(answers).toEqual([
      { jsonrpc: "2.0", id: 4, result: { content: [{ type: "text", text: "3" }] } },
      { jsonrpc: "2.0", id: 5, result: {} },
    ]);
  });

  it("answers errors as JSON-RPC: on the stream for a failing request, in the body for one refused outright", async () => {
    const server = legacyServer();
    const { stream, path } = await connectLegacy(server);
    expect((await postTo(server, path, { jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "nope" } })).status).toBe(202);
    expect((await stream.next())?.message).toMatchObject({ id: 6, error: { code: -32602 } });
    expect((await postTo(server, path, INITIALIZE)).status).toBe(202);
    expect((await stream.next())?.message).toMatchObject({ id: 0, error: { code: -32600, message: expect.stringContaining("already initialized") } });
    const invalid = await postTo(server, path, { hello: 1 });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it("answers 404 with a JSON-RPC error for an unknown sessionId, a 2025 session's id, another caller's session", async () => {
    const server = legacyServer();
    const unknown = await postTo(server, "/mcp?sessionId=nobody-has-this-id-at-all", { jsonrpc: "2.0", id: 1, method: "ping" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32001 } });

    const modern = await post(server, { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: "2025-11-25" } });
    const modernId = modern.headers.get("mcp-session-id")!;
    expect((await postTo(server, `/mcp?sessionId=${modernId}`, { jsonrpc: "2.0", id: 1, method: "ping" })).status).toBe(404);

    const mine = legacyStream(await get(server, {}, { auth: { principal: "alice" } }));
    const path = (await mine.next())!.data;
    expect((await postTo(server, path, INITIALIZE, {}, { auth: { principal: "mallory" } })).status).toBe(404);
    expect((await postTo(server, path, INITIALIZE)).status).toBe(404);
    expect((await postTo(server, path, INITIALIZE, {}, { auth: { principal: "alice" } })).status).toBe(202);
  });

  it("ends the session when the stream closes: its id answers 404 from then on", async () => {
    const server = legacyServer();
    const { stream, path, sessionId } = await connectLegacy(server);
    expect(await server.storage.sessions.get(sessionId)).toMatchObject({ legacySse: "open", protocolVersion: "2024-11-05", clientInfo: { name: "old" } });
    await stream.cancel();
    await expect.poll(() => server.storage.sessions.get(sessionId)).toBeUndefined();
    expect((await postTo(server, path, { jsonrpc: "2.0", id: 1, method: "ping" })).status).toBe(404);
  });

  it("keeps an open stream's session alive past sessionTimeout, with keep-alive comments", async () => {
    const server = createServer({ name: "idle", version: "1", legacySse: true, sessionTimeout: 200, sse: { keepAlive: 50 } });
    open.push(server);
    const response = await get(server);
    const reader = response.body!.getReader();
    readers.push(reader);
    const decoder = new TextDecoder();
    let text = "";
    const pump = (async () => {
      for (;;) {
        const read = await reader.read();
        if (read.done) return;
        text += decoder.decode(read.value, { stream: true });
      }
    })();
    await expect.poll(() => /sessionId=/.test(text)).toBe(true);
    const path = /data: (\S+)/.exec(text)![1];
    expect((await postTo(server, path, INITIALIZE)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 600)); // three session timeouts
    expect((await postTo(server, path, { jsonrpc: "2.0", id: 9, method: "ping" })).status).toBe(202);
    await expect.poll(() => text.includes('"id":9')).toBe(true);
    expect(text).toContain(": keep-alive\n\n");
    void pump;
  });

  it("applies the 2025 leg's checks: Origin, size limit, Content-Type", async () => {
    const server = legacyServer();
    expect((await get(server, { origin: "https://evil.example" })).status).toBe(403);
    const { path } = await connectLegacy(server);
    expect((await postTo(server, path, { jsonrpc: "2.0", id: 1, method: "ping" }, { origin: "https://evil.example" })).status).toBe(403);
    expect((await postTo(server, path, { jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(1_100_000) } })).status).toBe(413);
    const text = await server.handle(new Request(new URL(path, ENDPOINT), { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" }));
    expect(text.status).toBe(415);
  });

  it("leaves 2025-era GETs alone: a GET with MCP-Protocol-Version or Mcp-Session-Id is not a legacy stream", async () => {
    const on = legacyServer();
    const off = legacyServer({ legacySse: false });
    for (const headers of [{ "mcp-protocol-version": "2025-11-25" }, { "mcp-session-id": "nobody-has-this-id-at-all" }] as Record<string, string>[]) {
      const [a, b] = [await get(on, headers), await get(off, headers)];
      expect({ status: a.status, body: await a.text() }).toEqual({ status: b.status, body: await b.text() });
    }
  });

  it("changes nothing when off: a bare GET and a POST to ?sessionId= get today's answers", async () => {
    const off = legacyServer({ legacySse: false });
    const bare = await get(off);
    expect({ status: bare.status, body: await bare.json() }).toEqual({
      status: 400,
      body: { jsonrpc: "2.0", id: null, error: { code: -32000, message: "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one" } },
    });
    const ping = await postTo(off, "/mcp?sessionId=whatever-it-is-here", { jsonrpc: "2.0", id: 1, method: "ping" }, { accept: "application/json, text/event-stream" });
    expect(ping.status).toBe(400);
    const init = await postTo(off, "/mcp?sessionId=whatever-it-is-here", INITIALIZE, { accept: "application/json, text/event-stream" });
    expect(init.status).toBe(200);
    expect(init.headers.get("mcp-session-id")).toBeTruthy();
  });

  it("works across instances: stream on A, POSTs (and the elicitation reply) on B", async () => {
    const storage = memoryStorage();
    const a = legacyServer({ storage });
    const b = legacyServer({ storage });
    const { stream, path } = await connectLegacy(a, b);
    expect((await postTo(b, path, { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "steps", arguments: {}, _meta: { progressToken: 9 } } })).status).toBe(202);
    const seen = [await stream.next(), await stream.next(), await stream.next(), await stream.next()].map((e) => e?.message);
    expect(seen.map((m) => m.method ?? m.id)).toEqual(["notifications/progress", "notifications/message", "notifications/progress", 7]);
    expect((await postTo(b, path, { jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "ask", arguments: {} } })).status).toBe(202);
    const asked = (await stream.next())?.message;
    expect(asked.method).toBe("elicitation/create");
    expect((await postTo(a, path, { jsonrpc: "2.0", id: asked.id, result: { action: "accept", content: { name: "Bo" } } })).status).toBe(202);
    expect((await stream.next())?.message).toEqual({ jsonrpc: "2.0", id: 8, result: { content: [{ type: "text", text: "Hello Bo" }] } });
  });
});
