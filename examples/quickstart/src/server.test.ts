/**
 * The quickstart's notes server, tested the way a Wisp user tests theirs: through the in-memory
 * client of `@wisp/core/testing`, in both protocol eras, without starting an HTTP server.
 */
import { type ElicitAnswer, type McpTestClient, connect } from "@wisp/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createNotesServer } from "./notes.js";

const open: McpTestClient[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((client) => client.close()));
});

describe.each(["2026-07-28", "2025-11-25"])("the notes server at %s", (protocolVersion) => {
  /** A fresh server (notes live in memory) and a client that answers "delete?" with `confirm`. */
  async function start(confirm: ElicitAnswer = { action: "accept", content: { confirm: true } }) {
    const client = await connect(createNotesServer(), { protocolVersion, onElicit: () => confirm });
    open.push(client);
    return client;
  }

  async function addNote(client: McpTestClient, title: string, body: string, tags: string[] = []) {
    return (await client.callTool("add_note", { title, body, tags })).structuredContent as { id: string; title: string; tags: string[] };
  }

  it("introduces itself and lists its tools, resources and prompts", async () => {
    const client = await start();
    expect(client.serverInfo).toMatchObject({ name: "wisp-notes", title: "Wisp Notes" });
    expect(client.instructions).toContain("add_note");
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["add_note", "search_notes", "reindex", "delete_note"]);
    expect((await client.listResourceTemplates()).resourceTemplates).toMatchObject([{ uriTemplate: "notes://{id}", name: "note", mimeType: "text/markdown" }]);
    expect((await client.listPrompts()).prompts).toMatchObject([{ name: "summarize_tag", arguments: [{ name: "tag", required: true }] }]);
  });

  it("adds a note (structured output), lists it and reads it back", async () => {
    const client = await start();
    const result = await client.callTool("add_note", { title: "Groceries", body: "Milk, eggs", tags: ["home"] });
    expect(result.structuredContent).toEqual({ id: "1", title: "Groceries", tags: ["home"] });
    expect(result.isError).toBeUndefined();
    expect((await client.listResources()).resources).toMatchObject([{ uri: "notes://1", name: "Groceries" }]);
    expect(await client.readResource("notes://1")).toEqual({ contents: [{ uri: "notes://1", mimeType: "text/markdown", text: "# Groceries\n\nMilk, eggs" }] });
  });

  it("rejects a note without a title as a tool error the model can read", async () => {
    const client = await start();
    const result = await client.callTool("add_note", { title: "", body: "x" });
    expect(result.isError).toBe(true);
    expect(result.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("Invalid arguments for tool add_note") });
  });

  it("searches notes, answering with resource links", async () => {
    const client = await start();
    await addNote(client, "Trip", "Pack the tent", ["travel"]);
    expect((await client.callTool("search_notes", { query: "tent" })).content).toEqual([{ type: "resource_link", uri: "notes://1", name: "Trip", mimeType: "text/markdown" }]);
    expect((await client.callTool("search_notes", { query: "piano" })).content).toEqual([{ type: "text", text: 'No note matches "piano".' }]);
  });

  it("reindexes with progress and a log line", async () => {
    const logs: unknown[] = [];
    const client = await connect(createNotesServer(), { protocolVersion, onLog: (message) => logs.push(message.data) });
    open.push(client);
    await addNote(client, "One", "1");
    await addNote(client, "Two", "2");
    const progress: [number, number | undefined][] = [];
    const result = await client.callTool("reindex", {}, { onProgress: (p) => progress.push([p.progress, p.total]) });
    expect(result.content).toEqual([{ type: "text", text: "Reindexed 2 notes." }]);
    expect(progress).toEqual([[1, 2], [2, 2]]);
    expect(logs).toEqual(["Reindexed 2 notes"]);
  });

  it("deletes a note only when the user confirms", async () => {
    const keeper = await start({ action: "decline" });
    await addNote(keeper, "Keep me", "…");
    expect((await keeper.callTool("delete_note", { id: "1" })).content).toEqual([{ type: "text", text: "Kept the note." }]);
    expect((await keeper.listResources()).resources).toHaveLength(1);

    const client = await start();
    await addNote(client, "Old", "…");
    expect((await client.callTool("delete_note", { id: "1" })).content).toEqual([{ type: "text", text: 'Deleted "Old".' }]);
    expect((await client.listResources()).resources).toEqual([]);
    expect(await client.callTool("delete_note", { id: "1" })).toMatchObject({ isError: true, content: [{ type: "text" }] }); // gone: a tool error, not a throw
  });

  it("renders the summarize_tag prompt and completes tags and note ids", async () => {
    const client = await start();
    await addNote(client, "Standup", "Ship it", ["work"]);
    await addNote(client, "Retro", "Went well", ["work", "weekly"]);
    const prompt = await client.getPrompt("summarize_tag", { tag: "work" });
    expect(prompt.messages).toHaveLength(1);
    expect(prompt.messages[0].content).toMatchObject({ type: "text", text: expect.stringContaining("## Standup\nShip it\n\n## Retro\nWent well") });
    expect((await client.complete({ type: "ref/prompt", name: "summarize_tag" }, { name: "tag", value: "w" })).completion.values).toEqual(["work", "weekly"]);
    expect((await client.complete({ type: "ref/resource", uri: "notes://{id}" }, { name: "id", value: "" })).completion.values).toEqual(["1", "2"]);
  });
});
