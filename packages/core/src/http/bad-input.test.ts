/**
 * Issue 12 defects, each pinned: the validation order for JSON that is no JSON-RPC message,
 * bounded 2025-03-26 batches that run their items concurrently, deeply nested params on an
 * input round, and canonical single-claim `requestState` tokens.
 */
import { describe, expect, it } from "vitest";
import { createServer } from "../create-server.js";
import { MAX_PARAMS_DEPTH } from "../stateless/request-state.js";
import { MAX_BATCH_ITEMS } from "../protocol/jsonrpc.js";
import { BATCH_CONCURRENCY } from "../sessions/post.js";
import { initialize, parseResponse, post } from "../test-support/requests.js";

const V = "2026-07-28";
const META = { "io.modelcontextprotocol/protocolVersion": V, "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
const SECRET = "a-request-state-secret-of-32-bytes-or-more";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 2026 request as a raw body (so it can be nested deeper than JSON.stringify would go). */
function modernRaw(server: ReturnType<typeof createServer>, name: string, paramsJson: string) {
  const body = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":${JSON.stringify(name)},${paramsJson}"_meta":${JSON.stringify(META)}}}`;
  return post(server, body, { "mcp-protocol-version": V, "mcp-method": "tools/call", "mcp-name": name }).then(parseResponse);
}

describe("JSON that is no JSON-RPC message is -32600, whatever headers come with it", () => {
  const server = createServer({ name: "order", version: "1" }).tool("t", { description: "A tool" }, () => "ok");
  const bodies: Array<[string, string]> = [
    ["an object without jsonrpc", '{"hello":"world"}'],
    ["jsonrpc 1.0", '{"jsonrpc":"1.0","id":1,"method":"tools/list"}'],
    ["a number", "42"],
    ["a string", '"tools/list"'],
    ["null", "null"],
    ["an empty batch", "[]"],
    ["a batch of non-messages", '[1,"x",{"a":1}]'],
    ["an object id", '{"jsonrpc":"2.0","id":{},"method":"tools/list"}'],
    ["params as an array", '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":[1]}'],
  ];
  const headerSets: Array<[string, Record<string, string>]> = [
    ["no session header", {}],
    ["an unknown session id", { "mcp-session-id": "no-such-session" }],
    ["a 2026 protocol version header", { "mcp-protocol-version": V, "mcp-method": "tools/list" }],
    ["a 2025 protocol version header", { "mcp-protocol-version": "2025-11-25" }],
  ];

  it.each(bodies)("%s", async (_label, body) => {
    for (const [what, headers] of headerSets) {
      const answer = await parseResponse(await post(server, body, headers));
      // The id is echoed when the body has a valid one, else null.
      const id = /"id":1\b/.test(body) ? 1 : null;
      expect({ what, status: answer.status, code: answer.body?.error?.code, id: answer.body?.id }).toEqual({ what, status: 400, code: -32600, id });
      expect(answer.body.error.message).toMatch(/^Invalid request: /);
    }
  });

  it("a message with a valid id keeps its id in the error", async () => {
    const answer = await parseResponse(await post(server, '{"id":5,"method":"tools/list"}', { "mcp-session-id": "x" }));
    expect(answer).toMatchObject({ status: 400, body: { id: 5, error: { code: -32600, message: 'Invalid request: "jsonrpc" must be the string "2.0"' } } });
  });

  it("a valid message on an unknown session is still the session's error (the order goes on as before)", async () => {
    const answer = await parseResponse(await post(server, { jsonrpc: "2.0", id: 1, method: "tools/list" }, { "mcp-session-id": "no-such-session" }));
    expect(answer.status).toBe(404);
  });
});

describe("2025-03-26 batches are bounded and run their requests concurrently", () => {
  let running = 0;
  let most = 0;
  const server = createServer({ name: "batch", version: "1" }).tool("slow", { description: "Waits 40 ms" }, async (args: Record<string, unknown>) => {
    running++;
    most = Math.max(most, running);
    await sleep(40);
    running--;
    return `done ${String(args.n)}`;
  });
  const item = (n: number) => ({ jsonrpc: "2.0", id: n, method: "tools/call", params: { name: "slow", arguments: { n } } });

  it(`runs at most ${BATCH_CONCURRENCY} at once and answers in the items' order`, async () => {
    const sessionId = await initialize(server, "2025-03-26");
    most = 0;
    const items = Array.from({ length: 3 * BATCH_CONCURRENCY }, (_, n) => item(n));
    const answer = await parseResponse(await post(server, items, { "mcp-session-id": sessionId }));
    expect(answer.status).toBe(200);
    expect(answer.body.map((reply: any) => reply.result.content[0].text)).toEqual(items.map((_, n) => `done ${n}`));
    expect(most).toBe(BATCH_CONCURRENCY);
  });

  it(`refuses more than ${MAX_BATCH_ITEMS} messages with -32600 before running any`, async () => {
    const sessionId = await initialize(server, "2025-03-26");
    most = 0;
    const answer = await parseResponse(await post(server, Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, n) => item(n)), { "mcp-session-id": sessionId }));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ code: -32600, message: `Invalid request: a batch holds at most ${MAX_BATCH_ITEMS} messages (this one has ${MAX_BATCH_ITEMS + 1}); send them in several requests` });
    expect(most).toBe(0);
  });

  it("a notification before the requests is handled before they run; bad items get their own errors", async () => {
    const sessionId = await initialize(server, "2025-03-26");
    const answer = await parseResponse(await post(server, [{ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99 } }, item(1), { foo: 1 }], { "mcp-session-id": sessionId }));
    expect(answer.body).toEqual([
      { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "done 1" }] } },
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: 'Invalid request: "jsonrpc" must be the string "2.0"' } },
    ]);
  });
});

describe("deeply nested params never overflow the stack", () => {
  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
  const server = createServer({ name: "deep", version: "1", requestStateSecret: SECRET }).tool("confirm", { description: "Asks first" }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "Sure?", schema: { type: "object", properties: {} } });
    return answer.action;
  });

  it("a 2026 input round with arguments nested 5 000 deep: -32602 naming the limit, first round and retry", async () => {
    const first = await modernRaw(server, "confirm", `"arguments":${deep(5_000)},`);
    expect(first.body.error).toEqual({ code: -32602, message: `Invalid params: nested deeper than ${MAX_PARAMS_DEPTH} levels` });
    const retry = await modernRaw(server, "confirm", `"arguments":${deep(5_000)},"requestState":"x.y","inputResponses":{},`);
    expect(retry.body.error.code).toBe(-32602);
  });

  it("nesting within the limit works", async () => {
    const first = await modernRaw(server, "confirm", `"arguments":${deep(100)},`);
    expect(first.body.result.resultType).toBe("input_required");
    const retry = await modernRaw(server, "confirm", `"arguments":${deep(100)},"requestState":${JSON.stringify(first.body.result.requestState)},"inputResponses":{"elicitation_1":{"action":"accept","content":{}}},`);
    expect(retry.body.result.content[0].text).toBe("accept");
  });

  it("2025: a tool with a JSON Schema and arguments nested 10 000 deep gets an answer, not a crash", async () => {
    const schemaServer = createServer({ name: "deep", version: "1" }).tool("take", { description: "Takes anything", input: { type: "object", properties: { a: { type: "object" } } } }, () => "taken");
    const sessionId = await initialize(schemaServer);
    const answer = await parseResponse(await post(schemaServer, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"take","arguments":${deep(10_000)}}}`, { "mcp-session-id": sessionId }));
    expect(answer.status).toBe(200);
    expect(answer.body.id).toBe(3);
    expect(answer.body.error?.code ?? 0).not.toBe(-32603);
  });
});

describe("requestState: canonical encoding, one successful retry per token", () => {
  let runs = 0;
  const server = createServer({ name: "once", version: "1", requestStateSecret: SECRET }).tool("delete_all", { description: "Destructive, so it asks" }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "Delete everything?", schema: { type: "object", properties: {} } });
    if (answer.action !== "accept") return "kept";
    runs++;
    return "deleted";
  });
  const round = (extra: string) => modernRaw(server, "delete_all", `"arguments":{},${extra}`);
  const retryWith = (state: string) => round(`"requestState":${JSON.stringify(state)},"inputResponses":{"elicitation_1":{"action":"accept","content":{}}},`);

  it("a signature with other unused bits in its last character is refused", async () => {
    const first = await round("");
    const state: string = first.body.result.requestState;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 signature bytes are 43 characters: the last one carries 2 unused bits.
    const twin = state.slice(0, -1) + alphabet[alphabet.indexOf(state.at(-1)!) ^ 1];
    expect((await retryWith(twin)).body.error).toMatchObject({ code: -32602, message: expect.stringMatching(/^Invalid requestState/) });
    expect((await retryWith(state)).body.result.content[0].text).toBe("deleted");
  });

  it("a replayed confirmation does not run the handler twice, even when both arrive at once", async () => {
    const first = await round("");
    const state: string = first.body.result.requestState;
    runs = 0;
    const [a, b] = await Promise.all([retryWith(state), retryWith(state)]);
    const texts = [a, b].map((answer) => answer.body.result?.content[0].text ?? answer.body.error.message);
    expect(texts.sort()).toEqual(["Invalid requestState: already used (each requestState answers one retry); start over without requestState", "deleted"]);
    expect((await retryWith(state)).body.error.code).toBe(-32602);
    expect(runs).toBe(1);
  });
});

describe("found by the fuzzer (reliability/fuzz)", () => {
  const server = createServer({ name: "fuzzed", version: "1" })
    .tool("t", { description: "A tool" }, () => "ok")
    .prompt("p", { description: "A prompt" }, () => "hi")
    .resource("mem://a", { name: "a", description: "A resource" }, () => "a");
  const hostile = JSON.parse('{"toString":null}');

  it.each([
    ["tools/call", { name: hostile, arguments: {} }],
    ["prompts/get", { name: hostile }],
    ["resources/read", { uri: hostile }],
  ])("%s with an object where a name or URI belongs: -32602 on both eras, never a 500", async (method, params) => {
    const sessionId = await initialize(server);
    const legacy = await parseResponse(await post(server, { jsonrpc: "2.0", id: 1, method, params }, { "mcp-session-id": sessionId }));
    expect([legacy.status, legacy.body.error?.code]).toEqual([200, -32602]);
    const modern = await parseResponse(await post(server, { jsonrpc: "2.0", id: 1, method, params: { ...params, _meta: META } }, { "mcp-protocol-version": V, "mcp-method": method, "mcp-name": "x" }));
    expect(modern.status).toBeLessThan(500);
    expect([-32602, -32020]).toContain(modern.body.error?.code);
  });

  it("DELETE with an unsupported MCP-Protocol-Version is 400, like every other method, and the session lives on", async () => {
    const sessionId = await initialize(server);
    for (const version of ["2026-07-28", "garbage", ""]) {
      const answer = await server.handle(new Request("http://127.0.0.1:3000/mcp", { method: "DELETE", headers: { "mcp-session-id": sessionId, "mcp-protocol-version": version } }));
      expect(answer.status).toBe(400);
    }
    expect((await parseResponse(await post(server, { jsonrpc: "2.0", id: 2, method: "tools/list" }, { "mcp-session-id": sessionId }))).status).toBe(200);
  });
});
