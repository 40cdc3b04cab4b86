/**
 * The official SDK v1 client's `SSEClientTransport` (the 2024-11-05 HTTP+SSE transport, still the
 * only one of some clients: older Inspector, mcp-remote's fallback) against a real Node server on
 * 127.0.0.1 with `legacySse` on, on the one `/mcp` endpoint the 2025 and 2026 clients use.
 *
 * The SDK client sends its latest revision in initialize and the server negotiates it (the
 * transport does not fix the revision); elicitation is decided by the client's declared
 * capability, so it works over this transport as on the Streamable HTTP one.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { createServer } from "@wisp/core";
import * as v from "valibot";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../../../test-kit/process.js";
import { type RunningServer, serve } from "./index.js";

let running: RunningServer;
const clients: Client[] = [];

beforeAll(async () => {
  const server = createServer({ name: "legacy-it", version: "1.0.0", legacySse: true })
    .tool("add", { description: "Adds two numbers", input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b))
    .tool("steps", { description: "Reports three progress steps" }, async (_args, ctx) => {
      for (const step of [1, 2, 3]) {
        ctx.progress(step, 3, `step ${step}`);
        await sleep(10);
      }
      return "stepped";
    })
    .tool("ask_name", { description: "Elicits a name" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "What is your name?", schema: v.object({ name: v.string() }) });
      return answer.action === "accept" ? `Hello, ${answer.content.name}` : `no answer: ${answer.action}`;
    })
    .tool("think", { description: "Samples the client's model" }, async (_args, ctx) => {
      const reply = await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "6 x 7?" } }], maxTokens: 10 });
      return `${reply.model} said ${(reply.content as { text?: string }).text}`;
    })
    .tool("pause_stream", { description: "Closes its response stream midway" }, async (_args, ctx) => {
      ctx.progress(1, 2);
      ctx.closeSSEStream();
      await sleep(50);
      ctx.progress(2, 2);
      // The SDK client handles notifications a tick after responses: one arriving with the result would find its handler gone.
      await sleep(20);
      return "resumed";
    });
  running = await serve(server, { port: 0, hostname: "127.0.0.1", path: "/mcp" });
});

afterEach(async () => {
  await Promise.allSettled(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await running?.close();
});

async function connectSse(setup?: (client: Client) => void): Promise<Client> {
  const client = new Client({ name: "legacy-sse-client", version: "1.0.0" }, { capabilities: { elicitation: {}, sampling: {} } });
  setup?.(client);
  clients.push(client);
  await client.connect(new SSEClientTransport(new URL(running.url)));
  return client;
}

describe("SDK v1 SSEClientTransport against legacySse", () => {
  it("initializes, lists and calls tools", async () => {
    const client = await connectSse();
    expect(client.getServerVersion()).toMatchObject({ name: "legacy-it", version: "1.0.0" });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["add", "steps", "ask_name", "think", "pause_stream"]);
    expect(await client.callTool({ name: "add", arguments: { a: 2, b: 3 } })).toEqual({ content: [{ type: "text", text: "5" }] });
  });

  it("reports progress to onprogress", async () => {
    const client = await connectSse();
    const progress: unknown[] = [];
    const result = await client.callTool({ name: "steps", arguments: {} }, undefined, { onprogress: (p) => progress.push(p) });
    expect(result).toEqual({ content: [{ type: "text", text: "stepped" }] });
    expect(progress).toEqual([1, 2, 3].map((step) => ({ progress: step, total: 3, message: `step ${step}` })));
  });

  it("answers elicitation and sampling from the client's handlers", async () => {
    const client = await connectSse((c) => {
      c.setRequestHandler(ElicitRequestSchema, async (request) => {
        expect(request.params.message).toBe("What is your name?");
        return { action: "accept", content: { name: "Ada" } };
      });
      c.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: "assistant", model: "m1", content: { type: "text", text: "42" } }));
    });
    expect(await client.callTool({ name: "ask_name", arguments: {} })).toEqual({ content: [{ type: "text", text: "Hello, Ada" }] });
    expect(await client.callTool({ name: "think", arguments: {} })).toEqual({ content: [{ type: "text", text: "m1 said 42" }] });
  });

  it("still delivers a call whose handler closed its response stream (the server resumes it itself)", async () => {
    const client = await connectSse();
    const progress: number[] = [];
    const result = await client.callTool({ name: "pause_stream", arguments: {} }, undefined, { onprogress: (p) => progress.push(p.progress) });
    expect(result).toEqual({ content: [{ type: "text", text: "resumed" }] });
    expect(progress).toEqual([1, 2]);
  });

  it("rejects with the JSON-RPC error: an unknown tool, bad arguments", async () => {
    const client = await connectSse();
    await expect(client.callTool({ name: "nope", arguments: {} })).rejects.toMatchObject({ code: -32602 });
    const bad = await client.callTool({ name: "add", arguments: { a: "two" } }).catch((error: unknown) => error);
    // 2025-11-25 reports tool input errors in the result; earlier revisions as -32602.
    expect(bad).toSatisfy((answer: any) => answer?.isError === true || answer?.code === -32602);
  });

  it("serves Streamable HTTP clients on the same endpoint at the same time", async () => {
    const legacy = await connectSse();
    const modern = new Client({ name: "modern", version: "1.0.0" });
    clients.push(modern);
    await modern.connect(new StreamableHTTPClientTransport(new URL(running.url)));
    const [a, b] = await Promise.all([
      legacy.callTool({ name: "add", arguments: { a: 1, b: 1 } }),
      modern.callTool({ name: "add", arguments: { a: 2, b: 2 } }),
    ]);
    expect([a, b]).toEqual([{ content: [{ type: "text", text: "2" }] }, { content: [{ type: "text", text: "4" }] }]);
  });

  it("ends the session with the stream: its endpoint answers 404 once the client closed", async () => {
    const client = await connectSse();
    const transport = client.transport as unknown as { _endpoint?: URL }; // the URL the endpoint event named
    const endpoint = transport._endpoint!;
    await client.close();
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 404; tries++) {
      const res = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }) });
      status = res.status;
      await res.body?.cancel();
      if (status !== 404) await sleep(20);
    }
    expect(status).toBe(404);
  });
});
