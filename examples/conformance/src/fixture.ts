/**
 * The "everything server" the official MCP conformance suite (@modelcontextprotocol/conformance)
 * runs against. Names, arguments and behaviour follow shared/spec/conformance.md §9 and §11.
 *
 * Fixtures come in sets, registered in order. The 2025-era set lives here; the 2026-only
 * diagnostics (input_required tools and prompt, header tool) are in fixture-modern.ts.
 * Features marked `era` are served to that protocol era only.
 */
import { type Server, type ServerOptions, audio, createServer, image, resource, text } from "@wisp/core";
import { createServer as createStatelessServer } from "@wisp/core/stateless";
import * as v from "valibot";
import { PNG_1X1, WAV_SILENCE } from "./assets.js";
import { modernPrompts, modernTools } from "./fixture-modern.js";
import { fleetTools } from "./fixture-fleet.js";
import { taskTools } from "./fixture-tasks.js";

/** Registers one group of tools, resources and prompts on the fixture server. */
export type FixtureSet = (server: Server) => void;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Kept verbatim: the `json-schema-2020-12` scenario checks that `$schema`, `$defs`, `$anchor`,
 * `allOf`/`anyOf`, `if/then/else` and `additionalProperties` reach `tools/list` untouched.
 */
export const JSON_SCHEMA_2020_12_INPUT = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: {
    address: {
      $anchor: "addressDef",
      type: "object",
      properties: { street: { type: "string" }, city: { type: "string" } },
    },
  },
  properties: {
    name: { type: "string" },
    address: { $ref: "#/$defs/address" },
    contactMethod: { type: "string", enum: ["phone", "email"] },
    phone: { type: "string" },
    email: { type: "string" },
  },
  allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
  if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
  then: { required: ["phone"] },
  else: { required: ["email"] },
  additionalProperties: false,
};

/** SEP-1034: a default for every primitive type. Raw JSON Schema, so it goes out exactly as written. */
export const SEP1034_SCHEMA = {
  type: "object",
  properties: {
    name: { type: "string", description: "User name", default: "John Doe" },
    age: { type: "integer", description: "User age", default: 30 },
    score: { type: "number", description: "User score", default: 95.5 },
    status: {
      type: "string",
      description: "User status",
      enum: ["active", "inactive", "pending"],
      default: "active",
    },
    verified: { type: "boolean", description: "Verification status", default: true },
  },
};

/** SEP-1330: the five enum shapes of form elicitation. */
export const SEP1330_SCHEMA = {
  type: "object",
  properties: {
    untitledSingle: {
      type: "string",
      description: "Select one option",
      enum: ["option1", "option2", "option3"],
    },
    titledSingle: {
      type: "string",
      description: "Select one option with titles",
      oneOf: [
        { const: "value1", title: "First Option" },
        { const: "value2", title: "Second Option" },
        { const: "value3", title: "Third Option" },
      ],
    },
    legacyEnum: {
      type: "string",
      description: "Select one option (legacy enumNames)",
      enum: ["opt1", "opt2", "opt3"],
      enumNames: ["Option One", "Option Two", "Option Three"],
    },
    untitledMulti: {
      type: "array",
      description: "Select several options",
      minItems: 1,
      maxItems: 3,
      items: { type: "string", enum: ["option1", "option2", "option3"] },
    },
    titledMulti: {
      type: "array",
      description: "Select several options with titles",
      minItems: 1,
      maxItems: 3,
      items: {
        anyOf: [
          { const: "value1", title: "First Choice" },
          { const: "value2", title: "Second Choice" },
          { const: "value3", title: "Third Choice" },
        ],
      },
    },
  },
};

/** What `test_elicitation` asks for; the suite accepts with `{username, email}`. */
const USER_INFO_SCHEMA = {
  type: "object",
  properties: {
    username: { type: "string", description: "Your user name" },
    email: { type: "string", description: "Your email address", format: "email" },
  },
  required: ["username", "email"],
};

const describeAnswer = (answer: { action: string; content?: unknown }) =>
  answer.action === "accept" ? `action=accept, content=${JSON.stringify(answer.content ?? {})}` : `action=${answer.action}`;

/** Tools of the 2025-era scenarios. Order matters: `test_simple_text` is the first tool listed. */
export const legacyTools: FixtureSet = (server) => {
  server
    .tool("test_simple_text", { description: "Returns a simple text response" }, () =>
      text("This is a simple text response for testing."),
    )
    .tool("test_image_content", { description: "Returns a 1×1 PNG image" }, () => image(PNG_1X1, "image/png"))
    .tool("test_audio_content", { description: "Returns a short WAV audio clip" }, () => audio(WAV_SILENCE, "audio/wav"))
    .tool("test_embedded_resource", { description: "Returns an embedded text resource" }, () =>
      resource({ uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." }),
    )
    .tool("test_multiple_content_types", { description: "Returns text, image and resource content together" }, () => [
      text("Multiple content types test:"),
      image(PNG_1X1, "image/png"),
      resource({
        uri: "test://mixed-content-resource",
        mimeType: "application/json",
        text: JSON.stringify({ test: "data", value: 123 }),
      }),
    ])
    .tool("test_tool_with_logging", { era: "legacy", description: "Sends three log messages while it runs" }, async (_args, ctx) => {
      ctx.log("info", "Tool execution started");
      await sleep(50);
      ctx.log("info", "Tool processing data");
      await sleep(50);
      ctx.log("info", "Tool execution completed");
      return text("Tool with logging executed successfully");
    })
    .tool("test_tool_with_progress", { description: "Reports progress 0, 50 and 100 of 100" }, async (_args, ctx) => {
      for (const step of [0, 50, 100]) {
        ctx.progress(step, 100, `Completed step ${step} of 100`);
        if (step < 100) await sleep(50);
      }
      return text("Progress test completed");
    })
    .tool("test_error_handling", { description: "Always fails, to test tool error results" }, () => {
      throw new Error("This tool intentionally returns an error for testing");
    })
    .tool(
      "test_sampling",
      { era: "legacy",
        description: "Asks the client's model for a completion (sampling/createMessage)",
        input: v.object({ prompt: v.pipe(v.string(), v.description("The prompt to send to the model")) }),
      },
      async ({ prompt }, ctx) => {
        const reply = await ctx.sample({
          messages: [{ role: "user", content: { type: "text", text: prompt } }],
          maxTokens: 100,
        });
        const blocks = Array.isArray(reply.content) ? reply.content : [reply.content];
        const said = blocks.map((block) => (block.type === "text" ? String(block.text) : `[${String(block.type)}]`)).join(" ");
        return text(`LLM response: ${said || "(empty)"}`);
      },
    )
    .tool(
      "test_elicitation",
      { era: "legacy",
        description: "Asks the user for a user name and email (elicitation/create)",
        input: v.object({ message: v.pipe(v.string(), v.description("The message shown to the user")) }),
      },
      async ({ message }, ctx) => {
        const answer = await ctx.elicit({ message, schema: USER_INFO_SCHEMA });
        return text(`User response: ${describeAnswer(answer)}`);
      },
    )
    .tool(
      "test_elicitation_sep1034_defaults",
      { era: "legacy", description: "Elicits a form whose fields all carry defaults (SEP-1034)" },
      async (_args, ctx) => {
        const answer = await ctx.elicit({ message: "Please review and update the form fields with defaults", schema: SEP1034_SCHEMA });
        return text(`Elicitation completed: ${describeAnswer(answer)}`);
      },
    )
    .tool(
      "test_elicitation_sep1330_enums",
      { era: "legacy", description: "Elicits a form with every enum shape (SEP-1330)" },
      async (_args, ctx) => {
        const answer = await ctx.elicit({ message: "Please select options from the enum fields", schema: SEP1330_SCHEMA });
        return text(`Elicitation completed: ${describeAnswer(answer)}`);
      },
    )
    .tool(
      "test_reconnection",
      { era: "legacy", description: "Closes its SSE stream mid-call; the result arrives on the resumed stream (SEP-1699)" },
      async (_args, ctx) => {
        // Switches the response to SSE (priming event first), then ends the connection;
        // the client reconnects with Last-Event-ID and the result is replayed there.
        ctx.closeSSEStream();
        await sleep(100);
        return text("Reconnection test completed: the result arrived after the stream was closed.");
      },
    )
    .tool(
      "json_schema_2020_12_tool",
      { description: "Has a JSON Schema 2020-12 input schema that must be listed unchanged", input: JSON_SCHEMA_2020_12_INPUT },
      (args) => text(`Received: ${JSON.stringify(args)}`),
    );
};

export const legacyResources: FixtureSet = (server) => {
  server
    .resource("test://static-text", { name: "static-text", description: "A static text resource", mimeType: "text/plain" }, () =>
      "This is the content of the static text resource.",
    )
    .resource("test://static-binary", { name: "static-binary", description: "A 1×1 PNG image", mimeType: "image/png" }, () => ({
      blob: PNG_1X1,
    }))
    .resource(
      "test://watched-resource",
      { name: "watched-resource", description: "A resource clients can subscribe to", mimeType: "text/plain" },
      () => "This resource can be watched for updates.",
    )
    .resourceTemplate(
      "test://template/{id}/data",
      { name: "template-data", description: "Data for any id", mimeType: "application/json" },
      ({ uri, params }) => JSON.stringify({ id: params.id, uri, data: `Data for ID: ${params.id}` }),
    );
};

const ARG1_SUGGESTIONS = ["test", "testing", "test-value", "paris", "park", "party"];

export const legacyPrompts: FixtureSet = (server) => {
  server
    .prompt("test_simple_prompt", { description: "A prompt without arguments" }, () => [
      { role: "user", content: text("This is a simple prompt for testing.") },
    ])
    .prompt(
      "test_prompt_with_arguments",
      {
        description: "A prompt with two required arguments; arg1 has completion",
        args: v.object({
          arg1: v.pipe(v.string(), v.description("First test argument")),
          arg2: v.pipe(v.string(), v.description("Second test argument")),
        }),
        complete: {
          arg1: (value) => {
            const matches = ARG1_SUGGESTIONS.filter((candidate) => candidate.startsWith(value));
            return matches.length ? matches : ARG1_SUGGESTIONS;
          },
        },
      },
      ({ arg1, arg2 }) => [
        { role: "user", content: text(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`) },
      ],
    )
    .prompt(
      "test_prompt_with_embedded_resource",
      {
        description: "A prompt that embeds the resource it is given",
        args: v.object({ resourceUri: v.pipe(v.string(), v.description("URI of the resource to embed")) }),
      },
      ({ resourceUri }) => [
        {
          role: "user",
          content: resource({ uri: resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." }),
        },
        { role: "user", content: text("Please process the embedded resource above.") },
      ],
    )
    .prompt("test_prompt_with_image", { description: "A prompt that contains an image" }, () => [
      { role: "user", content: image(PNG_1X1, "image/png") },
      { role: "user", content: text("Please analyze the image above.") },
    ]);
};

/** Registered in this order; append the 2026-era set here when it lands. */
export const FIXTURE_SETS: readonly FixtureSet[] = [legacyTools, legacyResources, legacyPrompts, modernTools, modernPrompts, taskTools, fleetTools];

/**
 * Builds the fixture server with every registration; serving it is the caller's job.
 * `statelessOnly` builds it with `@wisp/core/stateless` (2026-07-28 only, no session code).
 */
export function createConformanceServer(options: Partial<Omit<ServerOptions, "name" | "version">> = {}, statelessOnly = false): Server {
  const { legacySse, ...rest } = options;
  const base = { name: "wisp-conformance-fixture", version: "0.1.0", description: "Wisp fixture server for the official MCP conformance suite", ...rest };
  const server = statelessOnly ? createStatelessServer(base) : createServer({ ...base, legacySse });
  for (const register of FIXTURE_SETS) register(server);
  return server;
}
