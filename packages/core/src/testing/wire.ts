import type { HostContext, Server } from "../index.js";
import { McpClientError, McpTransportError } from "./errors.js";
import { mirroredHeaders } from "./headers.js";
import { sseEvents } from "./sse.js";

type Json = Record<string, unknown>;
type Id = string | number;

/** A message the server sent on a response stream before its answer. */
export interface StreamListener {
  /** A server→client request (2025 era): answer it before the stream goes on. */
  onRequest(message: { id: Id; method: string; params?: Json }): Promise<void>;
  onNotification(method: string, params: Json): void;
}

export interface WireOptions {
  url: string;
  host: HostContext | undefined;
  headers: Record<string, string>;
}

const ACCEPT = "application/json, text/event-stream";
/** A 2025 stream the server keeps closing for polling is resumed this many times at most. */
const MAX_RESUMES = 100;

/**
 * HTTP as a client speaks it, straight into `server.handle()`: which headers each era wants,
 * JSON or SSE answers, the 2025 session id and stream resumption.
 */
export class Wire {
  /** Set once the handshake has settled the era. */
  version: string = "";
  modern: boolean = true;
  sessionId: string | undefined;
  #nextId = 1;

  constructor(
    readonly server: Server<any>,
    readonly options: WireOptions,
  ) {}

  /** Sends one request and resolves with its JSON-RPC result (rejects with its error). */
  async call(method: string, params: Json, listener: StreamListener, signal?: AbortSignal): Promise<Json> {
    signal?.throwIfAborted();
    const id = this.#nextId++;
    // The Request's own signal is how handle() learns that its caller left (a JSON answer still pending).
    const leave = new AbortController();
    const onAbort = () => leave.abort(signal!.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const response = await untilAborted(this.#post({ jsonrpc: "2.0", id, method, params }, leave.signal), signal);
      if (!isStream(response)) return resultOf(await readMessage(response), response);
      return await this.#fromStream(id, response, listener, signal);
    } catch (error) {
      // A dropped 2025 connection is no cancellation (the server keeps the call for a resume): say it.
      if (signal?.aborted && !this.modern) await this.notify("notifications/cancelled", { requestId: id, reason: reasonText(signal.reason) }).catch(() => {});
      throw error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** 2025 `initialize`: the one request sent without a session. Resolves with its result and the session id. */
  async initialize(params: Json): Promise<{ result: Json; sessionId: string }> {
    const response = await this.#post({ jsonrpc: "2.0", id: 0, method: "initialize", params });
    const result = resultOf(await readMessage(response), response);
    const sessionId = response.headers.get("mcp-session-id");
    if (!sessionId) throw new McpTransportError("initialize answered without an Mcp-Session-Id header", response.status, undefined, response.headers);
    return { result, sessionId };
  }

  /** A 2025 notification; the server accepts it with 202. */
  async notify(method: string, params: Json): Promise<void> {
    await this.#accepted(await this.#post({ jsonrpc: "2.0", method, params }));
  }

  /** The answer to a server→client request (2025 era), POSTed into the session like a notification. */
  async reply(message: Json): Promise<void> {
    await this.#accepted(await this.#post(message));
  }

  /** DELETE: ends the 2025 session. */
  async end(): Promise<void> {
    const headers = { ...this.options.headers, ...this.#sessionHeaders() };
    const response = await this.server.handle(new Request(this.options.url, { method: "DELETE", headers }), this.#host());
    if (response.status >= 200 && response.status < 300) return void (await response.body?.cancel());
    resultOf(await readMessage(response), response);
  }

  #post(message: Json, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { "content-type": "application/json", accept: ACCEPT, ...this.options.headers };
    const method = typeof message.method === "string" ? message.method : undefined;
    if (this.modern && method !== undefined) {
      const params = (message.params ?? {}) as Json;
      headers["mcp-protocol-version"] = this.version;
      // The tool's published schema, as a client would have it from tools/list, without the round trip.
      const schema = method === "tools/call" && typeof params.name === "string" ? this.server.tools.get(params.name)?.descriptor.inputSchema : undefined;
      Object.assign(headers, mirroredHeaders(method, params, schema));
    } else if (!this.modern && this.sessionId !== undefined) {
      Object.assign(headers, this.#sessionHeaders());
    }
    const request = new Request(this.options.url, { method: "POST", headers, body: JSON.stringify(message), signal });
    return this.server.handle(request, this.#host());
  }

  #sessionHeaders(): Record<string, string> {
    return { "mcp-session-id": this.sessionId!, "mcp-protocol-version": this.version };
  }

  /** A fresh copy per request, as an adapter builds one per request. */
  #host(): HostContext | undefined {
    const host = this.options.host;
    return host && { ...host, assigns: host.assigns && { ...host.assigns } };
  }

  async #accepted(response: Response): Promise<void> {
    if (response.status === 202) return void (await response.body?.cancel());
    resultOf(await readMessage(response), response);
    throw new McpTransportError(`expected 202 Accepted, got ${response.status}`, response.status, undefined, response.headers);
  }

  /** Reads a response stream up to the answer to `id`, handing everything before it to `listener`; resumes a 2025 stream the server closed early. */
  async #fromStream(id: Id, response: Response, listener: StreamListener, signal?: AbortSignal): Promise<Json> {
    let body: ReadableStream<Uint8Array> = response.body!;
    let lastEventId: string | undefined;
    for (let resumes = 0; ; resumes++) {
      for await (const event of sseEvents(body, signal)) {
        if (event.id !== undefined) lastEventId = event.id;
        if (event.data === "") continue;
        const message = parseJson(event.data, response) as Json;
        if (typeof message.method === "string") {
          if ("id" in message) await listener.onRequest(message as { id: Id; method: string; params?: Json });
          else listener.onNotification(message.method, (message.params ?? {}) as Json);
        } else if (message.id === id) {
          return resultOf(message, response);
        }
      }
      if (this.modern || lastEventId === undefined || resumes >= MAX_RESUMES) {
        throw new McpTransportError(`the response stream ended before the answer to request ${id}`, response.status, undefined, response.headers);
      }
      body = await this.#resume(lastEventId, signal);
    }
  }

  /** GET with `Last-Event-ID`: what the stream missed, then the rest of it. */
  async #resume(lastEventId: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const headers = { ...this.options.headers, ...this.#sessionHeaders(), accept: "text/event-stream", "last-event-id": lastEventId };
    const response = await untilAborted(this.server.handle(new Request(this.options.url, { method: "GET", headers, signal }), this.#host()), signal);
    if (response.status === 200 && isStream(response)) return response.body!;
    resultOf(await readMessage(response), response);
    throw new McpTransportError(`resuming the stream answered ${response.status}`, response.status, undefined, response.headers);
  }
}

const isStream = (response: Response) => (response.headers.get("content-type") ?? "").startsWith("text/event-stream") && response.body !== null;

async function readMessage(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === "") throw new McpTransportError(`HTTP ${response.status} with an empty body`, response.status, text, response.headers);
  return parseJson(text, response, text);
}

function parseJson(text: string, response: Response, body?: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new McpTransportError(`HTTP ${response.status} with a body that is not JSON`, response.status, body ?? text, response.headers);
  }
}

/** The result of a JSON-RPC response, or its error thrown as an McpClientError. */
function resultOf(message: unknown, response: Response): Json {
  const reply = message as { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } } | null;
  if (reply?.error && typeof reply.error.code === "number") {
    throw new McpClientError(reply.error.code, String(reply.error.message ?? ""), reply.error.data, response.status, response.headers);
  }
  if (reply && typeof reply.result === "object" && reply.result !== null) return reply.result as Json;
  throw new McpTransportError(`HTTP ${response.status} without a JSON-RPC result or error`, response.status, JSON.stringify(message), response.headers);
}

/** The response, or the signal's reason once aborted; a response that comes after that is cancelled unread, so its call ends. */
function untilAborted(pending: Promise<Response>, signal?: AbortSignal): Promise<Response> {
  if (!signal) return pending;
  return new Promise<Response>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      pending.then((late) => late.body?.cancel(), () => {}).catch(() => {});
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(resolve, reject).then(() => signal.removeEventListener("abort", onAbort));
  });
}

const reasonText = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));
