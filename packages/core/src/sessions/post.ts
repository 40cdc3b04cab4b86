import { Context } from "../context/context.js";
import { pinnedHost } from "../context/host.js";
import { httpTransport } from "../context/transport.js";
import { invoke } from "../features/invoke.js";
import { type Call, methodHandlers } from "../features/methods.js";
import { missingScopeError, scopeCheckReady } from "../features/scopes.js";
import { mayConcernTask } from "../features/task-support.js";
import type { RequestWire } from "../context/wire.js";
import { type Incoming, type Outcome, accepted, jsonOutcome, refusedOutcome } from "../http/exchange.js";
import { ErrorCode, HttpError, McpError } from "../protocol/errors.js";
import {
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
  errorMessage,
  isNotification,
  isResponse,
  resultMessage,
  MAX_BATCH_ITEMS,
  toMcpError,
  toMessage,
  tooManyBatchItems,
} from "../protocol/jsonrpc.js";
import { allowsBatches } from "../protocol/versions.js";
import { SessionCallResponse } from "./call-response.js";
import { componentStore } from "./components.js";
import { type LoadedSession, type SessionChange, changeSession, loadSession } from "./load.js";
import type { SessionState } from "./state.js";

/** A POST inside a session: one message, or a batch when 2025-03-26 was negotiated. */
export async function sessionPost(state: SessionState, body: unknown, incoming: Incoming): Promise<Outcome> {
  const session = await loadSession(state, incoming.exchange, incoming.host);
  if (Array.isArray(body)) {
    if (!allowsBatches(session.record.protocolVersion)) {
      throw new HttpError(400, ErrorCode.InvalidRequest, "Invalid request: JSON-RPC batches are only accepted when protocol 2025-03-26 was negotiated");
    }
    return batch(state, body, session, incoming);
  }
  const message = toMessage(body);
  if (isResponse(message)) {
    await state.control.reply(session.sessionId, message);
    return accepted(incoming.responseHeaders);
  }
  if (isNotification(message)) {
    await onNotification(state, message, session);
    return accepted(incoming.responseHeaders);
  }
  const request = message as JsonRpcRequest;
  const matching = scopeCheckReady(state.server, request.method);
  if (matching) await matching;
  const refused = missingScopeError(state.server, request.method, request.params ?? {}, incoming.host);
  if (refused) return refusedOutcome(request.id, refused, incoming.responseHeaders);
  return new Promise<Outcome>((resolve) => {
    // Busy until answered, not until the handler returns: a call given up on frees its session.
    const response = callResponse(state, session, request, incoming.canStream, incoming.responseHeaders, resolve, incoming.exchange, state.busy.enter(session.sessionId));
    void run(state, request, session, response, incoming).then(
      (answer) => response.finish(answer),
      () => response.finish(errorMessage(request.id, new McpError(ErrorCode.InternalError, "Internal error"))),
    );
  });
}

function callResponse(
  state: SessionState,
  session: LoadedSession,
  request: JsonRpcRequest,
  canStream: boolean,
  headers: Record<string, string>,
  resolve: (outcome: Outcome) => void,
  exchange: Incoming["exchange"],
  onFinish: () => void,
): SessionCallResponse {
  const { server, control } = state;
  // The negotiated version says what the client can parse; an older header must not turn priming off.
  const version = session.version > session.record.protocolVersion ? session.version : session.record.protocolVersion;
  return new SessionCallResponse({
    storage: server.storage,
    control,
    options: server.options,
    sessionId: session.sessionId,
    requestId: request.id,
    version,
    canStream,
    headers,
    resolve,
    exchange,
    inFlight: state.inFlight,
    onFinish,
  });
}

/** Runs one request of a session through the feature layer; always settles with a JSON-RPC message. */
function run(state: SessionState, message: JsonRpcRequest, session: LoadedSession, wire: RequestWire, incoming: Incoming): Promise<string> {
  try {
    if (mayConcernTask(state.server, message.method, message.params ?? {}, session.record.protocolVersion)) return runOrTask(state, message, session, wire, incoming);
    return runCall(state, message, session, wire, incoming);
  } catch (error) {
    return Promise.reject(error); // settles like the async function this was
  }
}

async function runOrTask(state: SessionState, message: JsonRpcRequest, session: LoadedSession, wire: RequestWire, incoming: Incoming): Promise<string> {
  // 2025-11-25 tasks load on first use; a task runs the same call again here, on its own wire,
  // after this response: what it may read of the host is read now.
  const pinned: Incoming = { ...incoming, host: pinnedHost(incoming.host) };
  const answer = await (await import("./tasks.js")).onTaskRequest(state, message, session, wire, (taskWire) => run(state, message, session, taskWire, pinned));
  return answer ?? runCall(state, message, session, wire, incoming);
}

/** The call itself; not an async function, so a call answered at once costs no extra promise. */
function runCall(state: SessionState, message: JsonRpcRequest, session: LoadedSession, wire: RequestWire, incoming: Incoming): Promise<string> {
  const handler = methodHandlers.get(message.method);
  if (!handler) {
    const hint = message.method === "initialize" ? " (initialize starts a new session: send it without Mcp-Session-Id)" : "";
    return Promise.resolve(errorMessage(message.id, new McpError(ErrorCode.MethodNotFound, `Method not found: ${message.method}${hint}`)));
  }
  const { server } = state;
  const { sessionId, record, version } = session;
  const { host, exchange } = incoming;
  const params = message.params ?? {};
  const updateSession = (change: SessionChange) => changeSession(state, sessionId, change);
  const ctx = new Context({
    assigns: { ...host?.assigns },
    auth: host?.auth,
    components: () => componentStore(state, sessionId, record, updateSession),
    setSessionPaginationLimit: (limit) => updateSession({ paginationLimit: limit }),
    request: { id: message.id, method: message.method, params },
    session: { id: sessionId, clientInfo: record.clientInfo, clientCapabilities: record.clientCapabilities, protocolVersion: record.protocolVersion, era: "legacy" },
    initialized: record.initialized,
    paginationLimit: record.paginationLimit ?? server.options.paginationLimit,
    transport: () => host?.transport ?? httpTransport(exchange.url, exchange.headers(), host?.remoteIp),
    wire,
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
  return invoke(call, handler).then(
    (result) => {
      try {
        return resultMessage(message.id, result);
      } catch (error) {
        return failureMessage(message.id, error); // a circular or BigInt result
      }
    },
    (error) => failureMessage(message.id, error),
  );
}

function failureMessage(id: JsonRpcRequest["id"], error: unknown): string {
  try {
    return errorMessage(id, toMcpError(error));
  } catch {
    // An McpError whose data cannot be serialised.
    return errorMessage(id, new McpError(ErrorCode.InternalError, "Internal error"));
  }
}

async function onNotification(state: SessionState, message: JsonRpcMessage & { method: string }, session: LoadedSession) {
  const params = (message as { params?: Record<string, unknown> }).params ?? {};
  if (message.method === "notifications/initialized" && !session.record.initialized) {
    await changeSession(state, session.sessionId, { initialized: true });
  } else if (message.method === "notifications/cancelled" && (typeof params.requestId === "string" || typeof params.requestId === "number")) {
    await state.control.cancel(session.sessionId, params.requestId, typeof params.reason === "string" ? params.reason : undefined);
  }
  // Other notifications (roots/list_changed, progress) need no answer.
}

/** Requests of one batch running at once; the rest wait for a slot. */
export const BATCH_CONCURRENCY = 8;

async function batch(state: SessionState, items: unknown[], session: LoadedSession, incoming: Incoming): Promise<Outcome> {
  if (items.length === 0) throw new HttpError(400, ErrorCode.InvalidRequest, "Invalid request: an empty batch");
  if (items.length > MAX_BATCH_ITEMS) throw tooManyBatchItems(items.length);
  const inSlot = limiter(BATCH_CONCURRENCY);
  // Replies keep the items' order. Requests wait for a slot; notifications and replies to the
  // server's own requests never wait behind them (one may be what a running request waits for).
  const replies: Array<string | Promise<string>> = [];
  for (const item of items) {
    let message: JsonRpcMessage;
    try {
      message = toMessage(item);
    } catch (error) {
      replies.push(errorMessage(null, toMcpError(error)));
      continue;
    }
    if (isResponse(message)) await state.control.reply(session.sessionId, message as JsonRpcResponse);
    else if (isNotification(message)) await onNotification(state, message, session);
    else {
      const request = message as JsonRpcRequest;
      // Inside a batch a refusal can only be this item's error: the batch has one HTTP status.
      const matching = scopeCheckReady(state.server, request.method);
      if (matching) await matching;
      const refused = missingScopeError(state.server, request.method, request.params ?? {}, incoming.host);
      if (refused) {
        replies.push(errorMessage(request.id, refused));
        continue;
      }
      replies.push(inSlot(() => batchItem(state, request, session, incoming)));
    }
  }
  const answers = await Promise.all(replies);
  return answers.length ? jsonOutcome(200, incoming.responseHeaders, `[${answers.join(",")}]`) : accepted(incoming.responseHeaders);
}

function batchItem(state: SessionState, request: JsonRpcRequest, session: LoadedSession, incoming: Incoming): Promise<string> {
  return new Promise<string>((resolve) => {
    // Batch members answer inside the batch's JSON array, so they never stream.
    const response = new SessionCallResponse({
      storage: state.server.storage, control: state.control, options: state.server.options, sessionId: session.sessionId,
      requestId: request.id, version: session.version, canStream: false, headers: {},
      resolve: (outcome) => resolve(outcome.body as string), exchange: incoming.exchange, inFlight: state.inFlight,
      onFinish: state.busy.enter(session.sessionId),
    });
    void run(state, request, session, response, { ...incoming, canStream: false })
      .catch(() => errorMessage(request.id, new McpError(ErrorCode.InternalError, "Internal error")))
      .then((answer) => response.finish(answer));
  });
}

/** Runs tasks with at most `size` at once; the others wait, in order, for a free slot. */
function limiter(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let free = size;
  const waiting: Array<() => void> = [];
  return async (task) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}
