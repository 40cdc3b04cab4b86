/**
 * When the "no requestStateSecret" warning fires: only where a retry could reach another
 * instance. Each test loads the core afresh, since the warning is once per process (module).
 * The same over a real stdio child and a real HTTP server: examples/quickstart/src/stdio.test.ts
 * and notes.test.ts.
 */
import * as v from "valibot";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { HostContext } from "../context/host.js";
import type { ServerOptions } from "../server/options.js";
import { ENDPOINT, parseResponse } from "../test-support/requests.js";

const MODERN = "2026-07-28";
const STDIO: HostContext = { transport: { type: "stdio", env: {}, pid: 1 } };

async function freshServer(options: Partial<ServerOptions> = {}) {
  vi.resetModules();
  const { createServer } = await import("../create-server.js");
  return createServer({ name: "rounds", version: "1", ...options }).tool("confirm", { description: "Asks first" }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "Sure?", schema: v.object({ ok: v.boolean() }), key: "sure" });
    return answer.action === "accept" ? "yes" : "no";
  });
}

/** A 2026 tools/call of `confirm` that must answer input_required; over stdio without the HTTP-only headers, as @wisp/stdio sends it. */
async function inputRound(server: Awaited<ReturnType<typeof freshServer>>, host?: HostContext) {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
  if (!host) Object.assign(headers, { "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "confirm" });
  const _meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "confirm", _meta } });
  const { body: reply } = await parseResponse(await server.handle(new Request(ENDPOINT, { method: "POST", headers, body }), host));
  expect(reply.result).toMatchObject({ resultType: "input_required", requestState: expect.any(String) });
  return reply.result.requestState as string;
}

/** The retry of that round with `requestState` and a yes: its resultType, or the error message. */
async function retryStatus(server: Awaited<ReturnType<typeof freshServer>>, requestState: string): Promise<string> {
  const headers = { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": "confirm" };
  const _meta = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
  const params = { name: "confirm", _meta, inputResponses: { sure: { action: "accept", content: { ok: true } } }, requestState };
  const { body: reply } = await parseResponse(await server.handle(new Request(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params }) })));
  return reply.result?.resultType ?? reply.error?.message;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the no-requestStateSecret warning", () => {
  it("stays silent over stdio: one process serves the one client, every retry comes back to it", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const server = await freshServer();
    await inputRound(server, STDIO);
    await inputRound(server, STDIO);
    expect(warn).not.toHaveBeenCalled();
  });

  it("stays silent over HTTP when a secret is set", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await inputRound(await freshServer({ requestStateSecret: "a-test-secret-that-is-at-least-32-bytes!" }));
    expect(warn).not.toHaveBeenCalled();
  });

  it("fires once over HTTP without a secret (memory storage included: serverless and Worker instances share no memory), saying how to set one", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const server = await freshServer();
    await inputRound(server);
    await inputRound(server);
    expect(warn).toHaveBeenCalledTimes(1);
    const [message] = warn.mock.calls[0] as [string];
    expect(message).toMatch(/^\[wisp\] No requestStateSecret configured/);
    expect(message).toContain("createServer({ requestStateSecret })");
    expect(message).toContain("at least 32 bytes");
    expect(message).toContain("the same secret");
  });
});

describe("requestStateSecret is checked when the server is created", () => {
  it("refuses a secret shorter than 32 bytes, or not a string or bytes, before any request", async () => {
    const { createServer } = await import("../create-server.js");
    const create = (requestStateSecret: unknown) => () => createServer({ name: "s", version: "1", requestStateSecret: requestStateSecret as string });
    expect(create("too-short")).toThrow("createServer: requestStateSecret must be at least 32 bytes, got 9");
    expect(create(new Uint8Array(31))).toThrow(/at least 32 bytes, got 31/);
    // Bytes, not characters: 16 two-byte characters are enough.
    expect(create("é".repeat(16))).not.toThrow();
    expect(create(12345678901234567890)).toThrow(/must be a string or bytes \(a Uint8Array\), got number/);
    expect(create(null)).toThrow(/got null/);
    expect(create(new Uint8Array(32))).not.toThrow();
    // Any bytes: a Buffer, an ArrayBuffer, a view from another realm (vm).
    expect(create(Buffer.alloc(32, 1))).not.toThrow();
    expect(create(new ArrayBuffer(32))).not.toThrow();
    expect(create(runInNewContext("new Uint8Array(32)"))).not.toThrow();
    expect(create(runInNewContext("new Uint8Array(8)"))).toThrow(/got 8/);
  });

  it("signs with the bytes given at creation, even if the caller's buffer changes afterwards", async () => {
    const secret = Buffer.from("a-test-secret-that-is-at-least-32-bytes!");
    const first = await freshServer({ requestStateSecret: secret });
    const kept = Buffer.from(secret);
    secret.fill(0); // the caller wipes its copy
    const second = await freshServer({ requestStateSecret: kept });
    // A state sealed by one server opens on the other: both keys are the original bytes.
    const state = await inputRound(first);
    expect(await retryStatus(second, state)).toBe("complete");
    // And a server with other bytes refuses it: the check above can fail.
    const other = await freshServer({ requestStateSecret: Buffer.alloc(40, 7) });
    expect(await retryStatus(other, await inputRound(first))).toMatch(/signature check failed/);
  });
});
