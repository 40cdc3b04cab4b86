/**
 * The stateless 2026-07-28 leg through `server.handle(Request)`: the validation ladder
 * (protocol checklist §2, §3.2, §4, §5), result shapes and caching fields (§12), era
 * filtering, logs/progress/cancellation on the request's own SSE stream, and MRTR
 * `input_required` rounds with a signed `requestState` (§8; conformance.md §10).
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import type { HostContext } from "../context/host.js";
import { createServer } from "../create-server.js";
import type { ServerOptions } from "../server/options.js";
import { ENDPOINT, call, initialize, parseResponse } from "../test-support/requests.js";

const V = "2026-07-28";
const KEY = {
  version: "io.modelcontextprotocol/protocolVersion",
  caps: "io.modelcontextprotocol/clientCapabilities",
  info: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
} as const;
const SECRET = "test-secret-that-is-at-least-32-bytes-long";
const ALL_CAPS = { elicitation: {}, sampling: {}, roots: {} };

type Json = Record<string, any>;

/** The `_meta` envelope of a 2026 request. */
function meta(caps: Json = {}, extra: Json = {}): Json {
  return { [KEY.version]: V, [KEY.caps]: caps, [KEY.info]: { name: "modern-test", version: "1" }, ...extra };
}

/** The headers a well-behaved 2026 client sends for `method` with `params`. */
function standardHeaders(method: string, params: Json): Record<string, string> {
  const headers: Record<string, string> = { "mcp-protocol-version": V, "mcp-method": method };
  if ((method === "tools/call" || method === "prompts/get") && typeof params.name === "string") headers["mcp-name"] = params.name;
  if (method === "resources/read" && typeof params.uri === "string") headers["mcp-name"] = params.uri;
  return headers;
}

interface SendOptions {
  /** Added to (or, with null, removed from) the standard headers. */
  headers?: Record<string, string | null>;
  host?: HostContext;
}

/** POSTs one raw body with the given headers (content-type and accept included). */
function postRaw(server: ReturnType<typeof createServer>, body: unknown, headers: Record<string, string | null>, host?: HostContext): Promise<Response> {
  const all: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) delete all[name];
    else all[name] = value;
  }
  return server.handle(new Request(ENDPOINT, { method: "POST", headers: all, body: typeof body === "string" ? body : JSON.stringify(body) }), host);
}

/** Sends a 2026 request: `params` should already carry `_meta` (use `meta()`). */
function send(server: ReturnType<typeof createServer>, id: number | string, method: string, params: Json, options: SendOptions = {}): Promise<Response> {
  return postRaw(server, { jsonrpc: "2.0", id, method, params }, { ...standardHeaders(method, params), ...options.headers }, options.host);
}

/** Sends and parses (JSON, or the last message of a finished SSE stream). */
async function rpc(server: ReturnType<typeof createServer>, id: number | string, method: string, params: Json, options: SendOptions = {}) {
  return parseResponse(await send(server, id, method, params, options));
}

/** Asserts a JSON-RPC error with the HTTP status, code and the request id echoed; returns the error. */
async function expectError(responsePromise: Promise<Response>, status: number, code: number, id: number | string | null): Promise<Json> {
  const response = await responsePromise;
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as Json;
  expect({ status: response.status, code: body.error?.code, id: body.id }).toEqual({ status, code, id });
  expect(body).not.toHaveProperty("result");
  expect(body.jsonrpc).toBe("2.0");
  return body.error;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function testServer(options: Partial<ServerOptions> = {}) {
  return createServer({ name: "modern", version: "2.0.0", requestStateSecret: SECRET, ...options })
    .tool("echo", { description: "Echo text", input: v.object({ text: v.string() }) }, ({ text }) => text)
    .tool(
      "regional",
      {
        description: "Has a header-mirrored argument",
        input: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" }, note: { type: "string" } }, required: ["region"] },
      },
      (args) => `region ${(args as { region: string }).region}`,
    )
    .tool("needs_sampling", { description: "Samples" }, async (_args, ctx) => {
      const reply = await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "hi" } }], maxTokens: 5 });
      return JSON.stringify(reply.content);
    })
    .tool("ask_name", { description: "Asks for a name (key user_name)" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "Your name?", schema: v.object({ name: v.string() }), key: "user_name" });
      return answer.action === "accept" ? `Hello, ${answer.content.name}` : `no name (${answer.action})`;
    })
    .tool("ask_for", { description: "Asks for a name, with an argument", input: v.object({ topic: v.string() }) }, async ({ topic }, ctx) => {
      const answer = await ctx.elicit({ message: `Name for ${topic}?`, schema: v.object({ name: v.string() }), key: "user_name" });
      return answer.action === "accept" ? `${topic}: ${answer.content.name}` : "declined";
    })
    .tool("two_rounds", { description: "Asks twice" }, async (_args, ctx) => {
      const name = await ctx.elicit({ message: "Name?", schema: v.object({ name: v.string() }), key: "name" });
      const color = await ctx.elicit({ message: "Color?", schema: v.object({ color: v.string() }), key: "color" });
      if (name.action !== "accept" || color.action !== "accept") return "incomplete";
      return `${name.content.name} likes ${color.content.color}`;
    })
    .tool("all_inputs", { description: "Asks for everything at once" }, async (_args, ctx) => {
      const [who, said, roots] = await Promise.all([
        ctx.elicit({ message: "Who?", schema: v.object({ name: v.string() }) }),
        ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "Say hello" } }], maxTokens: 10 }),
        ctx.roots(),
      ]);
      const name = who.action === "accept" ? who.content.name : "?";
      return `${name} | ${(said.content as { text: string }).text} | ${roots.map((r) => r.uri).join(",")}`;
    })
    .tool("logs", { description: "Logs at three levels" }, (_args, ctx) => {
      ctx.log("debug", "debug detail");
      ctx.log("info", "info line");
      ctx.log("error", "error line");
      return "logged";
    })
    .tool("progress", { description: "Reports progress" }, (_args, ctx) => {
      ctx.progress(1, 2, "half");
      ctx.progress(2, 2, "done");
      return "finished";
    })
    .resource("test://static", { name: "static", mimeType: "text/plain" }, () => "static text")
    .resource("test://cached", { name: "cached", cache: { ttlMs: 5, scope: "private" } }, () => "cached text")
    .resource("test://ask", { name: "asks" }, async (_input, ctx) => {
      const answer = await ctx.elicit({ message: "Which?", schema: v.object({ which: v.string() }), key: "which" });
      return answer.action === "accept" ? `picked ${answer.content.which}` : "none";
    })
    .resourceTemplate("test://items/{id}", { name: "item" }, ({ params }) => `item ${params.id}`)
    .prompt("greet", { description: "Greets", args: v.object({ name: v.string() }) }, ({ name }) => `Hello ${name}`)
    .prompt("ask_prompt", { description: "Asks for a name (key user_name)" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "Your name?", schema: v.object({ name: v.string() }), key: "user_name" });
      return answer.action === "accept" ? `Context for ${answer.content.name}` : "no context";
    })
    .prompt(
      "pick",
      {
        description: "Completion that tries to elicit",
        args: v.object({ color: v.string() }),
        complete: {
          color: async (_value, _context, ctx) => {
            const answer = await ctx.elicit({ message: "Which palette?", schema: v.object({ palette: v.string() }) });
            return answer.action === "accept" ? [answer.content.palette] : [];
          },
        },
      },
      ({ color }) => color,
    );
}

describe("the 2026 validation ladder (checklist §3.2): every rejection echoes the id", () => {
  it("no _meta at all, with a 2026 MCP-Protocol-Version header → 400 -32602", async () => {
    const server = testServer();
    const error = await expectError(send(server, 101, "server/discover", {}), 400, -32602, 101);
    expect(error.message).toMatch(/_meta/);
    await expectError(postRaw(server, { jsonrpc: "2.0", id: "no-params", method: "tools/list" }, standardHeaders("tools/list", {})), 400, -32602, "no-params");
  });

  it("_meta without protocolVersion → 400 -32602", async () => {
    const { [KEY.version]: _dropped, ...rest } = meta();
    await expectError(send(testServer(), 102, "server/discover", { _meta: rest }), 400, -32602, 102);
  });

  it("_meta without clientCapabilities (or not an object) → 400 -32602", async () => {
    const server = testServer();
    const { [KEY.caps]: _dropped, ...rest } = meta();
    const error = await expectError(send(server, 104, "server/discover", { _meta: rest }), 400, -32602, 104);
    expect(error.message).toMatch(/clientCapabilities/);
    await expectError(send(server, 105, "server/discover", { _meta: { ...meta(), [KEY.caps]: [] } }), 400, -32602, 105);
    await expectError(send(server, 106, "server/discover", { _meta: { ...meta(), [KEY.caps]: null } }), 400, -32602, 106);
  });

  it("clientInfo is optional", async () => {
    const { [KEY.info]: _dropped, ...rest } = meta();
    const { status, body } = await rpc(testServer(), 107, "server/discover", { _meta: rest });
    expect(status).toBe(200);
    expect(body.result.resultType).toBe("complete");
  });

  it("MCP-Protocol-Version missing, or different from _meta → 400 -32020", async () => {
    const server = testServer();
    await expectError(send(server, 201, "server/discover", { _meta: meta() }, { headers: { "mcp-protocol-version": null } }), 400, -32020, 201);
    await expectError(send(server, 202, "server/discover", { _meta: meta() }, { headers: { "mcp-protocol-version": "2025-11-25" } }), 400, -32020, 202);
    // The conformance probe: body v999.0.0, header 2026-07-28 → -32020 before the support check.
    await expectError(send(server, 302, "server/discover", { _meta: { ...meta(), [KEY.version]: "v999.0.0" } }), 400, -32020, 302);
  });

  it("an unsupported version (header and _meta both v999.0.0) → 400 -32022 with supported ⊆ discover's supportedVersions", async () => {
    const server = testServer();
    const error = await expectError(
      send(server, 301, "server/discover", { _meta: { ...meta(), [KEY.version]: "v999.0.0" } }, { headers: { "mcp-protocol-version": "v999.0.0" } }),
      400,
      -32022,
      301,
    );
    expect(error.data.requested).toBe("v999.0.0");
    expect(Array.isArray(error.data.supported) && error.data.supported.length > 0).toBe(true);
    const discovered = (await rpc(server, 303, "server/discover", { _meta: meta() })).body.result.supportedVersions as string[];
    for (const version of error.data.supported) expect(discovered).toContain(version);
  });

  it.each([
    ["missing", { "mcp-method": null }],
    ["naming another method", { "mcp-method": "prompts/list" }],
    ["in another case", { "mcp-method": "TOOLS/LIST" }],
  ])("Mcp-Method %s → 400 -32020", async (_label, headers) => {
    const error = await expectError(send(testServer(), "m-1", "tools/list", { _meta: meta() }, { headers }), 400, -32020, "m-1");
    expect(error.message).toMatch(/Mcp-Method/);
  });

  it("Mcp-Method's header name is case-insensitive and its value is trimmed", async () => {
    const server = testServer();
    const ok = await send(server, 1, "tools/list", { _meta: meta() }, { headers: { "mcp-method": null, "MCP-METHOD": "  tools/list  " } });
    expect(ok.status).toBe(200);
  });

  it.each([
    ["tools/call", { name: "echo", arguments: { text: "hi" } }],
    ["prompts/get", { name: "greet", arguments: { name: "Ada" } }],
    ["resources/read", { uri: "test://static" }],
  ])("Mcp-Name missing or wrong on %s → 400 -32020; right (even padded) → 200", async (method, params) => {
    const server = testServer();
    const full = { ...params, _meta: meta() };
    const missing = await expectError(send(server, 11, method, full, { headers: { "mcp-name": null } }), 400, -32020, 11);
    expect(missing.message).toMatch(/Mcp-Name/);
    await expectError(send(server, 12, method, full, { headers: { "mcp-name": "wrong_name" } }), 400, -32020, 12);
    const right = (params as Json).name ?? (params as Json).uri;
    const { status, body } = await rpc(server, 13, method, full, { headers: { "mcp-name": `  ${right}  ` } });
    expect(status).toBe(200);
    expect(body.result.resultType).toBe("complete");
  });

  it("an x-mcp-header argument: Mcp-Param-* missing or mismatched → 400 -32020; matching (plain or base64) → 200", async () => {
    const server = testServer();
    const params = { name: "regional", arguments: { region: "us-west1" }, _meta: meta() };
    const missing = await expectError(send(server, 21, "tools/call", params), 400, -32020, 21);
    expect(missing.message).toMatch(/Mcp-Param-Region/);
    await expectError(send(server, 22, "tools/call", params, { headers: { "mcp-param-region": "eu-north1" } }), 400, -32020, 22);
    await expectError(send(server, 23, "tools/call", params, { headers: { "mcp-param-region": "=?base64?dXMtd2VzdDE?=" } }), 400, -32020, 23); // bad padding
    const plain = await rpc(server, 24, "tools/call", params, { headers: { "Mcp-Param-Region": "us-west1" } });
    expect(plain.body.result.content).toEqual([{ type: "text", text: "region us-west1" }]);
    const encoded = await rpc(server, 25, "tools/call", params, { headers: { "mcp-param-region": `=?base64?${btoa("us-west1")}?=` } });
    expect(encoded.body.result.content).toEqual([{ type: "text", text: "region us-west1" }]);
  });

  it("registration rejects an invalid x-mcp-header annotation", () => {
    const bad = (property: Json) => () =>
      createServer({ name: "x", version: "1" }).tool("bad_header", { description: "Bad", input: { type: "object", properties: { p: property } } }, () => "never");
    expect(bad({ type: "number", "x-mcp-header": "P" })).toThrow(/x-mcp-header/);
    expect(bad({ type: "string", "x-mcp-header": "has space" })).toThrow(/x-mcp-header/);
    expect(bad({ type: "string", "x-mcp-header": "" })).toThrow(/x-mcp-header/);
    expect(bad({ type: "array", items: { type: "string", "x-mcp-header": "Item" } })).toThrow(/x-mcp-header/);
  });

  it.each([["initialize"], ["ping"], ["logging/setLevel"], ["resources/subscribe"], ["resources/unsubscribe"]])(
    "%s is removed in 2026 → 404 -32601",
    async (method) => {
      const params: Json = { _meta: meta() };
      if (method === "initialize") Object.assign(params, { protocolVersion: V, capabilities: {}, clientInfo: { name: "c", version: "1" } });
      if (method === "logging/setLevel") params.level = "debug";
      if (method.startsWith("resources/")) params.uri = "test://static";
      const error = await expectError(send(testServer(), `removed-${method}`, method, params), 404, -32601, `removed-${method}`);
      expect(error.message).toMatch(/not part of protocol 2026-07-28/);
    },
  );

  it("an unknown method → 404 -32601", async () => {
    await expectError(send(testServer(), 601, "unknown/method", { _meta: meta() }), 404, -32601, 601);
  });

  it("tools/list on a server without tools → 404 -32601, and discover does not advertise tools", async () => {
    const server = createServer({ name: "bare", version: "1" }).prompt("p", { description: "P" }, () => "p");
    await expectError(send(server, 7, "tools/list", { _meta: meta() }), 404, -32601, 7);
    const { body } = await rpc(server, 8, "server/discover", { _meta: meta() });
    expect(body.result.capabilities).not.toHaveProperty("tools");
    expect(body.result.capabilities).toHaveProperty("prompts");
  });

  it("a tool calling ctx.sample when the client declared no sampling → 400 -32021 with requiredCapabilities { sampling: {} }", async () => {
    const error = await expectError(send(testServer(), 401, "tools/call", { name: "needs_sampling", arguments: {}, _meta: meta({ elicitation: {} }) }), 400, -32021, 401);
    expect(error.data).toEqual({ requiredCapabilities: { sampling: {} } });
  });

  it("a modern batch → 400 -32600", async () => {
    const batch = [
      { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta() } },
      { jsonrpc: "2.0", id: 2, method: "prompts/list", params: { _meta: meta() } },
    ];
    const response = await postRaw(testServer(), batch, { "mcp-protocol-version": V, "mcp-method": "tools/list" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error.code).toBe(-32600);
  });

  it("a modern notification → 202 with no body (also one with only the 2026 header)", async () => {
    const server = testServer();
    const withMeta = await postRaw(server, { jsonrpc: "2.0", method: "notifications/initialized", params: { _meta: meta() } }, { "mcp-protocol-version": V, "mcp-method": "notifications/initialized" });
    expect(withMeta.status).toBe(202);
    expect(await withMeta.text()).toBe("");
    const headerOnly = await postRaw(server, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1 } }, { "mcp-protocol-version": V, "mcp-method": "notifications/cancelled" });
    expect(headerOnly.status).toBe(202);
  });

  it("resources/read of an unknown resource → -32602 with data.uri", async () => {
    const uri = "test://nonexistent-resource-for-conformance-testing";
    const response = await send(testServer(), 9, "resources/read", { uri, _meta: meta() });
    const body = (await response.json()) as Json;
    expect(body.id).toBe(9);
    expect(body.error).toMatchObject({ code: -32602, data: { uri } });
  });

  it("an invalid logLevel in _meta → 400 -32602", async () => {
    const error = await expectError(send(testServer(), 10, "tools/call", { name: "logs", arguments: {}, _meta: meta({}, { [KEY.logLevel]: "loud" }) }), 400, -32602, 10);
    expect(error.message).toMatch(/logLevel/);
  });

  it("unknown tool → -32602 in band", async () => {
    const response = await send(testServer(), 12, "tools/call", { name: "nope", arguments: {}, _meta: meta() });
    const body = (await response.json()) as Json;
    expect(response.status).toBe(200);
    expect(body).toMatchObject({ id: 12, error: { code: -32602, message: "Unknown tool: nope" } });
  });

  it("client facts come from this request's _meta only: capabilities are never inferred from earlier requests", async () => {
    const server = testServer().tool("whoami", { description: "Shows ctx.session" }, (_args, ctx) => JSON.stringify(ctx.session));
    const first = (await rpc(server, 1, "tools/call", { name: "whoami", arguments: {}, _meta: meta({ sampling: {} }) })).body.result;
    expect(JSON.parse(first.content[0].text)).toEqual({ clientInfo: { name: "modern-test", version: "1" }, clientCapabilities: { sampling: {} }, protocolVersion: V, era: "modern" });
    // The same client, next request, without sampling: the earlier declaration does not count.
    await expectError(send(server, 2, "tools/call", { name: "needs_sampling", arguments: {}, _meta: meta({}) }), 400, -32021, 2);
  });

  it("never mints or echoes Mcp-Session-Id", async () => {
    const response = await send(testServer(), 1, "server/discover", { _meta: meta() }, { headers: { "mcp-session-id": "whatever" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
  });
});

describe("2026 result shapes (checklist §3.2, §12)", () => {
  it("server/discover: resultType, supportedVersions, capabilities without logging, ttlMs, cacheScope, serverInfo in _meta", async () => {
    const server = testServer({ instructions: "Be nice", cache: { ttlMs: 60_000, scope: "public" } });
    const { status, body } = await rpc(server, 201, "server/discover", { _meta: meta() });
    expect(status).toBe(200);
    expect(body.id).toBe(201);
    const result = body.result;
    expect(result).toMatchObject({ resultType: "complete", supportedVersions: [V], instructions: "Be nice", ttlMs: 60_000, cacheScope: "public" });
    expect(result.capabilities).toEqual({ tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, completions: {} });
    expect(result.capabilities).not.toHaveProperty("logging");
    expect(result._meta[KEY.serverInfo]).toEqual({ name: "modern", version: "2.0.0" });
    expect(result).not.toHaveProperty("serverInfo");
    expect(result).not.toHaveProperty("protocolVersion");
  });

  it("the four lists and resources/read carry resultType, ttlMs and cacheScope (server default, per-resource override)", async () => {
    const server = testServer({ cache: { ttlMs: 30_000, scope: "public" } });
    const _meta = meta();
    for (const method of ["tools/list", "prompts/list", "resources/list", "resources/templates/list"]) {
      const { status, body } = await rpc(server, method, method, { _meta });
      expect(status, method).toBe(200);
      expect(body.result, method).toMatchObject({ resultType: "complete", ttlMs: 30_000, cacheScope: "public" });
      expect(body.result._meta[KEY.serverInfo], method).toEqual({ name: "modern", version: "2.0.0" });
    }
    const read = await rpc(server, "r1", "resources/read", { uri: "test://static", _meta });
    expect(read.body.result).toMatchObject({ resultType: "complete", ttlMs: 30_000, cacheScope: "public", contents: [{ uri: "test://static", text: "static text" }] });
    const overridden = await rpc(server, "r2", "resources/read", { uri: "test://cached", _meta });
    expect(overridden.body.result).toMatchObject({ resultType: "complete", ttlMs: 5, cacheScope: "private" });
    const templated = await rpc(server, "r3", "resources/read", { uri: "test://items/7", _meta });
    expect(templated.body.result).toMatchObject({ resultType: "complete", ttlMs: 30_000, cacheScope: "public", contents: [{ text: "item 7" }] });
  });

  it("the default caching hint is ttlMs 0, private", async () => {
    const { body } = await rpc(testServer(), 1, "tools/list", { _meta: meta() });
    expect(body.result).toMatchObject({ ttlMs: 0, cacheScope: "private" });
  });

  it("every other result has resultType complete and serverInfo in _meta, but no caching fields", async () => {
    const server = testServer();
    const _meta = meta();
    const results = [
      (await rpc(server, 1, "tools/call", { name: "echo", arguments: { text: "hi" }, _meta })).body.result,
      (await rpc(server, 2, "prompts/get", { name: "greet", arguments: { name: "Ada" }, _meta })).body.result,
      (await rpc(server, 3, "completion/complete", { ref: { type: "ref/resource", uri: "test://items/{id}" }, argument: { name: "id", value: "" }, _meta })).body.result,
    ];
    for (const result of results) {
      expect(result.resultType).toBe("complete");
      expect(result._meta[KEY.serverInfo]).toEqual({ name: "modern", version: "2.0.0" });
      expect(result).not.toHaveProperty("ttlMs");
      expect(result).not.toHaveProperty("cacheScope");
    }
    expect(results[0].content).toEqual([{ type: "text", text: "hi" }]);
    expect(results[1].messages).toEqual([{ role: "user", content: { type: "text", text: "Hello Ada" } }]);
  });

  it("a tool's own result _meta is kept next to serverInfo", async () => {
    const server = createServer({ name: "m", version: "1" }).tool("with_meta", { description: "Meta" }, () => ({ content: [], _meta: { "example.com/trace": "abc" } }));
    const { body } = await rpc(server, 1, "tools/call", { name: "with_meta", arguments: {}, _meta: meta() });
    expect(body.result._meta).toEqual({ "example.com/trace": "abc", [KEY.serverInfo]: { name: "m", version: "1" } });
  });

  it("tools/list order is deterministic (registration order, three calls)", async () => {
    const server = createServer({ name: "order", version: "1" });
    for (const name of ["zeta", "alpha", "mid", "beta"]) server.tool(name, { description: name }, () => name);
    const lists: string[][] = [];
    for (let i = 0; i < 3; i++) lists.push((await rpc(server, i, "tools/list", { _meta: meta() })).body.result.tools.map((t: Json) => t.name));
    expect(lists).toEqual([
      ["zeta", "alpha", "mid", "beta"],
      ["zeta", "alpha", "mid", "beta"],
      ["zeta", "alpha", "mid", "beta"],
    ]);
  });
});

describe("era filtering", () => {
  const eraServer = () =>
    createServer({ name: "eras", version: "1" })
      .tool("both", { description: "Both eras" }, () => "both")
      .tool("old_only", { description: "2025 only", era: "legacy" }, () => "old")
      .tool("new_only", { description: "2026 only", era: "modern" }, () => "new");

  it("a legacy-only tool is invisible to a modern tools/list, and a modern tools/call says unknown tool", async () => {
    const server = eraServer();
    const listed = (await rpc(server, 1, "tools/list", { _meta: meta() })).body.result.tools.map((t: Json) => t.name);
    expect(listed).toEqual(["both", "new_only"]);
    const { body } = await rpc(server, 2, "tools/call", { name: "old_only", arguments: {}, _meta: meta() });
    expect(body.error).toMatchObject({ code: -32602, message: "Unknown tool: old_only" });
    expect((await rpc(server, 3, "tools/call", { name: "new_only", arguments: {}, _meta: meta() })).body.result.content[0].text).toBe("new");
  });

  it("a modern-only tool is invisible to a 2025 session", async () => {
    const server = eraServer();
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "tools/list")).body.result.tools.map((t: Json) => t.name)).toEqual(["both", "old_only"]);
    expect((await call(server, sessionId, "tools/call", { name: "new_only", arguments: {} })).body.error).toMatchObject({ code: -32602, message: "Unknown tool: new_only" });
    expect((await call(server, sessionId, "tools/call", { name: "old_only", arguments: {} })).body.result.content[0].text).toBe("old");
  });

  it("a server whose only tool is legacy-only advertises no tools to 2026 clients and answers tools/list with 404 -32601", async () => {
    // Checklist §3.2: advertised capabilities match behaviour (conformance sep-2575-discover-capabilities-match-handlers).
    const server = createServer({ name: "old", version: "1" }).tool("old_only", { description: "2025 only", era: "legacy" }, () => "old");
    const discovered = (await rpc(server, 1, "server/discover", { _meta: meta() })).body.result;
    expect(discovered.capabilities).not.toHaveProperty("tools");
    await expectError(send(server, 2, "tools/list", { _meta: meta() }), 404, -32601, 2);
  });
});

/** Reads SSE messages one at a time with bounded waits; a timed-out read stays pending for the next call. */
function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  const raw: string[] = [];
  return {
    raw,
    /** The next JSON-RPC message, or "end" when the stream closed. Throws after `timeoutMs`. */
    async next(timeoutMs = 2_000): Promise<Json | "end"> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const boundary = buffer.indexOf("\n\n");
        if (boundary !== -1) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          raw.push(block);
          const data = block
            .split("\n")
            .filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trim())
            .join("");
          if (data) return JSON.parse(data) as Json;
          continue; // a comment or priming event
        }
        pending ??= reader.read();
        const { value, done } = await withTimeout(pending, Math.max(1, deadline - Date.now()), "an SSE message");
        pending = undefined;
        if (done) return "end";
        buffer += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe("notifications on the request's own SSE stream", () => {
  it("no logs without _meta logLevel: a plain JSON response", async () => {
    const response = await send(testServer(), 1, "tools/call", { name: "logs", arguments: {}, _meta: meta() });
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as Json;
    expect(body.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "logged" }] });
  });

  it("with logLevel info: info and error (not debug) on the SSE response, then the result; no event ids", async () => {
    const response = await send(testServer(), "log-1", "tools/call", { name: "logs", arguments: {}, _meta: meta({}, { [KEY.logLevel]: "info" }) });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const text = await withTimeout(response.text(), 2_000, "the SSE body");
    expect(text).not.toMatch(/^id:/m);
    const { events } = await parseResponse(new Response(text, { headers: { "content-type": "text/event-stream" } }));
    expect(events.map((e) => e.method ?? "result")).toEqual(["notifications/message", "notifications/message", "result"]);
    expect(events.slice(0, 2).map((e) => [e.params.level, e.params.data])).toEqual([
      ["info", "info line"],
      ["error", "error line"],
    ]);
    expect(events[2]).toMatchObject({ id: "log-1", result: { resultType: "complete", content: [{ type: "text", text: "logged" }] } });
  });

  it("logLevel error filters out info", async () => {
    const { events } = await rpc(testServer(), 2, "tools/call", { name: "logs", arguments: {}, _meta: meta({}, { [KEY.logLevel]: "error" }) });
    expect(events.filter((e) => e.method === "notifications/message").map((e) => e.params.level)).toEqual(["error"]);
  });

  it("progress with _meta.progressToken arrives on the SSE response before the result", async () => {
    const { status, events } = await rpc(testServer(), 3, "tools/call", { name: "progress", arguments: {}, _meta: meta({}, { progressToken: "progress-test-1" }) });
    expect(status).toBe(200);
    expect(events.map((e) => e.method ?? "result")).toEqual(["notifications/progress", "notifications/progress", "result"]);
    expect(events[0].params).toEqual({ progressToken: "progress-test-1", progress: 1, total: 2, message: "half" });
    expect(events[1].params).toMatchObject({ progressToken: "progress-test-1", progress: 2 });
    expect(events[2].result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "finished" }] });
  });

  it("without a progressToken the same tool answers plain JSON", async () => {
    const response = await send(testServer(), 4, "tools/call", { name: "progress", arguments: {}, _meta: meta() });
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("closing the SSE response body aborts the handler's ctx.signal", async () => {
    let aborted!: (reason: unknown) => void;
    const abortSeen = new Promise<unknown>((resolve) => (aborted = resolve));
    const server = createServer({ name: "cancel", version: "1" }).tool("wait", { description: "Waits until cancelled" }, async (_args, ctx) => {
      ctx.signal.addEventListener("abort", () => aborted(ctx.signal.reason));
      ctx.progress(1);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5_000);
        ctx.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()));
      });
      return "cancelled or timed out";
    });
    const response = await send(server, 5, "tools/call", { name: "wait", arguments: {}, _meta: meta({}, { progressToken: 1 }) });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    await response.body!.cancel();
    expect(await withTimeout(abortSeen, 2_000, "ctx.signal to abort")).toBeDefined();
    await server.close();
  });
});

// ---------- MRTR (checklist §8, conformance.md §10.4) ----------

const accept = (content: Json) => ({ action: "accept", content });

/** Round 1 of a tool call: must be input_required. */
async function roundOne(server: ReturnType<typeof createServer>, params: Json, options: SendOptions = {}) {
  const { status, body } = await rpc(server, "r1", "tools/call", { _meta: meta(ALL_CAPS), ...params }, options);
  expect(status).toBe(200);
  expect(body.result?.resultType, JSON.stringify(body)).toBe("input_required");
  return body.result as Json;
}

/** Flips one character of a string at `index` to another base64url character. */
function flip(text: string, index: number): string {
  const replacement = text[index] === "A" ? "B" : "A";
  return text.slice(0, index) + replacement + text.slice(index + 1);
}

describe("MRTR input rounds", () => {
  it("round 1 → input_required keyed as requested, with a requestState; retry with the answer → complete", async () => {
    const server = testServer();
    const first = await roundOne(server, { name: "ask_name", arguments: {} });
    expect(Object.keys(first.inputRequests)).toEqual(["user_name"]);
    expect(first.inputRequests.user_name).toEqual({
      method: "elicitation/create",
      params: { mode: "form", message: "Your name?", requestedSchema: expect.objectContaining({ type: "object", properties: { name: { type: "string" } } }) },
    });
    expect(typeof first.requestState).toBe("string");
    expect(first.requestState.length).toBeGreaterThan(0);
    expect(first).not.toHaveProperty("ttlMs");
    expect(first).not.toHaveProperty("cacheScope");
    expect(first._meta[KEY.serverInfo]).toEqual({ name: "modern", version: "2.0.0" });

    const { body } = await rpc(server, "r2", "tools/call", {
      name: "ask_name",
      arguments: {},
      inputResponses: { user_name: accept({ name: "Alice" }) },
      requestState: first.requestState,
      _meta: meta(ALL_CAPS),
    });
    expect(body.id).toBe("r2");
    expect(body.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Hello, Alice" }] });
  });

  it("the answer alone, without requestState, also completes (the conformance elicitation tool)", async () => {
    const { body } = await rpc(testServer(), 1, "tools/call", { name: "ask_name", arguments: {}, inputResponses: { user_name: accept({ name: "Bo" }) }, _meta: meta(ALL_CAPS) });
    expect(body.result.content[0].text).toBe("Hello, Bo");
  });

  it("round 1 without `arguments`, retry with `arguments: {}` (as the conformance client does) → complete", async () => {
    const server = testServer();
    const first = await roundOne(server, { name: "ask_name" });
    const { body } = await rpc(server, 2, "tools/call", { name: "ask_name", arguments: {}, inputResponses: { user_name: accept({ name: "Cy" }) }, requestState: first.requestState, _meta: meta(ALL_CAPS) });
    expect(body.result?.content?.[0]?.text, JSON.stringify(body)).toBe("Hello, Cy");
  });

  it("a declined elicitation reaches the handler as decline", async () => {
    const { body } = await rpc(testServer(), 1, "tools/call", { name: "ask_name", arguments: {}, inputResponses: { user_name: { action: "decline" } }, _meta: meta(ALL_CAPS) });
    expect(body.result.content[0].text).toBe("no name (decline)");
  });

  it("multi-round: the state changes between rounds and earlier answers are kept", async () => {
    const server = testServer();
    const first = await roundOne(server, { name: "two_rounds", arguments: {} });
    expect(Object.keys(first.inputRequests)).toEqual(["name"]);
    const second = (
      await rpc(server, "r2", "tools/call", { name: "two_rounds", arguments: {}, inputResponses: { name: accept({ name: "Alice" }) }, requestState: first.requestState, _meta: meta(ALL_CAPS) })
    ).body.result;
    expect(second.resultType).toBe("input_required");
    expect(Object.keys(second.inputRequests)).toEqual(["color"]);
    expect(typeof second.requestState).toBe("string");
    expect(second.requestState).not.toBe(first.requestState);
    // Round 3 answers only the new question: the first answer rides in the state.
    const third = (
      await rpc(server, "r3", "tools/call", { name: "two_rounds", arguments: {}, inputResponses: { color: accept({ color: "blue" }) }, requestState: second.requestState, _meta: meta(ALL_CAPS) })
    ).body.result;
    expect(third).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Alice likes blue" }] });
  });

  it("several input requests in one round (elicitation, sampling, roots), default keys", async () => {
    const server = testServer();
    const first = await roundOne(server, { name: "all_inputs", arguments: {} });
    const methods = Object.fromEntries(Object.entries(first.inputRequests as Record<string, Json>).map(([key, request]) => [key, request.method]));
    expect(methods).toEqual({ elicitation_1: "elicitation/create", sampling_1: "sampling/createMessage", roots_1: "roots/list" });
    expect(first.inputRequests.sampling_1.params).toMatchObject({ maxTokens: 10 });
    const { body } = await rpc(server, "r2", "tools/call", {
      name: "all_inputs",
      arguments: {},
      inputResponses: {
        elicitation_1: accept({ name: "Alice" }),
        sampling_1: { role: "assistant", content: { type: "text", text: "Hello there!" }, model: "test-model", stopReason: "endTurn" },
        roots_1: { roots: [{ uri: "file:///test/root", name: "Test Root" }] },
      },
      requestState: first.requestState,
      _meta: meta(ALL_CAPS),
    });
    expect(body.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Alice | Hello there! | file:///test/root" }] });
  });

  it("missing answers → a fresh input_required", async () => {
    const { body } = await rpc(testServer(), 1, "tools/call", { name: "ask_name", arguments: {}, inputResponses: { wrong_key: accept({ name: "X" }) }, _meta: meta(ALL_CAPS) });
    expect(body.result.resultType).toBe("input_required");
    expect(Object.keys(body.result.inputRequests)).toEqual(["user_name"]);
  });

  it("unknown keys next to the right one are ignored", async () => {
    const { body } = await rpc(testServer(), 1, "tools/call", {
      name: "ask_name",
      arguments: {},
      inputResponses: { user_name: accept({ name: "Alice" }), extra_one: { foo: 1 }, extra_two: "bar" },
      _meta: meta(ALL_CAPS),
    });
    expect(body.result).toMatchObject({ resultType: "complete", content: [{ text: "Hello, Alice" }] });
  });

  it.each([
    ["a number for an elicitation answer", { user_name: 12345 }],
    ["an unknown action", { user_name: { action: "maybe" } }],
    ["content that fails the schema", { user_name: accept({ name: 42 }) }],
  ])("malformed answers (%s) → JSON-RPC -32602", async (_label, inputResponses) => {
    const response = await send(testServer(), "bad", "tools/call", { name: "ask_name", arguments: {}, inputResponses, _meta: meta(ALL_CAPS) });
    const body = (await response.json()) as Json;
    expect(body.id).toBe("bad");
    expect(body.error?.code, JSON.stringify(body)).toBe(-32602);
  });

  it.each([["null", null], ["a number", 5], ["an array", [1]], ["a string", "x"]])("inputResponses that is %s → JSON-RPC -32602", async (_label, inputResponses) => {
    const response = await send(testServer(), "bad", "tools/call", { name: "ask_name", arguments: {}, inputResponses, _meta: meta(ALL_CAPS) });
    const body = (await response.json()) as Json;
    expect(body).toMatchObject({ id: "bad", error: { code: -32602 } });
  });

  describe("requestState is verified", () => {
    const retry = (server: ReturnType<typeof createServer>, requestState: unknown, overrides: Json = {}, options: SendOptions = {}) =>
      send(server, "retry", "tools/call", {
        name: "ask_name",
        arguments: {},
        inputResponses: { user_name: accept({ ok: true, name: "Mallory" }) },
        requestState,
        _meta: meta(ALL_CAPS),
        ...overrides,
      }, options);

    async function expectStateRejected(response: Promise<Response>, pattern?: RegExp) {
      const body = (await (await response).json()) as Json;
      expect(body.id).toBe("retry");
      expect(body.error?.code, JSON.stringify(body)).toBe(-32602);
      expect(body.error.message).toMatch(/requestState/);
      if (pattern) expect(body.error.message).toMatch(pattern);
    }

    it("a tampered signature → -32602", async () => {
      const server = testServer();
      const { requestState } = await roundOne(server, { name: "ask_name", arguments: {} });
      const dot = requestState.indexOf(".");
      await expectStateRejected(retry(server, flip(requestState, dot + 1)));
      await expectStateRejected(retry(server, flip(requestState, dot + 10)));
      await expectStateRejected(retry(server, `${requestState}-TAMPERED`));
    });

    it("a tampered payload → -32602", async () => {
      const server = testServer();
      const { requestState } = await roundOne(server, { name: "ask_name", arguments: {} });
      await expectStateRejected(retry(server, flip(requestState, 5)));
      // A re-encoded payload with a later expiry and the original signature.
      const [payload, signature] = requestState.split(".");
      const decoded = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Json;
      const forged = btoa(JSON.stringify({ ...decoded, exp: decoded.exp + 1e9, a: { user_name: accept({ name: "Eve" }) } }))
        .replace(/\+/g, "-")
        .replace(/\//g, "_")
        .replace(/=+$/, "");
      await expectStateRejected(retry(server, `${forged}.${signature}`));
    });

    it("garbage and non-string states → -32602", async () => {
      const server = testServer();
      for (const state of ["", "no-dot-here", ".", "a.b", 42, { a: 1 }]) await expectStateRejected(retry(server, state));
    });

    it("an expired state → -32602 mentioning expiry", async () => {
      const server = testServer({ requestStateTtl: 50 });
      const { requestState } = await roundOne(server, { name: "ask_name", arguments: {} });
      await sleep(100);
      await expectStateRejected(retry(server, requestState), /expired/);
    });

    it("a tools/call state replayed with prompts/get → -32602", async () => {
      const server = testServer();
      const { requestState } = await roundOne(server, { name: "ask_name", arguments: {} });
      const body = (await (
        await send(server, "retry", "prompts/get", { name: "ask_prompt", arguments: {}, inputResponses: { user_name: accept({ name: "Eve" }) }, requestState, _meta: meta(ALL_CAPS) })
      ).json()) as Json;
      expect(body.error?.code, JSON.stringify(body)).toBe(-32602);
      expect(body.error.message).toMatch(/issued for tools\/call/);
    });

    it("a state replayed with different arguments → -32602", async () => {
      const server = testServer();
      const { requestState } = await roundOne(server, { name: "ask_for", arguments: { topic: "cats" } });
      await expectStateRejected(retry(server, requestState, { name: "ask_for", arguments: { topic: "dogs" } }, { headers: { "mcp-name": "ask_for" } }), /different params/);
      // Same arguments in another key order: still the same digest.
      const ok = (await (await retry(server, requestState, { name: "ask_for", arguments: { topic: "cats" } }, { headers: { "mcp-name": "ask_for" } })).json()) as Json;
      expect(ok.result?.content?.[0]?.text, JSON.stringify(ok)).toBe("cats: Mallory");
    });

    it("a state replayed with another tool name → -32602", async () => {
      const server = testServer();
      const { requestState } = await roundOne(server, { name: "ask_name", arguments: {} });
      await expectStateRejected(retry(server, requestState, { name: "ask_for", arguments: { topic: "cats" } }, { headers: { "mcp-name": "ask_for" } }));
    });

    it("a state replayed by another principal → -32602; the same principal completes", async () => {
      const server = testServer();
      const alice = { principal: "alice" };
      const { requestState } = await roundOne(server, { name: "ask_name", arguments: {} }, { host: alice });
      await expectStateRejected(retry(server, requestState, {}, { host: { principal: "bob" } }), /another caller/);
      await expectStateRejected(retry(server, requestState, {}, {})); // anonymous
      const ok = (await (await retry(server, requestState, {}, { host: alice })).json()) as Json;
      expect(ok.result?.resultType, JSON.stringify(ok)).toBe("complete");
    });

    it("a state from a server with another requestStateSecret → -32602; one with the same secret accepts it", async () => {
      const issuer = testServer();
      const { requestState } = await roundOne(issuer, { name: "ask_name", arguments: {} });
      await expectStateRejected(retry(testServer({ requestStateSecret: "another-secret-that-is-at-least-32-bytes!!" }), requestState), /signature/);
      const sibling = (await (await retry(testServer(), requestState)).json()) as Json;
      expect(sibling.result?.resultType, JSON.stringify(sibling)).toBe("complete");
    });
  });

  it("elicitation when the client declared only sampling → 400 -32021", async () => {
    const error = await expectError(send(testServer(), 77, "tools/call", { name: "ask_name", arguments: {}, _meta: meta({ sampling: {} }) }), 400, -32021, 77);
    expect(error.data).toEqual({ requiredCapabilities: { elicitation: {} } });
  });

  it("prompts/get and resources/read take input rounds too", async () => {
    const server = testServer();
    const prompt = (await rpc(server, 1, "prompts/get", { name: "ask_prompt", arguments: {}, _meta: meta(ALL_CAPS) })).body.result;
    expect(prompt).toMatchObject({ resultType: "input_required", inputRequests: { user_name: { method: "elicitation/create" } } });
    const promptDone = (
      await rpc(server, 2, "prompts/get", { name: "ask_prompt", arguments: {}, inputResponses: { user_name: accept({ name: "Ada" }) }, requestState: prompt.requestState, _meta: meta(ALL_CAPS) })
    ).body.result;
    expect(promptDone).toMatchObject({ resultType: "complete", messages: [{ role: "user", content: { type: "text", text: "Context for Ada" } }] });

    const read = (await rpc(server, 3, "resources/read", { uri: "test://ask", _meta: meta(ALL_CAPS) })).body.result;
    expect(read).toMatchObject({ resultType: "input_required", inputRequests: { which: { method: "elicitation/create" } } });
    expect(read).not.toHaveProperty("ttlMs");
    const readDone = (
      await rpc(server, 4, "resources/read", { uri: "test://ask", inputResponses: { which: accept({ which: "b" }) }, requestState: read.requestState, _meta: meta(ALL_CAPS) })
    ).body.result;
    expect(readDone).toMatchObject({ resultType: "complete", contents: [{ uri: "test://ask", text: "picked b" }] });
    expect(readDone).toHaveProperty("ttlMs");
  });

  it("an input request from another method (a completion handler calling ctx.elicit) is an error, never input_required", async () => {
    const response = await send(testServer(), "cmp", "completion/complete", { ref: { type: "ref/prompt", name: "pick" }, argument: { name: "color", value: "r" }, _meta: meta(ALL_CAPS) });
    const body = (await response.json()) as Json;
    expect(body.id).toBe("cmp");
    expect(body.result, JSON.stringify(body)).toBeUndefined();
    expect(typeof body.error?.code).toBe("number");
    expect(JSON.stringify(body)).not.toMatch(/input_required/);
  });

  it("tools/list and prompts/list never return input_required", async () => {
    const server = testServer();
    for (const method of ["tools/list", "prompts/list"]) {
      const { body } = await rpc(server, method, method, { inputResponses: { user_name: accept({ name: "X" }) }, requestState: "junk", _meta: meta(ALL_CAPS) });
      expect(body.result?.resultType, method).toBe("complete");
    }
  });
});

describe("completeMessage writes what decorate + resultMessage write, byte for byte", () => {
  it("for results with and without their own _meta or resultType, empty ones, ids of every kind, cacheable methods", async () => {
    const { completeMessage, decorate } = await import("./results.js");
    const { resultMessage } = await import("../protocol/jsonrpc.js");
    const server = createServer({ name: "same", version: "1", title: 'A "quoted" title' });
    const results: Record<string, unknown>[] = [
      { content: [{ type: "text", text: "hi" }] },
      {},
      { content: [], isError: true, structuredContent: { a: [1, "x\u2028y"] } },
      { content: [], _meta: { trace: "t" } },
      { content: [], _meta: undefined, isError: false },
      { resultType: "complete", content: [] },
      { content: [], skipped: undefined },
    ];
    for (const method of ["tools/call", "prompts/get", "tools/list", "resources/read"]) {
      for (const id of [1, 0, -7, "a\"b\\c", "ünïcode"]) {
        for (const result of results) {
          const params = { uri: "fuzz://none" };
          expect(completeMessage(server, id, method, params, result), `${method} ${JSON.stringify(id)} ${JSON.stringify(result)}`).toBe(resultMessage(id, decorate(server, method, params, result)));
        }
      }
    }
  });
});
