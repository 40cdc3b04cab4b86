import { describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { memoryStorage } from "../storage/memory.js";
import { ENDPOINT, call, initialize, parseResponse, post } from "../test-support/requests.js";

// Regressions for an independent review of the core: each test pins one finding.

const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
const modern = (server: ReturnType<typeof createServer>, method: string, params: Record<string, unknown> = {}, extraMeta: Record<string, unknown> = {}) => {
  const headers: Record<string, string> = { "mcp-protocol-version": "2026-07-28", "mcp-method": method };
  if (typeof params.name === "string") headers["mcp-name"] = params.name;
  if (typeof params.taskId === "string") headers["mcp-name"] = params.taskId;
  return post(server, { jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: { ...META, ...extraMeta } } }, headers).then(parseResponse);
};

describe("client-chosen names never reach Object.prototype", () => {
  const server = createServer({ name: "h", version: "1" })
    .tool("t", { description: "A tool" }, () => "ok")
    .prompt("p", { description: "A prompt" }, () => "hi");

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])("method %s → -32601 on both eras", async (method) => {
    const stateless = await modern(server, method);
    expect(stateless.status).toBe(404);
    expect(stateless.body.error.code).toBe(-32601);
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, method)).body.error.code).toBe(-32601);
  });

  it("tool, prompt and completion argument named constructor are simply unknown", async () => {
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "tools/call", { name: "constructor" })).body.error).toMatchObject({ code: -32602, message: "Unknown tool: constructor" });
    expect((await call(server, sessionId, "prompts/get", { name: "__proto__" })).body.error).toMatchObject({ code: -32602 });
    const completion = await call(server, sessionId, "completion/complete", { ref: { type: "ref/prompt", name: "p" }, argument: { name: "constructor", value: "" } });
    expect(completion.body.result.completion.values).toEqual([]);
  });

  it("an inputResponses key named __proto__ is a plain key", async () => {
    const s = createServer({ name: "h", version: "1" }).tool("ask", { description: "Asks" }, async (_a, ctx) => {
      const answer = await ctx.elicit({ key: "__proto__", message: "?", schema: { type: "object", properties: { x: { type: "string" } } } });
      return answer.action;
    });
    const first = await modern(s, "tools/call", { name: "ask" });
    expect(first.body.result.inputRequests).toHaveProperty(["__proto__"]);
    const retry = JSON.parse(`{"name":"ask","requestState":${JSON.stringify(first.body.result.requestState)},"inputResponses":{"__proto__":{"action":"accept","content":{"x":"y"}}}}`);
    expect((await modern(s, "tools/call", retry)).body.result.content[0].text).toBe("accept");
  });
});

describe("encoding failures end the request instead of hanging it", () => {
  const circular = () => {
    const value: Record<string, unknown> = { type: "text", text: "loop" };
    value.self = value;
    return { content: [value] };
  };
  const server = createServer({ name: "h", version: "1" }).tool("loop", { description: "Returns a circular value" }, circular as never);

  it("2026: -32603, promptly", async () => {
    const result = await Promise.race([modern(server, "tools/call", { name: "loop" }), new Promise((r) => setTimeout(() => r("hung"), 2_000))]);
    expect(result).not.toBe("hung");
    expect((result as { body: any }).body.error).toEqual({ code: -32603, message: "Internal error" });
  });

  it("2025: -32603, promptly", async () => {
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "tools/call", { name: "loop" })).body.error).toEqual({ code: -32603, message: "Internal error" });
  });
});

describe("tasks never wait forever", () => {
  it("cancelling a task that waits for input ends its handler", async () => {
    let settled: string | undefined;
    const server = createServer({ name: "h", version: "1" }).tool("needs_input", { era: "modern", task: "optional", description: "Waits, then asks" }, async (_a, ctx) => {
      await new Promise((r) => setTimeout(r, 20));
      try {
        await ctx.elicit({ key: "go", message: "Go?", schema: { type: "object", properties: {} } });
        settled = "answered";
      } catch (error) {
        settled = `rejected: ${(error as Error).message}`;
        throw error;
      }
      return "done";
    });
    const extension = { "io.modelcontextprotocol/clientCapabilities": { elicitation: {}, extensions: { "io.modelcontextprotocol/tasks": {} } } };
    // The tasks extension loads on first use; a handler that asks for input before it has loaded
    // is answered without a task (input_required), so it is loaded first (a cold transform in
    // this test runner can take longer than the handler's 20 ms): asking for an unknown task loads it.
    expect((await modern(server, "tasks/get", { taskId: "no-such-task" }, extension)).body.error).toMatchObject({ code: -32602 });
    const created = await modern(server, "tools/call", { name: "needs_input" }, extension);
    const taskId = created.body.result.taskId;
    expect(created.body.result.resultType).toBe("task");
    for (let i = 0; i < 50 && (await modern(server, "tasks/get", { taskId }, extension)).body.result.status !== "input_required"; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await modern(server, "tasks/cancel", { taskId }, extension)).body.result).toMatchObject({ resultType: "complete" });
    for (let i = 0; i < 50 && settled === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    expect(settled).toMatch(/^rejected: .*cancelled/);
    expect((await modern(server, "tasks/get", { taskId }, extension)).body.result.status).toBe("cancelled");
  });
});

describe("memory stays bounded", () => {
  it("events of a deleted session are not resurrected by late appends", async () => {
    const storage = memoryStorage();
    await storage.sessions.set("s1", { protocolVersion: "2025-11-25", clientInfo: { name: "c", version: "1" }, clientCapabilities: {}, initialized: true, subscriptions: [], createdAt: 0 }, 10_000);
    await storage.events.append("s1", "p1", { id: "p1_1", data: "x" }, 10_000);
    await storage.sessions.delete("s1");
    await storage.events.append("s1", "p1", { id: "p1_2", data: "late" }, 10_000);
    expect(await storage.events.after("s1", "p1", "p1_0")).toBeUndefined();
  });

  it("reconnecting GET streams don't pile up: an ended stream's events go after the session timeout", async () => {
    const storage = memoryStorage();
    const server = createServer({ name: "h", version: "1", storage, sessionTimeout: 150 }).tool("t", { description: "A tool" }, () => "ok");
    const sessionId = await initialize(server);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId } }));
      const reader = response.body!.getReader();
      const { value } = await reader.read();
      ids.push(/id: (\S+)/.exec(new TextDecoder().decode(value))![1]);
      await reader.cancel();
      await call(server, sessionId, "ping"); // keeps the session alive meanwhile
    }
    const streamOf = (id: string) => id.slice(0, id.lastIndexOf("_"));
    expect(await storage.events.after(sessionId, streamOf(ids[0]), ids[0])).toEqual([]); // still kept for a late resume
    await new Promise((r) => setTimeout(r, 250));
    await call(server, sessionId, "ping");
    for (const id of ids) expect(await storage.events.after(sessionId, streamOf(id), id)).toBeUndefined();
  });
});

describe("session record updates don't overwrite each other", () => {
  it("two subscriptions sent at once are both kept", async () => {
    const server = createServer({ name: "h", version: "1" })
      .resource("test://a", { name: "a" }, () => "a")
      .resource("test://b", { name: "b" }, () => "b");
    const sessionId = await initialize(server);
    await Promise.all([call(server, sessionId, "resources/subscribe", { uri: "test://a" }), call(server, sessionId, "resources/subscribe", { uri: "test://b" })]);
    const record = await server.storage.sessions.get(sessionId);
    expect(record?.subscriptions.sort()).toEqual(["test://a", "test://b"]);
  });
});

describe("browsers", () => {
  it("a CORS preflight is answered before auth hooks; WWW-Authenticate is readable", async () => {
    const server = createServer({ name: "h", version: "1", origins: ["https://app.example"] }).onRequest(
      () => new Response(null, { status: 401, headers: { "www-authenticate": 'Bearer resource_metadata="https://app.example/prm"' } }),
    );
    const preflight = await server.handle(new Request(ENDPOINT, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } }));
    expect(preflight.status).toBe(204);
    const denied = await post(server, {}, { origin: "https://app.example" });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-expose-headers")).toMatch(/www-authenticate/);
  });
});

describe("elicitation answers are checked against raw JSON Schema too", () => {
  it("an answer that breaks the schema is an error, not data", async () => {
    const server = createServer({ name: "h", version: "1" }).tool("age", { description: "Asks an age" }, async (_a, ctx) => {
      const answer = await ctx.elicit({ key: "age", message: "Age?", schema: { type: "object", properties: { age: { type: "integer" } }, required: ["age"] } });
      return JSON.stringify(answer);
    });
    const first = await modern(server, "tools/call", { name: "age" });
    const bad = { name: "age", requestState: first.body.result.requestState, inputResponses: { age: { action: "accept", content: { age: "old" } } } };
    expect((await modern(server, "tools/call", bad)).body.error).toMatchObject({ code: -32602 });
    const good = { ...bad, inputResponses: { age: { action: "accept", content: { age: 42 } } } };
    expect((await modern(server, "tools/call", good)).body.result.content[0].text).toBe('{"action":"accept","content":{"age":42}}');
  });
});

describe("a task reads the host while the request is alive", () => {
  // A host whose caller address is gone once the response is over, like Bun's requestIP().
  function fadingHost() {
    let live = true;
    return { host: { get remoteIp() { return live ? "10.0.0.7" : undefined; } }, fade: () => void (live = false) };
  }
  const seen: Record<string, string | undefined> = {};
  const server = createServer({ name: "h", version: "1" }).tool("where", { task: "optional", description: "Says where the caller is, later" }, async (_a, ctx) => {
    await new Promise((r) => setTimeout(r, 30));
    const ip = ctx.transport.type === "http" ? ctx.transport.remoteIp : undefined;
    seen[ctx.session.era] = ip ?? "unknown";
    return ip ?? "unknown";
  });
  const settled = async (era: string) => {
    for (let i = 0; i < 100 && seen[era] === undefined; i++) await new Promise((r) => setTimeout(r, 10));
    return seen[era];
  };

  it("2026-07-28: the task's ctx.transport still has the caller's address", async () => {
    const { host, fade } = fadingHost();
    const meta = { ...META, "io.modelcontextprotocol/clientCapabilities": { extensions: { "io.modelcontextprotocol/tasks": {} } } };
    const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "where" };
    const created = await parseResponse(await post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "where", arguments: {}, _meta: meta } }, headers, host));
    fade();
    expect(created.body.result.resultType).toBe("task");
    expect(await settled("modern")).toBe("10.0.0.7");
  });

  it("2025-11-25: the task's ctx.transport still has the caller's address", async () => {
    const sessionId = await initialize(server);
    const { host, fade } = fadingHost();
    const headers = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" };
    const created = await parseResponse(await post(server, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "where", arguments: {}, task: {} } }, headers, host));
    fade();
    expect(created.body.result.task.taskId).toEqual(expect.any(String));
    expect(await settled("legacy")).toBe("10.0.0.7");
  });
});
