import { mayBeLegacySse } from "../http/classify.js";
import type { Incoming, Outcome } from "../http/exchange.js";
import type { SseWriter } from "../http/sse.js";
import type { SessionRecord } from "../storage/types.js";
import { LEGACY_MARK, type LegacyDeps, type LegacyDepsTuple, type LegacyPhase, legacyPost, namedDeps } from "./legacy-sse-post.js";
import type { SessionState } from "./state.js";

/**
 * The 2024-11-05 HTTP+SSE transport (`legacySse`), on the endpoint the 2025 era uses:
 *
 * - a GET with no `Mcp-Session-Id` and no `MCP-Protocol-Version` opens the session's only stream:
 *   `event: endpoint` with `<path>?sessionId=<id>`, then every message for the session as
 *   `event: message`;
 * - a POST to `?sessionId=<id>` carries a message or a batch, is answered 202, and whatever it
 *   causes (responses, progress, logs, server→client requests) goes out on that stream.
 *
 * The session is a normal 2025-era session record (marked `legacySse`), so handlers, replies to
 * server→client requests and cancellation work as on the 2025 leg. A POST may reach another
 * instance than the one holding the stream: what it produces is published on the session's
 * notify channel, which the stream's holder (and only it) listens to.
 *
 * The stream is the session: 2024-11-05 has no DELETE and no resumption, so when the stream
 * ends (the client left, it was cut for not reading, the server shut down) the session ends
 * everywhere, and a client that reconnects gets a new session and initializes again.
 */
export interface LegacySse {
  get(incoming: Incoming): Promise<Outcome>;
  post(body: unknown, incoming: Incoming): Promise<Outcome>;
}

const instances = new WeakMap<SessionState, LegacySse>();

/**
 * Answers a request of the 2024-11-05 transport, or undefined for any other: a GET without the
 * headers every 2025-era client sends, a POST naming its session by `?sessionId=` instead of the
 * `Mcp-Session-Id` header.
 */
export function legacySse(state: SessionState, deps: LegacyDepsTuple, incoming: Incoming, body?: unknown): Promise<Outcome | undefined> | undefined {
  if (!mayBeLegacySse(incoming.exchange)) return undefined;
  let legacy = instances.get(state);
  if (!legacy) instances.set(state, (legacy = createLegacySse(state, namedDeps(deps))));
  return incoming.exchange.method === "GET" ? legacy.get(incoming) : legacy.post(body, incoming);
}

export function createLegacySse(state: SessionState, deps: LegacyDeps): LegacySse {
  /** The streams this instance holds: a POST answered here writes straight into its stream. */
  const local = new Map<string, (data: string) => void>();
  const deliver = async (sessionId: string, data: string): Promise<void> => {
    const send = local.get(sessionId);
    if (send) return send(data);
    await state.server.storage.bus.publish(deps.notifyChannel(sessionId), data);
  };
  return {
    get: (incoming) => openLegacyStream(state, deps, local, incoming),
    post: (body, incoming) => legacyPost(state, deps, deliver, body, incoming),
  };
}

const notificationMessage = (method: string, params?: unknown) => JSON.stringify(params === undefined ? { jsonrpc: "2.0", method } : { jsonrpc: "2.0", method, params });

/**
 * One SSE event with a name. `SseWriter` writes `data:` lines only; the SSE format lets fields of
 * an event come in any order (the event is dispatched at the blank line), so the name rides after
 * the data. A JSON-RPC message, once serialised, has no line break that could end it early.
 */
const named = (event: "endpoint" | "message", data: string) => `${data}\nevent: ${event}`;

async function openLegacyStream(state: SessionState, deps: LegacyDeps, local: Map<string, (data: string) => void>, incoming: Incoming): Promise<Outcome> {
  const { server, control } = state;
  const { storage, options } = server;
  // The id in the URL is the session's only credential when the host authenticates nobody: as long
  // and random as every session id (126 bits).
  const sessionId = deps.randomId();
  const record: SessionRecord = {
    protocolVersion: "2024-11-05", // until initialize says what the client speaks
    clientInfo: { name: "unknown", version: "0" },
    clientCapabilities: {},
    initialized: false,
    subscriptions: [],
    createdAt: Date.now(),
    [LEGACY_MARK]: "awaiting-initialize" satisfies LegacyPhase,
  };
  const principal = deps.principalOf(incoming.host);
  if (principal !== undefined) record.principal = principal;
  await storage.sessions.set(sessionId, record, options.sessionTimeout);

  const disposers: (() => void | Promise<void>)[] = [];
  let closed = false;
  const keep = (dispose: () => void | Promise<void>) => (closed ? void Promise.resolve(dispose()).catch(() => {}) : void disposers.push(dispose));
  // An open stream is a live client: it keeps the session from idling out.
  const leaveBusy = state.busy.enter(sessionId);
  const writer: SseWriter = new deps.SseWriter({
    keepAlive: options.sse.keepAlive,
    maxBuffered: options.sse.maxBuffered,
    onKeepAlive: () => void storage.sessions.get(sessionId, options.sessionTimeout).then((found) => found ?? writer.close(), () => {}),
    onClose: () => {
      closed = true;
      leaveBusy();
      state.openStreams.delete(writer);
      if (local.get(sessionId) === send) local.delete(sessionId);
      for (const dispose of disposers.splice(0)) void Promise.resolve(dispose()).catch(() => {});
      void endLegacySession(state, sessionId).catch(() => {});
    },
  });
  const send = (data: string) => void writer.event(named("message", data));
  state.openStreams.add(writer);
  try {
    keep(await control.onSessionEnd(sessionId, () => writer.close()));
    keep(await storage.bus.subscribe(deps.notifyChannel(sessionId), (m) => send(typeof m === "string" ? m : JSON.stringify(m))));
    keep(
      await storage.bus.subscribe(deps.BROADCAST_CHANNEL, (m) => {
        const { method, params } = m as { method: string; params?: { uri?: string } };
        if (method !== "notifications/resources/updated") return send(notificationMessage(method, params));
        void storage.sessions.get(sessionId).then((found) => {
          if (found?.subscriptions.includes(params?.uri ?? "")) send(notificationMessage(method, params));
        }, () => {});
      }),
    );
  } catch (error) {
    writer.close(); // storage failed mid-setup: the client gets 503, nothing is left open
    throw error;
  }
  local.set(sessionId, send);
  // Relative, as the 2024-11-05 spec shows it: the client resolves it against the URL it connected to.
  writer.event(named("endpoint", `${new URL(incoming.exchange.url).pathname}?sessionId=${sessionId}`));
  return { status: 200, headers: { ...incoming.responseHeaders, ...deps.SSE_HEADERS }, body: writer.body };
}

/** Ends the session everywhere (as a DELETE would): its calls abort, its id answers 404. */
async function endLegacySession(state: SessionState, sessionId: string): Promise<void> {
  const { server } = state;
  // Already gone (the end came from elsewhere): nothing more to tell anyone.
  if (!(await server.storage.sessions.delete(sessionId))) return;
  await server.storage.events.deleteSession(sessionId);
  await state.control.end(sessionId);
  if (server.telemetry.has("terminate")) server.telemetry.emit("terminate", { server: server.info, sessionId, reason: "deleted" });
}
