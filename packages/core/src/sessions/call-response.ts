import type { RequestWire } from "../context/wire.js";
import { streamChannel } from "../protocol/channels.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import type { Abandonable, InFlightCalls } from "../server/in-flight.js";
import { type RequestId, errorMessage, notificationMessage, requestMessage } from "../protocol/jsonrpc.js";
import { hasPrimingEvents } from "../protocol/versions.js";
import type { ResolvedOptions } from "../server/options.js";
import type { Storage, StoredEvent } from "../storage/types.js";
import { type Outcome, watchClientGone } from "../http/exchange.js";
import { SSE_HEADERS, SseWriter } from "../http/sse.js";
import type { SessionControl } from "./control.js";
import { eventId, newPostStreamId, nextOutgoingId } from "./event-ids.js";
import { merged, withField } from "../util/merged.js";

export interface SessionCallResponseInit {
  storage: Storage;
  control: SessionControl;
  options: ResolvedOptions;
  sessionId: string;
  requestId: RequestId;
  /** Wire revision for this call: it decides whether streams start with a priming event. */
  version: string;
  /** False when the client's Accept rules out text/event-stream. */
  canStream: boolean;
  headers: Record<string, string>;
  resolve: (outcome: Outcome) => void;
  /**
   * The exchange: its `signal` aborts when the client goes away (where the host can tell). Read
   * only when a handler looks at its own signal: making it costs more than a whole call on some
   * runtimes (undici's Request on Node).
   */
  exchange?: { readonly signal?: AbortSignal };
  /** Counts this call in until it is answered (callTimeout, shutdown). */
  inFlight: InFlightCalls;
  /** Runs once when the call is answered (or given up on), before anything else. */
  onFinish?: () => void;
}

/**
 * The response of one 2025-era request. It stays a plain JSON response unless the
 * handler talks before returning (progress, logs, server→client requests); then it
 * becomes an SSE stream whose events are also stored, so a client that lost the
 * connection can resume with `Last-Event-ID` on any instance.
 */
export class SessionCallResponse implements RequestWire, Abandonable {
  readonly #init: SessionCallResponseInit;
  /** Minted when the response turns into a stream; plain JSON answers never need one. */
  #streamIdValue: string | undefined;
  get #streamId(): string {
    return (this.#streamIdValue ??= newPostStreamId());
  }
  #seq = 0;
  #writer: SseWriter | undefined;
  #detached = false;
  #finished = false;
  #controller: AbortController | undefined;
  #untrack: Promise<() => void> | undefined;
  /** Keeps appends (and detached publishes) in order. */
  #tail: Promise<unknown> = Promise.resolve();
  /** Events waiting for the next store write. */
  #batch: StoredEvent[] | undefined;
  readonly #leave: () => void;
  #stopWatching: (() => void) | undefined;

  constructor(init: SessionCallResponseInit) {
    this.#init = init;
    this.#leave = init.inFlight.enter(this);
  }

  /**
   * Starts watching for the client to leave, when the handler first looks at its signal: a
   * handler that never does could not stop early anyway, and watching has a cost.
   */
  #watchClient(): void {
    if (!this.#finished && !this.#stopWatching) this.#stopWatching = watchClientGone(this.#init.exchange, () => this.#clientLeft());
  }

  /** A JSON answer has no event id to resume from, so nobody could receive it: stop the work. A stream is different (2025 spec): a dropped connection is not a cancellation. */
  #clientLeft(): void {
    if (this.#finished || this.#writer) return;
    this.#abortWith(new McpError(ErrorCode.InternalError, "The client went away before the response"));
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      // Without the control channel (storage unreachable) cancellation from elsewhere cannot
      // reach this call; the call itself goes on, and nothing is left unhandled. Once answered,
      // nothing can cancel it any more: no need to listen.
      if (!this.#finished) this.#untrack = this.#init.control.track(this.#init.sessionId, this.#init.requestId, this.#controller).catch(() => () => {});
      this.#watchClient();
    }
    return this.#controller.signal;
  }

  /** The reason is an McpError, so a handler that rethrows it is not reported as a crash. */
  #abortWith(reason: McpError): void {
    void this.signal;
    this.#controller!.abort(reason);
  }

  notify(method: string, params: Record<string, unknown>): void {
    if (this.#finished || !this.#init.canStream) return; // a JSON-only client cannot receive notifications
    this.#init.inFlight.touch(this);
    this.#emit(notificationMessage(method, params));
  }

  async ask(method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    if (!this.#init.canStream) {
      throw new McpError(ErrorCode.InvalidRequest, `Cannot send ${method}: the request's Accept header does not allow text/event-stream`);
    }
    const { control, sessionId, options } = this.#init;
    const id = nextOutgoingId();
    const { reply, dispose } = await control.awaitReply(sessionId, id);
    this.#init.inFlight.hold(this); // the client has clientRequestTimeout to answer
    try {
      this.#emit(requestMessage(id, method, params));
      const response = await raceWithAbortAndTimeout(reply, signal, options.clientRequestTimeout, (reason) => {
        this.#emit(notificationMessage("notifications/cancelled", { requestId: id, reason }));
      }, method);
      if ("error" in response) throw new McpError(response.error.code, response.error.message, response.error.data);
      return response.result;
    } finally {
      dispose();
      this.#init.inFlight.touch(this);
    }
  }

  closeStream(): void {
    // Without event ids (before 2025-11-25) a closed stream could never be resumed: keep it open.
    if (this.#finished || !this.#init.canStream || !hasPrimingEvents(this.#init.version)) return;
    if (!this.#writer) this.#start();
    // After what is queued (the priming event at least): the client needs an id to resume from.
    this.#tail = this.#tail.then(() => this.#writer?.close());
  }

  /** Gives up on the call (timeout, shutdown): the handler's signal aborts and the client gets `error` now. */
  abandon(error: McpError): void {
    if (this.#finished) return;
    this.#abortWith(error);
    this.finish(errorMessage(this.#init.requestId, error));
  }

  /** Sends the final response: as JSON when nothing was streamed, else as the stream's last event. */
  finish(response: string): void {
    if (this.#finished) return;
    this.#leave();
    this.#stopWatching?.();
    this.#init.onFinish?.();
    this.#finished = true;
    if (!this.#writer) {
      this.#init.resolve({ status: 200, headers: withField(this.#init.headers, "content-type", "application/json"), body: response });
    } else {
      this.#queueFinal(eventId(this.#streamId, ++this.#seq), response);
    }
    void this.#untrack?.then((release) => release());
  }

  #start(): void {
    const { headers, options, version, storage, sessionId } = this.#init;
    this.#writer = new SseWriter({
      keepAlive: options.sse.keepAlive,
      maxBuffered: options.sse.maxBuffered,
      onKeepAlive: () => void storage.sessions.get(sessionId, options.sessionTimeout).catch(() => {}),
      // The 2025 spec: a dropped connection is not a cancellation; keep working, keep events for resumption.
      onClose: () => {
        this.#detached = !this.#finished || this.#detached;
      },
    });
    this.#init.resolve({ status: 200, headers: merged(headers, SSE_HEADERS), body: this.#writer.body });
    // Priming event (SEP-1699): an id with empty data, so the client can resume even before the first message.
    if (hasPrimingEvents(version)) this.#queue({ id: eventId(this.#streamId, 0), data: "" });
  }

  #emit(data: string): void {
    if (!this.#writer) this.#start();
    this.#queue({ id: eventId(this.#streamId, ++this.#seq), data });
  }

  /**
   * Stores an event, then sends it: whatever id a client has seen, a resume on any instance
   * finds it, even if this process dies right after sending. Events queued while the previous
   * append is under way go in one append (the priming event and the first notification always
   * do). Once the client is gone they go to a resumed stream's followers over the bus instead.
   */
  #queue(event: StoredEvent): void {
    if (this.#batch) return void this.#batch.push(event);
    const batch = (this.#batch = [event]);
    const { storage, sessionId, options } = this.#init;
    const deliver = () => this.#deliver(batch);
    this.#tail = this.#tail
      .then(() => {
        this.#batch = undefined; // later events start the next batch
        return storage.events.append(sessionId, this.#streamId, batch, options.sessionTimeout);
      })
      // Sent even when the store failed: the live client loses nothing it could have had.
      .then(deliver, deliver)
      .catch(() => {});
  }

  async #deliver(batch: StoredEvent[]): Promise<void> {
    const { options, storage, sessionId } = this.#init;
    for (const event of batch) {
      const retry = event.data === "" ? options.sse.retry : undefined; // only the priming event is empty
      if (!this.#detached && this.#writer!.event(event.data, event.id, retry)) continue;
      this.#detached = true;
      // Followers drop what they already have (by sequence number), so republishing is safe.
      await storage.bus.publish(streamChannel(sessionId, this.#streamId), event);
    }
  }

  /**
   * The final response goes after everything queued before it. Delivered live, it ends a stream
   * nobody will resume: not stored, and the stream's events are dropped. Otherwise it is stored
   * and published like any event, for the client's resume.
   */
  #queueFinal(id: string, data: string): void {
    const { storage, sessionId, options } = this.#init;
    this.#tail = this.#tail
      .then(async () => {
        if (!this.#detached && this.#writer!.event(data, id)) {
          this.#writer!.close();
          await storage.events.deleteStream(sessionId, this.#streamId);
          return;
        }
        this.#detached = true;
        this.#writer!.close();
        const final: StoredEvent = { id, data, final: true };
        await storage.events.append(sessionId, this.#streamId, [final], options.sessionTimeout);
        await storage.bus.publish(streamChannel(sessionId, this.#streamId), final);
      })
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
