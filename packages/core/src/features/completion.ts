import { ErrorCode, McpError } from "../protocol/errors.js";
import type { Completer } from "../server/definitions.js";
import { completerKey } from "../server/registry.js";
import { type Call, objectParam, own } from "./call.js";

/** `completion/complete`: a prompt's or template's own completer, else one registered with `server.completion()`. */
export async function complete({ server, ctx, params }: Call) {
  const ref = objectParam(params, "ref", "completion/complete");
  const argument = objectParam(params, "argument", "completion/complete");
  if (typeof argument.name !== "string" || typeof argument.value !== "string") {
    throw new McpError(ErrorCode.InvalidParams, 'completion/complete: "argument" needs string "name" and "value"');
  }
  let completer: Completer | undefined;
  if (ref.type === "ref/prompt") {
    const prompt = server.prompts.get(String(ref.name));
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${String(ref.name)}`);
    completer = own(prompt.config.complete as Record<string, Completer> | undefined, argument.name);
  } else if (ref.type === "ref/resource") {
    const template = server.templates.get(String(ref.uri));
    if (!template && !server.resources.has(String(ref.uri))) throw new McpError(ErrorCode.InvalidParams, `Unknown resource or template: ${String(ref.uri)}`);
    completer = own(template?.config.complete as Record<string, Completer> | undefined, argument.name);
  } else {
    throw new McpError(ErrorCode.InvalidParams, 'completion/complete: "ref.type" must be "ref/prompt" or "ref/resource"');
  }
  completer ??= server.completers.get(completerKey(ref as { type: string }, argument.name));
  if (!completer) return { completion: { values: [] } };
  const context = objectParam(params, "context", "completion/complete");
  const answer = await completer(argument.value, { arguments: (context.arguments ?? {}) as Record<string, string> }, ctx);
  const values = Array.isArray(answer) ? answer : answer.values;
  // The spec caps a completion at 100 values.
  const completion: Record<string, unknown> = { values: values.slice(0, 100) };
  const total = Array.isArray(answer) ? values.length : (answer.total ?? values.length);
  if (values.length > 100 || total > 100) completion.total = total;
  completion.hasMore = Array.isArray(answer) ? values.length > 100 : (answer.hasMore ?? values.length > 100);
  return { completion };
}
