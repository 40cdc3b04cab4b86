const encoder = new TextEncoder();

/** Where a host that writes to its own socket (the Node adapter) puts an SSE body's bytes. */
export interface EventSink {
  /** Writes a chunk of the stream's text (UTF-8 on the wire); the host keeps what the socket does not take yet. */
  write(chunk: string): void;
  /** What was written but not yet taken by the client (bytes or characters): what `sse.maxBuffered` is checked against. */
  readonly buffered: number;
  /** The stream is over: finish the response. */
  end(): void;
  /** The stream was cut (a client that stopped reading): drop what is queued, close the connection. */
  destroy(error: Error): void;
}

/**
 * The body of an SSE response, as the core produces it. A host takes it one of two ways:
 * `toReadableStream()` (what `handle()` puts in its Response, and any web-standard host), or
 * `pipe(sink)` for a host that writes to a socket itself. Both see the same bytes in the same
 * order, with the same backpressure limit. Why not always a ReadableStream: on Node 20 making one
 * costs more than the rest of a streamed call, and the Node adapter would only read it back;
 * and text stays text until a web stream needs bytes (a Uint8Array per burst is garbage the
 * Node adapter never needed).
 *
 * @example
 * const outcome = await server.http.process(exchange);
 * if (outcome.body instanceof EventStream) outcome.body.pipe({ write, end, destroy, get buffered() { return socketBacklog(); } });
 */
export class EventStream {
  /** Chunks nobody has taken yet: before a consumer attaches, and while a web stream's reader is behind. */
  #queue: string[] = [];
  /** UTF-16 length, close enough to bytes for a limit. */
  #queuedBytes = 0;
  #state: "open" | "closed" | "errored" | "cancelled" = "open";
  #error: Error | undefined;
  #sink: EventSink | undefined;
  #controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  #stream: ReadableStream<Uint8Array> | undefined;
  /** A web stream's read waiting for the next chunk. */
  #wake: (() => void) | undefined;
  #onEnd: (() => void)[] = [];
  #ended = false;
  readonly #onCancel: () => void;

  /** `onCancel` runs once if the consumer goes away before the end. */
  constructor(onCancel: () => void) {
    this.#onCancel = onCancel;
  }

  // The producer's side (SseWriter).

  /** What was written that the client has not taken yet (characters, about bytes). */
  get buffered(): number {
    return this.#sink ? this.#sink.buffered : this.#queuedBytes;
  }

  /** Queues a chunk; throws once the consumer is gone or the stream has ended. */
  push(chunk: string): void {
    if (this.#state !== "open") throw new Error(`the event stream is ${this.#state}`);
    if (this.#sink) return this.#sink.write(chunk);
    this.#queue.push(chunk);
    this.#queuedBytes += chunk.length;
    this.#wakeReader();
  }

  close(): void {
    if (this.#state !== "open") return;
    this.#state = "closed";
    if (this.#sink) {
      this.#sink.end();
      this.#end();
    } else this.#wakeReader(); // a web stream ends once its reader has taken everything
  }

  /** Cuts the stream: what is queued is dropped and the connection closed. */
  error(error: Error): void {
    if (this.#state !== "open") return;
    this.#state = "errored";
    this.#error = error;
    this.#drain();
    if (this.#sink) this.#sink.destroy(error);
    else this.#controller?.error(error);
    this.#end();
  }

  // The consumer's side (a host).

  /** Takes the stream as chunks written to `sink`; what was queued before goes first. */
  pipe(sink: EventSink): void {
    this.#attach();
    this.#sink = sink;
    for (const chunk of this.#drain()) sink.write(chunk);
    if (this.#state === "closed") {
      sink.end();
      this.#end();
    } else if (this.#state === "errored") sink.destroy(this.#error!);
  }

  /** The consumer went away before the end (the client disconnected). */
  cancel(): void {
    if (this.#state === "errored" || this.#state === "cancelled" || this.#ended) return;
    const wasOpen = this.#state === "open";
    this.#state = "cancelled";
    this.#drain();
    if (wasOpen) this.#onCancel();
    this.#end();
  }

  /**
   * The stream as a web ReadableStream, made on the first call. Chunks are handed over as the
   * reader asks for them (a pull stream, high-water mark 0), so what a slow reader has not taken
   * stays counted in `buffered`, and the end is when the reader has read it all.
   */
  toReadableStream(): ReadableStream<Uint8Array> {
    if (this.#stream) return this.#stream;
    this.#attach();
    this.#stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
          if (this.#state === "errored") controller.error(this.#error);
        },
        pull: (controller) => this.#pull(controller),
        cancel: () => this.cancel(),
      },
      { highWaterMark: 0 },
    );
    return this.#stream;
  }

  /** Runs `callback` once the stream has ended, however it ended (at once if it already has). */
  onEnd(callback: () => void): void {
    if (this.#ended) callback();
    else this.#onEnd.push(callback);
  }

  #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> | void {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#queuedBytes -= chunk.length;
      return controller.enqueue(encoder.encode(chunk));
    }
    if (this.#state === "closed") {
      controller.close();
      return this.#end();
    }
    if (this.#state !== "open") return;
    return new Promise<void>((resolve) => (this.#wake = resolve)).then(() => this.#pull(controller));
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #attach(): void {
    if (this.#sink || this.#stream) throw new Error("an event stream has one consumer: it is already taken");
  }

  #drain(): string[] {
    const chunks = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    return chunks;
  }

  #end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const callbacks = this.#onEnd;
    this.#onEnd = [];
    for (const callback of callbacks) callback();
  }
}
