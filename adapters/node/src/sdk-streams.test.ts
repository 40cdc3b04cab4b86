/**
 * Stream behaviour over real HTTP on 127.0.0.1: resumption after a dropped POST stream,
 * the standalone GET stream, and two instances sharing one storage.
 * Raw `fetch` reads the SSE bodies so each event can be checked; the SDK client checks
 * that resumption is transparent to a real client.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type Storage, createServer, memoryStorage } from "@wisp/core";
import * as v from "valibot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Json, LATEST, legacyPost as post } from "../../../test-kit/mcp.js";
import { sleep, withTimeout } from "../../../test-kit/process.js";
import { type RunningServer, serve } from "./index.js";

// ---------- raw HTTP + SSE helpers ----------

function get(url: string, sessionId: string, lastEventId?: string): Promise<Response> {
  const headers: Record<string, string> = { accept: "text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": LATEST };
  if (lastEventId) headers["last-event-id"] = lastEventId;
  return fetch(url, { method: "GET", headers });
}

async function rawInit(url: string, capabilities: Json = {}) {
  const res = await post(url, undefined, {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: LATEST, capabilities, clientInfo: { name: "raw-fetch", version: "1.0.0" } },
  });
  expect(res.status).toBe(200);
  const sessionId = res.headers.get("mcp-session-id");
  expect(((await res.json()) as Json).result.protocolVersion).toBe(LATEST);
  expect(sessionId).toBeTruthy();
  const initialized = await post(url, sessionId!, { jsonrpc: "2.0", method: "notifications/initialized" }, LATEST);
  expect(initialized.status).toBe(202);
  return sessionId!;
}

interface SseEvent {
  id?: string;
  data: string;
  retry?: number;
}

/** Reads one SSE body event by event; every read is bounded by a timeout. */
class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";
  #pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  ended = false;
  /** Every event read so far, in order. */
  readonly events: SseEvent[] = [];

  constructor(res: Response) {
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    this.#reader = res.body!.getReader();
  }

  /** The next event, or undefined once the server has ended the stream. */
  async next(timeoutMs = 5_000): Promise<SseEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() <= deadline) {
      const cut = this.#buffer.indexOf("\n\n");
      if (cut !== -1) {
        const block = this.#buffer.slice(0, cut);
        this.#buffer = this.#buffer.slice(cut + 2);
        const event = parseBlock(block);
        if (event) {
          this.events.push(event);
          return event;
        }
        continue;
      }
      if (this.ended) return undefined;
      const chunk = await withTimeout((this.#pending ??= this.#reader.read()), deadline - Date.now(), "an SSE event");
      this.#pending = undefined;
      if (chunk.done) this.ended = true;
      else this.#buffer += this.#decoder.decode(chunk.value, { stream: true });
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for an SSE event`);
  }

  /** Reads until a JSON-RPC message matching `match` arrives. */
  async until(match: (message: Json) => boolean, timeoutMs = 5_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() <= deadline) {
      const event = await this.next(deadline - Date.now());
      if (!event) throw new Error(`the stream ended before the expected message; saw ${JSON.stringify(this.events)}`);
      if (event.data === "") continue;
      const message = JSON.parse(event.data) as Json;
      if (match(message)) return message;
    }
    throw new Error(`timed out after ${timeoutMs} ms; saw ${JSON.stringify(this.events)}`);
  }

  /** Reads until the server ends the stream. */
  async toEnd(timeoutMs = 5_000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() <= deadline) if (!(await this.next(deadline - Date.now()))) return this.events;
    throw new Error(`the stream did not end within ${timeoutMs} ms`);
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let retry: number | undefined;
  let data: string[] | undefined;
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "id") id = value;
    else if (field === "retry") retry = Number(value);
    else if (field === "data") (data ??= []).push(value);
  }
  if (id === undefined && data === undefined && retry === undefined) return undefined; // a comment (keep-alive)
  return { id, data: (data ?? []).join("\n"), retry };
}

const isResponseTo = (id: number | string) => (m: Json) => m.id === id && !("method" in m);

// Everything opened by a test is closed after it, even when it fails.
const readers: SseReader[] = [];
const clients: Client[] = [];
const servers: RunningServer[] = [];
function track(reader: SseReader): SseReader {
  readers.push(reader);
  return reader;
}
afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.cancel();
  for (const client of clients.splice(0)) await client.close().catch(() => {});
});
afterAll(async () => {
  for (const running of servers.splice(0)) await running.close();
});

/** Request id → resolver, called by the `wait` tool when its signal aborts. */
const aborts = new Map<string, (reason: string) => void>();
function abortOf(requestId: number) {
  return new Promise<string>((resolve) => aborts.set(String(requestId), resolve));
}

function buildServer(storage?: Storage) {
  return createServer({ name: "streams-it", version: "1.0.0", storage, sse: { retry: 50 } })
    .tool("drop", { description: "Progress, drops its stream, keeps working" }, async (_args, ctx) => {
      ctx.progress(1, 2, "before the drop");
      ctx.closeSSEStream();
      await sleep(100);
      ctx.progress(2, 2, "after the drop");
      return "survived the drop";
    })
    .tool("whoami", { description: "Names the session" }, (_args, ctx) => `session ${ctx.session.id}`)
    .tool("ask_name", { description: "Elicits a name" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "What is your name?", schema: v.object({ name: v.string() }) });
      return answer.action === "accept" ? `Hello, ${answer.content.name}` : `no answer: ${answer.action}`;
    })
    .tool("wait", { description: "Waits until its signal aborts" }, (_args, ctx) => {
      const signal = ctx.signal;
      return new Promise<string>((resolve) => {
        signal.addEventListener("abort", () => {
          aborts.get(String(ctx.request.id))?.(String(signal.reason));
          resolve("aborted");
        }, { once: true });
        ctx.progress(1, undefined, "waiting"); // turns the response into a stream, so the test knows the tool runs
      });
    })
    .resource("res://watched", { name: "watched" }, () => "watched")
    .resource("res://other", { name: "other" }, () => "other");
}

async function start(storage?: Storage) {
  const server = buildServer(storage);
  const running = await serve(server, { port: 0 });
  servers.push(running);
  return { server, running };
}

// ---------- 6. resumption ----------

describe("resumption after the server drops a POST stream", () => {
  let running: RunningServer;
  beforeAll(async () => {
    ({ running } = await start());
  });

  it("replays and follows the stream on GET with Last-Event-ID (raw fetch)", async () => {
    const sessionId = await rawInit(running.url);
    const res = await post(running.url, sessionId, { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "drop", _meta: { progressToken: "tok" } } }, LATEST);
    expect(res.status).toBe(200);
    const first = track(new SseReader(res));
    const before = await first.toEnd(3_000);
    const messages = before.filter((e) => e.data !== "").map((e) => JSON.parse(e.data) as Json);
    expect(messages.some(isResponseTo(5)), "the response must not arrive on the dropped stream").toBe(false);
    expect(messages).toContainEqual(expect.objectContaining({ method: "notifications/progress", params: expect.objectContaining({ progress: 1 }) }));
    expect(before[0]).toMatchObject({ data: "", retry: 50 }); // priming event
    const lastId = before.filter((e) => e.id !== undefined).at(-1)?.id;
    expect(lastId).toBeTruthy();

    const resumed = await get(running.url, sessionId, lastId);
    expect(resumed.status).toBe(200);
    const second = track(new SseReader(resumed));
    const reply = await second.until(isResponseTo(5), 3_000);
    expect(reply.result).toEqual({ content: [{ type: "text", text: "survived the drop" }] });
    const afterDrop = second.events.filter((e) => e.data !== "").map((e) => JSON.parse(e.data) as Json);
    expect(afterDrop[0]).toMatchObject({ method: "notifications/progress", params: { progress: 2, message: "after the drop" } });
    expect(afterDrop.filter((m) => m.params?.progress === 1), "nothing before Last-Event-ID is replayed").toEqual([]);
    expect(await second.next(2_000), "the resumed stream ends after the response").toBeUndefined();
  });

  it("the SDK client completes such a call transparently", async () => {
    const client = new Client({ name: "sdk-streams", version: "1.0.0" });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(running.url)));
    const progress: Json[] = [];
    const result = await withTimeout(
      client.callTool({ name: "drop" }, undefined, { onprogress: (p) => void progress.push(p), timeout: 5_000 }),
      6_000,
      "the SDK call",
    );
    expect(result.content).toEqual([{ type: "text", text: "survived the drop" }]);
    expect(progress.map((p) => p.progress)).toEqual([1, 2]);
  });
});

// ---------- 9. the standalone GET stream ----------

describe("standalone GET stream", () => {
  let server: ReturnType<typeof buildServer>;
  let running: RunningServer;
  beforeAll(async () => {
    ({ server, running } = await start());
  });

  it("carries list_changed and resource updates (only to subscribers), and is one per session", async () => {
    const subscriber = await rawInit(running.url);
    const bystander = await rawInit(running.url);
    const subscribed = await post(running.url, subscriber, { jsonrpc: "2.0", id: 1, method: "resources/subscribe", params: { uri: "res://watched" } }, LATEST);
    expect(subscribed.status).toBe(200);
    expect(((await subscribed.json()) as Json).result).toEqual({});

    const resA = await get(running.url, subscriber);
    expect(resA.status).toBe(200);
    const streamA = track(new SseReader(resA));
    const resB = await get(running.url, bystander);
    expect(resB.status).toBe(200);
    const streamB = track(new SseReader(resB));
    expect(await streamA.next(2_000)).toMatchObject({ data: "", retry: 50 }); // priming event at 2025-11-25

    const conflict = await get(running.url, subscriber);
    expect(conflict.status).toBe(409);
    await conflict.body?.cancel();

    server.tool("late", { description: "Registered while serving" }, () => "late");
    await streamA.until((m) => m.method === "notifications/tools/list_changed", 3_000);
    await streamB.until((m) => m.method === "notifications/tools/list_changed", 3_000);

    await server.notifyResourceUpdated("res://watched");
    const updated = await streamA.until((m) => m.method === "notifications/resources/updated", 3_000);
    expect(updated.params).toEqual({ uri: "res://watched" });

    // A sentinel after the update: the bystander must see it with no update before it.
    server.removeTool("late");
    await streamB.until((m) => m.method === "notifications/tools/list_changed" && streamB.events.length > 2, 3_000);
    const seenByB = streamB.events.filter((e) => e.data !== "").map((e) => (JSON.parse(e.data) as Json).method);
    expect(seenByB).toEqual(["notifications/tools/list_changed", "notifications/tools/list_changed"]);
  });
});

// ---------- 10. two instances, one storage ----------

/** Two instances sharing one memoryStorage(). */
async function startPair(): Promise<{ a: RunningServer; b: RunningServer }> {
  const storage = memoryStorage();
  const { running: a } = await start(storage);
  const { running: b } = await start(storage);
  return { a, b };
}

describe("two instances sharing one memoryStorage()", () => {
  let a: RunningServer;
  let b: RunningServer;
  beforeAll(async () => {
    ({ a, b } = await startPair());
  });

  it("serves a session initialized on A from B", async () => {
    const sessionId = await rawInit(a.url);
    const res = await post(b.url, sessionId, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "whoami" } }, LATEST);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Json).result).toEqual({ content: [{ type: "text", text: `session ${sessionId}` }] });
  });

  it("completes an elicitation asked on A's stream and answered through B", async () => {
    const sessionId = await rawInit(a.url, { elicitation: {} });
    const res = await post(a.url, sessionId, { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "ask_name" } }, LATEST);
    expect(res.status).toBe(200);
    const stream = track(new SseReader(res));
    const request = await stream.until((m) => m.method === "elicitation/create", 3_000);
    expect(request.params).toMatchObject({ message: "What is your name?", mode: "form" });

    const answered = await post(b.url, sessionId, { jsonrpc: "2.0", id: request.id, result: { action: "accept", content: { name: "Ada" } } }, LATEST);
    expect(answered.status).toBe(202);
    const reply = await stream.until(isResponseTo(3), 3_000);
    expect(reply.result).toEqual({ content: [{ type: "text", text: "Hello, Ada" }] });
  });
});

describe("two instances sharing one memoryStorage(): cancellation, resumption, deletion", () => {
  let a: RunningServer;
  let b: RunningServer;
  beforeAll(async () => {
    ({ a, b } = await startPair());
  });

  it("notifications/cancelled sent to B aborts the tool running on A", async () => {
    const sessionId = await rawInit(a.url);
    const aborted = abortOf(11);
    const res = await post(a.url, sessionId, { jsonrpc: "2.0", id: 11, method: "tools/call", params: { name: "wait", _meta: { progressToken: 1 } } }, LATEST);
    const stream = track(new SseReader(res));
    await stream.until((m) => m.method === "notifications/progress", 3_000);
    const cancelled = await post(b.url, sessionId, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 11, reason: "changed my mind" } }, LATEST);
    expect(cancelled.status).toBe(202);
    expect(await withTimeout(aborted, 3_000, "the tool on A to see the abort")).toBe("changed my mind");
  });

  it("a stream dropped by A resumes on B with Last-Event-ID", async () => {
    const sessionId = await rawInit(a.url);
    const res = await post(a.url, sessionId, { jsonrpc: "2.0", id: 12, method: "tools/call", params: { name: "drop", _meta: { progressToken: "t" } } }, LATEST);
    const first = track(new SseReader(res));
    const lastId = (await first.toEnd(3_000)).filter((e) => e.id !== undefined).at(-1)?.id;
    expect(lastId).toBeTruthy();
    const resumed = await get(b.url, sessionId, lastId);
    expect(resumed.status).toBe(200);
    const reply = await track(new SseReader(resumed)).until(isResponseTo(12), 3_000);
    expect(reply.result).toEqual({ content: [{ type: "text", text: "survived the drop" }] });
  });

  it("DELETE on B ends A's GET stream and aborts A's tool in flight", async () => {
    const sessionId = await rawInit(a.url);
    const standalone = track(new SseReader(await get(a.url, sessionId)));
    const aborted = abortOf(13);
    const res = await post(a.url, sessionId, { jsonrpc: "2.0", id: 13, method: "tools/call", params: { name: "wait", _meta: { progressToken: 1 } } }, LATEST);
    await track(new SseReader(res)).until((m) => m.method === "notifications/progress", 3_000);

    const deleted = await fetch(b.url, { method: "DELETE", headers: { "mcp-session-id": sessionId } });
    expect(deleted.status).toBe(200);
    expect(await withTimeout(aborted, 3_000, "the tool on A to see the abort")).toBe("session ended");
    await standalone.toEnd(3_000);
    const after = await post(a.url, sessionId, { jsonrpc: "2.0", id: 14, method: "ping" }, LATEST);
    expect(after.status).toBe(404);
  });
});
