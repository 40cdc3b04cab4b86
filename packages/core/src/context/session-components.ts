import { ErrorCode, McpError } from "../protocol/errors.js";
import { type JsonSchema, type SchemaLike, toJsonSchema } from "../schema/index.js";
import type { Icon } from "../content.js";
import type { PromptReturn, ResourceReturn, ToolAnnotations, ToolReturn } from "../server/definitions.js";
import type { Context } from "./context.js";

type MaybePromise<T> = T | Promise<T>;
type Assigns = Record<string, unknown>;

/** What a session-registered component points at: a handler key on every instance, plus data for it. */
export interface Registration {
  name: string;
  data: unknown;
}

export type SessionToolHandler<A extends Assigns = Assigns> = (args: Record<string, unknown>, ctx: Context<A>, registration: Registration) => MaybePromise<ToolReturn>;
export type SessionResourceHandler<A extends Assigns = Assigns> = (
  input: { uri: string; params: Record<string, string | string[]> },
  ctx: Context<A>,
  registration: Registration,
) => MaybePromise<ResourceReturn>;
export type SessionPromptHandler<A extends Assigns = Assigns> = (args: Record<string, unknown>, ctx: Context<A>, registration: Registration) => MaybePromise<PromptReturn>;

interface Common {
  /** Key of the implementation registered with server.toolHandler/resourceHandler/promptHandler. Default: the component's name. */
  handler?: string;
  /** JSON-serialisable data handed to the implementation. */
  data?: unknown;
}
export interface SessionToolConfig extends Common {
  description: string;
  title?: string;
  input?: SchemaLike;
  annotations?: ToolAnnotations;
  icons?: Icon[];
}
export interface SessionResourceConfig extends Common {
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}
export interface SessionPromptConfig extends Common {
  description: string;
  title?: string;
  args?: SchemaLike;
}

/** One stored component: its list entry plus what runs it. Only JSON, so any instance can read it. */
export interface StoredComponent {
  descriptor: Record<string, unknown>;
  handler: string;
  data?: unknown;
  /** Tools: input schema; prompts: argument schema. */
  schema?: JsonSchema;
}

export interface StoredComponents {
  tools: Record<string, StoredComponent>;
  resources: Record<string, StoredComponent>;
  templates: Record<string, StoredComponent>;
  prompts: Record<string, StoredComponent>;
}

export type ComponentKind = keyof StoredComponents;

export const emptyComponents = (): StoredComponents => ({ tools: {}, resources: {}, templates: {}, prompts: {} });

/** Where a context keeps its session's components; only 2025-era sessions have one. */
export interface ComponentStore {
  current(): StoredComponents;
  save(next: StoredComponents, changed: ComponentKind[]): Promise<void>;
  /** Throws when no implementation is registered under `key` for that kind. */
  assertHandler(kind: "tool" | "resource" | "prompt", key: string): void;
  /** Throws when the name is taken by a server-wide feature. */
  assertFree(kind: ComponentKind, key: string): void;
}

export const noSessionStore = (): never => {
  throw new McpError(
    ErrorCode.InvalidRequest,
    "Per-session registration needs a 2025-era session; 2026-era requests are stateless (use a visible predicate to vary lists by authorization)",
  );
};

export function toolComponent(name: string, config: SessionToolConfig): StoredComponent {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) throw new TypeError(`registerTool("${name}"): names are 1–128 characters of A–Z, a–z, 0–9, "_", "-" and "."`);
  if (!config?.description?.trim()) throw new TypeError(`registerTool("${name}"): a non-empty description is required`);
  const schema = config.input ? toJsonSchema(config.input) : { type: "object", properties: {} };
  if (schema.type !== "object") throw new TypeError(`registerTool("${name}"): the input schema must describe an object`);
  const descriptor = clean({ name, title: config.title, description: config.description, inputSchema: schema, annotations: config.annotations, icons: config.icons });
  return clean({ descriptor, handler: config.handler ?? name, data: config.data, schema }) as StoredComponent;
}

export function resourceComponent(uriOrTemplate: string, config: SessionResourceConfig): { kind: "resources" | "templates"; component: StoredComponent } {
  if (!config?.name) throw new TypeError(`registerResource("${uriOrTemplate}"): a name is required`);
  const isTemplate = uriOrTemplate.includes("{");
  const { handler, data, ...listed } = config;
  const descriptor = clean(isTemplate ? { uriTemplate: uriOrTemplate, ...listed } : { uri: uriOrTemplate, ...listed });
  return { kind: isTemplate ? "templates" : "resources", component: clean({ descriptor, handler: handler ?? uriOrTemplate, data }) as StoredComponent };
}

export function promptComponent(name: string, config: SessionPromptConfig): StoredComponent {
  if (!config?.description?.trim()) throw new TypeError(`registerPrompt("${name}"): a non-empty description is required`);
  const schema = config.args ? toJsonSchema(config.args) : undefined;
  const properties = (schema?.properties ?? {}) as Record<string, { description?: string }>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  const args = schema ? Object.entries(properties).map(([arg, p]) => clean({ name: arg, description: p?.description, required: required.has(arg) })) : undefined;
  const descriptor = clean({ name, title: config.title, description: config.description, arguments: args });
  return clean({ descriptor, handler: config.handler ?? name, data: config.data, schema }) as StoredComponent;
}

function clean<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
