import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { createServer } from "../create-server.js";
import { ENDPOINT, JSON_AND_SSE, call, initialize, parseResponse, post } from "../test-support/requests.js";

function testServer(options: Partial<Parameters<typeof createServer>[0]> = {}) {
  return createServer({ name: "test", version: "1.0.0", ...options })
    .tool("echo", { description: "Echo text", input: v.object({ text: v.string() }) }, ({ text }) => text)
    .tool("boom", { description: "Throws" }, () => {
      throw new Error("disk on fire");
    })
    .tool("protocol_error", { description: "Throws an McpError" }, () => {
      throw new McpError(ErrorCode.InvalidParams, "no such thing");
    })
    .tool("crash", { description: "Returns garbage" }, () => 42 as never)
    .resource("test://static", { name: "static", mimeType: "text/plain" }, () => "static text")
    .resourceTemplate("test://items/{id}", { name: "item" }, ({ params }) => `item ${params.id}`)
    .prompt("greet", { description: "Greets", args: v.object({ name: v.string() }) }, ({ name }) => `Hello ${name}`);
}

const errorOf = async (response: Response) => ({ status: response.status, error: (await response.json()).error });

describe("bad input gets a clear error, never a crash", () => {
  it("malformed JSON → 400 -32700 with id null", async () => {
    const response = await post(testServer(), "{not json");
    const body = await response.json();
    expect(response.status).toBe(400);
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: -32700 } });
  });

  it.each([
    ["an array of numbers in a 2025-11-25 session", [1, 2]],
    ["a string", '"hello"'],
    ["no jsonrpc field", { id: 1, method: "ping" }],
    ["a null id", { jsonrpc: "2.0", id: null, method: "ping" }],
    ["params that are an array", { jsonrpc: "2.0", id: 1, method: "ping", params: [1] }],
  ])("%s → 400 -32600", async (_label, body) => {
    const server = testServer();
    const sessionId = await initialize(server);
    const { status, error } = await errorOf(await post(server, body, { "mcp-session-id": sessionId }));
    expect(status).toBe(400);
    expect(error.code).toBe(-32600);
    expect(error.message).toMatch(/^Invalid request/);
  });

  it("unknown method → -32601 in band", async () => {
    const server = testServer();
    const { status, body } = await call(server, await initialize(server), "tools/explode");
    expect(status).toBe(200);
    expect(body.error).toMatchObject({ code: -32601, message: "Method not found: tools/explode" });
  });

  it("bad params, bad cursor, unknown tool and unknown prompt → -32602", async () => {
    const server = testServer();
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "tools/call", {})).body.error.code).toBe(-32602);
    expect((await call(server, sessionId, "tools/call", { name: "nope" })).body.error).toMatchObject({ code: -32602, message: "Unknown tool: nope" });
    expect((await call(server, sessionId, "tools/list", { cursor: "garbage!" })).body.error.code).toBe(-32602);
    expect((await call(server, sessionId, "prompts/get", { name: "nope" })).body.error).toMatchObject({ code: -32602, message: "Unknown prompt: nope" });
    expect((await call(server, sessionId, "prompts/get", { name: "greet", arguments: {} })).body.error.code).toBe(-32602);
    expect((await call(server, sessionId, "logging/setLevel", { level: "loud" })).body.error.code).toBe(-32602);
  });

  it("unknown resource → -32002 with the uri in data", async () => {
    const server = testServer();
    const { body } = await call(server, await initialize(server), "resources/read", { uri: "test://missing" });
    expect(body.error).toMatchObject({ code: -32002, data: { uri: "test://missing" } });
  });

  it("argument errors: isError result from 2025-11-25, -32602 before", async () => {
    const server = testServer();
    const modern = await call(server, await initialize(server, "2025-11-25"), "tools/call", { name: "echo", arguments: { text: 5 } });
    expect(modern.body.result.isError).toBe(true);
    expect(modern.body.result.content[0].text).toMatch(/Invalid arguments for tool echo/);
    const older = await call(server, await initialize(server, "2025-06-18"), "tools/call", { name: "echo", arguments: { text: 5 } });
    expect(older.body.error.code).toBe(-32602);
  });

  it("a throwing tool gives an isError result; an McpError a JSON-RPC error; no stack leaks", async () => {
    const server = testServer();
    const sessionId = await initialize(server);
    const boom = await call(server, sessionId, "tools/call", { name: "boom" });
    expect(boom.body.result).toEqual({ content: [{ type: "text", text: "disk on fire" }], isError: true });
    const protocol = await call(server, sessionId, "tools/call", { name: "protocol_error" });
    expect(protocol.body.error).toEqual({ code: -32602, message: "no such thing" });
    const crash = await call(server, sessionId, "tools/call", { name: "crash" });
    expect(crash.body.error.code).toBe(-32603);
    expect(JSON.stringify([boom, protocol, crash])).not.toMatch(/at .*\.ts:\d+/);
  });

  it("oversize body → 413, by Content-Length or by counting a streamed body", async () => {
    const server = testServer({ maxRequestSize: 100 });
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(200) } });
    expect((await errorOf(await post(server, big))).status).toBe(413);
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode("x".repeat(50)));
        controller.close();
      },
    });
    const streamed = await server.handle(new Request(ENDPOINT, { method: "POST", headers: JSON_AND_SSE, body: chunks, duplex: "half" } as RequestInit));
    const { status, error } = await errorOf(streamed);
    expect(status).toBe(413);
    expect(error.message).toMatch(/exceeds the 100-byte limit/);
  });

  it("foreign Origin → 403; an allowed one gets CORS headers", async () => {
    const server = testServer({ origins: ["https://app.example"] });
    expect((await errorOf(await post(server, {}, { origin: "https://evil.example" }))).status).toBe(403);
    const ok = await post(server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } }, { origin: "https://app.example" });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(ok.headers.get("access-control-expose-headers")).toMatch(/mcp-session-id/);
    const preflight = await server.handle(new Request(ENDPOINT, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-headers": "mcp-param-region" } }));
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/last-event-id.*mcp-param-region/);
  });

  it("origin policy may be a function, or '*'", async () => {
    const byFunction = testServer({ origins: (origin) => origin.endsWith(".trusted.example") });
    expect((await post(byFunction, {}, { origin: "https://a.trusted.example" })).status).not.toBe(403);
    expect((await post(byFunction, {}, { origin: "https://a.other.example" })).status).toBe(403);
    expect((await post(testServer({ origins: "*" }), {}, { origin: "https://anything.example" })).status).not.toBe(403);
    expect((await post(testServer({ validateOrigin: false }), {}, { origin: "https://anything.example" })).status).not.toBe(403);
  });

  it("Host is checked when the listener is on loopback (DNS rebinding)", async () => {
    const server = testServer();
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } };
    const evil = await server.handle(new Request("http://evil.example/mcp", { method: "POST", headers: { ...JSON_AND_SSE, host: "evil.example" }, body: JSON.stringify(init) }), { loopback: true });
    expect(evil.status).toBe(403);
    expect((await post(server, init, {}, { loopback: true })).status).toBe(200);
  });

  it("wrong media types and methods → 406, 415, 405", async () => {
    const server = testServer();
    expect((await errorOf(await post(server, {}, { accept: "text/html" }))).status).toBe(406);
    expect((await errorOf(await post(server, {}, { "content-type": "text/plain" }))).status).toBe(415);
    const put = await server.handle(new Request(ENDPOINT, { method: "PUT", body: "{}" }));
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, DELETE, OPTIONS");
    const sessionId = await initialize(server);
    const get = await server.handle(new Request(ENDPOINT, { headers: { accept: "application/json", "mcp-session-id": sessionId } }));
    expect(get.status).toBe(406);
  });

  it("sessions: 400 without the header, 404 for an unknown id, 400 for an unsupported protocol header", async () => {
    const server = testServer();
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    expect(await errorOf(await post(server, ping))).toMatchObject({ status: 400, error: { code: -32000 } });
    expect(await errorOf(await post(server, ping, { "mcp-session-id": "unknown" }))).toMatchObject({ status: 404, error: { code: -32001 } });
    const sessionId = await initialize(server);
    expect((await errorOf(await post(server, ping, { "mcp-session-id": sessionId, "mcp-protocol-version": "1999-01-01" }))).status).toBe(400);
    // Any supported 2025-era version is accepted inside a session negotiated at another one.
    expect((await post(server, ping, { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-03-26" })).status).toBe(200);
  });

  it("bad input in one session leaves other sessions working", async () => {
    const server = testServer();
    const a = await initialize(server);
    const b = await initialize(server);
    await post(server, "{oops", { "mcp-session-id": a });
    await call(server, a, "tools/call", { name: "boom" });
    expect((await call(server, b, "tools/call", { name: "echo", arguments: { text: "still here" } })).body.result.content[0].text).toBe("still here");
  });
});

describe("lifecycle", () => {
  it("negotiates each 2025-era version and answers unknown ones with the latest", async () => {
    for (const version of ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "1999-01-01"]) {
      const response = await post(testServer(), { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "c", version: "1" } } });
      const { result } = await response.json();
      expect(result.protocolVersion).toBe(version === "1999-01-01" ? "2025-11-25" : version);
      expect(result.serverInfo).toEqual({ name: "test", version: "1.0.0" });
      expect(result.capabilities).toEqual({
        logging: {},
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        completions: {},
      });
      expect(response.headers.get("mcp-session-id")).toMatch(/^[\x21-\x7e]{16,}$/);
    }
  });

  it("capabilities follow what is registered", async () => {
    const server = createServer({ name: "bare", version: "1" });
    const response = await post(server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } });
    expect((await response.json()).result.capabilities).toEqual({ logging: {} });
    const sessionId = response.headers.get("mcp-session-id")!;
    expect((await call(server, sessionId, "tools/list")).body.error.code).toBe(-32601);
  });

  it("ping and logging/setLevel answer exactly {}", async () => {
    const server = testServer();
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "ping")).body.result).toEqual({});
    expect((await call(server, sessionId, "logging/setLevel", { level: "debug" })).body.result).toEqual({});
  });

  it("notifications and responses get 202 with no body", async () => {
    const server = testServer();
    const sessionId = await initialize(server);
    const response = await post(server, { jsonrpc: "2.0", method: "notifications/roots/list_changed" }, { "mcp-session-id": sessionId });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
  });

  it("batches only when 2025-03-26 was negotiated", async () => {
    const server = testServer();
    const old = await initialize(server, "2025-03-26");
    const batch = [
      { jsonrpc: "2.0", id: "a", method: "ping" },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: "b", method: "tools/call", params: { name: "echo", arguments: { text: "hi" } } },
      { nonsense: true },
    ];
    const response = await post(server, batch, { "mcp-session-id": old });
    const replies = await response.json();
    expect(replies).toHaveLength(3);
    expect(replies[0]).toEqual({ jsonrpc: "2.0", id: "a", result: {} });
    expect(replies[1].result.content[0].text).toBe("hi");
    expect(replies[2].error.code).toBe(-32600);
    const current = await initialize(server, "2025-11-25");
    expect((await errorOf(await post(server, batch, { "mcp-session-id": current }))).error.code).toBe(-32600);
  });

  it("DELETE ends a session: later requests get 404", async () => {
    const server = testServer();
    const sessionId = await initialize(server);
    const deleted = await server.handle(new Request(ENDPOINT, { method: "DELETE", headers: { "mcp-session-id": sessionId } }));
    expect(deleted.status).toBe(200);
    expect((await call(server, sessionId, "ping")).status).toBe(404);
    const again = await server.handle(new Request(ENDPOINT, { method: "DELETE", headers: { "mcp-session-id": sessionId } }));
    expect(again.status).toBe(404);
  });

  it("a call running longer than sessionTimeout keeps its session alive", async () => {
    const server = testServer({ sessionTimeout: 120 }).tool("slow", { description: "Takes a while" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
      return "finally";
    });
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "tools/call", { name: "slow" })).body.result.content[0].text).toBe("finally");
    expect((await call(server, sessionId, "ping")).status).toBe(200);
  });

  it("idle sessions are reaped after sessionTimeout; activity renews them", async () => {
    const server = testServer({ sessionTimeout: 150 });
    const idle = await initialize(server);
    const busy = await initialize(server);
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 60));
      expect((await call(server, busy, "ping")).status).toBe(200);
    }
    expect((await call(server, idle, "ping")).status).toBe(404);
  });
});

describe("lists", () => {
  it("paginate with nextCursor when a limit is set", async () => {
    const server = createServer({ name: "many", version: "1", paginationLimit: 2 });
    for (let i = 0; i < 5; i++) server.tool(`t${i}`, { description: `tool ${i}` }, () => "ok");
    const sessionId = await initialize(server);
    const names: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const { body } = await call(server, sessionId, "tools/list", cursor ? { cursor } : {});
      names.push(...body.result.tools.map((t: { name: string }) => t.name));
      cursor = body.result.nextCursor;
      if (!cursor) break;
    }
    expect(names).toEqual(["t0", "t1", "t2", "t3", "t4"]);
  });

  it("resources, templates, prompts and completions", async () => {
    const server = testServer().prompt("pick", { description: "Pick", args: v.object({ color: v.string() }), complete: { color: (value) => ["red", "green", "rose"].filter((c) => c.startsWith(value)) } }, ({ color }) => color);
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "resources/list")).body.result.resources).toEqual([{ uri: "test://static", name: "static", mimeType: "text/plain" }]);
    expect((await call(server, sessionId, "resources/templates/list")).body.result.resourceTemplates).toEqual([{ uriTemplate: "test://items/{id}", name: "item" }]);
    expect((await call(server, sessionId, "resources/read", { uri: "test://items/42" })).body.result.contents).toEqual([{ uri: "test://items/42", text: "item 42" }]);
    const prompts = (await call(server, sessionId, "prompts/list")).body.result.prompts;
    expect(prompts[0]).toEqual({ name: "greet", description: "Greets", arguments: [{ name: "name", required: true }] });
    expect((await call(server, sessionId, "prompts/get", { name: "greet", arguments: { name: "Ada" } })).body.result.messages).toEqual([
      { role: "user", content: { type: "text", text: "Hello Ada" } },
    ]);
    const completion = await call(server, sessionId, "completion/complete", { ref: { type: "ref/prompt", name: "pick" }, argument: { name: "color", value: "r" } });
    expect(completion.body.result.completion).toEqual({ values: ["red", "rose"], hasMore: false });
  });
});

describe("streaming", () => {
  it("switches to SSE when the handler talks, with priming for 2025-11-25 only", async () => {
    const server = createServer({ name: "s", version: "1" }).tool("chatty", { description: "Reports progress" }, async (_args, ctx) => {
      ctx.progress(1, 2);
      ctx.progress(1, 2); // not increasing: dropped
      ctx.progress(2, 2);
      return "done";
    });
    const params = { name: "chatty", _meta: { progressToken: "p1" } };
    const current = await post(server, { jsonrpc: "2.0", id: 9, method: "tools/call", params }, { "mcp-session-id": await initialize(server, "2025-11-25") });
    expect(current.headers.get("content-type")).toBe("text/event-stream");
    const text = await current.text();
    expect(text.startsWith("id: ")).toBe(true);
    expect(text).toMatch(/^id: \S+_0\nretry: 1000\ndata:\n\n/);
    const { events } = await parseResponse(new Response(text, { headers: { "content-type": "text/event-stream" } }));
    expect(events.map((e) => e.params?.progress ?? e.result?.content[0].text)).toEqual([1, 2, "done"]);
    const older = await post(server, { jsonrpc: "2.0", id: 9, method: "tools/call", params }, { "mcp-session-id": await initialize(server, "2025-06-18") });
    expect(await older.text()).not.toMatch(/data:\n\n/);
  });

  it("a JSON-only client still gets the result, without notifications", async () => {
    const server = createServer({ name: "s", version: "1" }).tool("chatty", { description: "Logs" }, (_args, ctx) => {
      ctx.log("info", "hello");
      return "done";
    });
    const sessionId = await initialize(server);
    const response = await post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "chatty" } }, { "mcp-session-id": sessionId, accept: "application/json" });
    expect(response.headers.get("content-type")).toBe("application/json");
    expect((await response.json()).result.content[0].text).toBe("done");
  });
});

describe("SSE polling on the GET stream", () => {
  it("sse.pollAfter closes the stream; what happens before the client resumes is replayed", async () => {
    const server = createServer({ name: "poll", version: "1", sse: { pollAfter: 100, retry: 50 } }).tool("t", { description: "A tool" }, () => "ok");
    const sessionId = await initialize(server);
    const open = (lastEventId?: string) =>
      server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, ...(lastEventId ? { "last-event-id": lastEventId } : {}) } }));
    const first = await (await open()).text(); // ends by itself after pollAfter
    const primingId = /^id: (\S+)\nretry: 50\ndata:\n\n$/.exec(first)?.[1];
    expect(primingId).toBeDefined();
    await server.notifyListChanged("tools"); // while no stream is open
    const resumed = await open(primingId);
    const text = await resumed.text(); // polls again after 100 ms
    expect(text).toMatch(/^id: \S+_1\ndata: \{"jsonrpc":"2.0","method":"notifications\/tools\/list_changed"\}\n\n/);
    expect(text).not.toContain(`id: ${primingId}`);
  });
});

describe("sessions are bound to the authenticated caller", () => {
  it("another principal presenting the session id gets 404, as if it did not exist", async () => {
    const server = createServer({ name: "bound", version: "1" }).tool("t", { description: "A tool" }, () => "ok");
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } };
    const alice = { auth: { principal: "alice" } };
    const response = await post(server, init, {}, alice);
    const sessionId = response.headers.get("mcp-session-id")!;
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    expect((await post(server, ping, { "mcp-session-id": sessionId }, alice)).status).toBe(200);
    expect((await post(server, ping, { "mcp-session-id": sessionId }, { auth: { principal: "mallory" } })).status).toBe(404);
    expect((await post(server, ping, { "mcp-session-id": sessionId })).status).toBe(404); // anonymous
    const stolenDelete = await server.handle(new Request(ENDPOINT, { method: "DELETE", headers: { "mcp-session-id": sessionId } }), { auth: { principal: "mallory" } });
    expect(stolenDelete.status).toBe(404);
    expect((await post(server, ping, { "mcp-session-id": sessionId }, alice)).status).toBe(200); // still alice's
  });
});
