import type { ServerOptions as HttpServerOptions, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { ErrorCode, HttpError } from "@wisp/core";

/** What a public server must bound; see the README for why each default is what it is. */
export interface Limits {
  /** The request's header block must arrive within this many ms of its first byte (slowloris). Default 10 000; 0 turns it off. At most `requestTimeout`. */
  headersTimeout?: number;
  /**
   * The whole request, headers and body, must arrive within this many ms of its first byte, or it
   * gets `408` with a JSON-RPC error and its connection is closed. Default 30 000; 0 turns it off.
   * Only receiving counts: a response (an SSE stream) may last as long as it likes.
   */
  requestTimeout?: number;
  /** Largest request header block in bytes; past it the request gets `431`. Default 16 384 (Node's own). */
  maxHeaderSize?: number;
  /** An idle keep-alive connection is closed after this many ms. Default 5 000 (Node's own). */
  keepAliveTimeout?: number;
  /** Connections past this many are closed as soon as they are accepted. Default: no cap. */
  maxConnections?: number;
}

/** The limits with defaults applied, in the units node:http wants. */
export interface Resolved {
  headersTimeout: number;
  requestTimeout: number;
  maxHeaderSize: number;
  keepAliveTimeout: number;
  maxConnections: number;
}

/**
 * Applies the defaults and checks the values.
 * @example
 * resolveLimits({ requestTimeout: 5_000 }); // headersTimeout becomes 5 000 too: it cannot exceed the whole request's
 */
export function resolveLimits(limits: Limits): Resolved {
  const requestTimeout = ms(limits.requestTimeout, "requestTimeout", 30_000);
  const headersTimeout = ms(limits.headersTimeout, "headersTimeout", 10_000);
  return {
    requestTimeout,
    // node:http refuses headersTimeout > requestTimeout; the headers are part of the request anyway.
    headersTimeout: requestTimeout > 0 && (headersTimeout === 0 || headersTimeout > requestTimeout) ? requestTimeout : headersTimeout,
    maxHeaderSize: count(limits.maxHeaderSize, "maxHeaderSize", 16_384),
    keepAliveTimeout: ms(limits.keepAliveTimeout, "keepAliveTimeout", 5_000),
    maxConnections: limits.maxConnections === undefined ? Infinity : count(limits.maxConnections, "maxConnections", Infinity),
  };
}

/**
 * The node:http server options for `limits` (`keepAliveTimeout` and `maxConnections` are set as
 * properties of the server: Node 20 reads them from there). Node checks its timeouts on an
 * interval (30 s by default), so a 10 s timeout could fire after 40 s; checking every quarter of
 * the smallest timeout keeps every cut within 25 % of its value, for a walk over the connections
 * still receiving a request.
 * @example
 * createHttpServer(httpServerOptions(resolveLimits({})), listener);
 */
export function httpServerOptions(limits: Resolved): HttpServerOptions {
  const timeouts = [limits.headersTimeout, limits.requestTimeout].filter((t) => t > 0);
  const interval = timeouts.length === 0 ? 30_000 : Math.min(5_000, Math.max(25, Math.floor(Math.min(...timeouts) / 4)));
  return {
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    maxHeaderSize: limits.maxHeaderSize,
    connectionsCheckingInterval: interval,
  };
}

/**
 * A node:http `clientError` listener: what Node answers by default (408 on a timeout, 431 on an
 * oversize header block, 400 on bytes that are not HTTP), with a JSON-RPC error body so MCP
 * clients can show why, then the connection is closed. `current(socket)` is the connection's
 * latest response: while it is being written, or once it answered the request still being
 * received, another answer would corrupt the connection, so it is only closed.
 * @example
 * node.on("clientError", clientErrorListener(limits, (socket) => responses.get(socket)));
 */
export function clientErrorListener(limits: Resolved, current: (socket: Duplex) => ServerResponse | undefined) {
  return (error: NodeJS.ErrnoException, socket: Duplex): void => {
    const res = current(socket);
    // The late request got as far as the handler (its headers were complete) and is still arriving.
    const receiving = res !== undefined && !res.req.complete;
    const answered = res !== undefined && res.headersSent && (receiving || !res.writableFinished);
    if (error.code !== "ECONNRESET" && socket.writable && !answered) socket.write(rawResponse(refusal(error, limits, receiving)));
    // Node's own answer does the same: write, then close at once (the request is never read on).
    socket.destroy();
  };
}

/** The JSON-RPC error for a request node:http refused before Wisp saw it. */
function refusal(error: NodeJS.ErrnoException, limits: Resolved, headersDone: boolean): HttpError {
  switch (error.code) {
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return headersDone
        ? new HttpError(408, ErrorCode.BadRequest, `Request Timeout: the request body must arrive within ${limits.requestTimeout} ms`)
        : new HttpError(408, ErrorCode.BadRequest, `Request Timeout: the request headers must arrive within ${limits.headersTimeout} ms`);
    case "HPE_HEADER_OVERFLOW":
      return new HttpError(431, ErrorCode.InvalidRequest, `Request Header Fields Too Large: the header block exceeds ${limits.maxHeaderSize} bytes`);
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return new HttpError(413, ErrorCode.InvalidRequest, "Payload too large: chunk extensions too large");
    default:
      return new HttpError(400, ErrorCode.BadRequest, "Bad Request: malformed HTTP request");
  }
}

const REASONS: Record<number, string> = { 400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large", 431: "Request Header Fields Too Large" };

function rawResponse(error: HttpError): string {
  const body = JSON.stringify({ jsonrpc: "2.0", id: null, error: error.toJSON() });
  return (
    `HTTP/1.1 ${error.status} ${REASONS[error.status]}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

function ms(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a whole number of milliseconds ≥ 0 (0 turns it off), got ${value}`);
  return value;
}

function count(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0) && value !== Infinity) throw new TypeError(`${name} must be a whole number > 0, got ${value}`);
  return value;
}
