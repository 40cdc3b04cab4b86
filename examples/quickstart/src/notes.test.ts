/**
 * The notes server on real HTTP (127.0.0.1, any free port) with the official clients of both
 * eras: notes listed under their own names (not the template's title), a missing note read as
 * the protocol's resource-not-found error, and the requestStateSecret warning where it applies:
 * an input round over HTTP without a secret.
 */
import { ResourceNotFoundError } from "@modelcontextprotocol/client";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { type RunningServer, serve } from "@wisp/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MODERN, connectV1, connectV2, textOf } from "../../../test-kit/mcp.js";
import { withTimeout } from "../../../test-kit/process.js";
import { createNotesServer } from "./notes.js";

let running: RunningServer;
beforeAll(async () => {
  running = await serve(createNotesServer(), { port: 0, hostname: "127.0.0.1" });
});
afterAll(async () => {
  await running?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Settles `promise` into its error (undefined when it resolved). */
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe("examples/quickstart notes over HTTP", () => {
  it("resources/list shows each note under its own name, without the template's title, to both clients", async () => {
    const v1 = await withTimeout(connectV1(running.url), 10_000, "the v1 client to connect");
    const v2 = await withTimeout(connectV2(running.url), 10_000, "the v2 client to connect");
    try {
      expect(v2.client.getNegotiatedProtocolVersion()).toBe(MODERN);
      const added = await v1.client.callTool({ name: "add_note", arguments: { title: "Groceries", body: "milk, eggs" } });
      const uri = `notes://${(added.structuredContent as { id: string }).id}`;
      const expected = { uri, name: "Groceries", mimeType: "text/markdown" };
      expect((await v1.client.listResources()).resources).toContainEqual(expected);
      expect((await v2.client.listResources()).resources).toContainEqual(expected);
      for (const { resources } of [await v1.client.listResources(), await v2.client.listResources()]) {
        expect(resources.filter((resource) => resource.title !== undefined)).toEqual([]);
      }
      // The template keeps its title where it belongs.
      expect((await v1.client.listResourceTemplates()).resourceTemplates).toEqual([{ uriTemplate: "notes://{id}", name: "note", title: "A note", mimeType: "text/markdown" }]);
    } finally {
      await v1.client.close();
      await v2.client.close();
    }
  });

  it("reading a missing note is resource-not-found: -32002 for the v1 client (2025), ResourceNotFoundError (-32602) for the v2 client (2026)", async () => {
    const v1 = await withTimeout(connectV1(running.url), 10_000, "the v1 client to connect");
    const v2 = await withTimeout(connectV2(running.url), 10_000, "the v2 client to connect");
    try {
      const legacy = await failureOf(v1.client.readResource({ uri: "notes://404" }));
      expect(legacy).toBeInstanceOf(McpError);
      expect(legacy).toMatchObject({ code: -32002, data: { uri: "notes://404" } });
      const modern = await failureOf(v2.client.readResource({ uri: "notes://404" }));
      expect(modern).toBeInstanceOf(ResourceNotFoundError);
      expect(modern).toMatchObject({ code: -32602, data: { uri: "notes://404" } });
    } finally {
      await v1.client.close();
      await v2.client.close();
    }
  });

  it("an input round over HTTP without requestStateSecret warns once, saying how to set the secret", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const v2 = await withTimeout(connectV2(running.url), 10_000, "the v2 client to connect");
    try {
      const added = await v2.client.callTool({ name: "add_note", arguments: { title: "Scratch", body: "-" } });
      const id = (added.structuredContent as { id: string }).id;
      // connectV2 answers elicitation with { confirm: true }, the field delete_note asks for.
      expect(textOf(await withTimeout(v2.client.callTool({ name: "delete_note", arguments: { id } }), 10_000, "delete_note"))).toBe('Deleted "Scratch".');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]?.[0]).toMatch(/^\[wisp\] No requestStateSecret configured: .*createServer\(\{ requestStateSecret \}\).*WISP_REQUEST_STATE_SECRET/s);
    } finally {
      await v2.client.close();
    }
  });
});
