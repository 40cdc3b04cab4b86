/**
 * Integration tests over real HTTP on 127.0.0.1: a Wisp server served by `serve()` and the
 * official SDK client (plus raw `fetch` where the SDK cannot pick an older protocol revision).
 * Streams, resumption, shared storage: see sdk-streams.test.ts.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { createServer } from "@wisp/core";
import * as v from "valibot";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Json, LATEST, legacyPost as post } from "../../../test-kit/mcp.js";
import { sleep, withTimeout } from "../../../test-kit/process.js";
import { type RunningServer, serve } from "./index.js";

/** A promise with its resolver, to learn from inside a tool what happened. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

// ---------- raw HTTP helpers ----------

/** Reads the JSON-RPC response to request `id`, whether it came as JSON or at the end of an SSE stream. */
async function replyOf(res: Response, id: number | string, timeoutMs = 5_000): Promise<Json> {
  const type = res.headers.get("content-type") ?? "";
  if (type.startsWith("application/json")) return (await withTimeout(res.json(), timeoutMs, "JSON body")) as Json;
  expect(type).toMatch(/^text\/event-stream/);
  const text = await withTimeout(res.text(), timeoutMs, "SSE body");
  for (const block of text.split("\n\n")) {
    const data = block.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
    if (!data) continue;
    const message = JSON.parse(data) as Json;
    if (message.id === id && !("method" in message)) return message;
  }
  throw new Error(`no response with id ${id} in the stream: ${text}`);
}

async function rawInit(url: string, protocolVersion: string, capabilities: Json = {}) {
  const res = await post(url, undefined, {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion, capabilities, clientInfo: { name: "raw-fetch", version: "1.0.0" } },
  });
  expect(res.status).toBe(200);
  const sessionId = res.headers.get("mcp-session-id");
  const body = (await res.json()) as Json;
  expect(sessionId, "initialize must hand out an Mcp-Session-Id").toBeTruthy();
  const version = body.result?.protocolVersion as string;
  const initialized = await post(url, sessionId!, { jsonrpc: "2.0", method: "notifications/initialized" }, version);
  expect(initialized.status).toBe(202);
  return { sessionId: sessionId!, version, result: body.result as Json };
}

async function rawCall(url: string, sessionId: string, version: string, id: number, method: string, params: Json = {}) {
  const res = await post(url, sessionId, { jsonrpc: "2.0", id, method, params }, version);
  expect(res.status).toBe(200);
  return replyOf(res, id);
}

// ---------- the server under test ----------

let running: RunningServer;
/** Set by the cancellation test; the `wait` tool reports its signal's abort here. */
let onToolAborted: ((reason: string) => void) | undefined;
let onToolStarted: (() => void) | undefined;

function buildServer() {
  return createServer({ name: "sdk-it", version: "1.0.0" })
    .tool("add", { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b))
    .tool(
      "stats",
      {
        description: "Sum and count",
        input: v.object({ values: v.array(v.number()) }),
        output: v.object({ sum: v.number(), count: v.number() }),
      },
      ({ values }) => ({ sum: values.reduce((s, x) => s + x, 0), count: values.length }),
    )
    .tool("steps", { description: "Reports three progress steps" }, async (_args, ctx) => {
      ctx.progress(1, 3, "one");
      await sleep(20);
      ctx.progress(2, 3, "two");
      await sleep(20);
      ctx.progress(3, 3, "three");
      return "stepped";
    })
    .tool("logs", { description: "Logs at info and error" }, async (_args, ctx) => {
      ctx.log("info", "an info line", "it");
      ctx.log("error", "an error line", "it");
      await sleep(10);
      return "logged";
    })
    .tool("wait", { description: "Waits until cancelled" }, (_args, ctx) => {
      const signal = ctx.signal;
      return new Promise<string>((resolve) => {
        signal.addEventListener("abort", () => {
          onToolAborted?.(String(signal.reason));
          resolve("aborted");
        }, { once: true });
        onToolStarted?.();
      });
    })
    .tool("ask_name", { description: "Elicits a name" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "What is your name?", schema: v.object({ name: v.string() }) });
      return answer.action === "accept" ? `Hello, ${answer.content.name}` : `no answer: ${answer.action}`;
    })
    .tool("think", { description: "Samples the client's model" }, async (_args, ctx) => {
      const reply = await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "6 x 7?" } }], maxTokens: 10 });
      const block = (Array.isArray(reply.content) ? reply.content[0] : reply.content) as { text?: string };
      return `${reply.model} said ${block.text}`;
    })
    .tool("list_roots", { description: "Lists the client's roots" }, async (_args, ctx) => JSON.stringify(await ctx.roots()))
    .resource("config://app", { name: "config", mimeType: "application/json" }, () => JSON.stringify({ theme: "dark" }))
    .resourceTemplate(
      "notes://{folder}/{id}",
      { name: "note", mimeType: "text/plain", complete: { folder: (value) => ["work", "home", "wishlist"].filter((f) => f.startsWith(value)) } },
      ({ params }) => `note ${params.id} in ${params.folder}`,
    )
    .prompt(
      "review",
      {
        description: "Review code",
        args: v.object({ code: v.pipe(v.string(), v.description("The code to review")), language: v.optional(v.string()) }),
        complete: { language: (value) => ["typescript", "go", "python"].filter((l) => l.startsWith(value)) },
      },
      ({ code, language }) => `Review this ${language ?? "code"}:\n${code}`,
    );
}

const clients: Client[] = [];
async function connect(capabilities: Json = {}, setup?: (client: Client) => void) {
  const client = new Client({ name: "sdk-it-client", version: "1.0.0" }, { capabilities });
  setup?.(client);
  const transport = new StreamableHTTPClientTransport(new URL(running.url));
  clients.push(client);
  await client.connect(transport);
  return { client, transport };
}

beforeAll(async () => {
  running = await serve(buildServer(), { port: 0 });
});
afterEach(async () => {
  onToolAborted = onToolStarted = undefined;
  for (const client of clients.splice(0)) await client.close().catch(() => {});
});
afterAll(async () => {
  await running?.close();
});

// ---------- 1. initialize ----------

describe("initialize at every 2025-era version", () => {
  it.each(["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"])("negotiates %s and serves tools/call in the session", async (version) => {
    const { sessionId, version: negotiated, result } = await rawInit(running.url, version);
    expect(negotiated).toBe(version);
    expect(result.serverInfo).toMatchObject({ name: "sdk-it", version: "1.0.0" });
    expect(result.capabilities).toMatchObject({ tools: { listChanged: true }, logging: {} });
    const reply = await rawCall(running.url, sessionId, version, 1, "tools/call", { name: "add", arguments: { a: 2, b: 40 } });
    expect(reply.result).toEqual({ content: [{ type: "text", text: "42" }] });
  });

  it("answers an unknown version with 2025-11-25", async () => {
    const { version, sessionId } = await rawInit(running.url, "1999-01-01");
    expect(version).toBe(LATEST);
    const reply = await rawCall(running.url, sessionId, LATEST, 1, "ping");
    expect(reply.result).toEqual({});
  });

  it("the SDK client negotiates its latest version and gets a session", async () => {
    const { client, transport } = await connect();
    expect(transport.protocolVersion).toBe(LATEST);
    expect(transport.sessionId).toBeTruthy();
    expect(client.getServerVersion()).toMatchObject({ name: "sdk-it", version: "1.0.0" });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: { subscribe: true }, prompts: {}, completions: {} });
  });
});

// ---------- 2. tools, resources, prompts, completion ----------

describe("features through the SDK client", () => {
  it("lists tools with their schemas and calls them with typed arguments", async () => {
    const { client } = await connect();
    const { tools } = await client.listTools();
    const add = tools.find((t) => t.name === "add");
    expect(add?.inputSchema).toMatchObject({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] });
    const stats = tools.find((t) => t.name === "stats");
    expect(stats?.outputSchema).toMatchObject({ type: "object", properties: { sum: { type: "number" }, count: { type: "number" } } });

    expect(await client.callTool({ name: "add", arguments: { a: 1.5, b: 2 } })).toEqual({ content: [{ type: "text", text: "3.5" }] });
    const result = await client.callTool({ name: "stats", arguments: { values: [1, 2, 3] } });
    expect(result.structuredContent).toEqual({ sum: 6, count: 3 });
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify({ sum: 6, count: 3 }) }]);
  });

  it("reports invalid arguments as an isError result at 2025-11-25", async () => {
    const { client } = await connect();
    const result = await client.callTool({ name: "add", arguments: { a: "two", b: 2 } });
    expect(result.isError).toBe(true);
    expect((result.content as Json[])[0].text).toMatch(/Invalid arguments for tool add/);
  });

  it("reports invalid arguments as JSON-RPC -32602 at 2025-06-18", async () => {
    const { sessionId } = await rawInit(running.url, "2025-06-18");
    const reply = await rawCall(running.url, sessionId, "2025-06-18", 7, "tools/call", { name: "add", arguments: { a: "two", b: 2 } });
    expect(reply.result).toBeUndefined();
    expect(reply.error.code).toBe(-32602);
    expect(reply.error.message).toMatch(/Invalid arguments for tool add/);
  });

  it("lists and reads resources, static and templated", async () => {
    const { client } = await connect();
    const { resources } = await client.listResources();
    expect(resources).toEqual([{ uri: "config://app", name: "config", mimeType: "application/json" }]);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([{ uriTemplate: "notes://{folder}/{id}", name: "note", mimeType: "text/plain" }]);

    const fixed = await client.readResource({ uri: "config://app" });
    expect(fixed.contents).toEqual([{ uri: "config://app", mimeType: "application/json", text: '{"theme":"dark"}' }]);
    const templated = await client.readResource({ uri: "notes://work/42" });
    expect(templated.contents).toEqual([{ uri: "notes://work/42", mimeType: "text/plain", text: "note 42 in work" }]);
    await expect(client.readResource({ uri: "nothing://here" })).rejects.toMatchObject({ code: -32002 });
  });

  it("lists prompts with their arguments and gets one with arguments", async () => {
    const { client } = await connect();
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([
      {
        name: "review",
        description: "Review code",
        arguments: [
          { name: "code", description: "The code to review", required: true },
          { name: "language", required: false },
        ],
      },
    ]);
    const got = await client.getPrompt({ name: "review", arguments: { code: "x := 1", language: "go" } });
    expect(got.messages).toEqual([{ role: "user", content: { type: "text", text: "Review this go:\nx := 1" } }]);
    await expect(client.getPrompt({ name: "review", arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });

  it("completes prompt arguments and template variables", async () => {
    const { client } = await connect();
    const prompt = await client.complete({ ref: { type: "ref/prompt", name: "review" }, argument: { name: "language", value: "ty" } });
    expect(prompt.completion).toMatchObject({ values: ["typescript"], hasMore: false });
    const template = await client.complete({ ref: { type: "ref/resource", uri: "notes://{folder}/{id}" }, argument: { name: "folder", value: "w" } });
    expect(template.completion.values).toEqual(["work", "wishlist"]);
  });
});

// ---------- 3. progress and logging ----------

describe("notifications during a call", () => {
  it("delivers progress notifications to callTool's onprogress", async () => {
    const { client } = await connect();
    const seen: Json[] = [];
    const result = await client.callTool({ name: "steps" }, undefined, { onprogress: (p) => void seen.push(p) });
    expect(result.content).toEqual([{ type: "text", text: "stepped" }]);
    expect(seen).toEqual([
      { progress: 1, total: 3, message: "one" },
      { progress: 2, total: 3, message: "two" },
      { progress: 3, total: 3, message: "three" },
    ]);
  });

  it("honours logging/setLevel: at warning only the error line arrives", async () => {
    const logs: Json[] = [];
    const { client } = await connect({}, (c) => c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params)));
    await client.setLoggingLevel("warning");
    expect((await client.callTool({ name: "logs" })).content).toEqual([{ type: "text", text: "logged" }]);
    await vi.waitFor(() => expect(logs.length).toBeGreaterThan(0), { timeout: 2_000 });
    expect(logs).toEqual([{ level: "error", data: "an error line", logger: "it" }]);
  });

  it("sends every level when no level was set (2025 era)", async () => {
    const logs: Json[] = [];
    const { client } = await connect({}, (c) => c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params)));
    await client.callTool({ name: "logs" });
    await vi.waitFor(() => expect(logs.map((l) => l.level)).toEqual(["info", "error"]), { timeout: 2_000 });
  });
});

// ---------- 4. cancellation ----------

describe("cancellation", () => {
  it("aborting the SDK call fires the tool's ctx.signal with the client's reason", async () => {
    const { client } = await connect();
    const started = deferred<void>();
    const aborted = deferred<string>();
    onToolStarted = () => started.resolve();
    onToolAborted = (reason) => aborted.resolve(reason);
    const controller = new AbortController();
    const call = client.callTool({ name: "wait" }, undefined, { signal: controller.signal });
    const rejected = expect(call).rejects.toThrow();
    await withTimeout(started.promise, 3_000, "the tool to start");
    controller.abort("user pressed stop");
    await rejected;
    expect(await withTimeout(aborted.promise, 3_000, "the server-side signal to abort")).toBe("user pressed stop");
  });
});

// ---------- 5. elicitation, sampling, roots ----------

describe("server→client requests", () => {
  it("round-trips elicitation/create", async () => {
    const asked: Json[] = [];
    const { client } = await connect({ elicitation: {} }, (c) =>
      c.setRequestHandler(ElicitRequestSchema, (request) => {
        asked.push(request.params);
        return { action: "accept", content: { name: "Ada" } };
      }),
    );
    const result = await client.callTool({ name: "ask_name" });
    expect(result.content).toEqual([{ type: "text", text: "Hello, Ada" }]);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ mode: "form", message: "What is your name?", requestedSchema: { type: "object", properties: { name: { type: "string" } } } });
  });

  it("round-trips sampling/createMessage", async () => {
    const asked: Json[] = [];
    const { client } = await connect({ sampling: {} }, (c) =>
      c.setRequestHandler(CreateMessageRequestSchema, (request) => {
        asked.push(request.params);
        return { role: "assistant", content: { type: "text", text: "42" }, model: "test-model", stopReason: "endTurn" };
      }),
    );
    const result = await client.callTool({ name: "think" });
    expect(result.content).toEqual([{ type: "text", text: "test-model said 42" }]);
    expect(asked[0]).toMatchObject({ maxTokens: 10, messages: [{ role: "user", content: { type: "text", text: "6 x 7?" } }] });
  });

  it("round-trips roots/list", async () => {
    const { client } = await connect({ roots: { listChanged: true } }, (c) =>
      c.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: "file:///tmp/project", name: "project" }] })),
    );
    const result = await client.callTool({ name: "list_roots" });
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify([{ uri: "file:///tmp/project", name: "project" }]) }]);
  });

  it("fails the call with a capability error when the client did not declare elicitation", async () => {
    const { client } = await connect();
    const error = await client.callTool({ name: "ask_name" }).then(
      (result) => ({ result }),
      (e: unknown) => e as { code?: number; message: string },
    );
    expect(error).not.toHaveProperty("result");
    expect((error as { message: string }).message).toMatch(/elicitation/);
    expect((error as { message: string }).message).toMatch(/capability/);
  });
});

// ---------- 7. session DELETE ----------

describe("session termination", () => {
  it("terminateSession() ends the session: the old id then answers 404", async () => {
    const { transport } = await connect();
    const sessionId = transport.sessionId!;
    expect(sessionId).toBeTruthy();
    await transport.terminateSession();
    const res = await post(running.url, sessionId, { jsonrpc: "2.0", id: 1, method: "ping" }, LATEST);
    expect(res.status).toBe(404);
    expect(((await res.json()) as Json).error).toMatchObject({ code: -32001 });
  });

  it("raw DELETE answers 200, then POST and a second DELETE answer 404", async () => {
    const { sessionId } = await rawInit(running.url, LATEST);
    const deleted = await fetch(running.url, { method: "DELETE", headers: { "mcp-session-id": sessionId, "mcp-protocol-version": LATEST } });
    expect(deleted.status).toBe(200);
    const res = await post(running.url, sessionId, { jsonrpc: "2.0", id: 1, method: "tools/list" }, LATEST);
    expect(res.status).toBe(404);
    const again = await fetch(running.url, { method: "DELETE", headers: { "mcp-session-id": sessionId } });
    expect(again.status).toBe(404);
  });
});

// ---------- 8. idle reaping ----------

describe("idle sessions", () => {
  let idle: RunningServer;
  beforeAll(async () => {
    idle = await serve(createServer({ name: "idle", version: "1.0.0", sessionTimeout: 300 }).tool("noop", { description: "Nothing" }, () => "ok"), { port: 0 });
  });
  afterAll(async () => {
    await idle?.close();
  });

  it("reaps a session after sessionTimeout without traffic", async () => {
    const { sessionId } = await rawInit(idle.url, LATEST);
    await sleep(800);
    const res = await post(idle.url, sessionId, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "noop" } }, LATEST);
    expect(res.status).toBe(404);
  });

  it("keeps a session alive while it sees traffic every 100 ms", async () => {
    const { sessionId } = await rawInit(idle.url, LATEST);
    for (let i = 1; i <= 8; i++) {
      await sleep(100);
      const ping = await post(idle.url, sessionId, { jsonrpc: "2.0", id: i, method: "ping" }, LATEST);
      expect(ping.status, `ping ${i}`).toBe(200);
      await ping.body?.cancel();
    }
    const reply = await rawCall(idle.url, sessionId, LATEST, 100, "tools/call", { name: "noop" });
    expect(reply.result).toEqual({ content: [{ type: "text", text: "ok" }] });
  });
});
