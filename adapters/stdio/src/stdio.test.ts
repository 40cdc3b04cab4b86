import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const tsx = join(root, "node_modules/.bin/tsx");
const serverScript = join(dirname(fileURLToPath(import.meta.url)), "test-server.ts");

/**
 * The test server as a child speaking raw lines: what it writes to stdout, line by line, and to
 * stderr; `until` polls a condition for up to 15 s and fails the test with `what` if it never holds.
 */
function startRawServer(env: Record<string, string> = {}) {
  const child = spawn(tsx, ["--conditions=wisp-source", serverScript], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  const lines: string[] = [];
  let buffer = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    process.stderr.write(chunk);
  });
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let end: number;
    while ((end = buffer.indexOf("\n")) !== -1) {
      lines.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
    }
  });
  const until = async (done: () => boolean, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(done(), what).toBe(true);
  };
  return { child, lines, stderr: () => stderr, until };
}

let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
});

describe("stdio transport", () => {
  it("serves the official SDK client over stdio: tools, elicitation, progress, ctx.transport env and pid", async () => {
    const transport = new StdioClientTransport({ command: tsx, args: ["--conditions=wisp-source", serverScript], env: { ...process.env, WISP_PROBE: "hello" } as Record<string, string>, stderr: "inherit" });
    client = new Client({ name: "stdio-test-client", version: "1" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: "accept", content: { ok: true } }));
    await client.connect(transport);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(["whoami", "confirm", "count"]);
    const textOf = (result: unknown) => (result as { content: { type: string; text: string }[] }).content[0];
    const who = JSON.parse(textOf(await client.callTool({ name: "whoami" })).text);
    expect(who.type).toBe("stdio");
    expect(who.env.WISP_PROBE).toBe("hello");
    // tsx runs the server in a child of the process the client started: a real pid, not ours.
    expect(Number.isInteger(who.pid) && who.pid > 1 && who.pid !== process.pid).toBe(true);
    expect(textOf(await client.callTool({ name: "confirm" }))).toEqual({ type: "text", text: "confirmed" });
    // Progress order on the wire is checked in the raw test below: the v1 client may drop an
    // update that arrives in the same read as the response, which is outside our control.
    const counted = await client.callTool({ name: "count", arguments: { to: 3 } }, undefined, { onprogress: () => {} });
    expect(textOf(counted)).toEqual({ type: "text", text: "counted to 3" });
  }, 30_000);

  it("answers a malformed line with -32700, relays progress before the result, serves 2026 requests without HTTP headers", async () => {
    const { child, lines, until } = startRawServer();
    try {
      const waitFor = (count: number) => until(() => lines.length >= count, `${count} lines on stdout`);
      child.stdin.write("{not json\n");
      await waitFor(1);
      expect(JSON.parse(lines[0])).toMatchObject({ id: null, error: { code: -32700 } });
      const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "confirm", _meta: meta } })}\n`);
      await waitFor(2);
      const round1 = JSON.parse(lines[1]);
      expect(round1.result).toMatchObject({ resultType: "input_required", inputRequests: { sure: { method: "elicitation/create" } } });
      const retry = { name: "confirm", _meta: meta, inputResponses: { sure: { action: "accept", content: { ok: true } } }, requestState: round1.result.requestState };
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: retry })}\n`);
      await waitFor(3);
      expect(JSON.parse(lines[2]).result).toMatchObject({ resultType: "complete", content: [{ type: "text", text: "confirmed" }] });
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "count", arguments: { to: 3 }, _meta: { ...meta, progressToken: "p" } } })}\n`);
      await waitFor(7);
      expect(lines.slice(3, 7).map((line) => JSON.parse(line)).map((m) => m.params?.progress ?? m.result?.content[0].text)).toEqual([1, 2, 3, "counted to 3"]);
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);

  it("never answers a notification on stdout, even when it is refused; a stateless-only server refuses initialize and serves 2026 calls", async () => {
    const { child, lines, stderr, until: waitFor } = startRawServer({ WISP_STATELESS_ONLY: "1" });
    try {
      // A 2025 notification: refused by a 2026-only server, and said on stderr only.
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
      await waitFor(() => stderr().includes("notifications/initialized refused"), "the refusal on stderr");
      expect(stderr()).toContain("-32022");
      const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } } };
      child.stdin.write(`${JSON.stringify(init)}\n`);
      await waitFor(() => lines.length >= 1, "the answer to initialize");
      expect(JSON.parse(lines[0])).toMatchObject({ id: 1, error: { code: -32022, data: { supported: ["2026-07-28"], requested: "2025-11-25" } } });
      const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "count", arguments: { to: 1 }, _meta: meta } })}\n`);
      await waitFor(() => lines.length >= 2, "the answer to tools/call");
      expect(JSON.parse(lines[1])).toMatchObject({ id: 2, result: { resultType: "complete", content: [{ type: "text", text: "counted to 1" }] } });
      // Nothing else reached stdout: the notification got no line of its own.
      expect(lines).toHaveLength(2);
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});
