const encoder = new TextEncoder();

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  // Reverse proxies (nginx) buffer responses unless told not to.
  "x-accel-buffering": "no",
};

export interface SseWriterOptions {
  /** Interval of keep-alive comments (ms). */
  keepAlive: number;
  /** Runs on every keep-alive tick, e.g. to renew the session; errors are ignored. */
  onKeepAlive?: () => void;
  /** Runs once when the consumer goes away (client disconnect) or `close()` is called. */
  onClose?: (reason: "client" | "server") => void;
}

/**
 * An SSE response body produced by a `ReadableStream`. Each JSON-RPC message is one
 * `data:` line, so line-based readers (and the conformance harness) parse it simply.
 */
export class SseWriter {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #options: SseWriterOptions;

  constructor(options: SseWriterOptions) {
    this.#options = options;
    this.stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => this.#end("client"),
    });
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

  comment(text: string): boolean {
    return this.#write(`: ${text}\n\n`);
  }

  close(): void {
    if (!this.#open) return;
    try {
      this.#controller.close();
    } catch {
      // already errored or cancelled
    }
    this.#end("server");
  }

  #write(frame: string): boolean {
    if (!this.#open) return false;
    try {
      this.#controller.enqueue(encoder.encode(frame));
      return true;
    } catch {
      this.#end("client");
      return false;
    }
  }

  #end(reason: "client" | "server"): void {
    if (!this.#open) return;
    this.#open = false;
    clearInterval(this.#timer);
    this.#options.onClose?.(reason);
  }
}
