import { type ClientCapabilities, LEGACY_VERSIONS, MODERN_VERSIONS, type Server } from "../index.js";
import { McpClientError, McpTransportError } from "./errors.js";
import type {
  CallOptions,
  CallToolResult,
  CompleteResult,
  CompletionRef,
  ConnectOptions,
  ElicitRequest,
  GetPromptResult,
  ListedPrompt,
  ListedResource,
  ListedResourceTemplate,
  ListedTool,
  LogMessage,
  Page,
  ReadResourceResult,
  SampleRequest,
  ServerInfo,
} from "./types.js";
import { type StreamListener, Wire } from "./wire.js";

type Json = Record<string, unknown>;

/** The `_meta` keys of a 2026-07-28 request, spelled as any client outside the core spells them. */
const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  logLevel: "io.modelcontextprotocol/logLevel",
  serverInfo: "io.modelcontextprotocol/serverInfo",
} as const;

/** A handler that keeps asking after this many input rounds is taken to be looping. */
const MAX_INPUT_ROUNDS = 32;

/** Not exported from the package: only `connect()` opens a client. */
export const HANDSHAKE: unique symbol = Symbol("handshake");

const CLIENT_INFO = { name: "wisp-test-client", version: "1.0.0" };
const NEWEST = MODERN_VERSIONS[MODERN_VERSIONS.length - 1];
const KNOWN: readonly string[] = [...LEGACY_VERSIONS, ...MODERN_VERSIONS];

/**
 * Connects an in-memory client to `server`: requests go straight into `server.handle()`, with
 * the headers, handshake and answers of a real client of the chosen era.
 * @example
 * const client = await connect(server, { onElicit: () => ({ action: "accept", content: { confirm: true } }) });
 * const result = await client.callTool("delete_note", { id: "1" });
 * await client.close();
 */
export async function connect(server: Server<any>, options: ConnectOptions = {}): Promise<McpTestClient> {
  const version = options.protocolVersion ?? NEWEST;
  if (!KNOWN.includes(version)) throw new TypeError(`connect: protocolVersion must be one of ${KNOWN.join(", ")} (got ${JSON.stringify(version)})`);
  const wire = new Wire(server, { url: options.url ?? "http://127.0.0.1/mcp", host: options.host, headers: options.headers ?? {} });
  wire.version = version;
  wire.modern = (MODERN_VERSIONS as readonly string[]).includes(version);
  const client = new McpTestClient(wire, options);
  await client[HANDSHAKE]();
  return client;
}

/**
 * A client of one server, made by {@link connect}. Results come back in the same shape in
 * either era: the 2026 bookkeeping (`resultType`, `ttlMs`, `cacheScope`, the server's identity
 * in `_meta`) is taken off; `request()` returns results as sent.
 */
export class McpTestClient {
  readonly #wire: Wire;
  readonly #options: ConnectOptions;
  readonly #capabilities: ClientCapabilities;
  #progressTokens = 0;
  #closed = false;
  #server: { info: ServerInfo; capabilities: Json; instructions: string | undefined } = { info: { name: "", version: "" }, capabilities: {}, instructions: undefined };

  /** @internal use {@link connect} */
  constructor(wire: Wire, options: ConnectOptions) {
    this.#wire = wire;
    this.#options = options;
    this.#capabilities = {
      ...(options.onElicit ? { elicitation: { form: {}, url: {} } } : {}),
      ...(options.onSample ? { sampling: {} } : {}),
      ...(options.roots ? { roots: {} } : {}),
      ...options.capabilities,
    };
  }

  /** The revision in use: the one asked for, or what `initialize` negotiated. */
  get protocolVersion(): string {
    return this.#wire.version;
  }

  /** "legacy" for a 2025-era session, "modern" for stateless 2026-07-28 requests. */
  get era(): "legacy" | "modern" {
    return this.#wire.modern ? "modern" : "legacy";
  }

  /** The 2025 session's `Mcp-Session-Id`; undefined in the stateless era. */
  get sessionId(): string | undefined {
    return this.#wire.sessionId;
  }

  /** The server's identity, from `initialize` (2025) or `server/discover` (2026). */
  get serverInfo(): ServerInfo {
    return this.#server.info;
  }

  get serverCapabilities(): Json {
    return this.#server.capabilities;
  }

  get instructions(): string | undefined {
    return this.#server.instructions;
  }

  /** @internal 2025: initialize, then notifications/initialized. 2026: server/discover. */
  async [HANDSHAKE](): Promise<void> {
    const clientInfo = this.#options.clientInfo ?? CLIENT_INFO;
    if (this.#wire.modern) {
      const found = await this.request("server/discover");
      this.#learn((found._meta as Json | undefined)?.[META.serverInfo], found.capabilities, found.instructions);
      return;
    }
    const { result, sessionId } = await this.#wire.initialize({ protocolVersion: this.#wire.version, capabilities: this.#capabilities, clientInfo });
    this.#wire.sessionId = sessionId;
    this.#wire.version = String(result.protocolVersion);
    this.#learn(result.serverInfo, result.capabilities, result.instructions);
    await this.#wire.notify("notifications/initialized", {});
    if (this.#options.logLevel) await this.request("logging/setLevel", { level: this.#options.logLevel });
  }

  #learn(info: unknown, capabilities: unknown, instructions: unknown): void {
    this.#server = {
      info: (info ?? this.#server.info) as ServerInfo,
      capabilities: (capabilities ?? {}) as Json,
      instructions: typeof instructions === "string" ? instructions : undefined,
    };
  }

  /**
   * @example
   * const { tools } = await client.listTools();
   * expect(tools.map((t) => t.name)).toContain("forecast");
   */
  async listTools(cursor?: string): Promise<Page<"tools", ListedTool>> {
    return neutral(await this.request("tools/list", cursorParams(cursor))) as Page<"tools", ListedTool>;
  }

  /**
   * Calls a tool. A tool that fails (`isError: true`) resolves like any result; a protocol
   * error (unknown tool, bad params in older revisions) rejects with an `McpClientError`.
   * @example
   * const result = await client.callTool("forecast", { city: "Oslo" }, { onProgress: (p) => seen.push(p.progress) });
   * expect(result.structuredContent).toEqual({ city: "Oslo", highs: [20, 21, 22] });
   */
  async callTool(name: string, args: Json = {}, options?: CallOptions): Promise<CallToolResult> {
    return neutral(await this.request("tools/call", { name, arguments: args }, options)) as unknown as CallToolResult;
  }

  /** @example const { resources } = await client.listResources(); */
  async listResources(cursor?: string): Promise<Page<"resources", ListedResource>> {
    return neutral(await this.request("resources/list", cursorParams(cursor))) as Page<"resources", ListedResource>;
  }

  /** @example const { resourceTemplates } = await client.listResourceTemplates(); */
  async listResourceTemplates(cursor?: string): Promise<Page<"resourceTemplates", ListedResourceTemplate>> {
    return neutral(await this.request("resources/templates/list", cursorParams(cursor))) as Page<"resourceTemplates", ListedResourceTemplate>;
  }

  /** @example const { contents } = await client.readResource("weather://Oslo/today"); */
  async readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult> {
    return neutral(await this.request("resources/read", { uri }, options)) as unknown as ReadResourceResult;
  }

  /** @example const { prompts } = await client.listPrompts(); */
  async listPrompts(cursor?: string): Promise<Page<"prompts", ListedPrompt>> {
    return neutral(await this.request("prompts/list", cursorParams(cursor))) as Page<"prompts", ListedPrompt>;
  }

  /** @example const { messages } = await client.getPrompt("plan_trip", { city: "Oslo" }); */
  async getPrompt(name: string, args: Record<string, string> = {}, options?: CallOptions): Promise<GetPromptResult> {
    return neutral(await this.request("prompts/get", { name, arguments: args }, options)) as unknown as GetPromptResult;
  }

  /**
   * `completion/complete` for a prompt argument or a template variable.
   * @example
   * const { completion } = await client.complete({ type: "ref/resource", uri: "notes://{id}" }, { name: "id", value: "1" });
   */
  async complete(ref: CompletionRef, argument: { name: string; value: string }, context?: { arguments: Record<string, string> }): Promise<CompleteResult> {
    return neutral(await this.request("completion/complete", { ref, argument, ...(context ? { context } : {}) })) as unknown as CompleteResult;
  }

  /**
   * Any method, its result as the server sent it (2026 input rounds are still answered).
   * @example
   * const discovered = await client.request("server/discover");
   * expect(discovered.resultType).toBe("complete");
   */
  async request(method: string, params: Json = {}, options: CallOptions = {}): Promise<Json> {
    if (this.#closed) throw new McpTransportError("this client is closed");
    const meta: Json = { ...(params._meta as Json | undefined) };
    const token = options.onProgress ? `progress-${++this.#progressTokens}` : undefined;
    if (token !== undefined) meta.progressToken = token;
    if (this.#wire.modern) Object.assign(meta, this.#modernMeta());
    const base = Object.keys(meta).length > 0 ? { ...params, _meta: meta } : params;
    const listener: StreamListener = {
      onRequest: (message) => (this.#wire.modern ? Promise.resolve() : this.#answerOnStream(message)),
      onNotification: (name, body) => this.#notified(name, body, token, options),
    };
    let sent: Json = base;
    for (let round = 1; ; round++) {
      const result = await this.#wire.call(method, sent, listener, options.signal);
      if (result.resultType !== "input_required") return result;
      if (round > MAX_INPUT_ROUNDS) throw new McpTransportError(`${method} still asked for input after ${MAX_INPUT_ROUNDS} rounds`);
      sent = { ...base, inputResponses: await this.#answerInputs(result.inputRequests as Record<string, { method: string; params?: Json }>), requestState: result.requestState };
    }
  }

  /** Ends the client; a 2025 session is deleted on the server (DELETE). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.#wire.modern) await this.#wire.end();
  }

  #modernMeta(): Json {
    const { onLog, logLevel, clientInfo } = this.#options;
    const meta: Json = {
      [META.protocolVersion]: this.#wire.version,
      [META.clientCapabilities]: this.#capabilities,
      [META.clientInfo]: clientInfo ?? CLIENT_INFO,
    };
    if (logLevel ?? onLog) meta[META.logLevel] = logLevel ?? "debug";
    return meta;
  }

  #notified(method: string, params: Json, token: string | undefined, options: CallOptions): void {
    if (method === "notifications/progress") {
      if (token !== undefined && params.progressToken === token) {
        options.onProgress?.({ progress: params.progress as number, total: params.total as number | undefined, message: params.message as string | undefined });
      }
      return;
    }
    if (method === "notifications/message") return this.#options.onLog?.(params as unknown as LogMessage);
    this.#options.onNotification?.(method, params);
  }

  /** 2025: a request on the response stream, answered with a POSTed JSON-RPC response (an error when nobody here answers it). */
  async #answerOnStream(message: { id: string | number; method: string; params?: Json }): Promise<void> {
    let reply: Json;
    try {
      reply = { jsonrpc: "2.0", id: message.id, result: await this.#serve(message.method, message.params ?? {}) };
    } catch (error) {
      const code = typeof (error as { code?: unknown })?.code === "number" ? (error as { code: number }).code : -32603;
      reply = { jsonrpc: "2.0", id: message.id, error: { code, message: error instanceof Error ? error.message : String(error) } };
    }
    await this.#wire.reply(reply);
  }

  /** 2026: every input request of a round answered, in the order asked, under the server's keys. */
  async #answerInputs(requests: Record<string, { method: string; params?: Json }> | undefined): Promise<Json> {
    const answers: Json = {};
    for (const [key, request] of Object.entries(requests ?? {})) answers[key] = await this.#serve(request.method, request.params ?? {});
    return answers;
  }

  async #serve(method: string, params: Json): Promise<Json> {
    const { onElicit, onSample, roots } = this.#options;
    if (method === "elicitation/create" && onElicit) return { ...(await onElicit(params as unknown as ElicitRequest)) };
    if (method === "sampling/createMessage" && onSample) return { ...(await onSample(params as unknown as SampleRequest)) };
    if (method === "roots/list" && roots) return { roots: typeof roots === "function" ? await roots() : roots };
    if (method === "ping") return {};
    throw new McpClientError(-32601, `Method not found: this test client has no handler for ${method} (pass one to connect())`);
  }
}

const cursorParams = (cursor: string | undefined): Json => (cursor === undefined ? {} : { cursor });

/** A result without what only the 2026 wire adds, so one assertion holds in both eras. */
function neutral(result: Json): Json {
  const { resultType: _type, ttlMs: _ttl, cacheScope: _scope, ...rest } = result;
  const meta = rest._meta as Json | undefined;
  if (meta && META.serverInfo in meta) {
    const { [META.serverInfo]: _info, ...others } = meta;
    if (Object.keys(others).length > 0) rest._meta = others;
    else delete rest._meta;
  }
  return rest;
}
