import type { Context } from "../context/context.js";
import { createHttpHandler, type HostContext, type HttpHandler } from "../http/handle.js";
import { type JsonSchema, type SchemaLike, toJsonSchema } from "../schema/index.js";
import { memoryStorage } from "../storage/memory.js";
import type { Storage } from "../storage/types.js";
import type {
  Completer,
  Era,
  PromptConfig,
  PromptDefinition,
  PromptReturn,
  ResourceConfig,
  ResourceDefinition,
  ResourceReturn,
  ResourceTemplateConfig,
  ResourceTemplateDefinition,
  ToolConfig,
  ToolDefinition,
  ToolHandler,
} from "./definitions.js";
import { type ResolvedOptions, type ServerOptions, resolveOptions } from "./options.js";
import { type TemplateParams, UriTemplate } from "./uri-template.js";
import { RequestStateSealer } from "./request-state.js";
import { TASKS_EXTENSION, TaskStore } from "./tasks.js";
import { type Middleware, type MethodMiddleware } from "./middleware.js";
import { Telemetry, type TelemetryEvent, type TelemetryListener } from "../telemetry/events.js";
import { Tracing } from "../telemetry/tracing.js";
import type { RequestHook } from "../http/hooks.js";
import type { SessionPromptHandler, SessionResourceHandler, SessionToolHandler } from "../context/session-components.js";
import { precompile } from "../schema/index.js";
import { paramHeaderSpecs } from "../http/mcp-headers.js";

type Assigns = Record<string, unknown>;
type MaybePromise<T> = T | Promise<T>;

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** A bus channel every instance listens on for server-wide notifications. */
export const BROADCAST_CHANNEL = "wisp:broadcast";

/**
 * Creates an MCP server. Register features, then serve it with `fetch`/`handle` or an adapter.
 * @example
 * const server = createServer({ name: "notes", version: "1.0.0" })
 *   .tool("add", { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
 *     ({ a, b }) => String(a + b));
 * export default server; // Bun, Deno and Workers serve `server.fetch` as is
 */
export function createServer<A extends Assigns = Assigns>(options: ServerOptions): Server<A> {
  return new Server<A>(options);
}

export class Server<A extends Assigns = Assigns> {
  readonly info: { name: string; version: string; title?: string; description?: string; websiteUrl?: string; icons?: ServerOptions["icons"] };
  readonly instructions: string | undefined;
  readonly options: ResolvedOptions;
  readonly storage: Storage;
  /** @internal registries, read by the protocol layer */
  readonly tools: Map<string, ToolDefinition> = new Map();
  readonly resources: Map<string, ResourceDefinition> = new Map();
  readonly templates: Map<string, ResourceTemplateDefinition> = new Map();
  readonly prompts: Map<string, PromptDefinition> = new Map();
  readonly completers: Map<string, Completer<any>> = new Map();
  /** @internal read by the protocol layer */
  readonly middleware: MethodMiddleware[] = [];
  readonly requestHooks: RequestHook[] = [];
  readonly telemetry: Telemetry = new Telemetry();
  readonly tracing: Tracing | undefined;
  readonly toolHandlers: Map<string, SessionToolHandler> = new Map();
  readonly resourceHandlers: Map<string, SessionResourceHandler> = new Map();
  readonly promptHandlers: Map<string, SessionPromptHandler> = new Map();
  readonly #http: HttpHandler;
  readonly #stateSecret: ServerOptions["requestStateSecret"];
  #sealer: RequestStateSealer | undefined;
  #tasks: TaskStore | undefined;

  constructor(options: ServerOptions) {
    this.options = resolveOptions(options);
    const { name, version, title, description, websiteUrl, icons } = options;
    this.info = prune({ name, version, title, description, websiteUrl, icons }) as Server["info"];
    this.instructions = options.instructions;
    this.storage = options.storage ?? memoryStorage();
    this.#stateSecret = options.requestStateSecret;
    this.tracing = options.opentelemetry ? new Tracing(options.opentelemetry) : undefined;
    this.#http = createHttpHandler(this as unknown as Server);
  }

  /**
   * Registers a tool. Arguments are validated against `input` and typed from it.
   * @example
   * server.tool("greet", { description: "Say hello", input: v.object({ name: v.string() }) },
   *   ({ name }) => `Hello, ${name}!`);
   */
  tool<const I extends SchemaLike | undefined = undefined, const O extends SchemaLike | undefined = undefined>(
    name: string,
    config: ToolConfig<I, O>,
    handler: ToolHandler<I, O, A>,
  ): this {
    if (!TOOL_NAME.test(name)) throw new TypeError(`tool "${name}": names are 1–128 characters of A–Z, a–z, 0–9, "_", "-" and "."`);
    assertNew(this.tools, name, "tool");
    assertDescription(config?.description, `tool "${name}"`);
    const inputSchema = config.input ? objectSchema(config.input, `tool "${name}" input`) : { type: "object", properties: {} };
    // A raw JSON Schema with an unsupported dialect or a remote $ref fails here, not on the first call.
    if (config.input) precompile(config.input);
    const paramHeaders = paramHeaderSpecs(inputSchema, name);
    const descriptor = prune({
      name,
      title: config.title,
      description: config.description,
      inputSchema,
      outputSchema: config.output ? objectSchema(config.output, `tool "${name}" output`) : undefined,
      annotations: config.annotations,
      icons: config.icons,
      _meta: config._meta,
    });
    this.tools.set(name, { name, config: config as ToolDefinition["config"], handler: handler as ToolDefinition["handler"], descriptor, paramHeaders });
    this.#listChanged("tools");
    return this;
  }

  /**
   * Registers a resource at a fixed URI.
   * @example
   * server.resource("config://app", { name: "config", mimeType: "application/json" }, () => JSON.stringify(config));
   */
  resource(uri: string, config: ResourceConfig, handler: (input: { uri: string }, ctx: Context<A>) => MaybePromise<ResourceReturn>): this {
    if (!URL.canParse?.(uri) && !/^[a-z][a-z0-9+.-]*:/i.test(uri)) throw new TypeError(`resource "${uri}": not an absolute URI`);
    assertNew(this.resources, uri, "resource");
    if (!config?.name) throw new TypeError(`resource "${uri}": a name is required`);
    const { era: _era, cache: _cache, visible: _visible, ...listed } = config;
    const descriptor = prune({ uri, ...listed });
    this.resources.set(uri, { uri, config, handler: handler as ResourceDefinition["handler"], descriptor });
    this.#listChanged("resources");
    return this;
  }

  /**
   * Registers an RFC 6570 resource template; matched variables reach the handler typed.
   * @example
   * server.resourceTemplate("notes://{id}", { name: "note" }, ({ params }) => notes.get(params.id) ?? "");
   */
  resourceTemplate<const T extends string>(
    uriTemplate: T,
    config: ResourceTemplateConfig<T, A>,
    handler: (input: { uri: string; params: TemplateParams<T> }, ctx: Context<A>) => MaybePromise<ResourceReturn>,
  ): this {
    assertNew(this.templates, uriTemplate, "resource template");
    if (!config?.name) throw new TypeError(`resource template "${uriTemplate}": a name is required`);
    const template = new UriTemplate(uriTemplate);
    const { complete: _complete, list: _list, era: _era, cache: _cache, visible: _visible, ...listed } = config;
    const descriptor = prune({ uriTemplate, ...listed });
    this.templates.set(uriTemplate, { template, config: config as ResourceTemplateConfig<string, any>, handler: handler as ResourceDefinition["handler"], descriptor });
    this.#listChanged("resources");
    return this;
  }

  /**
   * Registers a prompt. `args` is an object schema of strings; its properties are the prompt's arguments.
   * @example
   * server.prompt("review", { description: "Review code", args: v.object({ code: v.string() }) },
   *   ({ code }) => `Please review:\n${code}`);
   */
  prompt<const S extends SchemaLike | undefined = undefined>(
    name: string,
    config: PromptConfig<S, A>,
    handler: (args: S extends SchemaLike ? import("../schema/index.js").InferOutput<S> : Record<string, never>, ctx: Context<A>) => MaybePromise<PromptReturn>,
  ): this {
    assertNew(this.prompts, name, "prompt");
    assertDescription(config?.description, `prompt "${name}"`);
    const descriptor = prune({
      name,
      title: config.title,
      description: config.description,
      arguments: config.args ? promptArguments(objectSchema(config.args, `prompt "${name}" args`)) : undefined,
      icons: config.icons,
      _meta: config._meta,
    });
    this.prompts.set(name, { name, config: config as PromptDefinition["config"], handler: handler as PromptDefinition["handler"], descriptor });
    this.#listChanged("prompts");
    return this;
  }

  /**
   * Registers completion for one argument of a prompt or one variable of a resource template.
   * (Prompts and templates may also carry a `complete` map in their config.)
   * @example server.completion({ type: "ref/prompt", name: "review" }, "language", (v) => ["ts", "go"].filter((l) => l.startsWith(v)));
   */
  completion(ref: { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string }, argument: string, complete: Completer<A>): this {
    this.completers.set(completerKey(ref, argument), complete);
    return this;
  }

  /**
   * MCP-level middleware around every method call, or only the listed methods.
   * @example
   * server.use("tools/call", async (ctx, next) => {
   *   if (!ctx.assigns.user) throw new McpError(ErrorCode.InvalidRequest, "Sign in first");
   *   return next();
   * });
   */
  use(middleware: Middleware<A>): this;
  use(methods: string | string[], middleware: Middleware<A>): this;
  use(methodsOrMiddleware: string | string[] | Middleware<A>, maybe?: Middleware<A>): this {
    const run = typeof methodsOrMiddleware === "function" ? methodsOrMiddleware : maybe;
    if (typeof run !== "function") throw new TypeError("use(): pass a middleware function (ctx, next) => result");
    const methods = typeof methodsOrMiddleware === "function" ? undefined : new Set(([] as string[]).concat(methodsOrMiddleware));
    this.middleware.push({ methods, run });
    return this;
  }

  /**
   * HTTP-level hook, run for every request after the Origin/Host checks and before anything is
   * parsed. Return a Response to answer early (auth, rate limits); mutate `host` to pass data on.
   * @example
   * server.onRequest((request, host) => {
   *   const user = verify(request.header("authorization"));
   *   if (!user) return new Response(null, { status: 401, headers: { "www-authenticate": wwwAuthenticate({ method: "Bearer", resourceMetadata }) } });
   *   host.auth = { principal: user.id, scopes: user.scopes };
   * });
   */
  onRequest(hook: RequestHook): this {
    this.requestHooks.push(hook);
    return this;
  }

  /**
   * Subscribes to telemetry: "connect", "disconnect", "terminate", "exception". Returns an unsubscribe function.
   * @example server.on("exception", ({ error, stack, request }) => log.error(request.method, stack));
   */
  on<E extends TelemetryEvent>(event: E, listener: TelemetryListener<E>): () => void {
    return this.telemetry.on(event, listener);
  }

  /**
   * Implementations for tools that sessions register at run time (`ctx.registerTool`). Registrations
   * are data in the session, visible on every instance; the code they point at lives here, by key.
   * @example
   * server.toolHandler("run_report", (args, ctx, { data }) => runReport(data.region, args));
   * // later, in some tool: await ctx.registerTool("eu_report", { description: "EU sales", handler: "run_report", data: { region: "EU" } });
   */
  toolHandler(key: string, handler: SessionToolHandler<A>): this {
    this.toolHandlers.set(key, handler as SessionToolHandler);
    return this;
  }
  resourceHandler(key: string, handler: SessionResourceHandler<A>): this {
    this.resourceHandlers.set(key, handler as SessionResourceHandler);
    return this;
  }
  promptHandler(key: string, handler: SessionPromptHandler<A>): this {
    this.promptHandlers.set(key, handler as SessionPromptHandler);
    return this;
  }

  /** @internal reports an unexpected handler failure to telemetry and tracing */
  reportException(ctx: Context<any>, error: unknown): void {
    if (!this.telemetry.has("exception")) return;
    this.telemetry.emit("exception", {
      server: this.info,
      sessionId: ctx.session.id,
      request: ctx.request,
      error,
      stack: error instanceof Error ? error.stack : undefined,
    });
  }

  /** Removes a tool; connected clients are told the list changed. */
  removeTool(name: string): boolean {
    return this.tools.delete(name) && (this.#listChanged("tools"), true);
  }
  removeResource(uriOrTemplate: string): boolean {
    const removed = this.resources.delete(uriOrTemplate) || this.templates.delete(uriOrTemplate);
    if (removed) this.#listChanged("resources");
    return removed;
  }
  removePrompt(name: string): boolean {
    return this.prompts.delete(name) && (this.#listChanged("prompts"), true);
  }

  /**
   * Tells clients their list of tools, resources or prompts changed (2025 GET streams and
   * 2026 `subscriptions/listen` streams, on every instance sharing the storage).
   * Registration and removal call it for you.
   */
  async notifyListChanged(kind: "tools" | "resources" | "prompts"): Promise<void> {
    await this.storage.bus.publish(BROADCAST_CHANNEL, { method: `notifications/${kind}/list_changed` });
  }

  /** Tells subscribed clients (on any instance sharing this storage) that a resource changed. */
  async notifyResourceUpdated(uri: string): Promise<void> {
    await this.storage.bus.publish(BROADCAST_CHANNEL, { method: "notifications/resources/updated", params: { uri } });
  }

  /**
   * Capabilities follow what is registered for that era, so clients never see a feature that
   * isn't there. Logging is a 2025-era capability; 2026 requests ask per request instead.
   */
  capabilities(era: Era = "legacy"): Record<string, unknown> {
    const caps: Record<string, unknown> = era === "legacy" ? { logging: {} } : {};
    if (this.hasVisible("tools", era)) caps.tools = { listChanged: true };
    if (this.hasVisible("resources", era)) caps.resources = { subscribe: true, listChanged: true };
    if (this.hasVisible("prompts", era)) caps.prompts = { listChanged: true };
    if (this.hasVisible("prompts", era) || this.hasVisible("templates", era) || this.completers.size) caps.completions = {};
    if (era === "modern" && this.hasTaskTools) caps.extensions = { [TASKS_EXTENSION]: {} };
    return caps;
  }

  /**
   * The web-standard entry point: `export default server` serves it on Bun, Deno and Workers.
   * `env` and `ctx` (Workers) become part of `ctx.assigns`.
   */
  fetch = (request: Request, env?: unknown, executionCtx?: unknown): Promise<Response> =>
    this.#http.handle(request, env === undefined && executionCtx === undefined ? undefined : { assigns: { env, executionCtx } });

  /**
   * Answers one HTTP request. `host` carries what the embedding runtime knows
   * (assigns, remote address, whether the listener is on loopback).
   */
  handle(request: Request, host?: HostContext): Promise<Response> {
    return this.#http.handle(request, host);
  }

  /** @internal the adapter fast path */
  get http(): HttpHandler {
    return this.#http;
  }

  /** Ends open streams and timers. */
  async close(): Promise<void> {
    await this.#http.close();
    await this.storage.close?.();
  }

  #listChanged(kind: "tools" | "resources" | "prompts"): void {
    void this.notifyListChanged(kind).catch(() => {});
  }

  /** Whether any feature of this kind is served to `era`: capabilities and method routing agree on it. */
  hasVisible(kind: "tools" | "resources" | "templates" | "prompts", era: Era): boolean {
    // Sessions may register their own (2025 era); a handler for them means the feature exists.
    if (era === "legacy") {
      const handlers = kind === "tools" ? this.toolHandlers : kind === "prompts" ? this.promptHandlers : this.resourceHandlers;
      if (handlers.size > 0) return true;
    }
    const maps: Map<string, { config: { era?: Era } }>[] =
      kind === "resources" ? [this.resources, this.templates] : [kind === "tools" ? this.tools : kind === "prompts" ? this.prompts : this.templates];
    for (const map of maps) for (const item of map.values()) if (item.config.era === undefined || item.config.era === era) return true;
    return false;
  }

  /** True when some tool may run as a 2026 task. */
  get hasTaskTools(): boolean {
    for (const tool of this.tools.values()) if (tool.config.task) return true;
    return false;
  }

  /** 2026 task records, shared by every instance through the storage. */
  get taskStore(): TaskStore {
    return (this.#tasks ??= new TaskStore(this.storage, this.options.tasks.ttlMs, this.options.tasks.pollIntervalMs));
  }

  /** Signs 2026-era `requestState`; created on first use. */
  get requestState(): RequestStateSealer {
    return (this.#sealer ??= new RequestStateSealer(this.#stateSecret, this.options.requestStateTtl));
  }
}

export const completerKey = (ref: { type: string; name?: string; uri?: string }, argument: string): string =>
  `${ref.type}\u0000${ref.name ?? ref.uri}\u0000${argument}`;

function objectSchema(schema: SchemaLike, what: string): JsonSchema {
  const json = toJsonSchema(schema);
  if (json.type !== "object") throw new TypeError(`${what}: the schema must describe an object (JSON Schema "type": "object")`);
  return json;
}

function promptArguments(schema: JsonSchema) {
  const properties = (schema.properties ?? {}) as Record<string, { description?: string }>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) =>
    prune({ name, description: property?.description, required: required.has(name) }),
  );
}

function assertNew(map: Map<string, unknown>, key: string, what: string): void {
  if (map.has(key)) throw new TypeError(`${what} "${key}" is already registered`);
}

function assertDescription(description: unknown, what: string): void {
  if (typeof description !== "string" || description.trim() === "") throw new TypeError(`${what}: a non-empty description is required`);
}

/** Drops undefined fields so results carry only what was set. */
export function prune<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}
