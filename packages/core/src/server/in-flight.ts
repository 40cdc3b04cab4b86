import { ErrorCode, McpError } from "../protocol/errors.js";

/** A call Wisp may have to give up on: past `callTimeout`, or still running at shutdown. */
export interface Abandonable {
  /** Aborts the handler's signal and answers the client with `error` at once. */
  abandon(error: McpError): void;
}

/**
 * The calls this instance is answering. One timer sweeps them for overdue ones (a handler that
 * never returns must not hold its client, its session or its memory forever), and shutdown
 * waits for them, then answers the rest with an error a client can act on.
 */
export class InFlightCalls {
  readonly #deadlines = new Map<Abandonable, number>();
  #sweeper: ReturnType<typeof setInterval> | undefined;
  #onLeave: (() => void) | undefined;

  constructor(readonly timeoutMs: number) {}

  get size(): number {
    return this.#deadlines.size;
  }

  /** Counts `call` in; the function returned counts it out (call it once the answer is sent). */
  enter(call: Abandonable): () => void {
    this.#deadlines.set(call, Date.now() + this.timeoutMs);
    if (!this.#sweeper) {
      // Deadlines are kept to within a second; a timer per call would cost more on the hot path.
      this.#sweeper = setInterval(() => this.#sweep(), Math.min(1_000, this.timeoutMs));
      (this.#sweeper as { unref?: () => void }).unref?.();
    }
    return () => this.#leave(call);
  }

  /**
   * Waits up to `graceMs` for the calls in flight to finish, then answers each one still
   * running with -32603 "server shutting down" and aborts its handler's signal.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.size > 0 && graceMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        this.#onLeave = () => {
          if (this.size > 0) return;
          clearTimeout(timer);
          resolve();
        };
      });
      this.#onLeave = undefined;
    }
    const shutdown = new McpError(ErrorCode.InternalError, "Server shutting down: this request did not finish in time; send it again");
    for (const call of [...this.#deadlines.keys()]) this.#abandon(call, shutdown);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [call, deadline] of this.#deadlines) {
      if (deadline <= now) this.#abandon(call, new McpError(ErrorCode.RequestTimeout, `Request timed out: no answer within ${this.timeoutMs} ms (the server's callTimeout)`));
    }
  }

  #abandon(call: Abandonable, error: McpError): void {
    this.#leave(call);
    try {
      call.abandon(error);
    } catch {
      // The answer could not be written (the client is gone): nothing is left to do for it.
    }
  }

  #leave(call: Abandonable): void {
    if (!this.#deadlines.delete(call)) return;
    if (this.#deadlines.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
    this.#onLeave?.();
  }
}
