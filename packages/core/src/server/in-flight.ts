import { ErrorCode, McpError } from "../protocol/errors.js";

/** A call Wisp may have to give up on: past `callTimeout`, or still running at shutdown. */
export interface Abandonable {
  /** Aborts the handler's signal and answers the client with `error` at once. */
  abandon(error: McpError): void;
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * The calls this instance is answering. A call that goes quiet for `callTimeout` (no progress, no
 * log, not waiting on the client) is given up on: a handler that never returns must not hold its
 * client, its session or its memory forever. Shutdown waits for the calls, then answers the rest
 * with an error a client can act on.
 *
 * One timer per call, made while that call's request runs: on Workers a timer owned by another
 * request could not write to this call's stream.
 */
export class InFlightCalls {
  readonly #timers = new Map<Abandonable, Timer | undefined>();
  #onLeave: (() => void) | undefined;

  /** `timeoutMs` 0 turns the call timeout off. */
  constructor(readonly timeoutMs: number) {}

  get size(): number {
    return this.#timers.size;
  }

  /** Counts `call` in; the function returned counts it out (call it once the answer is sent). */
  enter(call: Abandonable): () => void {
    this.#timers.set(call, this.#deadline(call));
    return () => this.#leave(call);
  }

  /** The call showed life (progress, a log): its deadline starts again. */
  touch(call: Abandonable): void {
    if (!this.#timers.has(call)) return;
    clearTimeout(this.#timers.get(call));
    this.#timers.set(call, this.#deadline(call));
  }

  /** The call waits on the client (elicitation, sampling, roots), which has a timeout of its own. */
  hold(call: Abandonable): void {
    if (!this.#timers.has(call)) return;
    clearTimeout(this.#timers.get(call));
    this.#timers.set(call, undefined);
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
    for (const call of [...this.#timers.keys()]) this.#abandon(call, shutdown);
  }

  #deadline(call: Abandonable): Timer | undefined {
    if (this.timeoutMs === 0) return undefined;
    const timer = setTimeout(() => {
      this.#abandon(call, new McpError(ErrorCode.RequestTimeout, `Request timed out: no answer or progress for ${this.timeoutMs} ms (the server's callTimeout)`));
    }, this.timeoutMs);
    (timer as { unref?: () => void }).unref?.();
    return timer;
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
    if (!this.#timers.has(call)) return;
    clearTimeout(this.#timers.get(call));
    this.#timers.delete(call);
    this.#onLeave?.();
  }
}
