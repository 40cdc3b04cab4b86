import { InputRequired } from "../context/wire.js";
import { type ContentBlock, text } from "../protocol/content.js";
import { ErrorCode, McpError, ToolError } from "../protocol/errors.js";
import { reportsToolInputErrorsInResult } from "../protocol/versions.js";
import { formatIssues, validate, validateNow } from "../schema/index.js";
import { type Call, findFeature, implementationOf, listPage, objectParam, requireCapability, stringParam, visibleItems } from "./call.js";
import { listedTool } from "./task-support.js";

export async function listTools(call: Call) {
  const { server, era } = call;
  requireCapability(server.hasVisible("tools", era), "tools/list");
  const entries = visibleItems(server.tools.values(), call).map((tool) => listedTool(tool, call.record?.protocolVersion));
  return listPage(call, "tools", entries, "tools");
}

export async function callTool(call: Call) {
  const { server, ctx, params, version, era } = call;
  requireCapability(server.hasVisible("tools", era), "tools/call");
  const name = stringParam(params, "name", "tools/call");
  const rawArgs = objectParam(params, "arguments", "tools/call");
  const found = findFeature(call, server.tools, "tools", name);
  if (!found) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
  const tool = "registered" in found ? found.registered : undefined;
  const session = "component" in found ? found.component : undefined;

  const schema = tool ? tool.config.input : session!.schema;
  let args: unknown = rawArgs;
  if (schema) {
    // Synchronous schemas (valibot, zod) answer at once: no promise, no microtask per call.
    const pending = validateNow(schema, rawArgs);
    const checked = pending instanceof Promise ? await pending : pending;
    if (!checked.ok) {
      const message = `Invalid arguments for tool ${name}: ${formatIssues(checked.issues)}`;
      // 2025-11-25 moved argument errors into the result so the model can correct itself (SEP-1303).
      if (reportsToolInputErrorsInResult(version)) return { content: [text(message)], isError: true };
      throw new McpError(ErrorCode.InvalidParams, message);
    }
    args = checked.value;
  }

  let returned: unknown;
  try {
    returned = tool
      ? tool.handler(args, ctx)
      : implementationOf(server.toolHandlers, session!, `Tool ${name}`)(args as Record<string, unknown>, ctx, { name, data: session!.data });
    // A handler that returns a plain value is not made to wait a microtask for it.
    if (isThenable(returned)) returned = await returned;
  } catch (error) {
    if (error instanceof McpError || error instanceof InputRequired) throw error;
    // A deliberate ToolError is the tool talking to the model; anything else is also a crash to report.
    if (!(error instanceof ToolError)) server.reportException(ctx, error);
    if (error instanceof Error) return { content: [text(error.message || "Tool failed")], isError: true };
    throw error;
  }
  if (tool?.config.output) {
    const checked = await validate(tool.config.output, returned);
    if (!checked.ok) throw new McpError(ErrorCode.InternalError, `Tool ${name} returned a value that does not match its output schema: ${formatIssues(checked.issues)}`);
    return { content: [text(JSON.stringify(checked.value))], structuredContent: checked.value };
  }
  return toolResult(returned, name);
}

function toolResult(value: unknown, name: string): Record<string, unknown> {
  if (typeof value === "string") return { content: [text(value)] };
  if (Array.isArray(value)) return { content: value as ContentBlock[] };
  if (value && typeof value === "object") {
    if ("content" in value) return value as Record<string, unknown>;
    if ("type" in value) return { content: [value as ContentBlock] };
  }
  if (value === undefined) return { content: [] };
  throw new McpError(ErrorCode.InternalError, `Tool ${name} returned ${typeof value}; return a string, content blocks, or a CallToolResult (or declare an output schema)`);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}
