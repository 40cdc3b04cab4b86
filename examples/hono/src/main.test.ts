/**
 * Starts the example as a user would (`node src/main.ts` through tsx, on a free port), then talks
 * to it with the official clients of both eras; stops it with SIGTERM by PID.
 */
import { fileURLToPath } from "node:url";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Running, freePort, startProcess, stop } from "../../../test-kit/process.js";

const EXAMPLE_DIR = fileURLToPath(new URL("..", import.meta.url));

let example: Running | undefined;
let url: string;

beforeAll(async () => {
  const port = await freePort();
  example = await startProcess(process.execPath, ["--conditions=wisp-source", "--import", "tsx", "src/main.ts"], {
    cwd: EXAMPLE_DIR,
    env: { PORT: String(port), MCP_TOKENS: "ada-token=ada" },
    pattern: /MCP endpoint at (http:\/\/\S+)/,
    timeoutMs: 20_000,
    what: "the example",
  });
  url = `http://127.0.0.1:${port}/mcp`;
}, 30_000);

afterAll(async () => {
  if (!example || example.child.exitCode !== null || example.child.signalCode !== null) return;
  expect((await stop(example.child)).code).toBe(0); // the example's SIGTERM handler closes cleanly
});

describe("examples/hono (Hono on @hono/node-server)", () => {
  it("2025 era: a bearer token becomes ctx.assigns.user; elicitation, resources/read and DELETE work", async () => {
    const client = new ClientV1({ name: "v1", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { confirm: true } }));
    const transport = new TransportV1(new URL(url), { requestInit: { headers: { authorization: "Bearer ada-token" } } });
    await client.connect(transport);
    try {
      expect((await client.callTool({ name: "whoami", arguments: {} })).content).toEqual([{ type: "text", text: "You are ada." }]);
      expect((await client.callTool({ name: "confirm_action", arguments: { action: "ship" } })).content).toEqual([{ type: "text", text: "ship: confirmed" }]);
      expect((await client.readResource({ uri: "notes://today" })).contents).toEqual([{ uri: "notes://today", mimeType: "text/plain", text: "Served by Hono." }]);
      await transport.terminateSession();
      expect(transport.sessionId).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it("2026 era: tools/call through an input_required round", async () => {
    const client = new ClientV2({ name: "v2", version: "2.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } });
    let asked = 0;
    client.setRequestHandler("elicitation/create", async () => {
      asked++;
      return { action: "accept", content: { confirm: false } };
    });
    await client.connect(new TransportV2(new URL(url)));
    try {
      expect((await client.callTool({ name: "confirm_action", arguments: { action: "drop" } })).content).toEqual([{ type: "text", text: "drop: refused" }]);
      expect(asked).toBe(1);
      expect((await client.callTool({ name: "whoami", arguments: {} })).content).toEqual([{ type: "text", text: "You are anonymous." }]);
    } finally {
      await client.close();
    }
  });
});
