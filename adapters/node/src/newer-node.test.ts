import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureNode22 } from "../../../scripts/node22.mjs";

/**
 * The adapter on a newer Node than the suite's own (20): from Node 22 on, chunks written to a
 * corked response wait in the response, and ending it corked sent the final zero-length chunk
 * before them, so an SSE body ended without its last events (found by the bench on Node 24).
 */
const FIXTURE = fileURLToPath(new URL("./newer-node.fixture.ts", import.meta.url));
const ACCEPT = "application/json, text/event-stream";
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  const node = await ensureNode22();
  child = spawn(node, ["--conditions=wisp-source", "--import", "tsx", FIXTURE], { cwd: fileURLToPath(new URL("../../..", import.meta.url)), stdio: ["ignore", "pipe", "inherit"] });
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the fixture did not start within 30 s")), 30_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("listening ")) {
        clearTimeout(timer);
        resolve(line.slice("listening ".length));
      }
    });
    child.once("exit", (code) => reject(new Error(`the fixture exited (${code}) before listening`)));
  });
}, 120_000);

afterAll(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
});

const dataLines = (body: string) => body.split("\n").filter((line) => line.startsWith("data: ")).map((line) => JSON.parse(line.slice(6)));

describe("the Node adapter on Node 22", () => {
  it("sends a 2025 SSE response whole: progress, progress, result", async () => {
    const init = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: ACCEPT }, body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } }) });
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();
    for (let round = 0; round < 5; round++) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: ACCEPT, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" },
        body: JSON.stringify({ jsonrpc: "2.0", id: round + 1, method: "tools/call", params: { name: "talk", arguments: {}, _meta: { progressToken: round } } }),
      });
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      const messages = dataLines(await response.text());
      expect(messages.map((m) => m.method ?? "result")).toEqual(["notifications/progress", "notifications/progress", "result"]);
      expect(messages[2]).toMatchObject({ id: round + 1, result: { content: [{ type: "text", text: "done" }] } });
    }
  });

  it("sends a 2026-07-28 SSE response whole", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "talk" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "talk", arguments: {}, _meta: { progressToken: 1, "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
    });
    const messages = dataLines(await response.text());
    expect(messages.map((m) => m.method ?? "result")).toEqual(["notifications/progress", "notifications/progress", "result"]);
    expect(messages[2]).toMatchObject({ id: 7, result: { content: [{ type: "text", text: "done" }] } });
  });
});
