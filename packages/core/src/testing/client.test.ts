/**
 * The test client against one server, in both eras: the same calls, the same assertions. What
 * differs by era (the handshake, DELETE, headers, input rounds) is in legacy.test.ts and modern.test.ts.
 */
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, McpError, ToolError, createServer } from "../index.js";
import { type ElicitRequest, type McpTestClient, McpClientError, type Progress, connect } from "./index.js";

const ERAS = ["2026-07-28", "2025-11-25"] as const;

function fixture() {
  const cancelled: unknown[] = [];
  const server = createServer({ name: "fixture", version: "1.2.3", instructions: "Test me." })
    .tool("add", { description: "Adds", input: v.object({ a: v.number(), b: v.number() }), output: v.object({ sum: v.number() }) }, ({ a, b }) => ({ sum: a + b }))
    .tool("count", { description: "Counts, reporting progress", input: v.object({ to: v.number() }) }, async ({ to }, ctx) => {
      for (let i = 1; i <= to; i++) {
        ctx.progress(i, to, `step ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      ctx.log("info", `counted to ${to}`);
      return `counted to ${to}`;
    })
    .tool("fail", { description: "Fails as a tool" }, () => {
      throw new ToolError("the tool failed");
    })
    .tool("refuse", { description: "Fails as a protocol error" }, () => {
      throw new McpError(-32050, "refused", { why: "testing" });
    })
    .tool("confirm", { description: "Asks before deleting", input: v.object({ item: v.string() }) }, async ({ item }, ctx) => {
      const answer = await ctx.elicit({ message: `Delete ${item}?`, schema: v.object({ confirm: v.boolean() }) });
      return answer.action === "accept" && answer.content.confirm ? `deleted ${item}` : `kept ${item} (${answer.action})`;
    })
    .tool("summarize", { description: "Samples" }, async (_args, ctx) => {
      const reply = await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "Summarize" } }], maxTokens: 50 });
      return `${reply.model}: ${(reply.content as { text: string }).text}`;
    })
    .tool("where", { description: "Lists roots" }, async (_args, ctx) => (await ctx.roots()).map((root) => root.uri).join(","))
    .tool("wait", { description: "Waits until cancelled" }, async (_args, ctx) => {
      ctx.progress(1); // the call is under way: the client's onProgress says when to cancel
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
      cancelled.push(ctx.signal.reason);
      return "stopped";
    })
    .resource("config://app", { name: "config", mimeType: "application/json" }, () => JSON.stringify({ debug: true }))
    .resourceTemplate("greeting://{name}", { name: "greeting", mimeType: "text/plain", complete: { name: (value) => ["ada", "alan", "grace"].filter((n) => n.startsWith(value)) } }, ({ params }) => `Hello, ${params.name}!`)
    .prompt("review", { description: "Review code", args: v.object({ language: v.string() }), complete: { language: (value) => ["go", "rust"].filter((l) => l.startsWith(value)) } }, ({ language }) => `Review this ${language} code.`);
  return { server, cancelled };
}

const open: McpTestClient[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((client) => client.close()));
});

describe.each(ERAS)("the test client at %s", (protocolVersion) => {
  const start = async (options: Parameters<typeof connect>[1] = {}) => {
    const { server, cancelled } = fixture();
    const client = await connect(server, { protocolVersion, ...options });
    open.push(client);
    return { client, cancelled };
  };

  it("connects: the era, the server's identity, capabilities and instructions", async () => {
    const { client } = await start();
    expect(client.protocolVersion).toBe(protocolVersion);
    expect(client.era).toBe(protocolVersion === "2026-07-28" ? "modern" : "legacy");
    expect(client.sessionId === undefined).toBe(client.era === "modern");
    expect(client.serverInfo).toEqual({ name: "fixture", version: "1.2.3" });
    expect(client.instructions).toBe("Test me.");
    expect(client.serverCapabilities).toMatchObject({ tools: {}, resources: {}, prompts: {}, completions: {} });
  });

  it("lists and calls tools; results have the same shape in both eras", async () => {
    const { client } = await start();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["add", "count", "fail", "refuse", "confirm", "summarize", "where", "wait"]);
    expect(tools[0].inputSchema).toMatchObject({ type: "object", properties: { a: { type: "number" } } });
    expect(await client.callTool("add", { a: 2, b: 3 })).toEqual({ content: [{ type: "text", text: '{"sum":5}' }], structuredContent: { sum: 5 } });
  });

  it("reports progress to onProgress and logs to onLog", async () => {
    const logs: unknown[] = [];
    const { client } = await start({ onLog: (message) => logs.push(message) });
    const progress: Progress[] = [];
    const result = await client.callTool("count", { to: 3 }, { onProgress: (p) => progress.push(p) });
    expect(result.content).toEqual([{ type: "text", text: "counted to 3" }]);
    expect(progress).toEqual([1, 2, 3].map((i) => ({ progress: i, total: 3, message: `step ${i}` })));
    expect(logs).toEqual([{ level: "info", data: "counted to 3" }]);
  });

  it("returns a failed tool's isError result instead of throwing", async () => {
    const { client } = await start();
    expect(await client.callTool("fail")).toEqual({ content: [{ type: "text", text: "the tool failed" }], isError: true });
  });

  it("throws JSON-RPC errors as McpClientError with code, message and data", async () => {
    const { client } = await start();
    const unknown = await client.callTool("nope").catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(McpClientError);
    expect(unknown).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringContaining("nope") });
    await expect(client.callTool("refuse")).rejects.toMatchObject({ name: "McpClientError", code: -32050, message: "refused", data: { why: "testing" } });
  });

  it("lists and reads resources and templates; a missing one is the era's error", async () => {
    const { client } = await start();
    expect((await client.listResources()).resources).toEqual([{ uri: "config://app", name: "config", mimeType: "application/json" }]);
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([{ uriTemplate: "greeting://{name}", name: "greeting", mimeType: "text/plain" }]);
    expect(await client.readResource("config://app")).toEqual({ contents: [{ uri: "config://app", mimeType: "application/json", text: '{"debug":true}' }] });
    expect((await client.readResource("greeting://ada")).contents).toEqual([{ uri: "greeting://ada", mimeType: "text/plain", text: "Hello, ada!" }]);
    const code = client.era === "modern" ? ErrorCode.InvalidParams : ErrorCode.ResourceNotFound;
    await expect(client.readResource("config://missing")).rejects.toMatchObject({ code, data: { uri: "config://missing" } });
  });

  it("lists and gets prompts, and completes arguments", async () => {
    const { client } = await start();
    expect((await client.listPrompts()).prompts).toEqual([{ name: "review", description: "Review code", arguments: [{ name: "language", required: true }] }]);
    expect(await client.getPrompt("review", { language: "go" })).toEqual({ messages: [{ role: "user", content: { type: "text", text: "Review this go code." } }] });
    expect((await client.complete({ type: "ref/prompt", name: "review" }, { name: "language", value: "r" })).completion.values).toEqual(["rust"]);
    expect((await client.complete({ type: "ref/resource", uri: "greeting://{name}" }, { name: "name", value: "a" })).completion.values).toEqual(["ada", "alan"]);
  });

  it("answers elicitation with onElicit (accepted, then declined)", async () => {
    const asked: ElicitRequest[] = [];
    let answer: "accept" | "decline" = "accept";
    const { client } = await start({
      onElicit: (request) => {
        asked.push(request);
        return answer === "accept" ? { action: "accept", content: { confirm: true } } : { action: "decline" };
      },
    });
    expect((await client.callTool("confirm", { item: "a.txt" })).content).toEqual([{ type: "text", text: "deleted a.txt" }]);
    answer = "decline";
    expect((await client.callTool("confirm", { item: "b.txt" })).content).toEqual([{ type: "text", text: "kept b.txt (decline)" }]);
    expect(asked[0]).toMatchObject({ mode: "form", message: "Delete a.txt?", requestedSchema: { type: "object", properties: { confirm: { type: "boolean" } } } });
  });

  it("answers sampling with onSample and roots/list with roots", async () => {
    const { client } = await start({
      onSample: (request) => ({ role: "assistant", model: "test-model", content: { type: "text", text: `${request.messages.length} message(s), ${request.maxTokens} tokens` } }),
      roots: () => [{ uri: "file:///work", name: "work" }],
    });
    expect((await client.callTool("summarize")).content).toEqual([{ type: "text", text: "test-model: 1 message(s), 50 tokens" }]);
    expect((await client.callTool("where")).content).toEqual([{ type: "text", text: "file:///work" }]);
  });

  it("without onElicit the client declares no elicitation, so the server refuses with -32021", async () => {
    const { client } = await start();
    await expect(client.callTool("confirm", { item: "x" })).rejects.toMatchObject({ code: ErrorCode.MissingRequiredClientCapability, data: { requiredCapabilities: { elicitation: {} } } });
  });

  it("cancels a call with its signal: the call rejects with the reason and the handler's ctx.signal aborts", async () => {
    const { client, cancelled } = await start();
    const controller = new AbortController();
    const call = client.callTool("wait", {}, { signal: controller.signal, onProgress: () => controller.abort(new Error("enough")) });
    await expect(call).rejects.toThrow("enough");
    await expect.poll(() => cancelled.length).toBe(1);
    await expect(client.callTool("add", { a: 1, b: 1 }, { signal: controller.signal })).rejects.toThrow("enough"); // already aborted: not sent
  });
});
