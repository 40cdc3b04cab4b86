import { createServer } from "@wisp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, serve } from "./serve.js";

/**
 * A stream's headers leave at once even when it has nothing to say yet (a GET stream of a
 * version without priming events): the adapter corks a stream's first burst, and must not hold
 * the headers back with it (found by the fuzzer: such a GET got no answer at all).
 */
let running: RunningServer;
beforeAll(async () => {
  const server = createServer({ name: "headers", version: "1.0.0" }).tool("ping", { description: "Answers pong" }, () => "pong");
  running = await serve(server, { port: 0 });
});
afterAll(() => running.close());

const JSON_AND_SSE = { "content-type": "application/json", accept: "application/json, text/event-stream" };

async function session(version: string): Promise<string> {
  const init = await fetch(running.url, { method: "POST", headers: JSON_AND_SSE, body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "t", version: "1" } } }) });
  await init.text();
  return init.headers.get("mcp-session-id")!;
}

/** Milliseconds until the response's headers arrived; the body is cancelled. */
async function headersAfter(request: () => Promise<Response>): Promise<number> {
  const started = Date.now();
  const response = await request();
  const elapsed = Date.now() - started;
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  await response.body?.cancel();
  return elapsed;
}

describe("SSE response headers on the Node adapter", () => {
  for (const version of ["2024-11-05", "2025-03-26", "2025-06-18"]) {
    it(`a GET stream of a ${version} session (no priming event) gets its headers at once`, async () => {
      const sessionId = await session(version);
      const ms = await headersAfter(() => fetch(running.url, { headers: { accept: "text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": version } }));
      expect(ms).toBeLessThan(1000);
    });
  }
});
