import type { Annotations, Icon } from "../protocol/content.js";
import type { Context } from "../context/context.js";
import type { PromptReturn, ResourceReturn, ToolAnnotations, ToolReturn } from "../protocol/results.js";
import type { InferOutput, JsonSchema, SchemaLike } from "../schema/index.js";
import type { TemplateParams } from "../uri-template/uri-template.js";
import type { TemplateMatcher } from "./template-matcher.js";
import type { CacheHint } from "./options.js";
import type { ParamHeaderSpec } from "./param-headers.js";

type MaybePromise<T> = T | Promise<T>;
type Assigns = Record<string, unknown>;

/**
 * Limits a feature to one protocol era; by default it is served to both. "legacy" is every
 * 2025-era revision (sessions, `initialize`), "modern" is 2026-07-28 and later (stateless).
 */
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
  /**
   * OAuth scopes a caller's token must carry to use this (with `@wisp/auth` or any host that sets
   * `auth.scopes`): a call without them gets 403 with a step-up challenge. Lists still show it,
   * so a client learns it exists and can ask for the scopes.
   */
  scopes?: string[];
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
   * in input_required until tasks/update answers. 2025-11-25 sessions see it as the tool's
   * `execution.taskSupport` and may call it with `params.task` (sessions/tasks.ts).
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
  paramHeaders: ParamHeaderSpec[];
}

export interface ResourceConfig {
  era?: Era;
  visible?: Visibility;
  /**
   * OAuth scopes a caller's token must carry to use this (with `@wisp/auth` or any host that sets
   * `auth.scopes`): a call without them gets 403 with a step-up challenge. Lists still show it,
   * so a client learns it exists and can ask for the scopes.
   */
  scopes?: string[];
  /** 2026-era caching hint for `resources/read` of this resource. */
  cache?: CacheHint;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
  icons?: Icon[];
  annotations?: Annotations;
  _meta?: Record<string, unknown>;
}

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
  template: TemplateMatcher;
  config: ResourceTemplateConfig<string, any>;
  handler: ResourceDefinition["handler"];
  descriptor: Record<string, unknown>;
}

export interface PromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

export interface PromptConfig<S extends SchemaLike | undefined, A extends Assigns> {
  era?: Era;
  visible?: Visibility;
  /**
   * OAuth scopes a caller's token must carry to use this (with `@wisp/auth` or any host that sets
   * `auth.scopes`): a call without them gets 403 with a step-up challenge. Lists still show it,
   * so a client learns it exists and can ask for the scopes.
   */
  scopes?: string[];
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
export type { CallToolResult, GetPromptResult, PromptMessage, PromptReturn, ResourceReturn, ToolAnnotations, ToolReturn } from "../protocol/results.js";

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
