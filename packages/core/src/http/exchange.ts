import type { HostContext } from "../context/host.js";
import { ErrorCode, HttpError } from "../protocol/errors.js";
import { type RequestId, errorMessage } from "../protocol/jsonrpc.js";
import { merged, withField } from "../util/merged.js";
import { EventStream } from "./event-stream.js";

/**
 * What the core reads from an HTTP request. A web `Request` is one source; the Node
 * adapter builds one straight from `IncomingMessage` to skip constructing a Request.
 */
export interface Exchange {
  readonly method: string;
  /** Absolute URL. */
  readonly url: string;
  /** Header value by lower-case name, or null. */
  header(name: string): string | null;
  headers(): Iterable<[string, string]>;
  /** The body as text; rejects with 413 past `limit` bytes without reading further. */
  text(limit: number): Promise<string>;
  /**
   * Aborts when the client goes away before its response is complete. A handler whose answer
   * could no longer be delivered is cancelled through it (a JSON response, or any 2026 one).
   * Optional: a host that cannot tell leaves it out.
   */
  readonly signal?: AbortSignal;
}

/**
 * What the core answers: a complete body, or an SSE stream. The core's own streams are
 * `EventStream`s (pipe them, or call `toReadableStream()`); a hook may answer with any
 * ReadableStream.
 */
export interface Outcome {
  status: number;
  headers: Record<string, string>;
  body: string | EventStream | ReadableStream<Uint8Array> | null;
}

/**
 * One request as the era legs receive it: what was read, what the host said, the response
 * headers decided so far (CORS), and whether the client accepts an event stream.
 */
export interface Incoming {
  exchange: Exchange;
  host: HostContext | undefined;
  /** Headers every response to this request carries (CORS). */
  responseHeaders: Record<string, string>;
  /** False when the client's Accept rules out text/event-stream. */
  canStream: boolean;
}

/**
 * Calls `onGone` once when the client of `exchange` goes away (at once, if it already has), and
 * returns how to stop watching: one request's signal may serve many calls (a batch), so each
 * call stops when it is answered. Call it only when needed: on Node, making a Request's signal
 * and listening to it costs more than many a whole call.
 */
export function watchClientGone(exchange: { readonly signal?: AbortSignal } | undefined, onGone: () => void): () => void {
  const signal = exchange?.signal;
  if (!signal) return () => {};
  if (signal.aborted) {
    onGone();
    return () => {};
  }
  signal.addEventListener("abort", onGone, { once: true });
  return () => signal.removeEventListener("abort", onGone);
}

export const jsonOutcome = (status: number, headers: Record<string, string>, body: string): Outcome => ({
  status,
  headers: withField(headers, "content-type", "application/json"),
  body,
});

export const accepted = (headers: Record<string, string>): Outcome => ({ status: 202, headers, body: null });

/** A request refused with an error that fixes its own HTTP status and headers (403 step-up, …). */
export const refusedOutcome = (id: RequestId | null, error: HttpError, headers: Record<string, string>): Outcome =>
  jsonOutcome(error.status, merged(headers, error.headers), errorMessage(id, error));

export const tooLarge = (limit: number) =>
  new HttpError(413, ErrorCode.InvalidRequest, `Payload too large: the request body exceeds the ${limit}-byte limit`);

const decoder = new TextDecoder();

/** Reads a web stream up to `limit` bytes; cancels the stream as soon as the limit is passed. */
export async function readLimited(body: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(all);
}

export function fromRequest(request: Request): Exchange {
  return new RequestExchange(request);
}

/**
 * A class, not an object literal: `signal` must be a getter (making the signal costs more than a
 * whole call on undici's Request, and most requests never need it), and a getter on a literal
 * would be made again for every request and slow every property read after it.
 */
class RequestExchange implements Exchange {
  readonly method: string;
  readonly url: string;
  readonly #request: Request;
  /** Read once: on Bun each `request.headers` read costs as much as the header lookup itself. */
  readonly #headers: Headers;

  constructor(request: Request) {
    this.#request = request;
    this.method = request.method;
    this.url = request.url;
    this.#headers = request.headers;
  }

  get signal(): AbortSignal {
    return this.#request.signal;
  }

  header(name: string): string | null {
    return this.#headers.get(name);
  }

  headers(): Iterable<[string, string]> {
    return this.#headers.entries();
  }

  text(limit: number): Promise<string> {
    const request = this.#request;
    const length = this.#headers.get("content-length");
    const declared = length === null ? NaN : Number(length);
    if (declared > limit) return Promise.reject(tooLarge(limit));
    // A declared length within the limit bounds the body (the runtime enforces the framing),
    // so the runtime's native text() is safe, and much faster than counting chunks in JS.
    if (Number.isInteger(declared) && declared >= 0) return request.text();
    return readLimited(request.body, limit);
  }
}

export function toResponse(outcome: Outcome): Response {
  const { body } = outcome;
  return new Response(body instanceof EventStream ? body.toReadableStream() : body, { status: outcome.status, headers: outcome.headers });
}
