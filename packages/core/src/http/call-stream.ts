import { nanoid } from "nanoid";
import type { RequestWire } from "../context/wire.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { type RequestId, notificationMessage, requestMessage } from "../protocol/jsonrpc.js";
import { type SessionHub, streamChannel } from "../session/hub.js";
import type { Storage } from "../storage/types.js";
import type { Outcome } from "./exchange.js";
import { SSE_HEADERS, SseWriter } from "./sse.js";

export interface CallStreamInit {
  storage: Storage;
  hub: SessionHub;
  sessionId: string;
  requestId: RequestId;
  /** Wire revision for this call: priming events start at 2025-11-25. */
  version: string;
  /** False when the client's Accept rules out text/event-stream. */
  canStream: boolean;
  headers: Record<string, string>;
  keepAlive: number;
  retry: number;
  clientRequestTimeout: number;
  sessionTtl: number;
  resolve: (outcome: Outcome) => void;
}

// Drawn on first use: Workers refuse random values at module scope.
let instancePrefix: string | undefined;
let outgoingId = 0;
/** Server→client request ids: unique across instances thanks to the random prefix. */
export const nextOutgoingId = () => `wisp-${(instancePrefix ??= nanoid(6))}-${++outgoingId}`;

/** Event ids are `<streamId>_<seq>`: unique within the session and naming their stream. */
export const eventId = (streamId: string, seq: number) => `${streamId}_${seq}`;
export function parseEventId(id: string): { streamId: string; seq: number } | undefined {
  const at = id.lastIndexOf("_");
  const seq = Number(id.slice(at + 1));
  return at > 0 && Number.isInteger(seq) && seq >= 0 ? { streamId: id.slice(0, at), seq } : undefined;
}

/**
 * The response of one 2025-era request. It stays a plain JSON response unless the
 * handler talks before returning (progress, logs, server→client requests); then it
 * becomes an SSE stream whose events are also stored, so a client that lost the
 * connection can resume with `Last-Event-ID` on any instance.
 */
export class CallStream implements RequestWire {
  readonly #init: CallStreamInit;
  /** Minted when the response turns into a stream; plain JSON answers never need one. */
  #streamIdValue: string | undefined;
  get #streamId(): string {
    return (this.#streamIdValue ??= `p${nanoid(10)}`);
  }
  #seq = 0;
  #writer: SseWriter | undefined;
  #detached = false;
  #finished = false;
  #controller: AbortController | undefined;
  #untrack: Promise<() => void> | undefined;
  /** Keeps appends (and detached publishes) in order. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(init: CallStreamInit) {
    this.#init = init;
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      this.#untrack = this.#init.hub.track(this.#init.sessionId, this.#init.requestId, this.#controller);
    }
    return this.#controller.signal;
  }

  notify(method: string, params: Record<string, unknown>): void {
    if (this.#finished || !this.#init.canStream) return; // a JSON-only client cannot receive notifications
    this.#emit(notificationMessage(method, params), false);
  }

  async ask(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    if (!this.#init.canStream) {
      throw new McpError(ErrorCode.InvalidRequest, `Cannot send ${method}: the request's Accept header does not allow text/event-stream`);
    }
    const { hub, sessionId, clientRequestTimeout } = this.#init;
    const id = nextOutgoingId();
    const { reply, dispose } = await hub.awaitReply(sessionId, id);
    try {
      this.#emit(requestMessage(id, method, params), false);
      const response = await raceWithAbortAndTimeout(reply, signal, clientRequestTimeout, (reason) => {
        this.#emit(notificationMessage("notifications/cancelled", { requestId: id, reason }), false);
      }, method);
      if ("error" in response) throw new McpError(response.error.code, response.error.message, response.error.data);
      return response.result;
    } finally {
      dispose();
    }
  }

  closeStream(): void {
    // Without event ids (before 2025-11-25) a closed stream could never be resumed: keep it open.
    if (this.#finished || !this.#init.canStream || this.#init.version < "2025-11-25") return;
    if (!this.#writer) this.#start();
    this.#writer?.close();
  }

  /** Sends the final response: as JSON when nothing was streamed, else as the stream's last event. */
  finish(response: string): void {
    if (this.#finished) return;
    if (!this.#writer) {
      this.#finished = true;
      this.#init.resolve({ status: 200, headers: { ...this.#init.headers, "content-type": "application/json" }, body: response });
    } else {
      this.#emit(response, true);
      this.#finished = true;
      this.#writer.close();
      const { storage, sessionId } = this.#init;
      // Delivered on a live connection: nobody will resume it, so drop its events.
      if (!this.#detached) this.#tail = this.#tail.then(() => storage.events.deleteStream(sessionId, this.#streamId)).catch(() => {});
    }
    this.#controller = undefined;
    void this.#untrack?.then((release) => release());
  }

  #start(): void {
    const { headers, keepAlive, retry, version, storage, sessionId, sessionTtl } = this.#init;
    this.#writer = new SseWriter({
      keepAlive,
      onKeepAlive: () => void storage.sessions.get(sessionId, sessionTtl).catch(() => {}),
      // The 2025 spec: a dropped connection is not a cancellation; keep working, keep events for resumption.
      onClose: () => {
        this.#detached = !this.#finished || this.#detached;
      },
    });
    this.#init.resolve({ status: 200, headers: { ...headers, ...SSE_HEADERS }, body: this.#writer.stream });
    if (version >= "2025-11-25") {
      // Priming event (SEP-1699): an id with empty data, so the client can resume even before the first message.
      const id = eventId(this.#streamId, 0);
      this.#writer.event("", id, retry);
      this.#store(id, "", false);
    }
  }

  #emit(data: string, final: boolean): void {
    if (!this.#writer) this.#start();
    const id = eventId(this.#streamId, ++this.#seq);
    const delivered = this.#writer!.event(data, id);
    if (!delivered) this.#detached = true;
    this.#store(id, data, final);
  }

  #store(id: string, data: string, final: boolean): void {
    const { storage, sessionId, sessionTtl } = this.#init;
    const event = final ? { id, data, final } : { id, data };
    const detached = this.#detached;
    this.#tail = this.#tail
      .then(() => storage.events.append(sessionId, this.#streamId, event, sessionTtl))
      .then(() => (detached ? storage.bus.publish(streamChannel(sessionId, this.#streamId), event) : undefined))
      .catch(() => {});
  }
}

function raceWithAbortAndTimeout<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
  onGiveUp: (reason: string) => void,
  method: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const giveUp = (error: McpError) => {
      cleanup();
      onGiveUp(error.message);
      reject(error);
    };
    const onAbort = () => giveUp(new McpError(ErrorCode.RequestTimeout, `${method} was abandoned: ${String(signal.reason ?? "request cancelled")}`));
    const timer = setTimeout(() => giveUp(new McpError(ErrorCode.RequestTimeout, `The client did not answer ${method} within ${timeoutMs} ms`)), timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error) => {
        cleanup();
        reject(error);
      },
    );
  });
}
