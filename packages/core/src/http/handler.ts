import { type HostContext, withAuthPrincipal } from "../context/host.js";
import { httpTransport } from "../context/transport.js";
import { ErrorCode, HttpError, McpError } from "../protocol/errors.js";
import { type JsonRpcRequest, errorMessage, parseBody, toMcpError, toMessage } from "../protocol/jsonrpc.js";
import type { Registry } from "../server/registry.js";
import { classifyPost } from "./classify.js";
import { type Exchange, type Incoming, type Outcome, accepted, fromRequest, jsonOutcome, toResponse } from "./exchange.js";
import { ALLOWED_METHODS, MODERN_ONLY_METHODS, acceptable, accepts, corsHeaders, guardOrigin, originAllowed, preflight } from "./guard.js";
import { runHooks } from "./hooks.js";
import { isMetadataPath, pathnameOf } from "./paths.js";
import { merged } from "../util/merged.js";
import { EventStream } from "./event-stream.js";

export interface HttpHandler {
  handle(request: Request, host?: HostContext): Promise<Response>;
  /** The same, without building a Request or Response (the Node adapter's fast path). */
  process(exchange: Exchange, host?: HostContext): Promise<Outcome>;
  close(graceMs?: number): Promise<void>;
}

/** What the 2025 era serves: sessions opened by `initialize`, their POSTs, GET streams and DELETE. */
export interface SessionHandlers {
  initialize(message: JsonRpcRequest, incoming: Incoming): Promise<Outcome>;
  post(body: unknown, incoming: Incoming): Promise<Outcome>;
  get(incoming: Incoming): Promise<Outcome>;
  delete(incoming: Incoming): Promise<Outcome>;
  /** The 2024-11-05 HTTP+SSE transport (`legacySse` only): a GET or POST of that transport, else undefined. */
  legacy?(incoming: Incoming, body?: unknown): Promise<Outcome | undefined>;
  /** Ends this instance's streams and timers; waits up to `graceMs` for calls in flight, then answers them with an error. */
  close(graceMs: number): Promise<void>;
  /** Set by the stand-in of a server without the 2025 era: the endpoint then answers POST (and preflights) only. */
  readonly modernOnly?: true;
}

/** What the 2026-07-28 era serves: one self-contained POST per request. */
export interface StatelessHandlers {
  post(body: unknown, incoming: Incoming): Promise<Outcome>;
  /** Ends listen streams; waits up to `graceMs` for calls in flight, then answers them with an error. */
  close(graceMs: number): Promise<void>;
}

/**
 * The era-neutral request path: guard (Origin, Host, CORS) → HTTP hooks → telemetry → route.
 * A POST is classified once (`classifyPost`) and handed to the era that owns it; GET and DELETE
 * exist only in the 2025 era. The eras are passed in, so this layer imports neither.
 */
export function createHttpHandler(server: Registry, eras: { sessions: SessionHandlers; stateless: StatelessHandlers }): HttpHandler {
  const { options } = server;
  const { sessions, stateless } = eras;
  const allowedMethods = sessions.modernOnly ? MODERN_ONLY_METHODS : ALLOWED_METHODS;
  /** Set by close(): new calls and streams are refused; replies and notifications for calls in flight still get through. */
  let closing = false;

  async function process(exchange: Exchange, hostIn?: HostContext): Promise<Outcome> {
    const origin = exchange.header("origin");
    const allowed = origin === null || !options.validateOrigin || originAllowed(origin, options.origins);
    const headers = allowed && origin !== null ? corsHeaders(origin) : {};
    let host = withAuthPrincipal(hostIn);
    try {
      // Protected-resource metadata is public and answered by an auth hook, preflight included.
      const metadata = exchange.url.includes("/.well-known/") && isMetadataPath(pathnameOf(exchange.url));
      if (!metadata) guardOrigin(options, origin, allowed, exchange, host);
      // A preflight carries no credentials: answer it before auth hooks could refuse it.
      if (exchange.method === "OPTIONS" && !metadata) return preflight(exchange, headers, allowedMethods);
      if (server.requestHooks.length > 0) {
        // Hooks may add assigns or auth: give them a host of their own to write to.
        host = { ...host, assigns: { ...host?.assigns } };
        const early = await runHooks(server.requestHooks, exchange, host);
        if (early) return { status: early.status, headers: merged(headers, early.headers), body: early.body };
        host = withAuthPrincipal(host); // a hook may still name the caller the deprecated way
      }
      if (metadata) {
        throw new HttpError(404, ErrorCode.BadRequest, "Not found: this server publishes no protected-resource metadata (it has no OAuth protection configured)");
      }
      if (server.telemetry.has("connect") || server.telemetry.has("disconnect")) return await observed(exchange, host, headers);
      return await route(exchange, host, headers);
    } catch (error) {
      return errorOutcome(error, headers, allowedMethods);
    }
  }

  /** The same exchange, bracketed by connect/disconnect telemetry (only when someone listens). */
  async function observed(exchange: Exchange, host: HostContext | undefined, headers: Record<string, string>): Promise<Outcome> {
    const started = Date.now();
    const sessionId = exchange.header("mcp-session-id") ?? undefined;
    const base = { server: server.info, sessionId, method: exchange.method };
    // A listener may call transport() after the response: the address is read while it is known.
    const remoteIp = host?.remoteIp;
    server.telemetry.emit("connect", { ...base, transport: () => httpTransport(exchange.url, exchange.headers(), remoteIp) });
    let outcome: Outcome;
    try {
      outcome = await route(exchange, host, headers);
    } catch (error) {
      outcome = errorOutcome(error, headers, allowedMethods);
    }
    const done = (streamed: boolean) =>
      server.telemetry.emit("disconnect", { ...base, sessionId: sessionId ?? outcome.headers["mcp-session-id"], status: outcome.status, durationMs: Date.now() - started, streamed });
    if (outcome.body instanceof EventStream) {
      outcome.body.onEnd(() => done(true));
      return outcome;
    }
    if (!(outcome.body instanceof ReadableStream)) {
      done(false);
      return outcome;
    }
    return { status: outcome.status, headers: outcome.headers, body: onStreamEnd(outcome.body, () => done(true)) };
  }

  /** Not async, no catch of its own: both callers await it inside a try that turns errors into answers. */
  function route(exchange: Exchange, host: HostContext | undefined, responseHeaders: Record<string, string>): Promise<Outcome> {
    switch (exchange.method) {
      case "POST":
        return post(exchange, host, responseHeaders);
      case "GET":
        return get(exchange, host, responseHeaders);
      case "DELETE":
        return sessions.delete({ exchange, host, responseHeaders, canStream: false });
      default:
        throw new HttpError(405, ErrorCode.BadRequest, `Method Not Allowed: ${exchange.method}; this endpoint answers ${allowedMethods}`);
    }
  }

  async function get(exchange: Exchange, host: HostContext | undefined, responseHeaders: Record<string, string>): Promise<Outcome> {
    // Without the 2025 era every GET is 405, whatever it accepts (protocol checklist §1).
    if (sessions.modernOnly) return sessions.get({ exchange, host, responseHeaders, canStream: false });
    if (closing) throw shuttingDown();
    if (!accepts(exchange.header("accept"), "text/event-stream")) {
      throw new HttpError(406, ErrorCode.BadRequest, "Not Acceptable: a GET stream needs Accept: text/event-stream");
    }
    const incoming: Incoming = { exchange, host, responseHeaders, canStream: true };
    return (sessions.legacy && (await sessions.legacy(incoming))) || (await sessions.get(incoming));
  }

  async function post(exchange: Exchange, host: HostContext | undefined, responseHeaders: Record<string, string>): Promise<Outcome> {
    const contentType = exchange.header("content-type");
    if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new HttpError(415, ErrorCode.BadRequest, "Unsupported Media Type: send the JSON-RPC message with Content-Type: application/json");
    }
    const { json: canJson, sse: canStream } = acceptable(exchange.header("accept"));
    if (!canJson && !canStream) {
      throw new HttpError(406, ErrorCode.BadRequest, "Not Acceptable: Accept must include application/json and text/event-stream");
    }
    const body = parseBody(await exchange.text(options.maxRequestSize));
    if (closing && startsWork(body)) throw shuttingDown();
    const incoming: Incoming = { exchange, host, responseHeaders, canStream };
    const legacy = sessions.legacy && (await sessions.legacy(incoming, body));
    if (legacy) return legacy;
    const route = classifyPost(body, exchange.header("mcp-protocol-version"));
    switch (route.to) {
      case "stateless":
        return stateless.post(body, incoming);
      case "initialize":
        return sessions.initialize(toMessage(body) as JsonRpcRequest, incoming);
      case "session":
        return sessions.post(body, incoming);
      case "accepted":
        return accepted(responseHeaders);
      case "refused":
        return jsonOutcome(route.status, responseHeaders, errorMessage(route.id, route.error));
    }
  }

  return {
    process,
    async handle(request, host) {
      return toResponse(await process(fromRequest(request), host));
    },
    async close(graceMs = 0) {
      closing = true;
      await Promise.all([stateless.close(graceMs), sessions.close(graceMs)]);
    },
  };
}

/** A request (or a batch holding one): something that would start a call, not a reply or a notification. */
function startsWork(body: unknown): boolean {
  const isRequest = (m: unknown) => typeof m === "object" && m !== null && "method" in m && "id" in m;
  return Array.isArray(body) ? body.some(isRequest) : isRequest(body);
}

/** 503 to work that arrives after close(): another instance (or this one, restarted) will answer it. */
export const shuttingDown = () =>
  new HttpError(503, ErrorCode.InternalError, "Server shutting down: send this request again (another instance will answer it)", undefined, { "retry-after": "1" });

/** Passes a stream through and calls `onEnd` once when it finishes or the consumer cancels it. */
function onStreamEnd(stream: ReadableStream<Uint8Array>, onEnd: () => void): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  let ended = false;
  const end = () => {
    if (!ended) {
      ended = true;
      onEnd();
    }
  };
  // A stream cut while nobody pulls (a client that stopped reading) ends here too.
  reader.closed.then(end, end);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        // The stream was cut (a client that did not read): that is its end too.
        end();
        return controller.error(error);
      }
      if (chunk.done) {
        controller.close();
        end();
      } else controller.enqueue(chunk.value);
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
}

function errorOutcome(error: unknown, headers: Record<string, string>, allowedMethods: string): Outcome {
  const status = error instanceof HttpError ? error.status : error instanceof McpError ? 400 : 500;
  const outcome = jsonOutcome(status, headers, errorMessage(null, toMcpError(error)));
  if (status === 405) outcome.headers.allow = allowedMethods;
  if (error instanceof HttpError) Object.assign(outcome.headers, error.headers);
  return outcome;
}
