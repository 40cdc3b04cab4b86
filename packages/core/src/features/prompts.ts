import { text } from "../protocol/content.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import type { PromptMessage, PromptReturn } from "../protocol/results.js";
import { formatIssues, validate } from "../schema/index.js";
import { type Call, findFeature, implementationOf, listPage, objectParam, requireCapability, stringParam, visibleItems } from "./call.js";

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
  const found = findFeature(call, server.prompts, "prompts", name);
  if (!found) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  const prompt = "registered" in found ? found.registered : undefined;
  const session = "component" in found ? found.component : undefined;
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
  else value = await implementationOf(server.promptHandlers, session!, `Prompt ${name}`)(args as Record<string, unknown>, ctx, { name, data: session!.data });
  if (typeof value === "string") return { messages: [{ role: "user", content: text(value) }] };
  if (Array.isArray(value)) return { messages: value as PromptMessage[] };
  return value as unknown as Record<string, unknown>;
}
