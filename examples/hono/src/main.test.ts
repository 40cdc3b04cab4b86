/**
 * Starts the example as a user would (`node src/main.ts` through tsx, on a free port), then talks
 * to it with the official clients of both eras; stops it with SIGTERM by PID.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer as createNetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EXAMPLE_DIR = fileURLToPath(new URL("..", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

let child: ChildProcess;
let url: string;
let output = "";

beforeAll(async () => {
  const port = await freePort();
  child = spawn(process.execPath, ["--conditions=wisp-source", "--import", "tsx", "src/main.ts"], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, PORT: String(port), MCP_TOKENS: "ada-token=ada" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes("MCP endpoint at")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${code}):\n${output}`));
    });
  });
  await ready;
  url = `http://127.0.0.1:${port}/mcp`;
}, 30_000);

afterAll(async () => {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
  expect(await exited).toBe(0); // the example's SIGTERM handler closes cleanly
  clearTimeout(timer);
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
