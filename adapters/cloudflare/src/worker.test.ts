/**
 * The Worker entry's routing, in Node with a stand-in Durable Object namespace that records
 * what reaches which object. The same paths on real workerd: workerd.test.ts.
 */
import { createServer } from "@wisp/core";
import { createServer as createStatelessServer } from "@wisp/core/stateless";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { createWorker } from "./worker.js";
import type { BuildServer } from "./options.js";
import type { ExecutionContextLike } from "./types.js";

type Json = Record<string, any>;
const URL_ = "https://mcp.example.com/mcp";
const MODERN = "2026-07-28";
const meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };

interface Reached {
  name: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

function fakeEnv() {
  const reached: Reached[] = [];
  const WISP_SESSIONS = {
    idFromName: (name: string) => ({ name, toString: () => name }),
    get: (id: { name?: string }) => ({
      async fetch(request: Request) {
        reached.push({ name: String(id.name), method: request.method, headers: Object.fromEntries(request.headers), body: await request.text() });
        return new Response("from the object", { status: 200 });
      },
    }),
  };
  return { env: { WISP_SESSIONS, LABEL: "the env" }, reached };
}

function fakeCtx() {
  const waited: Promise<unknown>[] = [];
  const ctx: ExecutionContextLike = { waitUntil: (promise) => void waited.push(promise) };
  return { ctx, waited };
}

const seen: { env?: unknown; executionCtx?: unknown } = {};
const build: BuildServer<Json> = (env, { storage }) =>
  createServer({ name: "worker-test", version: "1.0.0", storage, requestStateSecret: "a-test-secret-that-is-at-least-32-bytes!" })
    .tool("whoami", { description: "Reports the assigns" }, (_args, ctx) => {
      seen.env = ctx.assigns.env;
      seen.executionCtx = ctx.assigns.executionCtx;
      return String((ctx.assigns.env as Json).LABEL);
    })
    .tool("announce", { description: "Announces a change without waiting" }, (_args, ctx) => {
      void server?.notifyListChanged("tools");
      return "announced";
    })
    .tool("slow", { description: "May run as a task", task: "optional", input: v.object({}) }, () => "done");
let server: ReturnType<typeof build> | undefined;
const buildAndKeep: BuildServer<Json> = (env, host) => (server = build(env, host));

function post(body: unknown, headers: Record<string, string> = {}) {
  return new Request(URL_, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body: JSON.stringify(body) });
}
const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } };
const modern = (method: string, params: Json = {}, id = 1) =>
  post({ jsonrpc: "2.0", id, method, params: { ...params, _meta: meta } }, { "mcp-protocol-version": MODERN, "mcp-method": method, ...(params.name ? { "mcp-name": String(params.name) } : {}) });

describe("createWorker routing", () => {
  it("initialize goes to a new object named by a session id the Worker minted; a client cannot choose it", async () => {
    const worker = createWorker(buildAndKeep);
    const { env, reached } = fakeEnv();
    const response = await worker.fetch(post(initialize, { "x-wisp-session-id": "attacker-chosen-session-id", "x-wisp-role": "hub" }), env, fakeCtx().ctx);
    expect(await response.text()).toBe("from the object");
    expect(reached).toHaveLength(1);
    const [{ name, headers, body }] = reached;
    expect(name).toMatch(/^w1[A-Za-z0-9_-]{43}$/);
    expect(headers["x-wisp-session-id"]).toBe(name);
    expect(headers["x-wisp-role"]).toBe("session");
    expect(JSON.parse(body)).toEqual(initialize);
  });

  it("every request naming a minted session (POST, GET, DELETE) reaches that session's object", async () => {
    const worker = createWorker(build);
    const { env, reached } = fakeEnv();
    const id = `w1${"a".repeat(43)}`;
    await worker.fetch(post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": id }), env, fakeCtx().ctx);
    await worker.fetch(new Request(URL_, { headers: { accept: "text/event-stream", "mcp-session-id": id } }), env, fakeCtx().ctx);
    await worker.fetch(new Request(URL_, { method: "DELETE", headers: { "mcp-session-id": id } }), env, fakeCtx().ctx);
    expect(reached.map((r) => [r.name, r.method, r.headers["x-wisp-role"], r.headers["x-wisp-session-id"]])).toEqual([
      [id, "POST", "session", undefined],
      [id, "GET", "session", undefined],
      [id, "DELETE", "session", undefined],
    ]);
  });

  it("a session id the Worker never minted wakes no object: 404 Session not found, as the core answers", async () => {
    const worker = createWorker(build);
    const { env, reached } = fakeEnv();
    const response = await worker.fetch(post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": "made-up-session-id-0000" }), env, fakeCtx().ctx);
    expect(response.status).toBe(404);
    expect(((await response.json()) as Json).error.code).toBe(-32001);
    expect(reached).toHaveLength(0);
  });

  it("a stateless 2026 tools/call runs in the Worker with env and ctx in ctx.assigns", async () => {
    const worker = createWorker(build);
    const { env, reached } = fakeEnv();
    const { ctx } = fakeCtx();
    const response = await worker.fetch(modern("tools/call", { name: "whoami", arguments: {} }), env, ctx);
    const body = (await response.json()) as Json;
    expect(body.result.content).toEqual([{ type: "text", text: "the env" }]);
    expect(seen.env).toBe(env);
    expect(seen.executionCtx).toBe(ctx);
    expect(reached).toHaveLength(0);
  });

  it("subscriptions/listen goes to the hub; tasks/* and task tools go to the caller's tasks object", async () => {
    const worker = createWorker(build, { principal: (request) => request.headers.get("x-user") ?? undefined });
    const { env, reached } = fakeEnv();
    await worker.fetch(modern("subscriptions/listen", { notifications: { toolsListChanged: true } }), env, fakeCtx().ctx);
    await worker.fetch(modern("tasks/get", { taskId: "t1" }), env, fakeCtx().ctx);
    const call = modern("tools/call", { name: "slow", arguments: {} });
    call.headers.set("x-user", "ada");
    await worker.fetch(call, env, fakeCtx().ctx);
    expect(reached.map((r) => [r.name, r.headers["x-wisp-role"], r.headers["x-wisp-principal"]])).toEqual([
      ["wisp:hub", "hub", undefined],
      ["wisp:tasks:", "tasks", undefined],
      ["wisp:tasks:ada", "tasks", "ada"],
    ]);
  });

  it("a server from @wisp/core/stateless: 2025 requests are refused in the Worker, waking no object; listen and tasks still go to theirs", async () => {
    const statelessBuild: BuildServer<Json> = (_env, { storage }) =>
      createStatelessServer({ name: "edge", version: "1.0.0", storage }).tool("slow", { description: "May run as a task", task: "optional", input: v.object({}) }, () => "done");
    const worker = createWorker(statelessBuild);
    const { env, reached } = fakeEnv();
    const id = `w1${"a".repeat(43)}`;
    const refusedInit = await worker.fetch(post(initialize), env, fakeCtx().ctx);
    expect(refusedInit.status).toBe(400);
    expect(await refusedInit.json()).toMatchObject({ id: 1, error: { code: -32022, data: { supported: [MODERN] } } });
    const refusedPost = await worker.fetch(post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": id }), env, fakeCtx().ctx);
    expect(refusedPost.status).toBe(400);
    for (const method of ["GET", "DELETE"]) {
      const response = await worker.fetch(new Request(URL_, { method, headers: { accept: "text/event-stream", "mcp-session-id": id } }), env, fakeCtx().ctx);
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe("POST, OPTIONS");
    }
    expect(reached).toHaveLength(0);
    await worker.fetch(modern("subscriptions/listen", { notifications: { toolsListChanged: true } }), env, fakeCtx().ctx);
    await worker.fetch(modern("tools/call", { name: "slow", arguments: {} }), env, fakeCtx().ctx);
    expect(reached.map((r) => [r.name, r.headers["x-wisp-role"]])).toEqual([
      ["wisp:hub", "hub"],
      ["wisp:tasks:", "tasks"],
    ]);
  });

  it("a publish a handler does not wait for is handed to ctx.waitUntil; building the server publishes nothing", async () => {
    const worker = createWorker(buildAndKeep);
    const { env, reached } = fakeEnv();
    const { ctx, waited } = fakeCtx();
    const response = await worker.fetch(modern("tools/call", { name: "announce", arguments: {} }), env, ctx);
    expect(((await response.json()) as Json).result.content[0].text).toBe("announced");
    expect(waited).toHaveLength(1);
    await waited[0];
    // Only the one publish: the registrations while building announced nothing.
    expect(reached.map((r) => [r.name, r.headers["x-wisp-op"], JSON.parse(r.body)])).toEqual([
      ["wisp:hub", "publish", { channel: "wisp:broadcast", message: { method: "notifications/tools/list_changed" } }],
    ]);
  });

  it("other paths answer 404; a principal hook may refuse with its own Response; an oversized body gets the core's 413", async () => {
    const worker = createWorker(build, { principal: (request) => (request.headers.get("authorization") ? "ok" : new Response("who are you?", { status: 401 })) });
    const { env, reached } = fakeEnv();
    expect((await worker.fetch(new Request("https://mcp.example.com/other"), env, fakeCtx().ctx)).status).toBe(404);
    expect((await worker.fetch(post(initialize), env, fakeCtx().ctx)).status).toBe(401);
    const huge = new Request(URL_, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: "Bearer x" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"pad":"${"x".repeat(1_100_000)}"}}`));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect((await worker.fetch(huge, env, fakeCtx().ctx)).status).toBe(413);
    expect(reached).toHaveLength(0);
  });

  it("a build function that does not pass the given storage to createServer is refused with a clear error", async () => {
    const worker = createWorker(() => createServer({ name: "x", version: "1" }));
    const { env } = fakeEnv();
    await expect(worker.fetch(post(initialize), env, fakeCtx().ctx)).rejects.toThrow(/pass the storage you are given/);
  });
});
