/**
 * A client that never reads its SSE response, over a real socket (issue 12: 200 000 progress
 * notifications of 1 KB grew the server's RSS from 74 to 418 MB). The server now holds at most
 * `sse.maxBuffered` for it and cuts the stream; a 2025 client resumes with Last-Event-ID and gets
 * what the store kept (the memory store keeps a stream's last 1 000 events), result included.
 */
import { connect } from "node:net";
import { createServer } from "@wisp/core";
import { afterEach, describe, expect, it } from "vitest";
import { ACCEPT, LATEST } from "../../../test-kit/mcp.js";
import { sleep } from "../../../test-kit/process.js";
import { type RunningServer, serve } from "./index.js";

const NOTIFICATIONS = 30_000;
const PAD = "x".repeat(1_000);
const TOTAL_BYTES = NOTIFICATIONS * (PAD.length + 100);

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("a client that never reads its SSE stream", () => {
  it("gets cut after sse.maxBuffered; the server's memory does not grow with what it would have sent; resuming replays what the store kept, result included", async () => {
    let done = false;
    const server = createServer({ name: "flood", version: "1", sse: { maxBuffered: 256 * 1024 } }).tool("flood", { description: "30 000 progress events of 1 KB" }, async (_a, ctx) => {
      for (let step = 1; step <= NOTIFICATIONS; step++) {
        ctx.progress(step, NOTIFICATIONS, PAD);
        if (step % 50 === 0) await sleep(0); // a handler that awaits now and then, as real ones do
      }
      done = true;
      return "flooded";
    });
    running = await serve(server, { port: 0 });
    const { port, url } = running;
    const init = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT }, body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "slow", version: "1" } } }) });
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();

    const heapBefore = process.memoryUsage().arrayBuffers;
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((resolve) => socket.once("connect", resolve));
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "flood", arguments: {}, _meta: { progressToken: "p" } } });
    socket.write(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nAccept: ${ACCEPT}\r\nMcp-Session-Id: ${sessionId}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    // Read the head and the priming event, then stop reading.
    const first = await new Promise<string>((resolve) => {
      let seen = "";
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        if (!/^id: \S+$/m.test(seen)) return;
        socket.off("data", onData);
        resolve(seen);
      };
      socket.on("data", onData);
    });
    socket.pause();
    const primingId = /^id: (\S+)/m.exec(first)?.[1];
    expect(primingId).toBeDefined();

    for (let waited = 0; !done && waited < 20_000; waited += 20) await sleep(20);
    expect(done).toBe(true);
    // Whatever the kernel and Node buffered, the server did not keep the 30 MB it produced.
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(TOTAL_BYTES / 3);

    let received = first.length;
    socket.on("data", (chunk: Buffer) => (received += chunk.length));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.resume();
    await Promise.race([closed, sleep(10_000)]);
    expect(socket.destroyed).toBe(true); // the server cut the stream
    expect(received).toBeLessThan(TOTAL_BYTES / 2);

    const resumed = await fetch(url, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "last-event-id": primingId! } });
    const text = await resumed.text();
    const messages = text.split("\n").filter((line) => line.startsWith("data: ")).map((line) => JSON.parse(line.slice(6)));
    // The store kept the stream's last 1 000 events: 999 progress notifications and the result.
    expect(messages.filter((m) => m.method === "notifications/progress")).toHaveLength(999);
    expect(messages.at(-1)).toEqual({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "flooded" }] } });
  }, 30_000);
});
