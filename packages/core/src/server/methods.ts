import { type ContentBlock, text } from "../content.js";
import { type Context, isLogLevel } from "../context/context.js";
import { InputRequired } from "../context/wire.js";
import { ErrorCode, McpError, ToolError } from "../protocol/errors.js";
import { formatIssues, validate } from "../schema/index.js";
import type { CallToolResult, Era, PromptMessage, ResourceReturn } from "./definitions.js";
import { paginate } from "./pagination.js";
import { type Server, completerKey } from "./server.js";
import { toBase64 } from "../content.js";
import type { SessionRecord } from "../storage/types.js";

/** One method call as the feature layer sees it: no HTTP, no era, just a context and params. */
export interface Call {
  server: Server;
  ctx: Context;
  params: Record<string, unknown>;
  /** The protocol revision whose wire rules apply to this call. */
  version: string;
  /** Persists a change to the caller's session (2025 era); absent on stateless requests. */
  updateSession?: (change: Record<string, unknown>) => Promise<void>;
  /** The caller's 2025-era session, when there is one. */
  record?: SessionRecord;
  /** Which leg serves the call: features registered for the other era are invisible. */
  era: Era;
  /** How a missing resource is reported: -32002 on the 2025 leg, -32602 on the 2026 leg. */
  resourceNotFoundCode: number;
}

export type MethodHandler = (call: Call) => Promise<Record<string, unknown>>;

const EMPTY = Object.freeze({}) as Record<string, unknown>;
const visible = (item: { config: { era?: Era } }, era: Era) => item.config.era === undefined || item.config.era === era;
const allVisible = <T extends { config: { era?: Era } }>(items: Iterable<T>, era: Era): T[] => {
  const out: T[] = [];
  for (const item of items) if (visible(item, era)) out.push(item);
  return out;
};
const requireCapability = (present: boolean, method: string) => {
  if (!present) throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method} (this server has no such feature)`);
};

const stringParam = (params: Record<string, unknown>, key: string, method: string): string => {
  const value = params[key];
  if (typeof value !== "string" || value === "") throw new McpError(ErrorCode.InvalidParams, `${method}: "${key}" must be a non-empty string`);
  return value;
};

const objectParam = (params: Record<string, unknown>, key: string, method: string): Record<string, unknown> => {
  const value = params[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new McpError(ErrorCode.InvalidParams, `${method}: "${key}" must be an object`);
  return value as Record<string, unknown>;
};

// ---------- tools ----------

async function listTools({ server, ctx, params, era }: Call) {
  requireCapability(server.hasVisible("tools", era), "tools/list");
  const { page, nextCursor } = paginate(allVisible(server.tools.values(), era), params.cursor, ctx.paginationLimit);
  const result: Record<string, unknown> = { tools: page.map((tool) => tool.descriptor) };
  if (nextCursor) result.nextCursor = nextCursor;
  return result;
}

async function callTool({ server, ctx, params, version, era }: Call) {
  requireCapability(server.hasVisible("tools", era), "tools/call");
  const name = stringParam(params, "name", "tools/call");
  const tool = server.tools.get(name);
  if (!tool || !visible(tool, era)) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
  const rawArgs = objectParam(params, "arguments", "tools/call");
  let args: unknown = rawArgs;
  if (tool.config.input) {
    const checked = await validate(tool.config.input, rawArgs);
    if (!checked.ok) {
      const message = `Invalid arguments for tool ${name}: ${formatIssues(checked.issues)}`;
      // 2025-11-25 moved argument errors into the result so the model can correct itself (SEP-1303).
      if (version >= "2025-11-25") return { content: [text(message)], isError: true };
      throw new McpError(ErrorCode.InvalidParams, message);
    }
    args = checked.value;
  }
  let returned: unknown;
  try {
    returned = await tool.handler(args, ctx);
  } catch (error) {
    if (error instanceof McpError || error instanceof InputRequired) throw error;
    if (error instanceof ToolError || error instanceof Error) return { content: [text(error.message || "Tool failed")], isError: true };
    throw error;
  }
  if (tool.config.output) {
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
    if ("content" in value) return value as unknown as CallToolResult as unknown as Record<string, unknown>;
    if ("type" in value) return { content: [value as ContentBlock] };
  }
  if (value === undefined) return { content: [] };
  throw new McpError(ErrorCode.InternalError, `Tool ${name} returned ${typeof value}; return a string, content blocks, or a CallToolResult (or declare an output schema)`);
}

// ---------- resources ----------

async function listResources({ server, ctx, params, era }: Call) {
  requireCapability(server.hasVisible("resources", era), "resources/list");
  const listed: Record<string, unknown>[] = allVisible(server.resources.values(), era).map((r) => r.descriptor);
  for (const template of allVisible(server.templates.values(), era)) {
    if (!template.config.list) continue;
    for (const item of await template.config.list(ctx)) {
      const { complete: _c, list: _l, uriTemplate: _u, ...defaults } = template.descriptor as Record<string, unknown>;
      listed.push({ ...defaults, ...item });
    }
  }
  const { page, nextCursor } = paginate(listed, params.cursor, ctx.paginationLimit);
  return nextCursor ? { resources: page, nextCursor } : { resources: page };
}

async function listTemplates({ server, ctx, params, era }: Call) {
  requireCapability(server.hasVisible("resources", era), "resources/templates/list");
  const { page, nextCursor } = paginate(allVisible(server.templates.values(), era).map((t) => t.descriptor), params.cursor, ctx.paginationLimit);
  return nextCursor ? { resourceTemplates: page, nextCursor } : { resourceTemplates: page };
}

async function readResource({ server, ctx, params, resourceNotFoundCode, era }: Call) {
  requireCapability(server.hasVisible("resources", era), "resources/read");
  const uri = stringParam(params, "uri", "resources/read");
  const fixed = server.resources.get(uri);
  if (fixed && visible(fixed, era)) return { contents: resourceContents(await fixed.handler({ uri, params: {} }, ctx), uri, fixed.config.mimeType) };
  for (const template of allVisible(server.templates.values(), era)) {
    const variables = template.template.match(uri);
    if (variables) return { contents: resourceContents(await template.handler({ uri, params: variables }, ctx), uri, template.config.mimeType) };
  }
  throw new McpError(resourceNotFoundCode, `Resource not found: ${uri}`, { uri });
}

function resourceContents(value: ResourceReturn, uri: string, mimeType: string | undefined): Record<string, unknown>[] {
  const withType = (item: Record<string, unknown>) => (mimeType && !item.mimeType ? { uri, mimeType, ...item } : { uri, ...item });
  if (typeof value === "string") return [withType({ text: value })];
  if (value instanceof Uint8Array) return [withType({ blob: toBase64(value) })];
  if (Array.isArray(value)) return value as unknown as Record<string, unknown>[];
  if ("contents" in value) return value.contents as unknown as Record<string, unknown>[];
  if ("blob" in value) return [withType({ ...value, blob: typeof value.blob === "string" ? value.blob : toBase64(value.blob) })];
  if ("text" in value) return [withType({ ...value })];
  throw new McpError(ErrorCode.InternalError, `The handler for ${uri} returned neither text, bytes nor contents`);
}

async function subscribe({ server, params, updateSession, record, era }: Call, on: boolean) {
  requireCapability(server.hasVisible("resources", era), on ? "resources/subscribe" : "resources/unsubscribe");
  const uri = stringParam(params, "uri", on ? "resources/subscribe" : "resources/unsubscribe");
  const current = new Set(record?.subscriptions ?? []);
  if (on) current.add(uri);
  else current.delete(uri);
  await updateSession?.({ subscriptions: [...current] });
  return EMPTY;
}

// ---------- prompts ----------

async function listPrompts({ server, ctx, params, era }: Call) {
  requireCapability(server.hasVisible("prompts", era), "prompts/list");
  const { page, nextCursor } = paginate(allVisible(server.prompts.values(), era).map((p) => p.descriptor), params.cursor, ctx.paginationLimit);
  return nextCursor ? { prompts: page, nextCursor } : { prompts: page };
}

async function getPrompt({ server, ctx, params, era }: Call) {
  requireCapability(server.hasVisible("prompts", era), "prompts/get");
  const name = stringParam(params, "name", "prompts/get");
  const prompt = server.prompts.get(name);
  if (!prompt || !visible(prompt, era)) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${name}`);
  const rawArgs = objectParam(params, "arguments", "prompts/get");
  let args: unknown = rawArgs;
  if (prompt.config.args) {
    const checked = await validate(prompt.config.args, rawArgs);
    if (!checked.ok) throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for prompt ${name}: ${formatIssues(checked.issues)}`);
    args = checked.value;
  }
  const value = await prompt.handler(args, ctx);
  if (typeof value === "string") return { messages: [{ role: "user", content: text(value) }] };
  if (Array.isArray(value)) return { messages: value as PromptMessage[] };
  return value as unknown as Record<string, unknown>;
}

// ---------- completion, logging, ping ----------

async function complete({ server, ctx, params }: Call) {
  const ref = objectParam(params, "ref", "completion/complete");
  const argument = objectParam(params, "argument", "completion/complete");
  if (typeof argument.name !== "string" || typeof argument.value !== "string") {
    throw new McpError(ErrorCode.InvalidParams, 'completion/complete: "argument" needs string "name" and "value"');
  }
  let completer;
  if (ref.type === "ref/prompt") {
    const prompt = server.prompts.get(String(ref.name));
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${String(ref.name)}`);
    completer = prompt.config.complete?.[argument.name];
  } else if (ref.type === "ref/resource") {
    const template = server.templates.get(String(ref.uri));
    if (!template && !server.resources.has(String(ref.uri))) throw new McpError(ErrorCode.InvalidParams, `Unknown resource or template: ${String(ref.uri)}`);
    completer = (template?.config.complete as Record<string, typeof completer> | undefined)?.[argument.name];
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
export const legacyMethods: Record<string, MethodHandler> = {
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
};
