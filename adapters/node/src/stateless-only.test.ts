/**
 * A server from `@wisp/core/stateless` (2026-07-28 only) on real HTTP (127.0.0.1), met by the
 * official clients: the v2 client works with it in every mode that can reach 2026-07-28, the
 * v1 SDK (2025 era only) is refused with an error that names the version to use, and what
 * belongs to 2025 sessions (GET streams, DELETE) is 405.
 */
import { createServer } from "@wisp/core/stateless";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCEPT, type Json, LATEST, MODERN, connectV1, connectV2, legacyPost, modernCall, modernHeaders, modernMeta, textOf } from "../../../test-kit/mcp.js";
import { withTimeout } from "../../../test-kit/process.js";
import { type RunningServer, serve } from "./index.js";

let running: RunningServer;
const eras: string[] = [];
/** Every run of `echo`, whatever the era: a 2025 request must never reach it. */
let echoRuns = 0;

beforeAll(async () => {
  const server = createServer({ name: "edge", version: "1.0.0", requestStateSecret: "a-test-secret-that-is-at-least-32-bytes!" }).tool(
    "confirm_action",
    { description: "Asks the user to confirm an action", input: v.object({ action: v.string() }) },
    async ({ action }, ctx) => {
      const answer = await ctx.elicit({ message: `Really ${action}?`, schema: v.object({ confirm: v.boolean() }), key: "confirm" });
      eras.push(ctx.session.era);
      return answer.action === "accept" && answer.content.confirm ? `${action}: confirmed` : `${action}: not confirmed`;
    },
  ).tool("echo", { description: "Echoes a line", input: v.object({ line: v.string() }) }, ({ line }) => {
    echoRuns++;
    return line;
  });
  running = await serve(server, { port: 0 });
});

afterAll(async () => {
  await running?.close();
});

const initialize = (id: number | string = 1, protocolVersion = LATEST) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1.0.0" } },
});

describe("@wisp/core/stateless: a 2026-07-28-only server", () => {
  it("serves the v2 client, pinned or negotiating, with a tool that asks for input", async () => {
    for (const mode of [{ pin: MODERN }, "auto"] as const) {
      const { client, asked } = await withTimeout(connectV2(running.url, undefined, mode), 10_000, `connect (${JSON.stringify(mode)})`);
      try {
        expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
        expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["confirm_action", "echo"]);
        const called = await withTimeout(client.callTool({ name: "confirm_action", arguments: { action: "ship" } }), 10_000, "tools/call");
        expect(called.content).toEqual([{ type: "text", text: "ship: confirmed" }]);
        expect(asked).toHaveLength(1);
      } finally {
        await client.close();
      }
    }
    expect(eras).toEqual(["modern", "modern"]);
  });

  it("refuses the v1 SDK's initialize with 400 -32022, naming the version it speaks", async () => {
    const failure = await withTimeout(connectV1(running.url).then(() => null, (error: unknown) => error), 10_000, "the v1 connect attempt");
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toMatch(/2026-07-28/);

    const res = await legacyPost(running.url, undefined, initialize(7, LATEST));
    expect(res.status).toBe(400);
    expect(res.headers.get("mcp-session-id")).toBeNull();
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ id: 7, error: { code: -32022, data: { supported: [MODERN], requested: LATEST } } });
    expect(body.error.message).toMatch(/speaks only MCP 2026-07-28.*params\._meta\["io\.modelcontextprotocol\/protocolVersion"\]/);
  });

  it("refuses every other 2025-era POST the same way: requests, notifications, replies, batches, unknown sessions", async () => {
    const echo = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "echo", arguments: { line: "hi" } } });
    const cases: [unknown, string | undefined, string | undefined, Json][] = [
      [{ jsonrpc: "2.0", id: "a", method: "tools/list" }, undefined, undefined, { id: "a", error: { code: -32022, data: { supported: [MODERN], requested: null } } }],
      [echo(3), "stale-session", "2025-03-26", { id: 3, error: { code: -32022, data: { requested: "2025-03-26" } } }],
      [{ jsonrpc: "2.0", method: "notifications/initialized" }, undefined, LATEST, { id: null, error: { code: -32022 } }],
      // A client's reply to a server request: its id is not ours to answer.
      [{ jsonrpc: "2.0", id: 5, result: {} }, "stale-session", LATEST, { id: null, error: { code: -32022 } }],
      [[initialize(1), echo(2)], undefined, "2025-03-26", { id: null, error: { code: -32022 } }],
    ];
    for (const [message, sessionId, version, expected] of cases) {
      const res = await legacyPost(running.url, sessionId, message, version);
      expect(res.status, JSON.stringify(message)).toBe(400);
      expect(res.headers.get("mcp-session-id")).toBeNull();
      expect(await res.json()).toMatchObject({ jsonrpc: "2.0", ...expected });
    }
    // Nothing was run.
    expect(echoRuns).toBe(0);
    // The same tool answers a 2026 call: it was the era that was refused, not the tool.
    expect(textOf((await modernCall(running.url, "echo", { line: "hi" })).result)).toBe("hi");
    expect(echoRuns).toBe(1);
  });

  it("tells a client that asks initialize for 2026-07-28 how to reach it", async () => {
    const res = await legacyPost(running.url, undefined, initialize(8, MODERN));
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body).toMatchObject({ id: 8, error: { code: -32022, data: { supported: [MODERN], requested: MODERN } } });
    expect(body.error.message).toMatch(/^initialize is not part of MCP 2026-07-28.*params\._meta/);
  });

  it("answers GET, DELETE and other methods 405 with Allow: POST, OPTIONS, and preflights say the same", async () => {
    // A GET that could not take a stream is 405 too, not the 406 a 2025 server answers.
    for (const [method, accept] of [["GET", "text/event-stream"], ["GET", "application/json"], ["DELETE", "text/event-stream"], ["PUT", "*/*"]]) {
      const res = await fetch(running.url, { method, headers: { accept, "mcp-session-id": "any" } });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("POST, OPTIONS");
      const body = (await res.json()) as Json;
      expect(body.error.message).toContain(method);
    }
    const origin = new URL(running.url).origin.replace("127.0.0.1", "localhost");
    const preflight = await fetch(running.url, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
  });

  it("still answers a raw 2026 call, and a 2026 notification, as the dual-era server does", async () => {
    const result = await modernCall(running.url, "confirm_action", { action: "wait" }, { meta: modernMeta({ elicitation: {} }) });
    expect(result).toMatchObject({ id: 1, result: { resultType: "input_required" } });
    const notified = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT, ...modernHeaders("notifications/cancelled") },
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 1, _meta: modernMeta() } }),
    });
    expect(notified.status).toBe(202);
  });

  it("is refused at creation when asked for the 2024-11-05 transport, which needs sessions", () => {
    // @ts-expect-error the options type already refuses it; JavaScript callers get the TypeError
    expect(() => createServer({ name: "x", version: "1", legacySse: true })).toThrow(/legacySse .* needs sessions: use createServer from @wisp\/core/);
  });
});
