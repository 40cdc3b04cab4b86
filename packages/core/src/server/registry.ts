import type { Context } from "../context/context.js";
import type { RequestHook } from "../context/host.js";
import { BROADCAST_CHANNEL } from "../protocol/channels.js";
import { TASKS_EXTENSION } from "../protocol/meta.js";
import { type InferOutput, type SchemaLike, precompile } from "../schema/index.js";
import { memoryStorage } from "../storage/memory.js";
import type { Storage } from "../storage/types.js";
import { Telemetry, type TelemetryEvent, type TelemetryListener } from "../telemetry/events.js";
import { Tracing } from "../telemetry/tracing.js";
import type { TemplateParams } from "../uri-template/uri-template.js";
import { prune } from "../util/prune.js";
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
  SessionPromptHandler,
  SessionResourceHandler,
  SessionToolHandler,
  ToolConfig,
  ToolDefinition,
  ToolHandler,
} from "./definitions.js";
import { assertDescription, assertToolName, emptyInputSchema, objectSchema, promptDescriptor, resourceDescriptor, toolDescriptor } from "./descriptors.js";
import type { Middleware, MethodMiddleware } from "./middleware.js";
import { type ResolvedOptions, type ServerOptions, resolveOptions } from "./options.js";
import { paramHeaderSpecs } from "./param-headers.js";
import { templateMatcher, templateMatchingLoad } from "./template-matcher.js";

type Assigns = Record<string, unknown>;
type MaybePromise<T> = T | Promise<T>;

/** Server identity as `initialize` and 2026 `_meta` report it. */
export type ServerInfo = { name: string; version: string; title?: string; description?: string; websiteUrl?: string; icons?: ServerOptions["icons"] };

/**
 * Everything registered on a server: features, session-component handlers, middleware, HTTP
 * hooks, telemetry and options. Registration only: nothing here knows HTTP or either era's
 * wire; `Server` (server.ts) adds the request handling on top.
 */
export class Registry<A extends Assigns = Assigns> {
  readonly info: ServerInfo;
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
  #announcing = false;
  /** Capabilities per era, built once until a registration changes them: every initialize reads them. */
  #capabilities: Partial<Record<Era, Readonly<Record<string, unknown>>>> = {};

  constructor(options: ServerOptions) {
    this.options = resolveOptions(options);
    const { name, version, title, description, websiteUrl, icons } = options;
    // Frozen: initialize results are serialised once per registration change, so a later edit
    // would reach some clients and not others.
    this.info = Object.freeze(prune({ name, version, title, description, websiteUrl, icons })) as ServerInfo;
    this.instructions = options.instructions;
    this.storage = options.storage ?? memoryStorage();
    this.tracing = options.opentelemetry ? new Tracing(options.opentelemetry) : undefined;
    // Registrations chained onto createServer() are the server's starting state, the same on
    // every instance: announcing them would tell the clients of every other instance sharing
    // the storage that lists changed each time an instance starts. Later ones are changes.
    // (A microtask, not a timer: Workers refuse timers where createServer() usually runs.)
    void Promise.resolve().then(() => (this.#announcing = true));
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
    assertToolName(name, `tool "${name}"`);
    assertNew(this.tools, name, "tool");
    assertDescription(config?.description, `tool "${name}"`);
    const inputSchema = config.input ? objectSchema(config.input, `tool "${name}" input`) : emptyInputSchema();
    // A raw JSON Schema with an unsupported dialect or a remote $ref fails here, not on the first call.
    if (config.input) precompile(config.input);
    const paramHeaders = paramHeaderSpecs(inputSchema, name);
    const outputSchema = config.output ? objectSchema(config.output, `tool "${name}" output`) : undefined;
    const descriptor = toolDescriptor(name, config, inputSchema, outputSchema);
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
    const descriptor = resourceDescriptor({ uri }, config);
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
    const template = templateMatcher(uriTemplate);
    const descriptor = resourceDescriptor({ uriTemplate }, config);
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
    handler: (args: S extends SchemaLike ? InferOutput<S> : Record<string, never>, ctx: Context<A>) => MaybePromise<PromptReturn>,
  ): this {
    assertNew(this.prompts, name, "prompt");
    assertDescription(config?.description, `prompt "${name}"`);
    const descriptor = promptDescriptor(name, config, config.args ? objectSchema(config.args, `prompt "${name}" args`) : undefined);
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
    this.#capabilities = {};
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
    this.#capabilities = {};
    return this;
  }
  resourceHandler(key: string, handler: SessionResourceHandler<A>): this {
    this.resourceHandlers.set(key, handler as SessionResourceHandler);
    this.#capabilities = {};
    return this;
  }
  promptHandler(key: string, handler: SessionPromptHandler<A>): this {
    this.promptHandlers.set(key, handler as SessionPromptHandler);
    this.#capabilities = {};
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
  capabilities(era: Era = "legacy"): Readonly<Record<string, unknown>> {
    return (this.#capabilities[era] ??= Object.freeze(this.#buildCapabilities(era)));
  }

  #buildCapabilities(era: Era): Record<string, unknown> {
    const caps: Record<string, unknown> = era === "legacy" ? { logging: {} } : {};
    if (this.hasVisible("tools", era)) caps.tools = { listChanged: true };
    if (this.hasVisible("resources", era)) caps.resources = { subscribe: true, listChanged: true };
    if (this.hasVisible("prompts", era)) caps.prompts = { listChanged: true };
    if (this.hasVisible("prompts", era) || this.hasVisible("templates", era) || this.completers.size) caps.completions = {};
    if (era === "modern" && this.hasTaskTools) caps.extensions = { [TASKS_EXTENSION]: {} };
    return caps;
  }

  #listChanged(kind: "tools" | "resources" | "prompts"): void {
    this.#capabilities = {};
    if (this.#announcing) void this.notifyListChanged(kind).catch(() => {});
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

  /**
   * @internal Code a registered feature needs that is still loading (resource templates'
   * matcher), else undefined: a resources/read waits for it before it matches a template.
   */
  codeLoading(): Promise<void> | undefined {
    return this.templates.size > 0 ? templateMatchingLoad() : undefined;
  }
}

export const completerKey = (ref: { type: string; name?: string; uri?: string }, argument: string): string =>
  `${ref.type}\u0000${ref.name ?? ref.uri}\u0000${argument}`;

function assertNew(map: Map<string, unknown>, key: string, what: string): void {
  if (map.has(key)) throw new TypeError(`${what} "${key}" is already registered`);
}
