import type { Annotations, ContentBlock, Icon, ResourceContents } from "../content.js";
import type { Context } from "../context/context.js";
import type { InferOutput, JsonSchema, SchemaLike } from "../schema/index.js";
import type { TemplateParams, UriTemplate } from "./uri-template.js";

type MaybePromise<T> = T | Promise<T>;
type Assigns = Record<string, unknown>;

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface CallToolResult {
  content: ContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
  _meta?: Record<string, unknown>;
}

/** What a tool without an output schema may return; Wisp turns it into a `CallToolResult`. */
export type ToolReturn = string | ContentBlock | ContentBlock[] | CallToolResult;

/** Limits a feature to one protocol era; by default it is served to both. */
export type Era = "legacy" | "modern";

/**
 * Decides per request whether a feature exists for the caller (lists and calls agree).
 * On 2026-era requests lists may vary only by authorization: base it on `ctx.auth` / `ctx.assigns`.
 */
export type Visibility = (ctx: Context<any>) => boolean;

export interface ToolConfig<I extends SchemaLike | undefined, O extends SchemaLike | undefined> {
  /** Serve only to 2025-era sessions ("legacy") or 2026-era requests ("modern"). */
  era?: Era;
  visible?: Visibility;
  title?: string;
  description: string;
  /** Arguments schema: valibot, zod, arktype (Standard Schema) or raw JSON Schema. */
  input?: I;
  /** With an output schema the handler returns the structured value itself. */
  output?: O;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  _meta?: Record<string, unknown>;
  /**
   * 2026 tasks extension: "optional" or "required" lets the server run the call as a task for
   * clients that declare `io.modelcontextprotocol/tasks`. Input asked for before the handler's
   * first real await is gathered in input rounds first; input asked for later parks the task
   * in input_required until tasks/update answers.
   */
  task?: "optional" | "required";
}

export type ToolArgs<I> = I extends SchemaLike ? InferOutput<I> : Record<string, never>;
export type ToolHandler<I, O, A extends Assigns> = (
  args: ToolArgs<I>,
  ctx: Context<A>,
) => MaybePromise<O extends SchemaLike ? InferOutput<O> : ToolReturn>;

export interface ToolDefinition {
  name: string;
  config: ToolConfig<SchemaLike | undefined, SchemaLike | undefined>;
  handler: (args: unknown, ctx: Context<any>) => MaybePromise<unknown>;
  /** The `tools/list` entry, built once. */
  descriptor: Record<string, unknown>;
  /** Arguments mirrored into `Mcp-Param-*` headers (`x-mcp-header`), checked on 2026 requests. */
  paramHeaders: import("../http/mcp-headers.js").ParamHeaderSpec[];
}

export interface ResourceConfig {
  era?: Era;
  visible?: Visibility;
  /** 2026-era caching hint for `resources/read` of this resource. */
  cache?: import("./options.js").CacheHint;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  icons?: Icon[];
  annotations?: Annotations;
  _meta?: Record<string, unknown>;
}

/** What a resource handler may return: text, bytes, one content item, or the full result. */
export type ResourceReturn =
  | string
  | Uint8Array
  | { text: string; mimeType?: string }
  | { blob: string | Uint8Array; mimeType?: string }
  | ResourceContents[]
  | { contents: ResourceContents[] };

export type Completer<A extends Assigns = Assigns> = (
  value: string,
  context: { arguments: Record<string, string> },
  ctx: Context<A>,
) => MaybePromise<string[] | { values: string[]; total?: number; hasMore?: boolean }>;

export interface ResourceDefinition {
  uri: string;
  config: ResourceConfig;
  handler: (input: { uri: string; params: Record<string, string | string[]> }, ctx: Context<any>) => MaybePromise<ResourceReturn>;
  descriptor: Record<string, unknown>;
}

export interface ResourceTemplateConfig<T extends string, A extends Assigns> extends ResourceConfig {
  /** Completion for template variables, used by `completion/complete`. */
  complete?: Partial<Record<keyof TemplateParams<T> & string, Completer<A>>>;
  /** Lists concrete resources of this template in `resources/list`. */
  list?: (ctx: Context<A>) => MaybePromise<({ uri: string } & Partial<ResourceConfig>)[]>;
}

export interface ResourceTemplateDefinition {
  template: UriTemplate;
  config: ResourceTemplateConfig<string, any>;
  handler: ResourceDefinition["handler"];
  descriptor: Record<string, unknown>;
}

export interface PromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

export interface PromptMessage {
  role: "user" | "assistant";
  content: ContentBlock;
}
export interface GetPromptResult {
  description?: string;
  messages: PromptMessage[];
  _meta?: Record<string, unknown>;
}
export type PromptReturn = string | PromptMessage[] | GetPromptResult;

export interface PromptConfig<S extends SchemaLike | undefined, A extends Assigns> {
  era?: Era;
  visible?: Visibility;
  title?: string;
  description: string;
  /** Arguments schema (an object of strings). Its properties become the prompt's listed arguments. */
  args?: S;
  icons?: Icon[];
  complete?: Partial<Record<string, Completer<A>>>;
  _meta?: Record<string, unknown>;
}

export interface PromptDefinition {
  name: string;
  config: PromptConfig<SchemaLike | undefined, any>;
  handler: (args: unknown, ctx: Context<any>) => MaybePromise<PromptReturn>;
  descriptor: Record<string, unknown>;
}

export type { JsonSchema };
