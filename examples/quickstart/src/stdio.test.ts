/**
 * The quickstart's stdio entry started the way the root README's desktop-client snippet starts it
 * (`npm --prefix … run -s start:stdio`, from another directory, with the SDK's default minimal
 * environment), driven by the official clients' stdio transports: the v1 SDK (2025 era) and the
 * v2 client pinned to 2026-07-28, whose input rounds must not bring the requestStateSecret
 * warning (one process serves the one client). Each spawned process is ended by its PID.
 */
import { tmpdir } from "node:os";
import type { Stream } from "node:stream";
import { fileURLToPath } from "node:url";
import { Client as ClientV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioV2 } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterEach, describe, expect, it } from "vitest";
import { MODERN } from "../../../test-kit/mcp.js";
import { sleep, withTimeout } from "../../../test-kit/process.js";

const QUICKSTART = fileURLToPath(new URL("..", import.meta.url));
/** The command and arguments of the README's `mcpServers` entry. */
const SERVER = { command: "npm", args: ["--prefix", QUICKSTART, "run", "-s", "start:stdio"], cwd: tmpdir(), stderr: "pipe" as const };

const pids: number[] = [];
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
afterEach(async () => {
  // The clients' close() ends stdin, which ends the server; whatever is left is killed by PID.
  for (const pid of pids.splice(0)) {
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
});

/** Collects what the server wrote to stderr. */
function collect(stream: Stream | null): () => string {
  let text = "";
  stream?.on("data", (chunk: Buffer) => (text += chunk));
  return () => text;
}

const textOf = (result: unknown) => (result as { content: { type: string; text: string }[] }).content.map((block) => block.text).join("");

describe("examples/quickstart over stdio", () => {
  it("the v1 SDK client lists and calls tools, lists and reads notes, and gets -32002 for a missing note", async () => {
    const transport = new StdioClientTransport(SERVER);
    const stderr = collect(transport.stderr);
    const client = new Client({ name: "stdio-v1", version: "1.0.0" });
    try {
      await withTimeout(client.connect(transport), 20_000, `the stdio server to initialize:\n${stderr()}`);
      pids.push(transport.pid!);
      expect(client.getServerVersion()).toMatchObject({ name: "wisp-notes", title: "Wisp Notes" });
      const { tools } = await withTimeout(client.listTools(), 5_000, "tools/list");
      expect(tools.map((tool) => tool.name)).toEqual(["add_note", "search_notes", "reindex", "delete_note"]);

      const added = await withTimeout(client.callTool({ name: "add_note", arguments: { title: "Groceries", body: "milk, eggs", tags: ["home"] } }), 5_000, "tools/call");
      expect(added.structuredContent).toEqual({ id: "1", title: "Groceries", tags: ["home"] });
      expect(textOf(await client.callTool({ name: "search_notes", arguments: { query: "nothing-like-it" } }))).toBe('No note matches "nothing-like-it".');

      expect((await client.listResources()).resources).toEqual([{ uri: "notes://1", name: "Groceries", mimeType: "text/markdown" }]);
      expect((await client.readResource({ uri: "notes://1" })).contents).toEqual([{ uri: "notes://1", mimeType: "text/markdown", text: "# Groceries\n\nmilk, eggs" }]);
      const missing = await client.readResource({ uri: "notes://99" }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(missing).toBeInstanceOf(McpError);
      expect(missing).toMatchObject({ code: -32002, data: { uri: "notes://99" } });
      expect(stderr()).toBe("");
    } finally {
      await client.close();
    }
  }, 40_000);

  it("the v2 client at 2026-07-28 runs an input round (delete_note asks to confirm) without the requestStateSecret warning", async () => {
    const transport = new StdioV2(SERVER);
    const stderr = collect(transport.stderr);
    const client = new ClientV2({ name: "stdio-v2", version: "2.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: MODERN } } });
    const asked: string[] = [];
    client.setRequestHandler("elicitation/create", async (request) => {
      asked.push(String((request.params as { message?: string }).message));
      return { action: "accept", content: { confirm: true } };
    });
    try {
      await withTimeout(client.connect(transport), 20_000, `the stdio server to answer:\n${stderr()}`);
      pids.push(transport.pid!);
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      await withTimeout(client.callTool({ name: "add_note", arguments: { title: "Old draft", body: "-" } }), 5_000, "add_note");
      const deleted = await withTimeout(client.callTool({ name: "delete_note", arguments: { id: "1" } }), 10_000, "delete_note with its input round");
      expect(textOf(deleted)).toBe('Deleted "Old draft".');
      expect(asked).toEqual(['Delete "Old draft"?']);
      expect(stderr()).not.toContain("requestStateSecret");
    } finally {
      await client.close();
    }
  }, 40_000);
});
