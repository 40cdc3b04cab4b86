import { text } from "../content.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { formatIssues, validate } from "../schema/index.js";
import { type Call, isVisible, listPage, objectParam, own, requireCapability, sessionComponents, stringParam, visibleItems } from "./call.js";
import type { PromptMessage, PromptReturn } from "./definitions.js";

export async function listPrompts(call: Call) {
  const { server, era } = call;
  requireCapability(server.hasVisible("prompts", era), "prompts/list");
  const listed = visibleItems(server.prompts.values(), call).map((p) => p.descriptor);
  return listPage(call, "prompts", listed, "prompts");
}

export async function getPrompt(call: Call) {
  const { server, ctx, params, era } = call;
  requireCapability(server.hasVisible("prompts", era), "prompts/get");
  const name = stringParam(params, "name", "prompts/get");
  const prompt = server.prompts.get(name);
  const session = prompt ? undefined : own(sessionComponents(call)?.prompts, name);
  if (prompt ? !isVisible(prompt, call) : !session) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  const rawArgs = objectParam(params, "arguments", "prompts/get");
  const schema = prompt ? prompt.config.args : session!.schema;
  let args: unknown = rawArgs;
  if (schema) {
    const checked = await validate(schema, rawArgs);
    if (!checked.ok) throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for prompt ${name}: ${formatIssues(checked.issues)}`);
    args = checked.value;
  }
  let value: PromptReturn;
  if (prompt) value = await prompt.handler(args, ctx);
  else {
    const implementation = server.promptHandlers.get(session!.handler);
    if (!implementation) throw new McpError(ErrorCode.InternalError, `Prompt ${name} points at handler "${session!.handler}", which this server does not have`);
    value = await implementation(args as Record<string, unknown>, ctx, { name, data: session!.data });
  }
  if (typeof value === "string") return { messages: [{ role: "user", content: text(value) }] };
  if (Array.isArray(value)) return { messages: value as PromptMessage[] };
  return value as unknown as Record<string, unknown>;
}
