/**
 * Clients that stop reading or leave (issue 12): an SSE response holds at most
 * `sse.maxBuffered` bytes for a client that does not read, and a client that goes away
 * cancels the work whose answer nobody could receive any more.
 */
import { describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { ENDPOINT, JSON_AND_SSE, initialize, parseResponse } from "../test-support/requests.js";

const V = "2026-07-28";
const META = { "io.modelcontextprotocol/protocolVersion": V, "io.modelcontextprotocol/clientCapabilities": {} };
const MAX_BUFFERED = 16 * 1024;
const PAD = "x".repeat(1_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Resolves true when `signal` aborts within `ms`, false otherwise. */
const abortedWithin = (signal: AbortSignal, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (signal.aborted) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

function request(body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) {
  return new Request(ENDPOINT, { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: JSON.stringify(body), signal });
}
const modernHeaders = (name: string) => ({ "mcp-protocol-version": V, "mcp-method": "tools/call", "mcp-name": name });
const progressToken = { progressToken: "p" };

describe("a client that does not read its SSE stream", () => {
  it("2025: the stream is cut past sse.maxBuffered; the client resumes everything from storage", async () => {
    const flooding = gate();
    let finished = false;
    const server = createServer({ name: "slow", version: "1", sse: { maxBuffered: MAX_BUFFERED } }).tool("flood", { description: "300 progress events of 1 KB" }, async (_a, ctx) => {
      ctx.progress(1, 301, PAD);
      await flooding.opened;
      for (let step = 2; step <= 301; step++) ctx.progress(step, 301, PAD);
      finished = true;
      return "flooded";
    });
    const sessionId = await initialize(server);
    const response = await server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood", arguments: {}, _meta: progressToken } }, { "mcp-session-id": sessionId }));
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const primingId = /^id: (\S+)/m.exec(first)![1];
    flooding.open();
    await sleep(20); // the handler floods while nobody reads
    const drained = (async () => {
      for (;;) if ((await reader.read()).done) return;
    })();
    await expect(drained).rejects.toThrow(`the client did not read its SSE stream: over ${MAX_BUFFERED} bytes waiting`);
    expect(finished).toBe(true);

    const resumed = await parseResponse(await server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "last-event-id": primingId } })));
    const progress = resumed.events.filter((m) => m.method === "notifications/progress").map((m) => m.params.progress);
    expect(progress).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    expect(resumed.body).toEqual({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "flooded" }] } });
  });

  it("2026: past sse.maxBuffered the stream is cut and the handler's signal aborts", async () => {
    let sent = 0;
    let aborted = false;
    const server = createServer({ name: "slow", version: "1", sse: { maxBuffered: MAX_BUFFERED } }).tool("flood", { description: "Progress until cancelled" }, async (_a, ctx) => {
      for (sent = 1; sent <= 10_000 && !ctx.signal.aborted; sent++) {
        ctx.progress(sent, 10_000, PAD);
        await sleep(0);
      }
      aborted = ctx.signal.aborted;
      return "flooded";
    });
    const response = await server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood", arguments: {}, _meta: { ...META, ...progressToken } } }, modernHeaders("flood")));
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    for (let waited = 0; waited < 5_000 && !aborted; waited += 10) await sleep(10);
    expect(aborted).toBe(true);
    expect(sent).toBeLessThan(100); // cut at about 16 events of 1 KB, not after 10 000
    await expect(response.body!.getReader().read()).rejects.toThrow(/did not read its SSE stream/);
  });
});

describe("a client that goes away", () => {
  /** A server whose `wait` tool runs until its signal aborts; `signal()` is that tool's ctx.signal once it runs. */
  function waitingServer() {
    const started = gate();
    let signal: AbortSignal | undefined;
    const server = createServer({ name: "gone", version: "1" }).tool("wait", { description: "Waits to be cancelled" }, async (_a, ctx) => {
      signal = ctx.signal;
      started.open();
      await abortedWithin(ctx.signal, 5_000);
      return "stopped";
    });
    return { server, started: started.opened, signal: () => signal! };
  }

  it("2026, JSON response: the handler's signal aborts", async () => {
    const { server, started, signal } = waitingServer();
    const client = new AbortController();
    const answered = server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "wait", arguments: {}, _meta: META } }, modernHeaders("wait"), client.signal));
    await started;
    client.abort();
    expect(await abortedWithin(signal(), 100)).toBe(true);
    expect(signal().reason).toMatchObject({ code: -32603, message: "The client went away before the response" });
    await answered;
  });

  it("2025, JSON response: the handler's signal aborts (a JSON answer cannot be resumed)", async () => {
    const { server, started, signal } = waitingServer();
    const sessionId = await initialize(server);
    const client = new AbortController();
    const answered = server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "wait", arguments: {} } }, { "mcp-session-id": sessionId }, client.signal));
    await started;
    client.abort();
    expect(await abortedWithin(signal(), 100)).toBe(true);
    await answered;
  });

  it("2025, SSE response: not a cancellation (the spec); the call finishes and stays resumable", async () => {
    const release = gate();
    let signal: AbortSignal | undefined;
    const server = createServer({ name: "gone", version: "1" }).tool("wait", { description: "Streams, then waits" }, async (_a, ctx) => {
      signal = ctx.signal;
      ctx.progress(1, 2);
      await release.opened;
      return "finished";
    });
    const sessionId = await initialize(server);
    const client = new AbortController();
    const response = await server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "wait", arguments: {}, _meta: progressToken } }, { "mcp-session-id": sessionId }, client.signal));
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    client.abort();
    expect(await abortedWithin(signal!, 200)).toBe(false);
    release.open();
  });
});

describe("review findings, pinned", () => {
  it("a 2025 GET stream cut for not reading keeps collecting: the resume gets every notification", async () => {
    const server = createServer({ name: "get", version: "1", sse: { maxBuffered: 1_024 } }).tool("t", { description: "A tool" }, () => "ok");
    const sessionId = await initialize(server);
    const stream = await server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId } }));
    const reader = stream.body!.getReader();
    const primingId = /^id: (\S+)/m.exec(new TextDecoder().decode((await reader.read()).value))![1];
    for (let i = 0; i < 40; i++) await server.notifyListChanged("tools");
    const drained = (async () => {
      while (!(await reader.read()).done);
    })();
    await expect(drained).rejects.toThrow(/did not read its SSE stream/);
    await server.notifyListChanged("tools"); // after the cut: collected for the resume too
    const resumed = await server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "last-event-id": primingId } }));
    const body = resumed.body!.getReader();
    let text = "";
    while ((text.match(/list_changed/g) ?? []).length < 41) text += new TextDecoder().decode((await body.read()).value);
    expect((text.match(/list_changed/g) ?? []).length).toBe(41);
    await body.cancel();
    await server.close({ graceMs: 0 });
  });

  it("a stream cut for not reading still reports its disconnect", async () => {
    const server = createServer({ name: "t", version: "1", sse: { maxBuffered: 1_024 } }).tool("flood", { description: "Progress until cancelled" }, async (_a, ctx) => {
      for (let i = 1; i <= 1_000 && !ctx.signal.aborted; i++) {
        ctx.progress(i, 1_000, PAD);
        await sleep(0);
      }
      return "x";
    });
    const seen: string[] = [];
    server.on("connect", () => void seen.push("connect"));
    server.on("disconnect", (event) => void seen.push(`disconnect streamed=${event.streamed}`));
    const response = await server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood", arguments: {}, _meta: { ...META, ...progressToken } } }, modernHeaders("flood")));
    await response.body!.getReader().read(); // one chunk, then the client stops reading
    for (let waited = 0; waited < 2_000 && seen.length < 2; waited += 10) await sleep(10);
    expect(seen).toEqual(["connect", "disconnect streamed=true"]);
  });

  it("batch items still queued when the client leaves are cancelled too", async () => {
    const aborted: number[] = [];
    const server = createServer({ name: "b", version: "1" }).tool("slow", { description: "Waits 1 s unless cancelled" }, async (args: Record<string, unknown>, ctx) => {
      if (await abortedWithin(ctx.signal, 1_000)) aborted.push(Number(args.n));
      return "done";
    });
    const sessionId = await initialize(server, "2025-03-26");
    const client = new AbortController();
    const items = Array.from({ length: 10 }, (_, n) => ({ jsonrpc: "2.0", id: n, method: "tools/call", params: { name: "slow", arguments: { n } } }));
    const answered = server.handle(request(items, { "mcp-session-id": sessionId }, client.signal));
    await sleep(50);
    client.abort();
    const startedAt = Date.now();
    await answered;
    expect(Date.now() - startedAt).toBeLessThan(900);
    expect(aborted.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("a 2025 handler that reads ctx.signal after being given up on sees it aborted", async () => {
    const late = gate();
    let lateSignal: AbortSignal | undefined;
    const server = createServer({ name: "t", version: "1", callTimeout: 100 }).tool("never", { description: "Ignores its signal" }, async (_a, ctx) => {
      await sleep(300);
      lateSignal = ctx.signal;
      late.open();
      return "too late";
    });
    const sessionId = await initialize(server);
    const answer = await parseResponse(await server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "never", arguments: {} } }, { "mcp-session-id": sessionId })));
    expect(answer.body.error.code).toBe(-32001);
    await late.opened;
    expect(lateSignal!.aborted).toBe(true);
  });

  it("progress keeps a call within callTimeout; time spent waiting on the client does not count", async () => {
    const server = createServer({ name: "t", version: "1", callTimeout: 150 }).tool("busy", { description: "Reports progress for 600 ms" }, async (_a, ctx) => {
      for (let i = 1; i <= 6; i++) {
        await sleep(100);
        ctx.progress(i, 6);
      }
      return "worked";
    });
    const sessionId = await initialize(server);
    const answer = await parseResponse(await server.handle(request({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "busy", arguments: {}, _meta: progressToken } }, { "mcp-session-id": sessionId })));
    expect(answer.body.result.content[0].text).toBe("worked");
  });
});
