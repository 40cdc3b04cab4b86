import type { principalOf } from "../context/host.js";
import type { EventSink, EventStream } from "../http/event-stream.js";
import type { Exchange, Incoming, Outcome } from "../http/exchange.js";
import type { SSE_HEADERS, SseWriter } from "../http/sse.js";
import type { notifyChannel } from "../protocol/channels.js";
import type { JsonRpcRequest, RequestId, envelopeError, errorMessage, toMcpError } from "../protocol/jsonrpc.js";
import type { negotiateLegacyVersion } from "../protocol/versions.js";
import type { SessionRecord } from "../storage/types.js";
import type { parseEventId } from "./event-ids.js";
import type { belongsTo, checkSessionVersionHeader } from "./load.js";
import type { sessionPost } from "./post.js";
import type { resumePostStream } from "./resume.js";
import type { SessionState } from "./state.js";
import type { randomId } from "../util/random-id.js";

/**
 * What this lazily loaded transport uses of the code every server loads, handed over by
 * sessions/handlers.ts instead of imported (see there why): this module imports types only.
 * A tuple, not an object: in the startup bundle its property names would be bytes every server pays.
 */
export type LegacyDepsTuple = [
  typeof sessionPost,
  typeof resumePostStream,
  typeof SseWriter,
  typeof SSE_HEADERS,
  typeof belongsTo,
  typeof checkSessionVersionHeader,
  typeof negotiateLegacyVersion,
  typeof principalOf,
  typeof envelopeError,
  typeof errorMessage,
  typeof toMcpError,
  typeof randomId,
  typeof parseEventId,
  typeof notifyChannel,
  string,
];

export interface LegacyDeps {
  sessionPost: typeof sessionPost;
  resumePostStream: typeof resumePostStream;
  SseWriter: typeof SseWriter;
  SSE_HEADERS: typeof SSE_HEADERS;
  belongsTo: typeof belongsTo;
  checkSessionVersionHeader: typeof checkSessionVersionHeader;
  negotiateLegacyVersion: typeof negotiateLegacyVersion;
  principalOf: typeof principalOf;
  envelopeError: typeof envelopeError;
  errorMessage: typeof errorMessage;
  toMcpError: typeof toMcpError;
  randomId: typeof randomId;
  parseEventId: typeof parseEventId;
  notifyChannel: typeof notifyChannel;
  BROADCAST_CHANNEL: string;
}

/** Names the tuple's members, in the order sessions/handlers.ts lists them. */
export function namedDeps(deps: LegacyDepsTuple): LegacyDeps {
  const [sessionPost, resumePostStream, SseWriter, SSE_HEADERS, belongsTo, checkSessionVersionHeader, negotiateLegacyVersion, principalOf, envelopeError, errorMessage, toMcpError, randomId, parseEventId, notifyChannel, BROADCAST_CHANNEL] = deps;
  return { sessionPost, resumePostStream, SseWriter, SSE_HEADERS, belongsTo, checkSessionVersionHeader, negotiateLegacyVersion, principalOf, envelopeError, errorMessage, toMcpError, randomId, parseEventId, notifyChannel, BROADCAST_CHANNEL };
}

const SESSION_HEADER = "mcp-session-id";
const jsonOutcome = (status: number, headers: Record<string, string>, body: string): Outcome => ({ status, headers: { ...headers, "content-type": "application/json" }, body });
const isValidId = (id: unknown): id is RequestId => typeof id === "string" || (typeof id === "number" && Number.isInteger(id));
const resultMessage = (id: RequestId, result: unknown) => JSON.stringify({ jsonrpc: "2.0", id, result });
const isEventStream = (body: Outcome["body"]): body is EventStream => typeof (body as { pipe?: unknown } | null)?.pipe === "function";

/** Where a message for a legacy session's stream goes: its stream here, or over the bus to the instance that holds it. */
export type Deliver = (sessionId: string, data: string) => Promise<void>;

/** Marks a session record as opened by a 2024-11-05 stream, and says whether it was initialized. */
export const LEGACY_MARK = "legacySse";
export type LegacyPhase = "awaiting-initialize" | "open";

const NOT_FOUND = { code: -32001, message: "Session not found: its SSE stream ended or it expired; open a new stream (GET) to start again" };

/**
 * A POST to `?sessionId=`: checked at once (the session, its caller, the message's envelope), then
 * answered 202 while what it asks for runs on: the answers go out on the session's stream.
 * Notifications and replies are handled before the 202, so a client's next POST (the first call
 * after `notifications/initialized`) finds them done.
 */
export async function legacyPost(state: SessionState, deps: LegacyDeps, deliver: Deliver, body: unknown, incoming: Incoming): Promise<Outcome> {
  const { exchange, host, responseHeaders } = incoming;
  const sessionId = new URL(exchange.url).searchParams.get("sessionId") ?? "";
  deps.checkSessionVersionHeader(exchange);
  const record = sessionId ? await state.server.storage.sessions.get(sessionId, state.server.options.sessionTimeout) : undefined;
  // A 2025 session's id is no legacy stream: nobody would read what goes to it. Another caller's session looks missing.
  if (!record || record[LEGACY_MARK] === undefined || !deps.belongsTo(record, host)) return jsonOutcome(404, responseHeaders, deps.errorMessage(null, NOT_FOUND));
  const invalid = deps.envelopeError(body);
  if (invalid) {
    const id = (body as { id?: unknown } | null)?.id;
    return jsonOutcome(400, responseHeaders, deps.errorMessage(!Array.isArray(body) && isValidId(id) ? id : null, invalid));
  }
  const items = Array.isArray(body) ? body : [body];
  const inner: Incoming = { exchange: asSessionExchange(exchange, sessionId), host, responseHeaders: {}, canStream: true };
  const waits: Promise<void>[] = [];
  for (const item of items) {
    const message = item as { id?: unknown; method?: unknown };
    const isRequest = typeof message === "object" && message !== null && typeof message.method === "string" && "id" in message;
    const work = isRequest ? answerRequest(state, deps, deliver, sessionId, message as JsonRpcRequest, inner) : other(state, deps, deliver, sessionId, item, inner);
    // Requests run on after the 202; their answers (and errors) go to the stream.
    if (!isRequest) waits.push(work);
    else void work.catch(() => {});
  }
  await Promise.all(waits);
  return { status: 202, headers: responseHeaders, body: null };
}

/** A notification or a reply to a server→client request: the 2025 leg handles it (a reply reaches the waiting call on any instance). */
async function other(state: SessionState, deps: LegacyDeps, deliver: Deliver, sessionId: string, item: unknown, inner: Incoming): Promise<void> {
  await forward(state, deps, deliver, sessionId, undefined, await postInSession(state, deps, item, inner), inner);
}

async function answerRequest(state: SessionState, deps: LegacyDeps, deliver: Deliver, sessionId: string, request: JsonRpcRequest, inner: Incoming): Promise<void> {
  if (request.method === "initialize") return deliver(sessionId, await initializeLegacy(state, deps, sessionId, request));
  await forward(state, deps, deliver, sessionId, request.id, await postInSession(state, deps, request, inner), inner);
}

/** The message as the 2025 leg's POST would take it; an HTTP refusal becomes the message's JSON-RPC error. */
function postInSession(state: SessionState, deps: LegacyDeps, item: unknown, inner: Incoming): Promise<Outcome> {
  return deps.sessionPost(state, item, inner).catch((error) => {
    const id = (item as { id?: unknown } | null)?.id;
    return jsonOutcome(400, {}, deps.errorMessage(isValidId(id) ? id : null, deps.toMcpError(error)));
  });
}

/**
 * `initialize` inside the session the GET opened: it negotiates as on the 2025 leg and fills the
 * record in. A second one is refused: the session's version and capabilities are set once.
 */
async function initializeLegacy(state: SessionState, deps: LegacyDeps, sessionId: string, message: JsonRpcRequest): Promise<string> {
  const { server } = state;
  const params = message.params ?? {};
  const fail = (code: number, why: string) => deps.errorMessage(message.id, { code, message: why });
  if (typeof params.protocolVersion !== "string") return fail(-32602, 'initialize: "protocolVersion" must be a string');
  const capabilities = params.capabilities ?? {};
  if (typeof capabilities !== "object" || Array.isArray(capabilities)) {
    return fail(-32602, 'initialize: "capabilities" must be an object');
  }
  const clientInfo = (params.clientInfo && typeof params.clientInfo === "object" ? params.clientInfo : { name: "unknown", version: "0" }) as SessionRecord["clientInfo"];
  const protocolVersion = deps.negotiateLegacyVersion(params.protocolVersion);
  let again = false;
  const stored = await server.storage.sessions.update(
    sessionId,
    (current) => {
      again = current[LEGACY_MARK] !== ("awaiting-initialize" satisfies LegacyPhase);
      if (again) return undefined;
      return { ...current, protocolVersion, clientInfo, clientCapabilities: capabilities as Record<string, unknown>, [LEGACY_MARK]: "open" satisfies LegacyPhase };
    },
    server.options.sessionTimeout,
  );
  if (!stored) return deps.errorMessage(message.id, NOT_FOUND);
  if (again) return fail(-32600, "Invalid request: this session is already initialized; open a new stream for a new session");
  const result: Record<string, unknown> = { protocolVersion, capabilities: server.capabilities(), serverInfo: server.info };
  if (server.instructions) result.instructions = server.instructions;
  return resultMessage(message.id, result);
}

/**
 * Sends what the 2025 leg answered to the session's stream: a JSON body as one message, an SSE
 * body message by message (event ids and priming events dropped: 2024-11-05 has no resumption).
 * A handler that closed its response stream (`ctx.closeSSEStream()`) expects the client to resume
 * it; here the server resumes it for the client, from the store, until the final answer.
 */
async function forward(state: SessionState, deps: LegacyDeps, deliver: Deliver, sessionId: string, requestId: RequestId | undefined, outcome: Outcome, inner: Incoming): Promise<void> {
  const { body } = outcome;
  if (typeof body === "string") return deliver(sessionId, body);
  if (!isEventStream(body)) return void (await (body as ReadableStream | null)?.cancel().catch(() => {}));
  let tail = Promise.resolve();
  let lastEventId: string | undefined;
  let answered = false;
  await new Promise<void>((resolve) => {
    let pending = "";
    const sink: EventSink = {
      buffered: 0, // delivery is the legacy stream's business: it has its own limit
      write(chunk) {
        pending += chunk;
        let end: number;
        while ((end = pending.indexOf("\n\n")) !== -1) {
          const frame = pending.slice(0, end);
          pending = pending.slice(end + 2);
          for (const line of frame.split("\n")) {
            if (line.startsWith("id: ")) lastEventId = line.slice(4);
            if (!line.startsWith("data: ")) continue;
            const data = line.slice(6);
            if (requestId !== undefined && isAnswerTo(data, requestId)) answered = true;
            tail = tail.then(() => deliver(sessionId, data)).catch(() => {});
          }
        }
      },
      end: resolve,
      destroy: () => resolve(),
    };
    body.pipe(sink);
  });
  await tail;
  const from = lastEventId === undefined ? undefined : deps.parseEventId(lastEventId);
  if (answered || requestId === undefined || !from) return;
  const resumed = await deps.resumePostStream(state, sessionId, from, lastEventId!, inner).catch(() => undefined);
  if (resumed) await forward(state, deps, deliver, sessionId, requestId, resumed, inner);
}

function isAnswerTo(data: string, requestId: RequestId): boolean {
  try {
    const message = JSON.parse(data) as { id?: unknown; method?: unknown };
    return message.id === requestId && message.method === undefined;
  } catch {
    return false;
  }
}

/**
 * The POST as the 2025 leg reads a session's request: the session named by header. It has no
 * `signal`: the call answers on the stream, so it must outlive this POST, which ends at the 202.
 */
function asSessionExchange(exchange: Exchange, sessionId: string): Exchange {
  return {
    method: exchange.method,
    url: exchange.url,
    header: (name) => (name === SESSION_HEADER ? sessionId : exchange.header(name)),
    headers: () => [...exchange.headers(), [SESSION_HEADER, sessionId]],
    text: () => Promise.reject(new Error("the body was read already")),
  };
}
