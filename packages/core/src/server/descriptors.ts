import { type JsonSchema, type SchemaLike, toJsonSchema } from "../schema/index.js";
import { prune } from "../util/prune.js";

/**
 * List entries (`tools/list`, `prompts/list`, `resources/list`, `resources/templates/list`) and the
 * rules a registration must meet. Shared by server-wide registration (`server.tool()`) and
 * per-session registration (`ctx.registerTool()`), so both list the same shape and refuse the
 * same mistakes. `what` names the registration in error messages.
 */

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function assertToolName(name: string, what: string): void {
  if (!TOOL_NAME.test(name)) throw new TypeError(`${what}: names are 1–128 characters of A–Z, a–z, 0–9, "_", "-" and "."`);
}

export function assertDescription(description: unknown, what: string): void {
  if (typeof description !== "string" || description.trim() === "") throw new TypeError(`${what}: a non-empty description is required`);
}

/** Converts a schema and checks that it describes an object, as tool inputs and prompt arguments must. */
export function objectSchema(schema: SchemaLike, what: string): JsonSchema {
  const json = toJsonSchema(schema);
  if (json.type !== "object") throw new TypeError(`${what}: the schema must describe an object (JSON Schema "type": "object")`);
  return json;
}

/** The input schema of a tool that declares none: an object without properties. */
export const emptyInputSchema = (): JsonSchema => ({ type: "object", properties: {} });

export function toolDescriptor(
  name: string,
  config: { title?: string; description: string; annotations?: unknown; icons?: unknown; _meta?: Record<string, unknown> },
  inputSchema: JsonSchema,
  outputSchema?: JsonSchema,
): Record<string, unknown> {
  const { title, description, annotations, icons, _meta } = config;
  return prune({ name, title, description, inputSchema, outputSchema, annotations, icons, _meta });
}

export function promptDescriptor(
  name: string,
  config: { title?: string; description: string; icons?: unknown; _meta?: Record<string, unknown> },
  argsSchema: JsonSchema | undefined,
): Record<string, unknown> {
  const { title, description, icons, _meta } = config;
  return prune({ name, title, description, arguments: argsSchema ? promptArguments(argsSchema) : undefined, icons, _meta });
}

/** A prompt's listed arguments are the properties of its argument schema. */
function promptArguments(schema: JsonSchema) {
  const properties = (schema.properties ?? {}) as Record<string, { description?: string }>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => prune({ name, description: property?.description, required: required.has(name) }));
}

/**
 * A resource or template list entry: the config as given, without the keys that are Wisp's own
 * (era, visibility, caching, scopes, completion, listing, the session handler key and its data).
 */
export function resourceDescriptor(address: { uri: string } | { uriTemplate: string }, config: object): Record<string, unknown> {
  const { era: _e, visible: _v, cache: _c, scopes: _s, complete: _p, list: _l, handler: _h, data: _d, ...listed } = config as Record<string, unknown>;
  return prune({ ...address, ...listed });
}
