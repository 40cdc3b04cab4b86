import { EventStream } from "./event-stream.js";


export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  // Reverse proxies (nginx) buffer responses unless told not to.
  "x-accel-buffering": "no",
};

export interface SseWriterOptions {
  /** Interval of keep-alive comments (ms). */
  keepAlive: number;
  /** Bytes queued for a client that is not reading before the stream is cut. */
  maxBuffered: number;
  /** Runs on every keep-alive tick, e.g. to renew the session; errors are ignored. */
  onKeepAlive?: () => void;
  /**
   * Runs once when the consumer goes away (`client`: a disconnect), `close()` is called
   * (`server`), or the client fell more than `maxBuffered` behind and was cut (`overflow`).
   */
  onClose?: (reason: "client" | "server" | "overflow") => void;
}

/**
 * Writes an SSE response body (an `EventStream`). Each JSON-RPC message is one
 * `data:` line, so line-based readers (and the conformance harness) parse it simply.
 */
export class SseWriter {
  /** The response body: a host pipes it or takes it as a web ReadableStream (`stream`). */
  readonly body: EventStream;
  #open = true;
  /** Replayed bytes, allowed on top of `maxBuffered`. */
  #backlog = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #options: SseWriterOptions;
  /**
   * Frames written since the last flush. A handler's burst (priming event, progress, result)
   * is written within one run of microtasks: joined, it is one chunk through the stream and
   * one write to the socket instead of one per frame.
   */
  #pending = "";

  constructor(options: SseWriterOptions) {
    this.#options = options;
    this.body = new EventStream(() => this.#end("client"));
    this.#timer = setInterval(() => {
      this.comment("keep-alive");
      try {
        options.onKeepAlive?.();
      } catch {
        // A failed renewal shows up on the next request as 404; the stream itself is fine.
      }
    }, options.keepAlive);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** The body as a web ReadableStream (made on first use; a host may `pipe` the body instead). */
  get stream(): ReadableStream<Uint8Array> {
    return this.body.toReadableStream();
  }

  get open(): boolean {
    return this.#open;
  }

  /** Writes one event; returns false when the stream is already closed. */
  event(data: string, id?: string, retry?: number): boolean {
    let frame = "";
    if (id !== undefined) frame += `id: ${id}\n`;
    if (retry !== undefined) frame += `retry: ${retry}\n`;
    frame += data === "" ? "data:\n\n" : `data: ${data}\n\n`;
    return this.#write(frame);
  }

  /**
   * Writes a stored event a resumed stream replays. A backlog comes all at once, before the
   * client can read any of it, and is bounded by what the store keeps: it raises the stream's
   * limit by its own size instead of counting against it.
   */
  replay(data: string, id: string): boolean {
    return this.#write(data === "" ? `id: ${id}\ndata:\n\n` : `id: ${id}\ndata: ${data}\n\n`, true);
  }

  comment(text: string): boolean {
    return this.#write(`: ${text}\n\n`);
  }

  close(): void {
    if (!this.#open) return;
    this.#flush();
    if (!this.#open) return;
    this.body.close();
    this.#end("server");
  }

  #write(frame: string, replayed = false): boolean {
    if (!this.#open) return false;
    // What is left of a replayed backlog is at most what is still queued.
    const buffered = this.body.buffered;
    if (this.#backlog > 0) this.#backlog = Math.min(this.#backlog, buffered);
    // Frames not yet flushed count too (by UTF-16 length: close enough to bytes for a limit).
    if (buffered + this.#pending.length > this.#options.maxBuffered + this.#backlog) {
      this.#pending = "";
      // The client stopped reading: what waits is already past the limit. (One frame may pass it,
      // so a large final result still goes out.) Erroring the stream drops what it holds, where
      // closing would keep it queued, and cuts the connection: to the owner, a client that left.
      this.body.error(new Error(`the client did not read its SSE stream: over ${this.#options.maxBuffered} bytes waiting`));
      this.#end("overflow");
      return false;
    }
    if (replayed) {
      this.#flush(); // in order, and counted as backlog on its own
      return this.#enqueue(frame, true);
    }
    if (this.#pending === "") queueMicrotask(() => this.#flush());
    this.#pending += frame;
    return true;
  }

  #flush(): void {
    if (this.#pending === "" || !this.#open) return;
    const frames = this.#pending;
    this.#pending = "";
    this.#enqueue(frames, false);
  }

  #enqueue(frames: string, replayed: boolean): boolean {
    try {
      this.body.push(frames);
      if (replayed) this.#backlog += frames.length;
      return true;
    } catch {
      this.#end("client");
      return false;
    }
  }

  #end(reason: "client" | "server" | "overflow"): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#timer);
    this.#options.onClose?.(reason);
  }
}
