import type { Icon } from "../protocol/content.js";
import type { Storage } from "../storage/types.js";
import type { OpenTelemetryOptions } from "../telemetry/tracing.js";

/** Which browser origins may call the endpoint: a list, every origin, or a predicate. */
export type OriginPolicy = string[] | "*" | ((origin: string) => boolean);

export interface ServerOptions {
  name: string;
  version: string;
  title?: string;
  description?: string;
  websiteUrl?: string;
  icons?: Icon[];
  /** Shown to the model by clients that support it. */
  instructions?: string;
  /** Session and stream state. Default: `memoryStorage()`. */
  storage?: Storage;
  /** Allowed `Origin`s. Default: loopback origins (http(s)://localhost, 127.0.0.1, [::1], any port). */
  origins?: OriginPolicy;
  /** Reject requests whose `Origin` is not allowed (403). Default true. */
  validateOrigin?: boolean;
  /**
   * Allowed `Host` names (DNS-rebinding defence). Default: loopback names only when the
   * adapter reports a loopback bind address, otherwise any host.
   */
  allowedHosts?: string[] | "*";
  /** Idle time after which a 2025-era session ends (ms). Default 30 000. */
  sessionTimeout?: number;
  /** Largest accepted request body (bytes); larger bodies get 413 unread. Default 1 048 576. */
  maxRequestSize?: number;
  /** Page size for list results; undefined means everything in one page. */
  paginationLimit?: number;
  /** How long a server→client request (elicitation, sampling, roots) may wait (ms). Default 300 000. */
  clientRequestTimeout?: number;
  /**
   * How long a call may go without answering or showing life (progress, a log) before the
   * client is answered -32001 "Request timed out" and the handler's `ctx.signal` aborts (ms).
   * Time spent waiting on the client (elicitation, sampling, roots) does not count; tasks are not
   * bound by it. 0 turns it off. Default 300 000.
   */
  callTimeout?: number;
  /**
   * Secret (≥ 32 bytes) that signs 2026-era `requestState`. Set it, the same on every instance,
   * when several instances serve one endpoint; without it each process makes a random key and
   * warns once, at its first input round over HTTP (never over stdio, where one process serves).
   */
  requestStateSecret?: string | Uint8Array;
  /** How long a `requestState` stays valid (ms). Default 600 000. */
  requestStateTtl?: number;
  /** 2026 tasks extension: how long task records live and the suggested polling interval (ms). Defaults 300 000 / 500. */
  tasks?: { ttlMs?: number; pollIntervalMs?: number };
  /** Caching hints on 2026-era results (discover, lists, resources/read). Default `{ ttlMs: 0, scope: "private" }`. */
  cache?: CacheHint;
  /** OpenTelemetry: pass the `@opentelemetry/api` module to get one span per MCP request. */
  opentelemetry?: OpenTelemetryOptions;
  /**
   * Also serve the 2024-11-05 HTTP+SSE transport on the same endpoint (a GET without session or
   * version headers opens a stream announcing `?sessionId=`; POSTs there answer on that stream),
   * for clients that speak only that. Off by default: such a GET opens a long-lived stream and a
   * session before any request names its caller's intent, which only servers that want old
   * clients should accept. Default false.
   */
  legacySse?: boolean;
  sse?: {
    /** Interval of `:` keep-alive comments on idle streams (ms). Default 15 000. */
    keepAlive?: number;
    /** `retry:` sent to 2025-11-25 clients with the priming event (ms). Default 1 000. */
    retry?: number;
    /**
     * Server-initiated polling: close standalone GET streams after this long (ms); the client
     * reconnects with `Last-Event-ID` and nothing is lost. Default: keep them open.
     */
    pollAfter?: number;
    /**
     * Bytes an SSE response may hold for a client that is not reading (ms of a slow link are
     * fine; a client that never reads is not). Past it the stream is cut: a 2025 client resumes
     * with `Last-Event-ID` from what was stored, a 2026 call is cancelled. Default 1 MiB.
     */
    maxBuffered?: number;
  };
}

export interface CacheHint {
  ttlMs?: number;
  scope?: "public" | "private";
}

/**
 * The options as the server uses them: the same names and nesting as `ServerOptions`, with every
 * default filled in and every value checked, so code reads `options.sse.keepAlive` wherever it runs.
 */
export interface ResolvedOptions {
  origins: OriginPolicy;
  validateOrigin: boolean;
  allowedHosts: string[] | "*" | undefined;
  sessionTimeout: number;
  maxRequestSize: number;
  paginationLimit: number | undefined;
  clientRequestTimeout: number;
  callTimeout: number;
  requestStateSecret: string | Uint8Array | undefined;
  requestStateTtl: number;
  tasks: { ttlMs: number; pollIntervalMs: number };
  cache: { ttlMs: number; scope: "public" | "private" };
  sse: { keepAlive: number; retry: number; pollAfter: number | undefined; maxBuffered: number };
  legacySse: boolean;
}

export function resolveOptions(options: ServerOptions): ResolvedOptions {
  const positive = (value: number | undefined, name: string, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isFinite(value) || value <= 0) throw new TypeError(`createServer: ${name} must be a positive number, got ${value}`);
    return value;
  };
  if (!options?.name || !options.version) throw new TypeError("createServer: `name` and `version` are required");
  const sessionTimeout = positive(options.sessionTimeout, "sessionTimeout", 30_000);
  const maxRequestSize = positive(options.maxRequestSize, "maxRequestSize", 1_048_576);
  const paginationLimit = options.paginationLimit === undefined ? undefined : positive(options.paginationLimit, "paginationLimit", 0);
  const clientRequestTimeout = positive(options.clientRequestTimeout, "clientRequestTimeout", 300_000);
  // Checked in the order they were always checked, so the first bad option is the one reported.
  const sse = {
    keepAlive: positive(options.sse?.keepAlive, "sse.keepAlive", 15_000),
    retry: positive(options.sse?.retry, "sse.retry", 1_000),
    pollAfter: options.sse?.pollAfter === undefined ? undefined : positive(options.sse.pollAfter, "sse.pollAfter", 0),
    maxBuffered: positive(options.sse?.maxBuffered, "sse.maxBuffered", 1_048_576),
  };
  return {
    origins: options.origins ?? loopbackOrigin,
    validateOrigin: options.validateOrigin ?? true,
    allowedHosts: options.allowedHosts,
    sessionTimeout,
    maxRequestSize,
    paginationLimit,
    clientRequestTimeout,
    callTimeout: options.callTimeout === 0 ? 0 : positive(options.callTimeout, "callTimeout", 300_000),
    requestStateSecret: requestStateSecret(options.requestStateSecret),
    requestStateTtl: positive(options.requestStateTtl, "requestStateTtl", 600_000),
    tasks: {
      ttlMs: Math.round(positive(options.tasks?.ttlMs, "tasks.ttlMs", 300_000)),
      pollIntervalMs: Math.round(positive(options.tasks?.pollIntervalMs, "tasks.pollIntervalMs", 500)),
    },
    cache: resolveCache(options.cache, { ttlMs: 0, scope: "private" }, "cache"),
    sse,
    legacySse: options.legacySse === true,
  };
}

/**
 * Checked here, not when the first input round signs a state: that is a request, long after the
 * mistake, and the client would only see an internal error.
 */
function requestStateSecret(secret: unknown): string | Uint8Array | undefined {
  if (secret === undefined) return undefined;
  // Bytes are copied now: a buffer the caller reuses or zeroes later must not change the key.
  // Views and ArrayBuffers from another realm (vm, iframes) count too, so no instanceof.
  const bytes =
    typeof secret === "string"
      ? secret
      : ArrayBuffer.isView(secret)
        ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength).slice()
        : Object.prototype.toString.call(secret) === "[object ArrayBuffer]"
          ? new Uint8Array(secret as ArrayBuffer).slice()
          : undefined;
  if (bytes === undefined) throw new TypeError(`createServer: requestStateSecret must be a string or bytes (a Uint8Array), got ${secret === null ? "null" : typeof secret}`);
  const length = typeof bytes === "string" ? new TextEncoder().encode(bytes).length : bytes.length;
  if (length < 32) throw new TypeError(`createServer: requestStateSecret must be at least 32 bytes, got ${length}`);
  return bytes;
}

/** Validates a caching hint; ttlMs must be a non-negative integer. */
export function resolveCache(hint: CacheHint | undefined, fallback: { ttlMs: number; scope: "public" | "private" }, what: string) {
  const ttlMs = hint?.ttlMs ?? fallback.ttlMs;
  const scope = hint?.scope ?? fallback.scope;
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new TypeError(`${what}.ttlMs must be a non-negative integer, got ${ttlMs}`);
  if (scope !== "public" && scope !== "private") throw new TypeError(`${what}.scope must be "public" or "private", got ${String(scope)}`);
  return { ttlMs, scope };
}

export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]", "::1"];

function loopbackOrigin(origin: string): boolean {
  try {
    const { protocol, hostname } = new URL(origin);
    return (protocol === "http:" || protocol === "https:") && LOOPBACK_HOSTS.includes(hostname);
  } catch {
    return false;
  }
}
