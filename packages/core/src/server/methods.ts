import { isLogLevel } from "../context/context.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { type Call, type MethodHandler, objectParam, own } from "./call.js";
import type { Completer } from "./definitions.js";
import { getPrompt, listPrompts } from "./prompts.js";
import { listResources, listTemplates, readResource, subscribe } from "./resources.js";
import { completerKey } from "./server.js";
import { callTool, listTools } from "./tools.js";

export type { Call, MethodHandler } from "./call.js";

// ---------- completion, logging, ping ----------

async function complete({ server, ctx, params }: Call) {
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

async function setLevel({ params, updateSession }: Call) {
  if (!isLogLevel(params.level)) {
    throw new McpError(ErrorCode.InvalidParams, `logging/setLevel: "level" must be one of debug, info, notice, warning, error, critical, alert, emergency`);
  }
  await updateSession?.({ logLevel: params.level });
  return {};
}

/** The 2025-era method table. `initialize` lives in the HTTP layer because it creates the session. */
/** Looked up with .get(): a method named "constructor" or "__proto__" is simply not found. */
export const legacyMethods: ReadonlyMap<string, MethodHandler> = new Map(Object.entries({
  ping: async () => ({}),
  "tools/list": listTools,
  "tools/call": callTool,
  "resources/list": listResources,
  "resources/templates/list": listTemplates,
  "resources/read": readResource,
  "resources/subscribe": (call) => subscribe(call, true),
  "resources/unsubscribe": (call) => subscribe(call, false),
  "prompts/list": listPrompts,
  "prompts/get": getPrompt,
  "completion/complete": complete,
  "logging/setLevel": setLevel,
}));
