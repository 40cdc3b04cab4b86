/**
 * The conformance fixture on Bun and on Deno, started exactly as `npm run fixture:bun` and
 * `npm run fixture:deno` start it (the command is read from the root package.json), with the
 * runtimes' binaries from the npm packages `bun` and `deno`. Against each:
 * - the official SDK client (1.x), 2025 era: initialize → tools/call with elicitation →
 *   resources/read → DELETE of the session;
 * - raw fetch, 2026-07-28: tools/call answered with input_required, retried with
 *   inputResponses + requestState;
 * - the official conformance suite, both requirement sets, strict (no failures, no warnings);
 * - SIGTERM: a clean exit.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { expectClean, runRequirements } from "../../../test-kit/conformance.js";
import { type Json, LATEST, lastMessage, legacyPost, modernMeta, modernPost, textOf } from "../../../test-kit/mcp.js";
import { type Running, scriptCommand, startProcess, stop, useRunning, withTimeout } from "../../../test-kit/process.js";

// ---------- the fixture process, as the root script starts it ----------

/** Starts the fixture on port 0 and resolves with the URL it prints (bounded). */
function startFixture(scriptName: string, extraEnv: Record<string, string> = {}): Promise<Running> {
  const { bin, args, env } = scriptCommand(scriptName);
  return startProcess(bin, args, { env: { ...env, PORT: "0", NO_COLOR: "1", ...extraEnv }, timeoutMs: 40_000, what: `npm run ${scriptName}` });
}

// ---------- the 2026-07-28 wire, by hand ----------

/** One stateless 2026-07-28 tools/call with the standard headers; resolves with status, headers and the JSON-RPC message. */
async function modernToolCall(url: string, id: number, name: string, extra: Json = {}) {
  const params = { name, arguments: {}, ...extra, _meta: modernMeta({ elicitation: {} }, "raw-fetch") };
  const res = await modernPost(url, { id, method: "tools/call", params });
  const message = await lastMessage(res, "the tools/call response");
  return { status: res.status, sessionId: res.headers.get("mcp-session-id"), message };
}

// ---------- the suite ----------

describe.each([
  { runtime: "Bun", script: "fixture:bun" },
  { runtime: "Deno", script: "fixture:deno" },
])("the conformance fixture on $runtime (npm run $script)", ({ runtime, script }) => {
  const fixture = useRunning(() => startFixture(script), 60_000);

  it(`runs on ${runtime} at http://127.0.0.1:<port>/mcp`, () => {
    expect(fixture().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(fixture().output()).toContain(`(${runtime} `);
  });

  it("2025 era, the official SDK client: initialize → tools/call with elicitation → resources/read → DELETE", async () => {
    const deletes: number[] = [];
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? "GET") === "DELETE") deletes.push(response.status);
      return response;
    };
    const client = new Client({ name: `sdk-on-${runtime}`, version: "1.0.0" }, { capabilities: { elicitation: {} } });
    const asked: Json[] = [];
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      asked.push(request.params as Json);
      return { action: "accept", content: { username: "ada", email: "ada@example.com" } };
    });
    const transport = new StreamableHTTPClientTransport(new URL(fixture().url), { fetch: recording });
    await withTimeout(client.connect(transport), 10_000, "initialize");
    try {
      const sessionId = transport.sessionId;
      expect(sessionId).toBeTruthy();
      expect(client.getServerVersion()?.name).toBeTruthy();

      const called = await withTimeout(client.callTool({ name: "test_elicitation", arguments: { message: "Who are you?" } }), 10_000, "tools/call");
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ message: "Who are you?", requestedSchema: { type: "object", required: ["username", "email"] } });
      expect(textOf(called)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');

      const read = await withTimeout(client.readResource({ uri: "test://static-text" }), 10_000, "resources/read");
      expect(read.contents).toEqual([{ uri: "test://static-text", mimeType: "text/plain", text: "This is the content of the static text resource." }]);

      await withTimeout(transport.terminateSession(), 10_000, "DELETE");
      expect(deletes).toEqual([200]);
      // The session is gone: the server answers 404 to it.
      const after = await legacyPost(fixture().url, sessionId!, { jsonrpc: "2.0", id: 9, method: "tools/list" }, LATEST);
      expect(after.status).toBe(404);
      await after.body?.cancel();
    } finally {
      await client.close();
    }
  });

  it("2026-07-28, raw fetch: tools/call → input_required → retry with inputResponses + requestState → the result", async () => {
    const first = await modernToolCall(fixture().url, 1, "test_input_required_result_elicitation");
    expect(first.status).toBe(200);
    expect(first.sessionId).toBeNull();
    const asked = first.message.result as Json;
    expect(asked.resultType).toBe("input_required");
    expect(asked.inputRequests.user_name).toMatchObject({ method: "elicitation/create", params: { message: "What is your name?" } });
    expect(typeof asked.requestState).toBe("string");

    const second = await modernToolCall(fixture().url, 2, "test_input_required_result_elicitation", {
      inputResponses: { user_name: { action: "accept", content: { name: "Ada" } } },
      requestState: asked.requestState,
    });
    expect(second.status).toBe(200);
    expect(second.message.id).toBe(2);
    expect(second.message.result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "Hello, Ada!" }] });
  });

  it("official conformance suite 0.2.0-alpha.12 --requirements 2025-11-25: no failures, no warnings", async () => {
    expectClean(await runRequirements(fixture().url, "2025-11-25"), ["server-initialize", "tools-call-elicitation", "server-sse-multiple-streams", "server-sse-polling", "server-session-lifecycle"], 33);
  }, 300_000);

  it("official conformance suite 0.2.0-alpha.12 --requirements 2026-07-28: no failures, no warnings", async () => {
    expectClean(await runRequirements(fixture().url, "2026-07-28"), ["server-stateless", "input-required-result-multi-round", "input-required-result-tampered-state", "http-header-validation", "tasks-lifecycle"], 50);
  }, 300_000);

  it("SIGTERM shuts the fixture down cleanly (exit 0)", async () => {
    const { code, signal } = await stop(fixture().child);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(fixture().output()).toContain("SIGTERM received, shutting down");
  });
});

describe.each([
  { runtime: "Bun", script: "fixture:bun" },
  { runtime: "Deno", script: "fixture:deno" },
])("the fixture from @wisp/core/stateless on $runtime (WISP_STATELESS_ONLY=1 npm run $script)", ({ runtime, script }) => {
  const fixture = useRunning(() => startFixture(script, { WISP_STATELESS_ONLY: "1" }), 60_000);

  it(`refuses a 2025 initialize on ${runtime} (400, -32022 naming 2026-07-28), then passes 0.2.0-alpha.12 --requirements 2026-07-28 clean`, async () => {
    const refused = await legacyPost(fixture().url, undefined, { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "probe", version: "1" } } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ id: 1, error: { code: -32022, data: { supported: ["2026-07-28"], requested: LATEST } } });
    expectClean(await runRequirements(fixture().url, "2026-07-28"), ["server-stateless", "input-required-result-multi-round", "tasks-lifecycle"], 50);
  }, 300_000);
});
