/** The example on workerd (Miniflare), driven by the official v1 SDK client. */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { type RunningWorkerd, startWorkerd } from "@wisp/cloudflare/workerd";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";

let running: RunningWorkerd;
beforeAll(async () => {
  running = await startWorkerd({
    entry: fileURLToPath(new URL("./worker.ts", import.meta.url)),
    isolates: 2,
    vars: { WISP_REQUEST_STATE_SECRET: "an-example-test-secret-of-32-bytes-or-more", GREETING: "Hi from the test" },
  });
}, 60_000);
afterAll(async () => {
  await running?.close();
});

it("lists, rolls, books after confirming, reads the greeting, and ends the session", async () => {
  const client = new Client({ name: "example-test", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: "accept", content: { confirm: true } }));
  const transport = new StreamableHTTPClientTransport(new URL(running.url));
  await client.connect(transport);
  try {
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["roll_dice", "book_table"]);
    const rolled = (await client.callTool({ name: "roll_dice", arguments: { sides: 20 } })) as { content: { text: string }[] };
    expect(rolled.content[0].text).toMatch(/^You rolled a ([1-9]|1\d|20) \(d20\)\.$/);
    const booked = (await client.callTool({ name: "book_table", arguments: { restaurant: "Chez Wisp", people: 2 } })) as { content: { text: string }[] };
    expect(booked.content[0].text).toBe("Booked Chez Wisp for 2.");
    const greeting = await client.readResource({ uri: "info://greeting" });
    expect(greeting.contents[0]).toMatchObject({ text: "Hi from the test" });
    await transport.terminateSession();
  } finally {
    await client.close();
  }
});
