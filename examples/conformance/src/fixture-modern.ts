/**
 * Fixtures only the 2026-07-28 scenarios use (conformance.md §10): the stateless
 * diagnostics, the input_required (MRTR) tools and prompt, and a tool with an
 * `x-mcp-header` argument. They are registered with `era: "modern"`, so 2025-era
 * clients never see them.
 */
import type { Server } from "@wisp/core";
import type { FixtureSet } from "./fixture.js";

const NAME_SCHEMA = { type: "object", properties: { name: { type: "string", description: "Your name" } }, required: ["name"] };
const OK_SCHEMA = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
const COLOR_SCHEMA = { type: "object", properties: { color: { type: "string" } }, required: ["color"] };
const CONTEXT_SCHEMA = { type: "object", properties: { context: { type: "string" } }, required: ["context"] };

const question = (text: string) => ({ messages: [{ role: "user" as const, content: { type: "text", text } }], maxTokens: 100 });
const said = (reply: { content: unknown }) => {
  const blocks = (Array.isArray(reply.content) ? reply.content : [reply.content]) as { type: string; text?: string }[];
  return blocks.map((block) => block.text ?? `[${block.type}]`).join(" ");
};
const modern = { era: "modern" as const };

export const modernTools: FixtureSet = (server: Server) => {
  server
    .tool("test_missing_capability", { ...modern, description: "Needs sampling; a client without it gets -32021" }, async (_args, ctx) => {
      const reply = await ctx.sample(question("Say hi"));
      return `Model said: ${said(reply)}`;
    })
    .tool("test_streaming_elicitation", { ...modern, description: "Asks the user through input_required, never as a request on the stream" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "What is your name?", schema: NAME_SCHEMA, key: "user_name" });
      return answer.action === "accept" ? `Hello, ${String(answer.content.name)}!` : `No name given (${answer.action})`;
    })
    .tool("test_logging_tool", { ...modern, description: "Logs at info level; nothing is sent unless the request asked for a log level" }, (_args, ctx) => {
      ctx.log("info", "Logging tool started");
      ctx.log("info", "Logging tool finished");
      return "Logged twice.";
    })
    .tool("test_trigger_tool_change", { ...modern, description: "Announces that the tool list changed" }, async () => {
      await server.notifyListChanged("tools");
      return "Sent tools/list_changed.";
    })
    .tool("test_trigger_prompt_change", { ...modern, description: "Announces that the prompt list changed" }, async () => {
      await server.notifyListChanged("prompts");
      return "Sent prompts/list_changed.";
    })
    .tool("test_input_required_result_elicitation", { ...modern, description: "Asks for the user's name (input key user_name)" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "What is your name?", schema: NAME_SCHEMA, key: "user_name" });
      return answer.action === "accept" ? `Hello, ${String(answer.content.name)}!` : `No name given (${answer.action})`;
    })
    .tool("test_input_required_result_sampling", { ...modern, description: "Asks the client's model a question" }, async (_args, ctx) => {
      const reply = await ctx.sample(question("What is the capital of France?"), { key: "capital" });
      return `The model answered: ${said(reply)}`;
    })
    .tool("test_input_required_result_list_roots", { ...modern, description: "Asks for the client's roots" }, async (_args, ctx) => {
      const roots = await ctx.roots({ key: "roots" });
      return `Roots: ${roots.map((root) => root.uri).join(", ") || "(none)"}`;
    })
    .tool("test_input_required_result_request_state", { ...modern, description: "Asks for confirmation, carrying a signed requestState" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "Proceed?", schema: OK_SCHEMA, key: "confirmation" });
      return answer.action === "accept" && answer.content.ok === true ? "Confirmed." : "Not confirmed.";
    })
    .tool("test_input_required_result_multiple_inputs", { ...modern, description: "Asks for a name, a model reply and the roots at once" }, async (_args, ctx) => {
      const [name, reply, roots] = await Promise.all([
        ctx.elicit({ message: "What is your name?", schema: NAME_SCHEMA, key: "user_name" }),
        ctx.sample(question("Say hello"), { key: "greeting" }),
        ctx.roots({ key: "roots" }),
      ]);
      const who = name.action === "accept" ? String(name.content.name) : "someone";
      return `${who} got "${said(reply)}" with ${roots.length} root(s).`;
    })
    .tool("test_input_required_result_multi_round", { ...modern, description: "Asks for a name, then for a favourite colour" }, async (_args, ctx) => {
      const name = await ctx.elicit({ message: "What is your name?", schema: NAME_SCHEMA, key: "user_name" });
      const color = await ctx.elicit({ message: "What is your favourite colour?", schema: COLOR_SCHEMA, key: "favorite_color" });
      const who = name.action === "accept" ? String(name.content.name) : "someone";
      const likes = color.action === "accept" ? String(color.content.color) : "nothing";
      return `${who} likes ${likes}.`;
    })
    .tool("test_input_required_result_tampered_state", { ...modern, description: "Asks for confirmation; a tampered requestState is rejected" }, async (_args, ctx) => {
      const answer = await ctx.elicit({ message: "Proceed?", schema: OK_SCHEMA, key: "confirmation" });
      return answer.action === "accept" ? "Confirmed." : "Not confirmed.";
    })
    .tool("test_input_required_result_capabilities", { ...modern, description: "Asks only for input kinds the client declared" }, async (_args, ctx) => {
      if (ctx.session.clientCapabilities.elicitation) {
        const answer = await ctx.elicit({ message: "What is your name?", schema: NAME_SCHEMA, key: "user_name" });
        return `Elicited: ${answer.action}`;
      }
      const reply = await ctx.sample(question("What is your name?"), { key: "name_from_model" });
      return `Sampled: ${said(reply)}`;
    })
    .tool(
      "test_headers",
      {
        ...modern,
        description: "Echoes a region that clients mirror into the Mcp-Param-Region header",
        input: { type: "object", properties: { region: { type: "string", "x-mcp-header": "Region" } }, required: ["region"] },
      },
      (args) => `Region: ${String(args.region)}`,
    );
};

export const modernPrompts: FixtureSet = (server: Server) => {
  server.prompt("test_input_required_result_prompt", { ...modern, description: "Asks for context before building its message" }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "What context should the prompt use?", schema: CONTEXT_SCHEMA, key: "context" });
    const context = answer.action === "accept" ? String(answer.content.context) : "(none)";
    return [{ role: "user", content: { type: "text", text: `Use this context: ${context}` } }];
  });
};
