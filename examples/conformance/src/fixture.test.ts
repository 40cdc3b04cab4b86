import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type RunningServer, serve } from "@wisp/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JSON_SCHEMA_2020_12_INPUT, SEP1034_SCHEMA, SEP1330_SCHEMA, createConformanceServer } from "./fixture.js";

const TOOLS = [
  "test_simple_text",
  "test_image_content",
  "test_audio_content",
  "test_embedded_resource",
  "test_multiple_content_types",
  "test_tool_with_logging",
  "test_tool_with_progress",
  "test_error_handling",
  "test_sampling",
  "test_elicitation",
  "test_elicitation_sep1034_defaults",
  "test_elicitation_sep1330_enums",
  "test_reconnection",
  "json_schema_2020_12_tool",
  "fleet_slow_progress",
  "fleet_touch_resource",
];
const PROMPTS = ["test_simple_prompt", "test_prompt_with_arguments", "test_prompt_with_embedded_resource", "test_prompt_with_image"];

describe("conformance fixture over the official SDK client", () => {
  let running: RunningServer;
  let client: Client;

  beforeAll(async () => {
    running = await serve(createConformanceServer(), { port: 0 });
    client = new Client({ name: "fixture-test", version: "1.0.0" }, { capabilities: { sampling: {}, elicitation: {} } });
    await client.connect(new StreamableHTTPClientTransport(new URL(running.url)));
  });

  afterAll(async () => {
    await client?.close();
    await running?.close();
  });

  it("advertises the capabilities the suite needs", () => {
    const caps = client.getServerCapabilities();
    expect(caps?.tools).toBeDefined();
    expect(caps?.resources?.subscribe).toBe(true);
    expect(caps?.prompts).toBeDefined();
    expect(caps?.logging).toBeDefined();
    expect(caps?.completions).toBeDefined();
  });

  it("lists every tool, test_simple_text first, each with a description", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type, tool.name).toBe("object");
    }
    expect(tools.find((tool) => tool.name === "json_schema_2020_12_tool")?.inputSchema).toEqual(JSON_SCHEMA_2020_12_INPUT);
  });

  it("test_simple_text answers without an arguments key", async () => {
    const result = await client.callTool({ name: "test_simple_text" });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: "text", text: "This is a simple text response for testing." }]);
  });

  it("test_image_content returns a PNG", async () => {
    const result = await client.callTool({ name: "test_image_content", arguments: {} });
    const [block] = result.content as { type: string; data: string; mimeType: string }[];
    expect(block.type).toBe("image");
    expect(block.mimeType).toBe("image/png");
    expect(Buffer.from(block.data, "base64").subarray(1, 4).toString()).toBe("PNG");
  });

  it("test_error_handling is an isError result, not a JSON-RPC error", async () => {
    const result = await client.callTool({ name: "test_error_handling", arguments: {} });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0].text).toBeTruthy();
  });

  it("reads a templated resource", async () => {
    const { contents } = await client.readResource({ uri: "test://template/123/data" });
    expect(contents[0].uri).toBe("test://template/123/data");
    expect("text" in contents[0] && contents[0].text).toContain("123");
  });

  it("lists every prompt with a description and fills in arguments", async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toEqual(PROMPTS);
    for (const prompt of prompts) expect(prompt.description, prompt.name).toBeTruthy();
    expect(prompts[1].arguments?.map((arg) => [arg.name, arg.required])).toEqual([
      ["arg1", true],
      ["arg2", true],
    ]);

    const result = await client.getPrompt({ name: "test_prompt_with_arguments", arguments: { arg1: "testValue1", arg2: "testValue2" } });
    const said = JSON.stringify(result.messages);
    expect(said).toContain("testValue1");
    expect(said).toContain("testValue2");
  });

  it("completes arg1 of test_prompt_with_arguments", async () => {
    const { completion } = await client.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "test" },
    });
    expect(completion.values).toContain("test-value");
  });

  it("sends the SEP-1034 and SEP-1330 schemas exactly as written", async () => {
    const seen: unknown[] = [];
    const { ElicitRequestSchema } = await import("@modelcontextprotocol/sdk/types.js");
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      seen.push(request.params);
      return { action: "accept", content: {} };
    });
    await client.callTool({ name: "test_elicitation_sep1034_defaults", arguments: {} });
    await client.callTool({ name: "test_elicitation_sep1330_enums", arguments: {} });
    expect(seen).toMatchObject([{ requestedSchema: SEP1034_SCHEMA }, { requestedSchema: SEP1330_SCHEMA }]);
    expect((seen[0] as { requestedSchema: unknown }).requestedSchema).toEqual(SEP1034_SCHEMA);
    expect((seen[1] as { requestedSchema: unknown }).requestedSchema).toEqual(SEP1330_SCHEMA);
  });
});
