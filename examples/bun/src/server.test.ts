/**
 * The Bun example's server, tested in-process under Node through `@wisp/core/testing`: the same
 * tools in both eras, the host facts an adapter would pass, elicitation answered by the test.
 * (`runtime://info` reads Bun's `navigator.userAgent`, which Node 20 lacks: served by Bun itself only.)
 */
import { type McpTestClient, connect } from "@wisp/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { server } from "./server.js";

const open: McpTestClient[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((client) => client.close()));
});

describe.each(["2026-07-28", "2025-11-25"])("examples/bun server at %s", (protocolVersion) => {
  it("whoami reads the caller's address from the host facts", async () => {
    const client = await connect(server, { protocolVersion, url: "http://127.0.0.1:3000/mcp", host: { remoteIp: "203.0.113.7" } });
    open.push(client);
    expect((await client.callTool("whoami")).content).toEqual([{ type: "text", text: "You are 203.0.113.7, calling 127.0.0.1:3000/mcp." }]);
  });

  it("roll_dice rolls what it is told, and asks how many when not told", async () => {
    const asked: string[] = [];
    const client = await connect(server, { protocolVersion, onElicit: (request) => (asked.push(request.message), { action: "accept", content: { count: 3 } }) });
    open.push(client);
    const text = (result: { content: unknown[] }) => (result.content[0] as { text: string }).text;
    expect(text(await client.callTool("roll_dice", { sides: 2, count: 4 }))).toMatch(/^[12] \+ [12] \+ [12] \+ [12] = \d$/);
    expect(asked).toEqual([]);
    expect(text(await client.callTool("roll_dice", { sides: 20 }))).toMatch(/^\d+ \+ \d+ \+ \d+ = \d+$/);
    expect(asked).toEqual(["How many d20 should I roll?"]);
  });

  it("roll_dice says so when the user declines", async () => {
    const client = await connect(server, { protocolVersion, onElicit: () => ({ action: "decline" }) });
    open.push(client);
    expect((await client.callTool("roll_dice", {})).content).toEqual([{ type: "text", text: "No dice (decline)." }]);
  });
});
