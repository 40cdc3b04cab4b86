import { connect } from "node:net";
import { createServer } from "@wisp/core";
import { describe, expect, it } from "vitest";
import { serve } from "./index.js";

const server = () => createServer({ name: "t", version: "1" }).tool("hello", { description: "Says hello" }, () => "hello");

describe("serve()", () => {
  it("binds 127.0.0.1 on the /mcp path by default and answers 404 elsewhere", async () => {
    const running = await serve(server(), { port: 0 });
    try {
      expect(running.url).toBe(`http://127.0.0.1:${running.port}/mcp`);
      const elsewhere = await fetch(`http://127.0.0.1:${running.port}/other`, { method: "POST", body: "{}" });
      expect(elsewhere.status).toBe(404);
      expect((await elsewhere.json()).error.message).toMatch(/\/mcp/);
    } finally {
      await running.close();
    }
  });

  it("a JSON answer carries Content-Length, not chunked framing", async () => {
    const running = await serve(server(), { port: 0 });
    try {
      const init = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
      const res = await fetch(running.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: init });
      const text = await res.text();
      expect(res.headers.get("transfer-encoding")).toBeNull();
      expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
      const refused = await fetch(running.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: '{"hello":"wörld"}' });
      expect(refused.headers.get("content-length")).toBe(String(Buffer.byteLength(await refused.text())));
    } finally {
      await running.close();
    }
  });

  it("close() returns promptly even when a client connected and sent nothing", async () => {
    const running = await serve(server(), { port: 0, shutdownTimeout: 10_000 });
    const socket = connect(running.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    socket.destroy();
  });

  it("close() ends an open GET stream cleanly", async () => {
    const running = await serve(server(), { port: 0 });
    const init = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } }),
    });
    const sessionId = init.headers.get("mcp-session-id")!;
    const stream = await fetch(running.url, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    await reader.read(); // priming event
    const started = Date.now();
    await running.close();
    const end = await Promise.race([reader.read(), new Promise<{ done: "timeout" }>((r) => setTimeout(() => r({ done: "timeout" }), 2_000))]);
    expect(end.done).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("rejects with the listen error when the port is taken", async () => {
    const first = await serve(server(), { port: 0 });
    try {
      await expect(serve(server(), { port: first.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.close();
    }
  });
});
