import { ErrorCode, HttpError, McpError } from "../protocol/errors.js";
import { type JsonRpcRequest, errorMessage, parseBody, toMcpError, toMessage } from "../protocol/jsonrpc.js";
import { claimsModernEra } from "../protocol/versions.js";
import { LOOPBACK_HOSTS } from "../server/options.js";
import type { Server } from "../server/server.js";
import { SessionHub } from "../session/hub.js";
import { runHooks } from "./hooks.js";
import { httpTransport } from "../context/transport.js";
import { type Exchange, type Outcome, fromRequest, toResponse } from "./exchange.js";
import { BusySessions, type LegacyDeps, accepted, initialize, jsonOutcome, sessionDelete, sessionGet, sessionPost } from "./legacy.js";
import { modernPost } from "./modern.js";
import type { SseWriter } from "./sse.js";

/** What the embedding runtime knows about a request beyond the Request itself. */
export interface HostContext {
  /** Seeds `ctx.assigns` (Hono `c.var`, Workers `env`, Node `req`, …). */
  assigns?: Record<string, unknown>;
  remoteIp?: string;
  /** True when the listener is bound to a loopback address: Host is then checked against loopback names. */
  loopback?: boolean;
  /** The authenticated caller (e.g. a token's subject); binds 2026 `requestState` and tasks to it. Prefer `auth.principal`. */
  principal?: string;
  /** Transport facts when the request did not come over HTTP (the stdio adapter sets `{ type: "stdio", env, pid }`). */
  transport?: import("../context/transport.js").Transport;
  /** What the host's auth step established; handlers read it as `ctx.auth`. */
  auth?: import("../context/context.js").AuthInfo;
  /**
   * The id `initialize` gives the new session, when the host must know it in advance (e.g. a
   * Workers entry routing each session to its own Durable Object). Default: a fresh nanoid.
   */
  sessionId?: string;
}

export interface HttpHandler {
  handle(request: Request, host?: HostContext): Promise<Response>;
  /** The same, without building a Request or Response (the Node adapter's fast path). */
  process(exchange: Exchange, host?: HostContext): Promise<Outcome>;
  close(): Promise<void>;
}

const MODERN_META_KEY = "io.modelcontextprotocol/protocolVersion";
const ALLOW = "GET, POST, DELETE, OPTIONS";
const ALLOWED_HEADERS =
  "content-type, accept, authorization, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, last-event-id";

export function createHttpHandler(server: Server): HttpHandler {
  const hub = new SessionHub(server.storage);
  const openStreams = new Set<SseWriter>();
  const { options } = server;
  const renew = (sessionId: string) => void server.storage.sessions.get(sessionId, options.sessionTimeout).catch(() => {});
  const busy = new BusySessions(renew, Math.max(10, Math.floor(options.sessionTimeout / 3)));
  const deps: LegacyDeps = { server, hub, openStreams, standalone: new Set(), parked: new Map(), lingering: new Map(), shutdownHooks: new Set(), busy };

  async function process(exchange: Exchange, hostIn?: HostContext): Promise<Outcome> {
    const origin = exchange.header("origin");
    const allowed = origin === null || !options.validateOrigin || originAllowed(origin);
    const headers = allowed && origin !== null ? corsHeaders(origin) : {};
    let host = hostIn;
    try {
      guardOrigin(origin, allowed, exchange, host);
      // A preflight carries no credentials: answer it before auth hooks could refuse it.
      if (exchange.method === "OPTIONS") return preflight(exchange, headers);
      if (server.requestHooks.length > 0) {
        // Hooks may add assigns or auth: give them a host of their own to write to.
        host = { ...host, assigns: { ...host?.assigns } };
        const early = await runHooks(server.requestHooks, exchange, host);
        if (early) return { ...early, headers: { ...headers, ...early.headers } };
      }
      if (server.telemetry.has("connect") || server.telemetry.has("disconnect")) return await observed(exchange, host, headers);
      return await route(exchange, host, headers);
    } catch (error) {
      return errorOutcome(error, headers);
    }
  }

  /** The same exchange, bracketed by connect/disconnect telemetry (only when someone listens). */
  async function observed(exchange: Exchange, host: HostContext | undefined, headers: Record<string, string>): Promise<Outcome> {
    const started = Date.now();
    const sessionId = exchange.header("mcp-session-id") ?? undefined;
    const base = { server: server.info, sessionId, method: exchange.method };
    server.telemetry.emit("connect", { ...base, transport: () => httpTransport(exchange.url, exchange.headers(), host?.remoteIp) });
    let outcome: Outcome;
    try {
      outcome = await route(exchange, host, headers);
    } catch (error) {
      outcome = errorOutcome(error, headers);
    }
    const done = (streamed: boolean) =>
      server.telemetry.emit("disconnect", { ...base, sessionId: sessionId ?? outcome.headers["mcp-session-id"], status: outcome.status, durationMs: Date.now() - started, streamed });
    if (!(outcome.body instanceof ReadableStream)) {
      done(false);
      return outcome;
    }
    return { ...outcome, body: onStreamEnd(outcome.body, () => done(true)) };
  }

  async function route(exchange: Exchange, host: HostContext | undefined, headers: Record<string, string>): Promise<Outcome> {
    try {
      switch (exchange.method) {
        case "POST":
          return await post(exchange, host, headers);
        case "GET":
          if (!accepts(exchange.header("accept"), "text/event-stream")) {
            throw new HttpError(406, ErrorCode.BadRequest, "Not Acceptable: a GET stream needs Accept: text/event-stream");
          }
          return await sessionGet(deps, { exchange, host, headers, canStream: true });
        case "DELETE":
          return await sessionDelete(deps, { exchange, host, headers, canStream: false });
        default:
          throw new HttpError(405, ErrorCode.BadRequest, `Method Not Allowed: ${exchange.method}; use POST, GET or DELETE`);
      }
    } catch (error) {
      return errorOutcome(error, headers);
    }
  }

  async function post(exchange: Exchange, host: HostContext | undefined, headers: Record<string, string>): Promise<Outcome> {
    const contentType = exchange.header("content-type");
    if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
      throw new HttpError(415, ErrorCode.BadRequest, "Unsupported Media Type: send the JSON-RPC message with Content-Type: application/json");
    }
    const { json: canJson, sse: canStream } = acceptable(exchange.header("accept"));
    if (!canJson && !canStream) {
      throw new HttpError(406, ErrorCode.BadRequest, "Not Acceptable: Accept must include application/json and text/event-stream");
    }
    const body = parseBody(await exchange.text(options.maxRequestSize));
    const ask = { exchange, host, headers, canStream };
    // Era classification, in the order of the protocol checklist (§2).
    if (Array.isArray(body)) {
      if (body.some(hasModernClaim)) throw new HttpError(400, ErrorCode.InvalidRequest, "Invalid request: batches are not part of protocol 2026-07-28");
      return sessionPost(deps, body, ask);
    }
    if (hasModernClaim(body)) return modernPost(deps, body, ask);
    const message = body as { method?: unknown; id?: unknown };
    if (message && typeof message === "object" && message.method === "initialize" && "id" in message) {
      const headerVersion = exchange.header("mcp-protocol-version");
      if (headerVersion && claimsModernEra(headerVersion)) {
        throw new HttpError(400, ErrorCode.HeaderMismatch, `initialize is not part of protocol ${headerVersion}; send server/discover with _meta instead`);
      }
      return initialize(deps, toMessage(body) as JsonRpcRequest, ask);
    }
    const headerVersion = exchange.header("mcp-protocol-version");
    if (headerVersion && claimsModernEra(headerVersion) && message && typeof message === "object" && "method" in message) {
      if (!("id" in message)) return accepted(headers); // a stateless notification: nothing to do
      const error = new McpError(ErrorCode.InvalidParams, `Invalid params: protocol ${headerVersion} requires params._meta["${MODERN_META_KEY}"] and the client capabilities`);
      return jsonOutcome(400, headers, errorMessage(validId(message.id), error));
    }
    return sessionPost(deps, body, ask);
  }

  function guardOrigin(origin: string | null, allowed: boolean, exchange: Exchange, host: HostContext | undefined): void {
    if (!options.validateOrigin) return;
    if (!allowed) {
      throw new HttpError(403, ErrorCode.BadRequest, `Forbidden: origin ${origin} is not allowed`);
    }
    const hosts = options.allowedHosts ?? (host?.loopback ? LOOPBACK_HOSTS : "*");
    if (hosts === "*") return;
    // A web Request has no Host header (it is forbidden there): the URL carries it.
    const hostHeader = exchange.header("host") ?? urlHost(exchange.url);
    const hostname = hostHeader ? hostnameOf(hostHeader) : undefined;
    if (!hostname || !hosts.includes(hostname)) {
      throw new HttpError(403, ErrorCode.BadRequest, `Forbidden: host ${hostHeader ?? "(none)"} is not allowed`);
    }
  }

  function originAllowed(origin: string): boolean {
    const policy = options.origins;
    if (policy === "*") return true;
    if (typeof policy === "function") {
      try {
        return policy(origin) === true;
      } catch {
        return false;
      }
    }
    return policy.includes(origin);
  }

  /** Browsers may read the session id and, on 401/403, the RFC 9728 challenge. */
  function corsHeaders(origin: string): Record<string, string> {
    return { "access-control-allow-origin": origin, "access-control-expose-headers": "mcp-session-id, www-authenticate", vary: "origin" };
  }

  return {
    process,
    async handle(request, host) {
      return toResponse(await process(fromRequest(request), host));
    },
    async close() {
      for (const end of [...deps.shutdownHooks]) end();
      for (const stop of [...deps.parked.values()]) stop();
      hub.closeAll();
      for (const stream of [...openStreams]) stream.close();
    },
  };
}

const validId = (id: unknown) => (typeof id === "string" || (typeof id === "number" && Number.isInteger(id)) ? id : null);

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
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        end();
      } else controller.enqueue(value);
    },
    async cancel(reason) {
      end();
      await reader.cancel(reason);
    },
  });
}

function hasModernClaim(value: unknown): boolean {
  const params = (value as { params?: { _meta?: Record<string, unknown> } } | null)?.params;
  return typeof params === "object" && params !== null && typeof params._meta === "object" && params._meta !== null && MODERN_META_KEY in params._meta;
}

const acceptCache = new Map<string, { json: boolean; sse: boolean }>();
const ANYTHING = { json: true, sse: true };

/** What an Accept value allows; clients send the same few values, so answers are memoised. */
function acceptable(accept: string | null): { json: boolean; sse: boolean } {
  if (!accept) return ANYTHING;
  let known = acceptCache.get(accept);
  if (!known) {
    known = { json: accepts(accept, "application/json"), sse: accepts(accept, "text/event-stream") };
    if (acceptCache.size < 64) acceptCache.set(accept, known); // bounded: headers are client-chosen
  }
  return known;
}

/** `Accept` matching with wildcards; a missing header accepts anything (curl, simple clients). */
function accepts(accept: string | null, type: string): boolean {
  if (!accept) return true;
  const [major] = type.split("/");
  for (const part of accept.split(",")) {
    const range = part.split(";")[0].trim().toLowerCase();
    if (range === type || range === "*/*" || range === `${major}/*`) return true;
  }
  return false;
}

function preflight(exchange: Exchange, headers: Record<string, string>): Outcome {
  return {
    status: 204,
    headers: { ...headers, "access-control-allow-methods": ALLOW, "access-control-allow-headers": allowHeaders(exchange), "access-control-max-age": "86400" },
    body: null,
  };
}

function allowHeaders(exchange: Exchange): string {
  // Echo Mcp-Param-* names the browser asks for; they are tool-specific.
  const requested = exchange.header("access-control-request-headers") ?? "";
  const params = requested.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h.startsWith("mcp-param-"));
  return params.length ? `${ALLOWED_HEADERS}, ${params.join(", ")}` : ALLOWED_HEADERS;
}

function urlHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  const colon = hostHeader.indexOf(":");
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

function errorOutcome(error: unknown, headers: Record<string, string>): Outcome {
  const status = error instanceof HttpError ? error.status : error instanceof McpError ? 400 : 500;
  const outcome = jsonOutcome(status, headers, errorMessage(null, toMcpError(error)));
  if (status === 405) outcome.headers.allow = ALLOW;
  return outcome;
}
