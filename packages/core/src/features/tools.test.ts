/**
 * tools/call answers a handler and a schema the same way whether they answer at once or later:
 * the call path skips the promise for synchronous ones (a plain return value, valibot's
 * validator), so both kinds are pinned here, on both eras.
 */
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { McpError, createServer } from "../index.js";
import type { StandardSchemaV1 } from "../schema/index.js";
import { type McpTestClient, connect } from "../testing/index.js";

/** A Standard Schema whose validator answers with a promise: trims `text`, refuses an empty one. */
const asyncTrimmed = {
  "~standard": {
    version: 1,
    vendor: "async-test",
    // The Standard JSON Schema interface, so that tools/list can describe it.
    jsonSchema: { input: () => ({ type: "object", properties: { text: { type: "string" } }, required: ["text"] }), output: () => ({ type: "object" }) },
    validate: async (value: unknown) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const text = (value as { text?: unknown }).text;
      if (typeof text !== "string" || text.trim() === "") return { issues: [{ message: "text must be a non-empty string", path: ["text"] }] };
      return { value: { text: text.trim() } };
    },
  },
} as StandardSchemaV1<{ text: string }, { text: string }>;

/** A thenable that is not a Promise: what some libraries hand back. */
const thenable = (value: string) => ({ then: (resolve: (v: string) => void) => setTimeout(() => resolve(value), 1) });

function server() {
  return createServer({ name: "tools", version: "1.0.0" })
    .tool("sync", { description: "Returns at once", input: v.object({ text: v.string(), times: v.optional(v.number(), 2) }) }, ({ text, times }) => text.repeat(times))
    .tool("later", { description: "Returns a promise" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return "later";
    })
    .tool("thenable", { description: "Returns a thenable" }, () => thenable("from a thenable") as unknown as string)
    .tool("throws", { description: "Throws at once" }, () => {
      throw new Error("broke at once");
    })
    .tool("refuses", { description: "Throws an McpError at once" }, () => {
      throw new McpError(-32050, "refused at once");
    })
    .tool("async_schema", { description: "Validated by a promise", input: asyncTrimmed }, ({ text }) => `<${text}>`)
    .tool("circular", { description: "Returns what JSON cannot encode" }, () => {
      const content: Record<string, unknown>[] = [{ type: "text", text: "loop" }];
      content[0].self = content;
      return { content } as unknown as string;
    })
    .tool("structured", { description: "Has an output schema", output: v.object({ sum: v.number() }) }, () => ({ sum: 3 }))
    .tool("misshapen", { description: "Breaks its output schema", output: v.object({ sum: v.number() }) }, () => ({ sum: "three" }) as unknown as { sum: number });
}

const open: McpTestClient[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((client) => client.close()));
});

describe.each(["2026-07-28", "2025-11-25"] as const)("tools/call at %s", (protocolVersion) => {
  /** The exceptions the server reported, as `exception` telemetry. */
  let reported: unknown[] = [];
  const start = async () => {
    const made = server();
    reported = [];
    made.on("exception", (event) => void reported.push(event.error));
    const client = await connect(made, { protocolVersion });
    open.push(client);
    return client;
  };

  it("passes a synchronous schema's output to a synchronous handler", async () => {
    const client = await start();
    expect(await client.callTool("sync", { text: "hi" })).toEqual({ content: [{ type: "text", text: "hihi" }] });
    expect(await client.callTool("sync", { text: 5 })).toMatchObject({ isError: true, content: [{ type: "text", text: expect.stringContaining("Invalid arguments for tool sync") }] });
  });

  it("waits for a promise or any thenable a handler returns", async () => {
    const client = await start();
    expect(await client.callTool("later")).toEqual({ content: [{ type: "text", text: "later" }] });
    expect(await client.callTool("thenable")).toEqual({ content: [{ type: "text", text: "from a thenable" }] });
  });

  it("turns a synchronous throw into the same answers as an async one", async () => {
    const client = await start();
    expect(await client.callTool("throws")).toEqual({ content: [{ type: "text", text: "broke at once" }], isError: true });
    expect(reported).toMatchObject([{ message: "broke at once" }]); // a crash, reported once
    await expect(client.callTool("refuses")).rejects.toMatchObject({ code: -32050, message: "refused at once" });
    expect(reported).toHaveLength(1); // a deliberate McpError is no crash
  });

  it("answers a result JSON cannot encode with -32603, and the server keeps serving", async () => {
    const client = await start();
    await expect(client.callTool("circular")).rejects.toMatchObject({ code: -32603 });
    expect(await client.callTool("later")).toEqual({ content: [{ type: "text", text: "later" }] });
  });

  it("checks a handler's value against its output schema", async () => {
    const client = await start();
    expect(await client.callTool("structured")).toEqual({ content: [{ type: "text", text: '{"sum":3}' }], structuredContent: { sum: 3 } });
    await expect(client.callTool("misshapen")).rejects.toMatchObject({ code: -32603, message: expect.stringContaining("does not match its output schema") });
  });

  it("waits for a schema whose validator answers with a promise", async () => {
    const client = await start();
    expect(await client.callTool("async_schema", { text: "  padded  " })).toEqual({ content: [{ type: "text", text: "<padded>" }] });
    expect(await client.callTool("async_schema", { text: "   " })).toMatchObject({
      isError: true,
      content: [{ type: "text", text: expect.stringContaining("text must be a non-empty string") }],
    });
  });
});
