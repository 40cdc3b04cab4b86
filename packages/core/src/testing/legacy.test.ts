/** The test client in the 2025 era: the session handshake, its headers, DELETE, stream resumption, older revisions. */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { createServer } from "../index.js";
import { McpClientError, McpTransportError, connect } from "./index.js";

interface Seen {
  method: string;
  sessionId: string | null;
  version: string | null;
  lastEventId: string | null;
}

/** A server that records what reached it over HTTP, as an adapter's hook would see it. */
function recorded() {
  const seen: Seen[] = [];
  const server = createServer({ name: "legacy", version: "1" })
    .onRequest((request) => {
      seen.push({ method: request.method, sessionId: request.header("mcp-session-id"), version: request.header("mcp-protocol-version"), lastEventId: request.header("last-event-id") });
    })
    .tool("ask", { description: "Asks a name" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "Name?", schema: v.object({ name: v.string() }) });
      return answer.action === "accept" ? `Hello, ${answer.content.name}` : answer.action;
    })
    .tool("poll", { description: "Closes its stream, then goes on" }, async (_args, ctx) => {
      ctx.progress(1, 3);
      ctx.closeSSEStream();
      await new Promise((resolve) => setTimeout(resolve, 20));
      ctx.progress(2, 3);
      ctx.progress(3, 3);
      return "polled";
    })
    .tool("chatty", { description: "Logs at two levels" }, (_args, ctx) => {
      ctx.log("info", "detail");
      ctx.log("error", "problem");
      return "logged";
    });
  return { server, seen };
}

describe("the test client in a 2025 session", () => {
  it("initializes without a session, then sends Mcp-Session-Id and the negotiated version on everything, and DELETE on close", async () => {
    const { server, seen } = recorded();
    const client = await connect(server, { protocolVersion: "2025-11-25" });
    await client.listTools();
    const { sessionId } = client;
    expect(sessionId).toMatch(/^[\x21-\x7e]{16,}$/);
    expect(seen[0]).toEqual({ method: "POST", sessionId: null, version: null, lastEventId: null }); // initialize
    expect(seen.slice(1)).toEqual([
      { method: "POST", sessionId, version: "2025-11-25", lastEventId: null }, // notifications/initialized
      { method: "POST", sessionId, version: "2025-11-25", lastEventId: null }, // tools/list
    ]);

    await client.close();
    expect(seen.at(-1)).toEqual({ method: "DELETE", sessionId, version: "2025-11-25", lastEventId: null });
    await client.close(); // a second close does nothing
    expect(seen.at(-1)?.method).toBe("DELETE");
    await expect(client.listTools()).rejects.toBeInstanceOf(McpTransportError);
    // The session is gone on the server too.
    const after = await server.handle(new Request("http://127.0.0.1/mcp", { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-session-id": sessionId! }, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' }));
    expect(after.status).toBe(404);
  });

  it("answers a server→client request by POSTing the response into the session", async () => {
    const { server, seen } = recorded();
    const client = await connect(server, { protocolVersion: "2025-11-25", onElicit: () => ({ action: "accept", content: { name: "Ada" } }) });
    const before = seen.length;
    expect((await client.callTool("ask")).content).toEqual([{ type: "text", text: "Hello, Ada" }]);
    expect(seen.length - before).toBe(2); // the call, and the reply to elicitation/create
    await client.close();
  });

  it("sends a handler's error back as the JSON-RPC error of the server's request", async () => {
    const { server } = recorded();
    const client = await connect(server, {
      protocolVersion: "2025-11-25",
      onElicit: () => {
        throw new McpClientError(-32050, "the user is away");
      },
    });
    await expect(client.callTool("ask")).rejects.toMatchObject({ code: -32050, message: "the user is away" });
    await client.close();
  });

  it("resumes a stream the server closed for polling with GET and Last-Event-ID", async () => {
    const { server, seen } = recorded();
    const client = await connect(server, { protocolVersion: "2025-11-25" });
    const progress: number[] = [];
    expect((await client.callTool("poll", {}, { onProgress: (p) => progress.push(p.progress) })).content).toEqual([{ type: "text", text: "polled" }]);
    expect(progress).toEqual([1, 2, 3]);
    const resumes = seen.filter((s) => s.method === "GET");
    expect(resumes.length).toBeGreaterThanOrEqual(1);
    expect(resumes[0]).toMatchObject({ sessionId: client.sessionId, lastEventId: expect.any(String) });
    await client.close();
  });

  it("speaks older revisions: 2025-06-18 elicitation has no mode; 2024-11-05 negotiates and works", async () => {
    const { server } = recorded();
    const asked: unknown[] = [];
    const client = await connect(server, { protocolVersion: "2025-06-18", onElicit: (request) => (asked.push(request), { action: "decline" }) });
    expect(client.protocolVersion).toBe("2025-06-18");
    expect((await client.callTool("ask")).content).toEqual([{ type: "text", text: "decline" }]);
    expect(asked[0]).not.toHaveProperty("mode");
    await client.close();
    const oldest = await connect(server, { protocolVersion: "2024-11-05" });
    expect((await oldest.listTools()).tools.length).toBe(3);
    await oldest.close();
  });

  it("logLevel sets the session's threshold with logging/setLevel", async () => {
    const { server } = recorded();
    const logs: unknown[] = [];
    const client = await connect(server, { protocolVersion: "2025-11-25", logLevel: "error", onLog: (message) => logs.push(message.data) });
    await client.callTool("chatty");
    expect(logs).toEqual(["problem"]);
    await client.close();
  });

  it("an unknown protocolVersion is a TypeError before anything is sent", async () => {
    const { server, seen } = recorded();
    await expect(connect(server, { protocolVersion: "2025-01-01" })).rejects.toThrow(TypeError);
    expect(seen).toEqual([]);
  });
});
