/**
 * Calls that never end: `callTimeout` answers them -32001 and aborts their handler; shutdown
 * (`server.close({ graceMs })`) lets calls finish within the grace, then answers the rest.
 */
import { describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { initialize, parseResponse, post } from "../test-support/requests.js";

const V = "2026-07-28";
const META = { "io.modelcontextprotocol/protocolVersion": V, "io.modelcontextprotocol/clientCapabilities": {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function stuckServer(options: { callTimeout?: number } = {}) {
  const seen: { aborted?: string } = {};
  const server = createServer({ name: "stuck", version: "1", ...options })
    .tool("never", { description: "Never answers" }, async (_a, ctx) => {
      ctx.signal.addEventListener("abort", () => (seen.aborted = (ctx.signal.reason as Error).message));
      return new Promise<string>(() => {});
    })
    .tool("quick", { description: "Answers after 50 ms" }, async () => {
      await sleep(50);
      return "quick";
    });
  return { server, seen };
}

const modern = (server: ReturnType<typeof createServer>, name: string) =>
  post(server, { jsonrpc: "2.0", id: 9, method: "tools/call", params: { name, arguments: {}, _meta: META } }, { "mcp-protocol-version": V, "mcp-method": "tools/call", "mcp-name": name }).then(parseResponse);

describe("callTimeout", () => {
  it("2025: a handler that never returns is answered -32001 and its signal aborts", async () => {
    const { server, seen } = stuckServer({ callTimeout: 200 });
    const sessionId = await initialize(server);
    const startedAt = Date.now();
    const answer = await parseResponse(await post(server, { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "never", arguments: {} } }, { "mcp-session-id": sessionId }));
    expect(answer.body).toEqual({ jsonrpc: "2.0", id: 4, error: { code: -32001, message: "Request timed out: no answer or progress for 200 ms (the server's callTimeout)" } });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(seen.aborted).toBe("Request timed out: no answer or progress for 200 ms (the server's callTimeout)");
    await server.close({ graceMs: 0 });
  });

  it("2026: the same, on the stateless leg", async () => {
    const { server, seen } = stuckServer({ callTimeout: 200 });
    const answer = await modern(server, "never");
    expect(answer.body).toEqual({ jsonrpc: "2.0", id: 9, error: { code: -32001, message: "Request timed out: no answer or progress for 200 ms (the server's callTimeout)" } });
    expect(seen.aborted).toMatch(/^Request timed out/);
    await server.close({ graceMs: 0 });
  });

  it("a call that answers in time is not touched", async () => {
    const { server } = stuckServer({ callTimeout: 200 });
    expect((await modern(server, "quick")).body.result.content[0].text).toBe("quick");
    await server.close({ graceMs: 0 });
  });
});

describe("close({ graceMs })", () => {
  it("lets calls finish within the grace, then answers the rest -32603 and aborts their handlers", async () => {
    const { server, seen } = stuckServer();
    const sessionId = await initialize(server);
    const stuck2025 = post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "never", arguments: {} } }, { "mcp-session-id": sessionId }).then(parseResponse);
    const quick2025 = post(server, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "quick", arguments: {} } }, { "mcp-session-id": sessionId }).then(parseResponse);
    const stuck2026 = modern(server, "never");
    await sleep(10);
    const startedAt = Date.now();
    await server.close({ graceMs: 300 });
    const took = Date.now() - startedAt;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2_000);
    const shuttingDown = { code: -32603, message: "Server shutting down: this request did not finish in time; send it again" };
    expect((await stuck2025).body).toEqual({ jsonrpc: "2.0", id: 1, error: shuttingDown });
    expect((await stuck2026).body).toEqual({ jsonrpc: "2.0", id: 9, error: shuttingDown });
    expect((await quick2025).body.result.content[0].text).toBe("quick");
    expect(seen.aborted).toBe(shuttingDown.message);
  });

  it("returns as soon as the last call finishes", async () => {
    const { server } = stuckServer();
    const quick = modern(server, "quick");
    await sleep(5);
    const startedAt = Date.now();
    await server.close({ graceMs: 5_000 });
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect((await quick).body.result.content[0].text).toBe("quick");
  });
});

describe("once close() has begun", () => {
  it("new calls and GET streams get 503 + Retry-After; notifications for calls in flight still get through", async () => {
    const { server } = stuckServer();
    const sessionId = await initialize(server);
    const inFlight = modern(server, "quick");
    await sleep(10); // running, not just sent
    const closed = server.close({ graceMs: 2_000 });
    const refused = await parseResponse(await post(server, { jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "quick", arguments: {} } }, { "mcp-session-id": sessionId }));
    expect(refused.status).toBe(503);
    expect(refused.body.error).toEqual({ code: -32603, message: "Server shutting down: send this request again (another instance will answer it)" });
    const stream = await server.handle(new Request("http://127.0.0.1:3000/mcp", { headers: { accept: "text/event-stream", "mcp-session-id": sessionId } }));
    expect([stream.status, stream.headers.get("retry-after")]).toEqual([503, "1"]);
    const notification = await post(server, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99 } }, { "mcp-session-id": sessionId });
    expect(notification.status).toBe(202);
    expect((await inFlight).body.result.content[0].text).toBe("quick");
    await closed;
  });
});
