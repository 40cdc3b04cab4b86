import { ErrorCode, McpError } from "../protocol/errors.js";
import type { RequestId } from "../protocol/jsonrpc.js";
import { elicitationHasModes } from "../protocol/versions.js";
import { type InferOutput, type SchemaLike, toJsonSchema, validate, formatIssues } from "../schema/index.js";
import type { Transport } from "./transport.js";
import {
  type ComponentKind,
  type ComponentStore,
  type SessionPromptConfig,
  type SessionResourceConfig,
  type SessionToolConfig,
  emptyComponents,
  noSessionStore,
} from "./components.js";
import type { RequestWire } from "./wire.js";

export const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const levelRank = new Map<string, number>(LOG_LEVELS.map((level, i) => [level, i]));
export const isLogLevel = (value: unknown): value is LogLevel => typeof value === "string" && levelRank.has(value);

/** Facts about the client making the request; on 2026-era requests they come from `_meta`. */
export interface SessionInfo {
  /** The `Mcp-Session-Id` of a 2025-era session; undefined on stateless requests. */
  id: string | undefined;
  clientInfo: { name: string; version: string; [key: string]: unknown } | undefined;
  clientCapabilities: ClientCapabilities;
  protocolVersion: string;
  era: "legacy" | "modern";
}

export interface ClientCapabilities {
  roots?: { listChanged?: boolean };
  sampling?: { tools?: object; context?: object };
  elicitation?: { form?: object; url?: object };
  [key: string]: unknown;
}

export interface RequestInfo {
  id: RequestId;
  method: string;
  /** Params exactly as received, before validation. */
  params: Record<string, unknown>;
}

export type ElicitResult<T> = { action: "accept"; content: T } | { action: "decline" } | { action: "cancel" };

export interface SamplingMessage {
  role: "user" | "assistant";
  content: Record<string, unknown> | Record<string, unknown>[];
}
export interface SampleRequest {
  messages: SamplingMessage[];
  maxTokens: number;
  systemPrompt?: string;
  temperature?: number;
  stopSequences?: string[];
  modelPreferences?: Record<string, unknown>;
  includeContext?: "none" | "thisServer" | "allServers";
  tools?: unknown[];
  toolChoice?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}
export interface SampleResult {
  role: "assistant";
  content: Record<string, unknown> | Record<string, unknown>[];
  model: string;
  stopReason?: string;
  [key: string]: unknown;
}
export interface Root {
  uri: string;
  name?: string;
}

/** Who the caller is, as established by the host (an auth middleware or `onRequest` hook). */
export interface AuthInfo {
  /** A stable id for the caller (token subject); binds 2026 requestState and tasks. */
  principal?: string;
  scopes?: string[];
  [key: string]: unknown;
}

export interface ContextInit<A> {
  auth?: AuthInfo;
  /** The session's component store (2025 era), built on first use; absent on stateless requests. */
  components?: () => ComponentStore;
  /** Persists a per-session page size (2025 era). */
  setSessionPaginationLimit?: (limit: number | undefined) => Promise<void>;
  assigns: A;
  request: RequestInfo;
  session: SessionInfo;
  initialized: boolean;
  paginationLimit: number | undefined;
  transport: () => Transport;
  wire: RequestWire;
  logLevel: string | undefined;
}

/**
 * The one object every handler and middleware receives: who is calling, over what,
 * and the means to talk back (progress, logs, elicitation, sampling, roots).
 */
export class Context<A extends Record<string, unknown> = Record<string, unknown>> {
  assigns: A;
  readonly request: RequestInfo;
  readonly session: SessionInfo;
  readonly initialized: boolean;
  /** Set by the host's auth step; undefined when the request is anonymous. */
  readonly auth: AuthInfo | undefined;
  /** Page size for list results; `undefined` means one page with everything. */
  paginationLimit: number | undefined;
  readonly #componentsFactory: (() => ComponentStore) | undefined;
  #componentsValue: ComponentStore | undefined;
  get #components(): ComponentStore | undefined {
    return (this.#componentsValue ??= this.#componentsFactory?.());
  }
  readonly #setSessionLimit: ContextInit<A>["setSessionPaginationLimit"];
  readonly #transport: () => Transport;
  #transportValue: Transport | undefined;
  readonly #wire: RequestWire;
  readonly #logLevel: string | undefined;
  #lastProgress = -Infinity;

  constructor(init: ContextInit<A>) {
    this.assigns = init.assigns;
    this.request = init.request;
    this.session = init.session;
    this.initialized = init.initialized;
    this.paginationLimit = init.paginationLimit;
    this.auth = init.auth;
    this.#componentsFactory = init.components;
    this.#setSessionLimit = init.setSessionPaginationLimit;
    this.#transport = init.transport;
    this.#wire = init.wire;
    this.#logLevel = init.logLevel;
  }

  /** Transport facts, computed on first use so requests that never look pay nothing. */
  get transport(): Transport {
    return (this.#transportValue ??= this.#transport());
  }

  /** Aborted when the client cancels, the session ends, or a 2026 client drops the response. */
  get signal(): AbortSignal {
    return this.#wire.signal;
  }

  /**
   * Adds to `assigns`: one key, or several at once.
   * @example ctx.assign("user", user); ctx.assign({ tenant, plan });
   */
  assign<K extends string, V>(key: K, value: V): this;
  assign(values: Record<string, unknown>): this;
  assign(keyOrValues: string | Record<string, unknown>, value?: unknown): this {
    const target = this.assigns as Record<string, unknown>;
    if (typeof keyOrValues === "string") target[keyOrValues] = value;
    else Object.assign(target, keyOrValues);
    return this;
  }

  /** Sets `assigns[key]` from `compute()` only when the key is absent; `compute` runs only then. */
  assignNew<K extends string>(key: K, compute: () => unknown): this {
    const target = this.assigns as Record<string, unknown>;
    if (!(key in target)) target[key] = compute();
    return this;
  }

  /**
   * Sets the page size of list results for this request, or for the rest of the session.
   * @example server.use("tools/list", (ctx, next) => { ctx.setPaginationLimit(20); return next(); });
   */
  async setPaginationLimit(limit: number | undefined, scope: "request" | "session" = "request"): Promise<void> {
    if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) throw new TypeError(`setPaginationLimit: ${limit} is not a positive integer`);
    this.paginationLimit = limit;
    if (scope === "session") {
      if (!this.#setSessionLimit) noSessionStore();
      await this.#setSessionLimit!(limit);
    }
  }

  /**
   * Registers a tool for this session only (2025 era). The implementation is the handler
   * registered with `server.toolHandler(key)` on every instance; the registration is data.
   * Only this session hears `notifications/tools/list_changed`.
   * @example await ctx.registerTool("eu_report", { description: "EU sales", handler: "run_report", data: { region: "EU" } });
   */
  async registerTool(name: string, config: SessionToolConfig): Promise<void> {
    const store = this.#components ?? noSessionStore();
    const component = store.tool(name, config);
    await store.change((components) => void (components.tools[name] = component), ["tools"]);
  }

  /** Registers a resource (fixed URI) or resource template (URI with `{…}`) for this session only. */
  async registerResource(uriOrTemplate: string, config: SessionResourceConfig): Promise<void> {
    const store = this.#components ?? noSessionStore();
    const { kind, component } = store.resource(uriOrTemplate, config);
    await store.change((components) => void (components[kind][uriOrTemplate] = component), ["resources"]);
  }

  /** Registers a prompt for this session only. */
  async registerPrompt(name: string, config: SessionPromptConfig): Promise<void> {
    const store = this.#components ?? noSessionStore();
    const component = store.prompt(name, config);
    await store.change((components) => void (components.prompts[name] = component), ["prompts"]);
  }

  /** Removes every component this session registered. */
  async clearComponents(): Promise<void> {
    const store = this.#components ?? noSessionStore();
    const current = store.current();
    const changed = (Object.keys(current) as ComponentKind[]).filter((kind) => Object.keys(current[kind]).length > 0);
    if (changed.length) await store.change((components) => Object.assign(components, emptyComponents()), changed.map((k) => (k === "templates" ? "resources" : k)));
  }

  /** The list entries of what this session registered (2025 era; empty on stateless requests). */
  components(): { tools: Record<string, unknown>[]; resources: Record<string, unknown>[]; resourceTemplates: Record<string, unknown>[]; prompts: Record<string, unknown>[] } {
    const current = this.#components?.current() ?? emptyComponents();
    const entries = (kind: ComponentKind) => Object.values(current[kind]).map((c) => c.descriptor);
    return { tools: entries("tools"), resources: entries("resources"), resourceTemplates: entries("templates"), prompts: entries("prompts") };
  }

  /** Reads a request header (case-insensitive); undefined when absent or not over HTTP. */
  getHeader(name: string): string | undefined {
    const transport = this.transport;
    return transport.type === "http" ? transport.headers[name.toLowerCase()] : undefined;
  }

  /** Reads a query parameter; undefined when absent or not over HTTP. */
  getQuery(name: string): string | undefined {
    const transport = this.transport;
    return transport.type === "http" ? transport.query?.[name] : undefined;
  }

  /**
   * Reports progress when the client asked for it (`_meta.progressToken`); otherwise a no-op.
   * Values must increase; a value not above the last one is dropped, as the spec requires.
   * @example await step(); ctx.progress(1, 3, "parsed");
   */
  progress(progress: number, total?: number, message?: string): void {
    const token = (this.request.params._meta as Record<string, unknown> | undefined)?.progressToken;
    if (token === undefined || progress <= this.#lastProgress) return;
    this.#lastProgress = progress;
    const params: Record<string, unknown> = { progressToken: token, progress };
    if (total !== undefined) params.total = total;
    if (message !== undefined) params.message = message;
    this.#wire.notify("notifications/progress", params);
  }

  /**
   * Sends a log message to the client when its level passes the client's threshold.
   * @example ctx.log("info", "Indexing 42 notes", "indexer");
   */
  log(level: LogLevel, data: unknown, logger?: string): void {
    if (!this.#wantsLog(level)) return;
    const params: Record<string, unknown> = { level, data };
    if (logger !== undefined) params.logger = logger;
    this.#wire.notify("notifications/message", params);
  }

  #wantsLog(level: LogLevel): boolean {
    const threshold = this.#logLevel;
    if (threshold === undefined) return this.session.era === "legacy"; // 2026: only when asked for
    return (levelRank.get(level) ?? 0) >= (levelRank.get(threshold) ?? 0);
  }

  /**
   * Asks the user for structured input (form mode) or sends them to a URL (url mode).
   * With a Standard Schema, accepted content is validated and typed.
   *
   * 2025 sessions get a real `elicitation/create` request; 2026 requests answer
   * `input_required` and this handler runs again when the client retries with the answer
   * (under `key`, default "elicitation_<n>"). So work done before an input call must be
   * safe to repeat.
   * @example
   * const answer = await ctx.elicit({ message: "Delete it?", schema: v.object({ confirm: v.boolean() }) });
   * if (answer.action === "accept" && answer.content.confirm) await remove();
   */
  async elicit<S extends SchemaLike>(request: { mode?: "form"; message: string; schema: S; key?: string }): Promise<ElicitResult<InferOutput<S>>>;
  async elicit(request: { mode: "url"; message: string; url: string; elicitationId?: string; key?: string }): Promise<ElicitResult<never>>;
  async elicit(request: { mode?: "form" | "url"; message: string; schema?: SchemaLike; url?: string; elicitationId?: string; key?: string }): Promise<ElicitResult<unknown>> {
    const capability = this.session.clientCapabilities.elicitation as Record<string, unknown> | undefined;
    const mode = request.mode ?? "form";
    const modeDeclared = capability && (mode === "form" ? !("url" in capability) || "form" in capability || Object.keys(capability).length === 0 : "url" in capability);
    if (!modeDeclared) throw missingCapability({ elicitation: mode === "form" ? {} : { url: {} } }, `elicitation (${mode} mode)`);
    const params: Record<string, unknown> =
      mode === "url"
        ? { mode: "url", message: request.message, url: request.url, elicitationId: request.elicitationId ?? crypto.randomUUID() }
        : { message: request.message, requestedSchema: toJsonSchema(request.schema as SchemaLike) };
    if (mode === "form" && elicitationHasModes(this.session.protocolVersion)) params.mode = "form";
    const result = await this.#wire.ask("elicitation/create", params, this.signal, request.key);
    const action = result.action;
    if (action !== "accept") {
      if (action === "decline" || action === "cancel") return { action };
      throw new McpError(ErrorCode.InvalidParams, `The client answered elicitation with an unknown action: ${String(action)}`);
    }
    if (mode === "url") return { action: "accept", content: result.content ?? {} };
    // The answer comes from the client: check it against the schema whichever kind it is.
    const checked = await validate(request.schema as SchemaLike, result.content ?? {});
    if (!checked.ok) throw new McpError(ErrorCode.InvalidParams, `The client's elicitation answer does not match the schema: ${formatIssues(checked.issues)}`);
    return { action: "accept", content: checked.value };
  }

  /**
   * Asks the client's model for a completion (`sampling/createMessage`).
   * @example
   * const reply = await ctx.sample({ messages: [{ role: "user", content: { type: "text", text: "Summarise" } }], maxTokens: 200 });
   */
  async sample(request: SampleRequest, options: { key?: string } = {}): Promise<SampleResult> {
    const capability = this.session.clientCapabilities.sampling;
    if (!capability) throw missingCapability({ sampling: {} }, "sampling");
    if (request.tools && !capability.tools) throw missingCapability({ sampling: { tools: {} } }, "sampling with tools");
    return (await this.#wire.ask("sampling/createMessage", request as unknown as Record<string, unknown>, this.signal, options.key)) as SampleResult;
  }

  /** Lists the client's roots (`roots/list`). */
  async roots(options: { key?: string } = {}): Promise<Root[]> {
    if (!this.session.clientCapabilities.roots) throw missingCapability({ roots: {} }, "roots");
    const result = await this.#wire.ask("roots/list", {}, this.signal, options.key);
    return Array.isArray(result.roots) ? (result.roots as Root[]) : [];
  }

  /**
   * Closes this request's SSE connection while the request goes on; the client
   * reconnects with `Last-Event-ID` and gets the rest (SSE polling, 2025-11-25).
   */
  closeSSEStream(): void {
    this.#wire.closeStream();
  }
}

function missingCapability(required: Record<string, unknown>, what: string): McpError {
  return new McpError(ErrorCode.MissingRequiredClientCapability, `The client did not declare the ${what} capability this request needs`, {
    requiredCapabilities: required,
  });
}
