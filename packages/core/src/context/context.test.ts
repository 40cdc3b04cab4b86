import * as otel from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import * as v from "valibot";
import { afterAll, describe, expect, it } from "vitest";
import { wwwAuthenticate } from "../auth/www-authenticate.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { createServer } from "../create-server.js";
import { memoryStorage } from "../storage/memory.js";
import { ENDPOINT, JSON_AND_SSE, call, initialize, parseResponse, post } from "../test-support/requests.js";
import type { Context } from "./context.js";

const MODERN_META = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "modern-client", version: "2" },
};
function modern(server: ReturnType<typeof createServer>, method: string, params: Record<string, unknown> = {}, host?: Parameters<typeof post>[3]) {
  const headers: Record<string, string> = { "mcp-protocol-version": "2026-07-28", "mcp-method": method };
  if (typeof params.name === "string") headers["mcp-name"] = params.name;
  return post(server, { jsonrpc: "2.0", id: 7, method, params: { ...params, _meta: MODERN_META } }, headers, host).then(parseResponse);
}

/** A server with one tool that reports what its context saw. */
function probe(observe: (ctx: Context) => unknown, options: Partial<Parameters<typeof createServer>[0]> = {}) {
  return createServer({ name: "probe", version: "1", ...options }).tool("probe", { description: "Reports its context", input: v.object({ x: v.optional(v.number()) }) }, (_args, ctx) =>
    JSON.stringify(observe(ctx as Context)),
  );
}
const probeResult = (response: { body: any }) => JSON.parse(response.body.result.content[0].text);

describe("Frame reference → ctx", () => {
  it("assigns: seeded from the host, assign(k, v), assign({…}), assignNew only when absent", async () => {
    let computed = 0;
    const server = probe((ctx) => {
      ctx.assign("a", 1).assign({ b: 2, c: 3 });
      ctx.assignNew("user", () => ++computed).assignNew("fresh", () => ++computed);
      return ctx.assigns;
    });
    const sessionId = await initialize(server);
    const seen = probeResult(await call(server, sessionId, "tools/call", { name: "probe" }, {}));
    expect(seen).toEqual({ a: 1, b: 2, c: 3, user: 1, fresh: 2 });
    const host = { assigns: { user: "ada" } };
    const response = await post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "probe" } }, { "mcp-session-id": sessionId }, host);
    expect(probeResult(await parseResponse(response))).toEqual({ a: 1, b: 2, c: 3, user: "ada", fresh: 3 });
    expect(computed).toBe(3); // "user" was present from the host, so its function never ran
    expect(host.assigns).toEqual({ user: "ada" }); // the host's object is not mutated
  });

  it("transport (HTTP): lower-cased headers, query, remoteIp, scheme, host, port, path; getHeader/getQuery", async () => {
    const server = probe((ctx) => ({ transport: ctx.transport, header: ctx.getHeader("X-Tenant"), missing: ctx.getHeader("x-none"), q: ctx.getQuery("team"), noQ: ctx.getQuery("none") }));
    const sessionId = await initialize(server);
    const response = await server.handle(
      new Request("https://mcp.example:8443/tools/mcp?team=blue", {
        method: "POST",
        headers: { ...JSON_AND_SSE, "X-Tenant": "acme", "mcp-session-id": sessionId },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "probe" } }),
      }),
      { remoteIp: "203.0.113.9", allowedHosts: undefined } as never,
    );
    const seen = probeResult(await parseResponse(response));
    expect(seen.transport).toMatchObject({ type: "http", query: { team: "blue" }, remoteIp: "203.0.113.9", scheme: "https", host: "mcp.example", port: 8443, path: "/tools/mcp" });
    expect(seen.transport.headers["x-tenant"]).toBe("acme");
    expect(seen).toMatchObject({ header: "acme", q: "blue" });
    expect(seen.missing).toBeUndefined();
    expect(seen.noQ).toBeUndefined();
  });

  it("transport query is null when the URL has none", async () => {
    const server = probe((ctx) => (ctx.transport.type === "http" ? ctx.transport.query : "not http"));
    expect(probeResult(await call(server, await initialize(server), "tools/call", { name: "probe" }))).toBeNull();
  });

  it("transport (stdio): env and pid from the host", async () => {
    const server = probe((ctx) => ({ transport: ctx.transport, header: ctx.getHeader("anything") ?? null }));
    const sessionId = await initialize(server);
    const response = await post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "probe" } }, { "mcp-session-id": sessionId }, {
      transport: { type: "stdio", env: { USER: "alice" }, pid: 4242 },
    });
    expect(probeResult(await parseResponse(response))).toEqual({ transport: { type: "stdio", env: { USER: "alice" }, pid: 4242 }, header: null });
  });

  it("request (id, method, raw params before validation) and initialized", async () => {
    const server = probe((ctx) => ({ request: ctx.request, initialized: ctx.initialized }));
    const sessionId = await initialize(server);
    const response = await post(server, { jsonrpc: "2.0", id: "req-9", method: "tools/call", params: { name: "probe", arguments: { x: 1 } } }, { "mcp-session-id": sessionId });
    expect(probeResult(await parseResponse(response))).toEqual({
      request: { id: "req-9", method: "tools/call", params: { name: "probe", arguments: { x: 1 } } },
      initialized: true,
    });
  });

  it("session: id, clientInfo, clientCapabilities, protocolVersion, era — on both eras", async () => {
    const server = probe((ctx) => ctx.session);
    const sessionId = await initialize(server, "2025-06-18", { roots: {} });
    expect(probeResult(await call(server, sessionId, "tools/call", { name: "probe" }))).toEqual({
      id: sessionId,
      clientInfo: { name: "test", version: "1" },
      clientCapabilities: { roots: {} },
      protocolVersion: "2025-06-18",
      era: "legacy",
    });
    expect(probeResult(await modern(server, "tools/call", { name: "probe" }))).toEqual({
      clientInfo: { name: "modern-client", version: "2" },
      clientCapabilities: {},
      protocolVersion: "2026-07-28",
      era: "modern",
    });
  });

  it("paginationLimit: per server, per session (persisted), per request (middleware)", async () => {
    const server = createServer({ name: "p", version: "1", paginationLimit: 3 });
    for (let i = 0; i < 6; i++) server.tool(`t${i}`, { description: `tool ${i}` }, () => "ok");
    server.tool("narrow", { description: "Sets the session page size" }, async (_a, ctx) => {
      await ctx.setPaginationLimit(2, "session");
      return "ok";
    });
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "tools/list")).body.result.tools).toHaveLength(3);
    await call(server, sessionId, "tools/call", { name: "narrow" });
    expect((await call(server, sessionId, "tools/list")).body.result.tools).toHaveLength(2);
    expect((await call(server, await initialize(server), "tools/list")).body.result.tools).toHaveLength(3); // other sessions unaffected
    server.use("tools/list", async (ctx, next) => {
      await ctx.setPaginationLimit(1);
      return next();
    });
    expect((await call(server, sessionId, "tools/list")).body.result.tools).toHaveLength(1);
    const bad = createServer({ name: "x", version: "1" }).tool("bad", { description: "d" }, async (_a, ctx) => {
      await ctx.setPaginationLimit(0);
      return "accepted";
    });
    const rejected = await call(bad, await initialize(bad), "tools/call", { name: "bad" });
    expect(rejected.body.result).toMatchObject({ isError: true, content: [{ text: "setPaginationLimit: 0 is not a positive integer" }] });
  });
});

describe("per-session registration", () => {
  function sessionServer(storage = memoryStorage()) {
    return createServer({ name: "s", version: "1", storage })
      .toolHandler("report", (args, _ctx, { name, data }) => `${name} for ${(data as { region: string }).region}: ${JSON.stringify(args)}`)
      .resourceHandler("doc", ({ uri, params }, _ctx, { data }) => `${uri} ${JSON.stringify(params)} ${JSON.stringify(data)}`)
      .promptHandler("ask", (args, _ctx, { data }) => `Ask ${(args as { topic: string }).topic} (${data})`)
      .tool("unlock", { description: "Registers this session's own components" }, async (_args, ctx) => {
        await ctx.registerTool("eu_report", { description: "EU report", input: v.object({ year: v.number() }), handler: "report", data: { region: "EU" } });
        await ctx.registerResource("docs://{id}", { name: "doc", handler: "doc", data: "d" });
        await ctx.registerResource("docs://index", { name: "index", handler: "doc" });
        await ctx.registerPrompt("ask_more", { description: "Asks", args: v.object({ topic: v.string() }), handler: "ask", data: 42 });
        return JSON.stringify(ctx.components());
      })
      .tool("lock", { description: "Removes them" }, async (_args, ctx) => {
        await ctx.clearComponents();
        return JSON.stringify(ctx.components());
      });
  }

  it("is visible to that session only, and survives a second instance sharing the storage", async () => {
    const storage = memoryStorage();
    const a = sessionServer(storage);
    const b = sessionServer(storage);
    const mine = await initialize(a);
    const other = await initialize(a);
    const own = JSON.parse((await call(a, mine, "tools/call", { name: "unlock" })).body.result.content[0].text);
    expect(own.tools.map((t: { name: string }) => t.name)).toEqual(["eu_report"]);
    expect(own.resourceTemplates).toEqual([{ uriTemplate: "docs://{id}", name: "doc" }]);

    const names = async (server: typeof a, sessionId: string) => (await call(server, sessionId, "tools/list")).body.result.tools.map((t: { name: string }) => t.name);
    expect(await names(a, mine)).toContain("eu_report");
    expect(await names(a, other)).not.toContain("eu_report");
    expect(await names(b, mine)).toContain("eu_report"); // the other instance sees the session's tools

    expect((await call(b, mine, "tools/call", { name: "eu_report", arguments: { year: 2026 } })).body.result.content[0].text).toBe('eu_report for EU: {"year":2026}');
    expect((await call(b, other, "tools/call", { name: "eu_report", arguments: { year: 2026 } })).body.error).toMatchObject({ code: -32602 });
    expect((await call(b, mine, "tools/call", { name: "eu_report", arguments: { year: "x" } })).body.result.isError).toBe(true);
    expect((await call(b, mine, "resources/read", { uri: "docs://42" })).body.result.contents[0].text).toBe('docs://42 {"id":"42"} "d"');
    expect((await call(b, mine, "resources/list")).body.result.resources).toEqual([{ uri: "docs://index", name: "index" }]);
    expect((await call(b, mine, "prompts/get", { name: "ask_more", arguments: { topic: "tax" } })).body.result.messages[0].content.text).toBe("Ask tax (42)");
    expect((await call(b, mine, "prompts/list")).body.result.prompts).toEqual([{ name: "ask_more", description: "Asks", arguments: [{ name: "topic", required: true }] }]);

    const cleared = JSON.parse((await call(b, mine, "tools/call", { name: "lock" })).body.result.content[0].text);
    expect(cleared).toEqual({ tools: [], resources: [], resourceTemplates: [], prompts: [] });
    expect(await names(a, mine)).not.toContain("eu_report");
  });

  it("tells only that session about list changes, on its GET stream", async () => {
    const server = sessionServer();
    const mine = await initialize(server);
    const other = await initialize(server);
    const open = async (sessionId: string) => {
      const response = await server.handle(new Request(ENDPOINT, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId } }));
      return response.body!.getReader();
    };
    const [mineStream, otherStream] = [await open(mine), await open(other)];
    await mineStream.read(); // priming
    await otherStream.read();
    await call(server, mine, "tools/call", { name: "unlock" });
    const decoder = new TextDecoder();
    let seen = "";
    const deadline = Date.now() + 2_000;
    while (!seen.includes("prompts/list_changed") && Date.now() < deadline) {
      const { value } = await Promise.race([mineStream.read(), new Promise<{ value: undefined }>((r) => setTimeout(() => r({ value: undefined }), 200))]);
      if (value) seen += decoder.decode(value);
    }
    expect(seen).toMatch(/notifications\/tools\/list_changed/);
    expect(seen).toMatch(/notifications\/resources\/list_changed/);
    const quiet = await Promise.race([otherStream.read().then(() => "got something"), new Promise((r) => setTimeout(() => r("quiet"), 300))]);
    expect(quiet).toBe("quiet");
    await mineStream.cancel();
    await otherStream.cancel();
  });

  it("rejects clear mistakes: unknown handler, name taken server-wide, stateless requests", async () => {
    const server = createServer({ name: "s", version: "1" })
      .toolHandler("known", () => "ok")
      .tool("taken", { description: "server-wide" }, () => "ok")
      .tool("try", { description: "Tries a registration", input: v.object({ which: v.string() }) }, async ({ which }, ctx) => {
        if (which === "handler") await ctx.registerTool("x", { description: "d", handler: "missing" });
        if (which === "taken") await ctx.registerTool("taken", { description: "d", handler: "known" });
        return "registered";
      });
    const sessionId = await initialize(server);
    expect((await call(server, sessionId, "tools/call", { name: "try", arguments: { which: "handler" } })).body.result.content[0].text).toMatch(/No tool handler "missing"/);
    expect((await call(server, sessionId, "tools/call", { name: "try", arguments: { which: "taken" } })).body.result.content[0].text).toMatch(/already registered server-wide/);
    const stateless = await modern(server, "tools/call", { name: "try", arguments: { which: "handler" } });
    expect(stateless.body.error).toMatchObject({ code: ErrorCode.InvalidRequest, message: expect.stringMatching(/needs a 2025-era session/) });
  });

  it("2026 way: a visibility predicate on the request's auth decides lists and calls alike", async () => {
    const server = createServer({ name: "v", version: "1" })
      .tool("public_tool", { description: "Anyone" }, () => "ok")
      .tool("admin_tool", { description: "Admins only", visible: (ctx) => ctx.auth?.scopes?.includes("admin") === true }, () => "secret");
    const names = (response: { body: any }) => response.body.result.tools.map((t: { name: string }) => t.name);
    expect(names(await modern(server, "tools/list"))).toEqual(["public_tool"]);
    const admin = { auth: { principal: "ada", scopes: ["admin"] } };
    expect(names(await modern(server, "tools/list", {}, admin))).toEqual(["public_tool", "admin_tool"]);
    expect((await modern(server, "tools/call", { name: "admin_tool" })).body.error).toMatchObject({ code: -32602 });
    expect((await modern(server, "tools/call", { name: "admin_tool" }, admin)).body.result.content[0].text).toBe("secret");
  });
});

describe("middleware", () => {
  it("HTTP onRequest answers early (401 with an RFC 9728 challenge) or passes auth on", async () => {
    const server = probe((ctx) => ctx.auth).onRequest((request, host) => {
      const token = request.header("Authorization");
      if (token !== "Bearer good") {
        return new Response(null, {
          status: 401,
          headers: { "www-authenticate": wwwAuthenticate({ method: "Bearer", resource_metadata: "https://mcp.example/.well-known/oauth-protected-resource" }) },
        });
      }
      host.auth = { principal: "ada", scopes: ["read"] };
    });
    const denied = await post(server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toBe('Bearer resource_metadata="https://mcp.example/.well-known/oauth-protected-resource"');
    const init = await post(server, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {} } }, { authorization: "Bearer good" });
    const sessionId = init.headers.get("mcp-session-id")!;
    expect(probeResult(await call(server, sessionId, "tools/call", { name: "probe" }, { authorization: "Bearer good" }))).toEqual({ principal: "ada", scopes: ["read"] });
  });

  it("method middleware: filters by method, short-circuits with a result or an error, sees timing and outcome", async () => {
    const seen: string[] = [];
    const server = probe(() => "handler ran")
      .use(async (ctx, next) => {
        const started = performance.now();
        try {
          const result = await next();
          seen.push(`${ctx.request.method} ok ${performance.now() - started >= 0}`);
          return result;
        } catch (error) {
          seen.push(`${ctx.request.method} failed ${(error as McpError).code}`);
          throw error;
        }
      })
      .use("prompts/list", async () => ({ prompts: [{ name: "from_middleware", description: "short-circuit" }] }))
      .use(["resources/list"], async () => {
        throw new McpError(ErrorCode.InvalidRequest, "Resources are closed today");
      });
    const sessionId = await initialize(server);
    expect(probeResult(await call(server, sessionId, "tools/call", { name: "probe" }))).toBe("handler ran");
    expect((await call(server, sessionId, "prompts/list")).body.result.prompts[0].name).toBe("from_middleware");
    expect((await call(server, sessionId, "resources/list")).body.error).toEqual({ code: -32600, message: "Resources are closed today" });
    expect(seen).toEqual(["tools/call ok true", "prompts/list ok true", "resources/list failed -32600"]);
    // The same chain runs on 2026 requests.
    expect((await modern(server, "prompts/list")).body.result.prompts[0].name).toBe("from_middleware");
  });
});

describe("telemetry", () => {
  it("fires connect/disconnect once per exchange, terminate once per DELETE, exception once per crash", async () => {
    const events: string[] = [];
    const exceptions: { stack?: string; method: string }[] = [];
    const server = createServer({ name: "t", version: "1" }).tool("crash", { description: "Throws" }, () => {
      throw new Error("kaboom");
    });
    server.on("connect", (e) => events.push(`connect ${e.method}`));
    server.on("disconnect", (e) => events.push(`disconnect ${e.method} ${e.status}`));
    server.on("terminate", (e) => events.push(`terminate ${e.reason} ${e.sessionId.length > 0}`));
    server.on("exception", (e) => exceptions.push({ stack: e.stack, method: e.request.method }));
    server.on("connect", () => {
      throw new Error("a broken listener");
    });
    const sessionId = await initialize(server); // initialize + initialized: two exchanges
    const crash = await call(server, sessionId, "tools/call", { name: "crash" });
    expect(crash.body.result).toEqual({ content: [{ type: "text", text: "kaboom" }], isError: true });
    await server.handle(new Request(ENDPOINT, { method: "DELETE", headers: { "mcp-session-id": sessionId } }));
    expect(events).toEqual([
      "connect POST", "disconnect POST 200", // initialize
      "connect POST", "disconnect POST 202", // notifications/initialized
      "connect POST", "disconnect POST 200", // tools/call
      "connect DELETE", "terminate deleted true", "disconnect DELETE 200",
    ]);
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0].method).toBe("tools/call");
    expect(exceptions[0].stack).toMatch(/kaboom[\s\S]*context\.test\.ts/);
  });

  it("disconnect for a streamed response fires when its stream ends", async () => {
    const events: string[] = [];
    const server = createServer({ name: "t", version: "1" }).tool("talk", { description: "Logs then answers" }, async (_a, ctx) => {
      ctx.log("info", "hello");
      return "done";
    });
    server.on("disconnect", (e) => events.push(`disconnect ${e.streamed}`));
    const sessionId = await initialize(server);
    events.length = 0;
    const response = await post(server, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "talk" } }, { "mcp-session-id": sessionId });
    expect(events).toEqual([]);
    await response.text();
    expect(events).toEqual(["disconnect true"]);
  });

  it("a resource crash is an exception too, and the client gets -32603 without internals", async () => {
    const exceptions: unknown[] = [];
    const server = createServer({ name: "t", version: "1" }).resource("test://x", { name: "x" }, () => {
      throw new Error("db password is hunter2");
    });
    server.on("exception", (e) => exceptions.push(e.error));
    const { body } = await call(server, await initialize(server), "resources/read", { uri: "test://x" });
    expect(body.error).toEqual({ code: -32603, message: "Internal error" });
    expect(exceptions).toHaveLength(1);
  });
});

describe("OpenTelemetry", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  otel.propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  afterAll(() => provider.shutdown());

  it("one span per MCP request, named by method and tool, continuing _meta traceparent", async () => {
    const server = probe(() => "ok", { opentelemetry: { api: otel, tracer: provider.getTracer("test") } });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await modern(server, "tools/call", { name: "probe", _meta: {} });
    const response = await post(
      server,
      { jsonrpc: "2.0", id: 8, method: "tools/list", params: { _meta: { ...MODERN_META, traceparent: `00-${traceId}-00f067aa0ba902b7-01` } } },
      { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list" },
    );
    expect(response.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(["tools/call probe", "tools/list"]);
    expect(spans[1].spanContext().traceId).toBe(traceId);
    expect(spans[0].attributes["mcp.method.name"]).toBe("tools/call");
  });

  it("is a no-op without the option", async () => {
    exporter.reset();
    const server = probe(() => "ok");
    await modern(server, "tools/call", { name: "probe" });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });
});

describe("Plug reference → wwwAuthenticate", () => {
  it("reproduces the reference example byte for byte", () => {
    expect(
      wwwAuthenticate({ method: "Bearer", resource_metadata: "https://myapp.com/.well-known/oauth-protected-resource", max_age: 42000 }),
    ).toBe('Bearer max_age="42000", resource_metadata="https://myapp.com/.well-known/oauth-protected-resource"');
  });

  it("camelCase keys become snake_case; quotes are escaped; a scheme is required", () => {
    expect(wwwAuthenticate({ method: "Bearer", error: "insufficient_scope", scope: 'notes:write "x"', resourceMetadata: "https://a/b" })).toBe(
      'Bearer error="insufficient_scope", resource_metadata="https://a/b", scope="notes:write \\"x\\""',
    );
    expect(() => wwwAuthenticate({ method: "" })).toThrow(/scheme/);
  });
});
