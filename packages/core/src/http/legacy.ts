import { nanoid } from "nanoid";
import { Context } from "../context/context.js";
import { httpTransport } from "../context/transport.js";
import { ErrorCode, HttpError, McpError } from "../protocol/errors.js";
import {
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  errorMessage,
  isNotification,
  isResponse,
  notificationMessage,
  resultMessage,
  toMcpError,
  toMessage,
} from "../protocol/jsonrpc.js";
import { isLegacyVersion, negotiateLegacyVersion } from "../protocol/versions.js";
import { type Call, legacyMethods } from "../server/methods.js";
import { invoke } from "../server/invoke.js";
import { type ComponentKind, type ComponentStore, type StoredComponents, emptyComponents } from "../context/session-components.js";
import { BROADCAST_CHANNEL, type Server } from "../server/server.js";
import { type SessionHub, notifyChannel, streamChannel } from "../session/hub.js";
import type { SessionRecord, StoredEvent } from "../storage/types.js";
import { CallStream, eventId, parseEventId } from "./call-stream.js";
import { KeyedQueue } from "../util/keyed-queue.js";
import type { Exchange, Outcome } from "./exchange.js";
import type { HostContext } from "./handle.js";
import { SSE_HEADERS, SseWriter } from "./sse.js";

const SESSION_HEADER = "mcp-session-id";

export interface LegacyDeps {
  server: Server;
  hub: SessionHub;
  /** Streams this instance holds open, to end them on shutdown. */
  openStreams: Set<SseWriter>;
  /** Sessions with a standalone GET stream on this instance (one per session). */
  standalone: Set<string>;
  /**
   * GET streams the server closed for polling (`sse.pollAfter`), still collecting events into
   * the store until the client resumes, by `<sessionId> <streamId>`; the value stops collecting.
   */
  parked: Map<string, () => void>;
  /** Keeps sessions with requests in flight from idling out while those requests run. */
  busy: BusySessions;
  /** Ended streams whose events are kept a little longer for a late resume; the value cancels that. */
  lingering: Map<string, () => void>;
  /** Graceful ends to run on shutdown (listen streams send their closing result). */
  shutdownHooks: Set<() => void>;
}

interface Ask {
  exchange: Exchange;
  host: HostContext | undefined;
  headers: Record<string, string>;
  canStream: boolean;
}

/** `initialize`: negotiates a 2025-era version and opens a session. */
export async function initialize(deps: LegacyDeps, message: JsonRpcRequest, ask: Ask): Promise<Outcome> {
  const { server } = deps;
  const params = message.params ?? {};
  if (typeof params.protocolVersion !== "string") {
    return jsonOutcome(400, ask.headers, errorMessage(message.id, new McpError(ErrorCode.InvalidParams, 'initialize: "protocolVersion" must be a string')));
  }
  const capabilities = params.capabilities ?? {};
  if (typeof capabilities !== "object" || Array.isArray(capabilities)) {
    return jsonOutcome(400, ask.headers, errorMessage(message.id, new McpError(ErrorCode.InvalidParams, 'initialize: "capabilities" must be an object')));
  }
  const clientInfo = (params.clientInfo && typeof params.clientInfo === "object" ? params.clientInfo : { name: "unknown", version: "0" }) as SessionRecord["clientInfo"];
  const protocolVersion = negotiateLegacyVersion(params.protocolVersion);
  const sessionId = ask.host?.sessionId ?? nanoid();
  if (!/^[\x21-\x7e]{16,128}$/.test(sessionId)) throw new TypeError("host.sessionId must be 16–128 visible ASCII characters");
  const record: SessionRecord = {
    protocolVersion,
    clientInfo,
    clientCapabilities: capabilities as Record<string, unknown>,
    initialized: false,
    subscriptions: [],
    createdAt: Date.now(),
  };
  // Session ids are not credentials: bind the session to whoever authenticated (checklist §6).
  const principal = principalOf(ask.host);
  if (principal !== undefined) record.principal = principal;
  await server.storage.sessions.set(sessionId, record, server.options.sessionTimeout);
  const result: Record<string, unknown> = { protocolVersion, capabilities: server.capabilities(), serverInfo: server.info };
  if (server.instructions) result.instructions = server.instructions;
  return jsonOutcome(200, { ...ask.headers, [SESSION_HEADER]: sessionId }, resultMessage(message.id, result));
}

/** Loads the session named by the request, or says exactly why it cannot. */
const principalOf = (host: HostContext | undefined): string | undefined => host?.auth?.principal ?? host?.principal;

async function loadSession(deps: LegacyDeps, exchange: Exchange, host: HostContext | undefined): Promise<{ sessionId: string; record: SessionRecord; version: string }> {
  const sessionId = exchange.header(SESSION_HEADER);
  if (!sessionId) throw new HttpError(400, ErrorCode.BadRequest, "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one");
  const headerVersion = exchange.header("mcp-protocol-version");
  if (headerVersion !== null && !isLegacyVersion(headerVersion)) {
    throw new HttpError(400, ErrorCode.BadRequest, `Bad Request: unsupported MCP-Protocol-Version "${headerVersion}"`);
  }
  const record = await deps.server.storage.sessions.get(sessionId, deps.server.options.sessionTimeout);
  // Another caller's session looks exactly like a missing one.
  if (!record || (record.principal ?? undefined) !== principalOf(host)) {
    throw new HttpError(404, ErrorCode.SessionNotFound, "Session not found: it ended or expired; send initialize to start a new one");
  }
  // Version-gated details follow the header when present (clients may send any version we speak).
  return { sessionId, record, version: headerVersion ?? record.protocolVersion };
}

const sessionQueue = new KeyedQueue();

/**
 * Read-modify-write of a session record, one at a time per session on this instance, always on
 * a fresh read: two requests subscribing at once both keep their subscription.
 */
function changeSession(deps: LegacyDeps, sessionId: string, change: Record<string, unknown> | ((current: SessionRecord) => Record<string, unknown>)): Promise<void> {
  const { storage, options } = deps.server;
  const run = async () => {
    const current = await storage.sessions.get(sessionId);
    if (!current) return; // ended meanwhile: nothing to change
    const patch = typeof change === "function" ? change(current) : change;
    await storage.sessions.set(sessionId, { ...current, ...patch }, options.sessionTimeout);
  };
  return sessionQueue.run(sessionId, run);
}

/** A POST inside a session: one message, or a batch when 2025-03-26 was negotiated. */
export async function sessionPost(deps: LegacyDeps, body: unknown, ask: Ask): Promise<Outcome> {
  const session = await loadSession(deps, ask.exchange, ask.host);
  if (Array.isArray(body)) {
    if (session.record.protocolVersion !== "2025-03-26") {
      throw new HttpError(400, ErrorCode.InvalidRequest, "Invalid request: JSON-RPC batches are only accepted when protocol 2025-03-26 was negotiated");
    }
    return batch(deps, body, session, ask);
  }
  const message = toMessage(body);
  if (isResponse(message)) {
    await deps.hub.reply(session.sessionId, message);
    return accepted(ask.headers);
  }
  if (isNotification(message)) {
    await onNotification(deps, message, session);
    return accepted(ask.headers);
  }
  const request = message as JsonRpcRequest;
  return new Promise<Outcome>((resolve) => {
    const stream = new CallStream({
      storage: deps.server.storage,
      hub: deps.hub,
      sessionId: session.sessionId,
      requestId: request.id,
      // The negotiated version says what the client can parse; an older header must not turn priming off.
      version: session.version > session.record.protocolVersion ? session.version : session.record.protocolVersion,
      canStream: ask.canStream,
      headers: ask.headers,
      keepAlive: deps.server.options.keepAlive,
      retry: deps.server.options.retry,
      clientRequestTimeout: deps.server.options.clientRequestTimeout,
      sessionTtl: deps.server.options.sessionTimeout,
      resolve,
    });
    const done = deps.busy.enter(session.sessionId);
    void run(deps, request, session, stream, ask)
      .catch(() => errorMessage(request.id, new McpError(ErrorCode.InternalError, "Internal error")))
      .then((response) => {
        done();
        stream.finish(response);
      });
  });
}

/**
 * Sessions with requests in flight on this instance. A slow call is activity: one timer per
 * instance renews these sessions while they work, so a long tool call never returns to a
 * session that expired under it.
 */
export class BusySessions {
  readonly #counts = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly renew: (sessionId: string) => void,
    private readonly every: number,
  ) {}

  enter(sessionId: string): () => void {
    this.#counts.set(sessionId, (this.#counts.get(sessionId) ?? 0) + 1);
    if (!this.#timer) {
      this.#timer = setInterval(() => {
        for (const id of this.#counts.keys()) this.renew(id);
      }, this.every);
      (this.#timer as { unref?: () => void }).unref?.();
    }
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const count = (this.#counts.get(sessionId) ?? 1) - 1;
      if (count > 0) this.#counts.set(sessionId, count);
      else this.#counts.delete(sessionId);
      if (this.#counts.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    };
  }
}

async function run(
  deps: LegacyDeps,
  message: JsonRpcRequest,
  session: { sessionId: string; record: SessionRecord; version: string },
  stream: CallStream,
  ask: Ask,
): Promise<string> {
  const handler = legacyMethods.get(message.method);
  if (!handler) {
    const hint = message.method === "initialize" ? " (initialize starts a new session: send it without Mcp-Session-Id)" : "";
    return errorMessage(message.id, new McpError(ErrorCode.MethodNotFound, `Method not found: ${message.method}${hint}`));
  }
  const { server } = deps;
  const { sessionId, record, version } = session;
  const params = message.params ?? {};
  const updateSession = (change: Record<string, unknown> | ((current: SessionRecord) => Record<string, unknown>)) => changeSession(deps, sessionId, change);
  const ctx = new Context({
    assigns: { ...ask.host?.assigns },
    auth: ask.host?.auth,
    components: () => componentStore(deps, sessionId, record, updateSession),
    setSessionPaginationLimit: (limit) => updateSession({ paginationLimit: limit }),
    request: { id: message.id, method: message.method, params },
    session: { id: sessionId, clientInfo: record.clientInfo, clientCapabilities: record.clientCapabilities, protocolVersion: record.protocolVersion, era: "legacy" },
    initialized: record.initialized,
    paginationLimit: record.paginationLimit ?? server.options.paginationLimit,
    transport: () => ask.host?.transport ?? httpTransport(ask.exchange.url, ask.exchange.headers(), ask.host?.remoteIp),
    wire: stream,
    logLevel: record.logLevel,
  });
  const call: Call = {
    server,
    ctx,
    params,
    version,
    record,
    era: "legacy",
    resourceNotFoundCode: ErrorCode.ResourceNotFound,
    updateSession,
  };
  try {
    return resultMessage(message.id, await invoke(call, handler));
  } catch (error) {
    try {
      return errorMessage(message.id, toMcpError(error));
    } catch {
      // An McpError whose data cannot be serialised.
      return errorMessage(message.id, new McpError(ErrorCode.InternalError, "Internal error"));
    }
  }
}

async function onNotification(deps: LegacyDeps, message: JsonRpcMessage & { method: string }, session: { sessionId: string; record: SessionRecord }) {
  const params = (message as { params?: Record<string, unknown> }).params ?? {};
  if (message.method === "notifications/initialized" && !session.record.initialized) {
    await changeSession(deps, session.sessionId, { initialized: true });
  } else if (message.method === "notifications/cancelled" && (typeof params.requestId === "string" || typeof params.requestId === "number")) {
    await deps.hub.cancel(session.sessionId, params.requestId, typeof params.reason === "string" ? params.reason : undefined);
  }
  // Other notifications (roots/list_changed, progress) need no answer.
}

async function batch(
  deps: LegacyDeps,
  items: unknown[],
  session: { sessionId: string; record: SessionRecord; version: string },
  ask: Ask,
): Promise<Outcome> {
  if (items.length === 0) throw new HttpError(400, ErrorCode.InvalidRequest, "Invalid request: an empty batch");
  const replies: string[] = [];
  for (const item of items) {
    let message: JsonRpcMessage;
    try {
      message = toMessage(item);
    } catch (error) {
      replies.push(errorMessage(null, toMcpError(error)));
      continue;
    }
    if (isResponse(message)) await deps.hub.reply(session.sessionId, message as JsonRpcResponse);
    else if (isNotification(message)) await onNotification(deps, message, session);
    else {
      const request = message as JsonRpcRequest;
      const outcome = await new Promise<string>((resolve) => {
        // Batch members answer inside the batch's JSON array, so they never stream.
        const stream = new CallStream({
          storage: deps.server.storage, hub: deps.hub, sessionId: session.sessionId, requestId: request.id, version: session.version,
          canStream: false, headers: {}, keepAlive: deps.server.options.keepAlive, retry: deps.server.options.retry,
          clientRequestTimeout: deps.server.options.clientRequestTimeout, sessionTtl: deps.server.options.sessionTimeout,
          resolve: (o) => resolve(o.body as string),
        });
        void run(deps, request, session, stream, { ...ask, canStream: false })
          .catch(() => errorMessage(request.id, new McpError(ErrorCode.InternalError, "Internal error")))
          .then((r) => stream.finish(r));
      });
      replies.push(outcome);
    }
  }
  return replies.length ? jsonOutcome(200, ask.headers, `[${replies.join(",")}]`) : accepted(ask.headers);
}

/** GET: the standalone stream for server-initiated messages, or the resumption of any stream. */
export async function sessionGet(deps: LegacyDeps, ask: Ask): Promise<Outcome> {
  const { sessionId, version } = await loadSession(deps, ask.exchange, ask.host);
  const lastEventId = ask.exchange.header("last-event-id");
  if (lastEventId) return resume(deps, sessionId, lastEventId, version, ask);
  if (deps.standalone.has(sessionId)) {
    throw new HttpError(409, ErrorCode.BadRequest, "Conflict: this session already has an open GET stream");
  }
  return openStandalone(deps, sessionId, `g${nanoid(10)}`, version, ask);
}

/**
 * The session's standalone stream. Resuming (`resumeAfter`) subscribes first and buffers, then
 * takes over from a parked collector and replays from the store, so nothing published during the
 * handover is lost (a notification may arrive twice; list_changed and updated are idempotent).
 */
async function openStandalone(deps: LegacyDeps, sessionId: string, streamId: string, version: string, ask: Ask, resumeAfter?: string): Promise<Outcome> {
  const { server, hub } = deps;
  const { storage, options } = server;
  const key = `${sessionId} ${streamId}`;
  let seq = resumeAfter ? (parseEventId(resumeAfter)?.seq ?? 0) : 0;
  let parking = false;
  let buffered: string[] | undefined = resumeAfter ? [] : undefined;
  const disposers: (() => void | Promise<void>)[] = [];
  const disposeAll = () => {
    for (const dispose of disposers) void Promise.resolve(dispose()).catch(() => {});
  };
  deps.standalone.add(sessionId);
  deps.lingering.get(key)?.();
  const writer = new SseWriter({
    keepAlive: options.keepAlive,
    // An open stream is a live client: it keeps the session from idling out.
    onKeepAlive: () =>
      void storage.sessions.get(sessionId, options.sessionTimeout).then((record) => record ?? writer.close(), () => {}),
    onClose: () => {
      deps.standalone.delete(sessionId);
      deps.openStreams.delete(writer);
      if (!parking) {
        disposeAll();
        lingerThenForget(deps, sessionId, streamId);
        return;
      }
      // Closed for polling: keep collecting so the reconnecting client misses nothing.
      const timer = setTimeout(() => deps.parked.get(key)?.(), options.sessionTimeout);
      deps.parked.set(key, () => {
        deps.parked.delete(key);
        clearTimeout(timer);
        disposeAll();
      });
    },
  });
  deps.openStreams.add(writer);
  const send = (data: string) => {
    if (buffered) return void buffered.push(data);
    const id = eventId(streamId, ++seq);
    if (writer.event(data, id) || parking) void storage.events.append(sessionId, streamId, { id, data }, options.sessionTimeout).catch(() => {});
  };

  disposers.push(await hub.onSessionEnd(sessionId, () => (parking ? deps.parked.get(key)?.() : writer.close())));
  disposers.push(await storage.bus.subscribe(notifyChannel(sessionId), (m) => send(typeof m === "string" ? m : JSON.stringify(m))));
  disposers.push(
    await storage.bus.subscribe(BROADCAST_CHANNEL, (m) => {
      const { method, params } = m as { method: string; params?: { uri?: string } };
      if (method !== "notifications/resources/updated") return send(notificationMessage(method, params));
      // Only clients that subscribed to this URI hear about it.
      void storage.sessions.get(sessionId).then(
        (record) => {
          if (record?.subscriptions.includes(params?.uri ?? "")) send(notificationMessage(method, params));
        },
        () => {}, // storage unreachable: this notification is lost, the stream is not
      );
    }),
  );

  if (resumeAfter) {
    deps.parked.get(key)?.(); // we are subscribed: the parked collector can stop
    const missed = (await storage.events.after(sessionId, streamId, resumeAfter)) ?? [];
    for (const event of missed) {
      seq = Math.max(seq, parseEventId(event.id)?.seq ?? seq);
      if (event.data !== "") writer.event(event.data, event.id);
    }
    const held = buffered ?? [];
    buffered = undefined;
    for (const data of held) send(data);
  } else if (version >= "2025-11-25") {
    // Priming event (SEP-1699): the client can resume from here even before the first message.
    const id = eventId(streamId, seq);
    writer.event("", id, options.retry);
    void storage.events.append(sessionId, streamId, { id, data: "" }, options.sessionTimeout).catch(() => {});
  }
  if (options.pollAfter !== undefined) {
    const timer = setTimeout(() => {
      parking = true;
      writer.close();
    }, options.pollAfter);
    disposers.push(() => clearTimeout(timer));
  }
  return { status: 200, headers: { ...ask.headers, ...SSE_HEADERS }, body: writer.stream };
}

/**
 * A stream that ended keeps its events for one session timeout, so a client whose connection
 * dropped can still resume it; then they are deleted, so reconnects don't pile up streams.
 */
function lingerThenForget(deps: LegacyDeps, sessionId: string, streamId: string): void {
  const key = `${sessionId} ${streamId}`;
  deps.lingering.get(key)?.();
  const timer = setTimeout(() => {
    deps.lingering.delete(key);
    void deps.server.storage.events.deleteStream(sessionId, streamId).catch(() => {});
  }, deps.server.options.sessionTimeout);
  (timer as { unref?: () => void }).unref?.();
  deps.lingering.set(key, () => {
    deps.lingering.delete(key);
    clearTimeout(timer);
  });
}

/** Replays what a client missed on one stream, then follows it live if it is still going. */
async function resume(deps: LegacyDeps, sessionId: string, lastEventId: string, version: string, ask: Ask): Promise<Outcome> {
  const { storage, options } = deps.server;
  const parsed = parseEventId(lastEventId);
  if (!parsed) throw new HttpError(400, ErrorCode.BadRequest, `Bad Request: Last-Event-ID "${lastEventId}" was not issued by this server`);
  const { streamId } = parsed;
  if (streamId.startsWith("g")) {
    if (deps.standalone.has(sessionId)) throw new HttpError(409, ErrorCode.BadRequest, "Conflict: this session already has an open GET stream");
    return openStandalone(deps, sessionId, streamId, version, ask, lastEventId);
  }

  // A POST's stream: subscribe first, then read the store, so nothing falls between the two.
  const writer = new SseWriter({ keepAlive: options.keepAlive, onClose: () => {
    deps.openStreams.delete(writer);
    void unsubscribe.then((u) => u()).catch(() => {});
    void untilEnd.then((u) => u()).catch(() => {});
  } });
  deps.openStreams.add(writer);
  let highest = parsed.seq;
  const deliver = (event: StoredEvent) => {
    const seq = parseEventId(event.id)?.seq ?? 0;
    if (seq <= highest) return;
    highest = seq;
    if (event.data !== "") writer.event(event.data, event.id);
    if (event.final) {
      writer.close();
      lingerThenForget(deps, sessionId, streamId);
    }
  };
  const buffered: StoredEvent[] = [];
  let replaying = true;
  const unsubscribe = storage.bus.subscribe(streamChannel(sessionId, streamId), (m) => (replaying ? buffered.push(m as StoredEvent) : deliver(m as StoredEvent)));
  const untilEnd = deps.hub.onSessionEnd(sessionId, () => writer.close());
  await Promise.all([unsubscribe, untilEnd]);
  const missed = await storage.events.after(sessionId, streamId, lastEventId);
  if (!missed) {
    writer.close();
    throw new HttpError(404, ErrorCode.BadRequest, `Not found: stream of Last-Event-ID "${lastEventId}" is gone`);
  }
  for (const event of missed) deliver(event);
  replaying = false;
  for (const event of buffered) deliver(event);
  return { status: 200, headers: { ...ask.headers, ...SSE_HEADERS }, body: writer.stream };
}

/** DELETE: ends the session everywhere; its id answers 404 from now on. */
export async function sessionDelete(deps: LegacyDeps, ask: Ask): Promise<Outcome> {
  const sessionId = ask.exchange.header(SESSION_HEADER);
  if (!sessionId) throw new HttpError(400, ErrorCode.BadRequest, "Bad Request: the Mcp-Session-Id header is required");
  const { storage } = deps.server;
  const record = await storage.sessions.get(sessionId);
  if (record && (record.principal ?? undefined) !== principalOf(ask.host)) {
    throw new HttpError(404, ErrorCode.SessionNotFound, "Session not found: it ended or expired");
  }
  if (!(await storage.sessions.delete(sessionId))) throw new HttpError(404, ErrorCode.SessionNotFound, "Session not found: it ended or expired");
  await storage.events.deleteSession(sessionId);
  await deps.hub.end(sessionId);
  if (deps.server.telemetry.has("terminate")) {
    deps.server.telemetry.emit("terminate", { server: deps.server.info, sessionId, reason: "deleted" });
  }
  return { status: 200, headers: ask.headers, body: null };
}

/**
 * Per-session components live in the session record, so every instance serving the session
 * sees them; list_changed goes to this session's GET stream only.
 */
function componentStore(deps: LegacyDeps, sessionId: string, record: SessionRecord, update: (change: Record<string, unknown>) => Promise<void>): ComponentStore {
  const { server } = deps;
  let current = (record.components as StoredComponents | undefined) ?? emptyComponents();
  const handlers = { tool: server.toolHandlers, resource: server.resourceHandlers, prompt: server.promptHandlers };
  return {
    current: () => structuredClone(current),
    async save(next, changed) {
      current = next;
      record.components = next; // later calls in this request see it too
      await update({ components: next });
      for (const kind of new Set(changed)) {
        await server.storage.bus.publish(notifyChannel(sessionId), notificationMessage(`notifications/${kind}/list_changed`));
      }
    },
    assertHandler(kind, key) {
      if (!handlers[kind].has(key)) {
        throw new TypeError(`No ${kind} handler "${key}": register it with server.${kind}Handler("${key}", fn) on every instance`);
      }
    },
    assertFree(kind: ComponentKind, key) {
      const taken = kind === "tools" ? server.tools : kind === "prompts" ? server.prompts : kind === "resources" ? server.resources : server.templates;
      if (taken.has(key)) throw new TypeError(`"${key}" is already registered server-wide; pick another name for the session's own`);
    },
  };
}

export const accepted = (headers: Record<string, string>): Outcome => ({ status: 202, headers, body: null });
export const jsonOutcome = (status: number, headers: Record<string, string>, body: string): Outcome => ({
  status,
  headers: { ...headers, "content-type": "application/json" },
  body,
});
