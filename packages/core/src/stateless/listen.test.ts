/**
 * `subscriptions/listen` (2026-07-28, checklist §9, conformance.md §10.2): an SSE stream whose
 * first message acknowledges the honoured subset, then carries only opted-in change
 * notifications tagged with the subscription id, and ends with a result on server shutdown.
 * SSE bodies are read message by message with bounded waits.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { fromRequest } from "../http/exchange.js";
import { createStatelessHandlers } from "./handlers.js";
import type { Server } from "../server.js";
import { memoryStorage } from "../storage/memory.js";
import { ENDPOINT } from "../test-support/requests.js";

const V = "2026-07-28";
const SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";
type Json = Record<string, any>;

const meta = (caps: Json = {}) => ({
  "io.modelcontextprotocol/protocolVersion": V,
  "io.modelcontextprotocol/clientCapabilities": caps,
  "io.modelcontextprotocol/clientInfo": { name: "listen-test", version: "1" },
});

const open: Server[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((server) => server.close()));
});

function track<S extends Server>(server: S): S {
  open.push(server);
  return server;
}

function fullServer(options: Partial<Parameters<typeof createServer>[0]> = {}) {
  return track(
    createServer({ name: "listen", version: "1", ...options })
      .tool("t1", { description: "A tool" }, () => "t1")
      .prompt("p1", { description: "A prompt" }, () => "p1")
      .resource("test://a", { name: "a" }, () => "a")
      .resource("test://b", { name: "b" }, () => "b"),
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Reads SSE messages one at a time with bounded waits; a timed-out read stays pending for the next call. */
function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  const take = (): Json | undefined => {
    for (;;) {
      const boundary = buffer.indexOf("\n\n");
      if (boundary === -1) return undefined;
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).trim())
        .join("");
      if (data) return JSON.parse(data) as Json;
    }
  };
  return {
    /** The next JSON-RPC message, or "end" when the stream closed. Rejects after `timeoutMs`. */
    async next(timeoutMs = 2_000): Promise<Json | "end"> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const message = take();
        if (message) return message;
        pending ??= reader.read();
        const { value, done } = await withTimeout(pending, Math.max(1, deadline - Date.now()), "an SSE message");
        pending = undefined;
        if (done) return "end";
        buffer += decoder.decode(value, { stream: true });
      }
    },
    /** Resolves true when nothing arrives within `ms` (the pending read is kept for later). */
    async quiet(ms: number): Promise<boolean> {
      try {
        const message = await this.next(ms);
        throw new Error(`expected silence, got ${JSON.stringify(message)}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("timed out")) return true;
        throw error;
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

async function listen(server: Server, id: number | string, notifications: unknown, caps: Json = {}) {
  const response = await server.handle(
    new Request(ENDPOINT, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": V, "mcp-method": "subscriptions/listen" },
      body: JSON.stringify({ jsonrpc: "2.0", id, method: "subscriptions/listen", params: { notifications, _meta: meta(caps) } }),
    }),
  );
  return response;
}

/** Opens a listen stream and checks its first message is the acknowledgement; returns the reader and the ack. */
async function listenAcked(server: Server, id: number | string, notifications: Json) {
  const response = await listen(server, id, notifications);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  const stream = sseReader(response);
  const ack = (await stream.next()) as Json;
  expect(ack).toMatchObject({ jsonrpc: "2.0", method: "notifications/subscriptions/acknowledged" });
  expect(ack).not.toHaveProperty("id");
  expect(ack.params._meta[SUBSCRIPTION_ID]).toBe(id);
  return { stream, ack };
}

describe("subscriptions/listen", () => {
  it("the first message is the acknowledgement with the honoured subset and the request id as subscriptionId", async () => {
    const server = fullServer();
    const { stream, ack } = await listenAcked(server, 42, { toolsListChanged: true });
    expect(ack.params.notifications).toEqual({ toolsListChanged: true });
    stream.cancel();
  });

  it("a tool registered afterwards delivers notifications/tools/list_changed tagged with the id", async () => {
    const server = fullServer();
    const { stream } = await listenAcked(server, "sub-1", { toolsListChanged: true });
    server.tool("late", { description: "Registered after the listen" }, () => "late");
    const message = (await stream.next()) as Json;
    expect(message).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: { _meta: { [SUBSCRIPTION_ID]: "sub-1" } } });
    server.removeTool("late");
    expect(((await stream.next()) as Json).method).toBe("notifications/tools/list_changed");
    stream.cancel();
  });

  it("a listen for prompts only does not receive tool changes", async () => {
    const server = fullServer();
    const { stream, ack } = await listenAcked(server, 7, { promptsListChanged: true });
    expect(ack.params.notifications).toEqual({ promptsListChanged: true });
    server.tool("late", { description: "A tool change" }, () => "late");
    await server.notifyListChanged("tools");
    expect(await stream.quiet(150)).toBe(true);
    server.prompt("late_prompt", { description: "A prompt change" }, () => "p");
    // The tool changes were published first; the next message is the prompt change.
    expect(await stream.next()).toEqual({ jsonrpc: "2.0", method: "notifications/prompts/list_changed", params: { _meta: { [SUBSCRIPTION_ID]: 7 } } });
    stream.cancel();
  });

  it("notifyResourceUpdated(uri) reaches the listen subscribed to that uri and not another", async () => {
    const server = fullServer();
    const a = await listenAcked(server, "a", { resourceSubscriptions: ["test://a"] });
    expect(a.ack.params.notifications).toEqual({ resourceSubscriptions: ["test://a"] });
    const b = await listenAcked(server, "b", { resourceSubscriptions: ["test://b"] });
    await server.notifyResourceUpdated("test://a");
    expect(await a.stream.next()).toEqual({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: "test://a", _meta: { [SUBSCRIPTION_ID]: "a" } } });
    await server.notifyResourceUpdated("test://b");
    // b's first message after its ack is its own uri: the update for test://a never reached it.
    expect(await b.stream.next()).toEqual({ jsonrpc: "2.0", method: "notifications/resources/updated", params: { uri: "test://b", _meta: { [SUBSCRIPTION_ID]: "b" } } });
    expect(await a.stream.quiet(100)).toBe(true);
    a.stream.cancel();
    b.stream.cancel();
  });

  it("flags for capabilities the server lacks are dropped from the ack", async () => {
    const server = track(createServer({ name: "tools-only", version: "1" }).tool("t", { description: "T" }, () => "t"));
    const { stream, ack } = await listenAcked(server, 1, {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: true,
      resourceSubscriptions: ["test://a"],
    });
    expect(ack.params.notifications).toEqual({ toolsListChanged: true });
    stream.cancel();
  });

  it("flags that are not true are not honoured", async () => {
    const server = fullServer();
    const { stream, ack } = await listenAcked(server, 2, { toolsListChanged: false, promptsListChanged: "yes", resourcesListChanged: true });
    expect(ack.params.notifications).toEqual({ resourcesListChanged: true });
    stream.cancel();
  });

  it("server.close() ends the stream with the result { resultType: complete, _meta: { subscriptionId } }", async () => {
    const server = fullServer();
    const { stream } = await listenAcked(server, "closing", { toolsListChanged: true });
    await server.close();
    expect(await stream.next()).toEqual({ jsonrpc: "2.0", id: "closing", result: { resultType: "complete", _meta: { [SUBSCRIPTION_ID]: "closing" } } });
    expect(await stream.next()).toBe("end");
  });

  it("two servers sharing one memoryStorage(): a tool registered on B reaches a listen held by A", async () => {
    const storage = memoryStorage();
    const a = track(createServer({ name: "a", version: "1", storage }).tool("on_a", { description: "A" }, () => "a"));
    const b = track(createServer({ name: "b", version: "1", storage }).tool("on_b", { description: "B" }, () => "b"));
    const { stream } = await listenAcked(a, 99, { toolsListChanged: true });
    b.tool("new_on_b", { description: "New on B" }, () => "new");
    expect(await stream.next()).toEqual({ jsonrpc: "2.0", method: "notifications/tools/list_changed", params: { _meta: { [SUBSCRIPTION_ID]: 99 } } });
    stream.cancel();
  });

  it("starting another instance on the same storage announces nothing: what it registers at creation is its starting state", async () => {
    const storage = memoryStorage();
    const a = track(createServer({ name: "a", version: "1", storage }).tool("on_a", { description: "A" }, () => "a").resource("test://a", { name: "a" }, () => "a"));
    const { stream } = await listenAcked(a, 97, { toolsListChanged: true, resourcesListChanged: true });
    track(createServer({ name: "a", version: "1", storage }).tool("on_a", { description: "A" }, () => "a").tool("on_b", { description: "B" }, () => "b"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await a.notifyListChanged("resources"); // a sentinel: a startup announcement would arrive before it
    expect(await stream.next()).toEqual({ jsonrpc: "2.0", method: "notifications/resources/list_changed", params: { _meta: { [SUBSCRIPTION_ID]: 97 } } });
    stream.cancel();
  });

  it("a client closing the stream unsubscribes it: later changes do not throw", async () => {
    const server = fullServer();
    const { stream } = await listenAcked(server, 5, { toolsListChanged: true });
    await stream.cancel();
    server.tool("after_close", { description: "After the client left" }, () => "x");
    await server.notifyListChanged("tools");
    const again = await listenAcked(server, 6, { toolsListChanged: true });
    server.tool("after_close_2", { description: "Seen by the new stream" }, () => "x");
    expect(((await again.stream.next()) as Json).params._meta[SUBSCRIPTION_ID]).toBe(6);
    again.stream.cancel();
  });

  it("notifications must be an object → JSON-RPC -32602 with the id", async () => {
    const server = fullServer();
    for (const notifications of [undefined, null, [], "all"]) {
      const response = await listen(server, "bad", notifications);
      const body = (await response.json()) as Json;
      expect(body).toMatchObject({ id: "bad", error: { code: -32602 } });
    }
  });
});

describe("subscriptions/listen, loaded on its first request", () => {
  it("a listen whose code arrives after close() began is refused with 503, not opened past the shutdown", async () => {
    const handlers = createStatelessHandlers(fullServer());
    const body = { jsonrpc: "2.0", id: 1, method: "subscriptions/listen", params: { notifications: { toolsListChanged: true }, _meta: meta() } };
    const request = new Request(ENDPOINT, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": V, "mcp-method": "subscriptions/listen" },
      body: JSON.stringify(body),
    });
    // post() runs up to the import() of listen.ts; close() begins before that import settles.
    const answer = handlers.post(body, { exchange: fromRequest(request), host: undefined, responseHeaders: {}, canStream: true });
    const closed = handlers.close(0);
    await expect(answer).rejects.toMatchObject({ status: 503, code: -32603, headers: { "retry-after": "1" } });
    await closed;
  });
});
