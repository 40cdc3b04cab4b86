import { InputRequired, type RequestWire } from "../context/wire.js";
import { type Outcome, watchClientGone } from "../http/exchange.js";
import { SSE_HEADERS, SseWriter } from "../http/sse.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { type RequestId, errorMessage, notificationMessage } from "../protocol/jsonrpc.js";
import type { Abandonable, InFlightCalls } from "../server/in-flight.js";
import { INPUT_ROUND_METHODS } from "../protocol/methods.js";
import { isObject } from "../util/is-object.js";
import { merged, withField } from "../util/merged.js";

const inputRequestKinds: Record<string, { prefix: string; valid: (answer: unknown) => boolean }> = {
  "elicitation/create": {
    prefix: "elicitation",
    valid: (a) => isObject(a) && (a.action === "accept" || a.action === "decline" || a.action === "cancel") && (a.content === undefined || isObject(a.content)),
  },
  "sampling/createMessage": { prefix: "sampling", valid: (a) => isObject(a) && isObject(a.content) || (isObject(a) && Array.isArray(a.content)) },
  "roots/list": { prefix: "roots", valid: (a) => isObject(a) && Array.isArray(a.roots) },
};

/** How a handler running as a task waits for input: the task turns input_required until tasks/update answers. */
export interface TaskInput {
  requestInput(key: string, method: string, params: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
}

export interface StatelessCallResponseInit {
  id: RequestId;
  method: string;
  headers: Record<string, string>;
  canStream: boolean;
  keepAlive: number;
  /** Bytes the SSE response may hold for a client that is not reading. */
  maxBuffered: number;
  /** Answers from earlier rounds and this round's `inputResponses`, by key. */
  answers: Record<string, unknown>;
  resolve: (outcome: Outcome) => void;
  /**
   * The exchange: its `signal` aborts when the client goes away (where the host can tell). Read
   * only when a handler looks at its own signal: making it costs more than a whole call on some
   * runtimes (undici's Request on Node).
   */
  exchange?: { readonly signal?: AbortSignal };
  /** Counts this call in until it is answered (callTimeout, shutdown). */
  inFlight: InFlightCalls;
}

/**
 * The response of one stateless (2026) request. JSON unless the handler sends
 * progress or logs first; then SSE without ids (no resumption in this era). Closing the
 * SSE response is the client's way to cancel. Input requests never go on the wire as
 * requests: they are gathered and answered as one `input_required` result.
 */
export class StatelessCallResponse implements RequestWire, Abandonable {
  readonly #init: StatelessCallResponseInit;
  /**
   * Made when the handler first reads its signal or the call is aborted: on Node 20 an
   * AbortController costs about a microsecond, and most calls never need one.
   */
  #controllerValue: AbortController | undefined;
  get #controller(): AbortController {
    return (this.#controllerValue ??= new AbortController());
  }
  /** Null prototype: input keys are chosen by handler authors and may be any string. */
  readonly pending: Record<string, { method: string; params: Record<string, unknown> }> = Object.create(null);
  #counters: Record<string, number> | undefined;
  #writer: SseWriter | undefined;
  #finished = false;
  #task: TaskInput | undefined;
  readonly #leave: () => void;
  #stopWatching: (() => void) | undefined;

  constructor(init: StatelessCallResponseInit) {
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

  /** 2026 has no resumption: an answer nobody can receive is work to stop, JSON or SSE alike. */
  #clientLeft(): void {
    // An McpError, so a handler that rethrows the reason is not reported as a crash.
    if (!this.#finished && !this.#task) this.#controller.abort(new McpError(ErrorCode.InternalError, "The client went away before the response"));
  }

  get signal(): AbortSignal {
    this.#watchClient();
    return this.#controller.signal;
  }

  get streaming(): boolean {
    return this.#writer !== undefined;
  }

  /** From now on the handler runs as a task: input waits for tasks/update, notifications are dropped. */
  attachTask(task: TaskInput): void {
    this.#task = task;
  }

  abort(reason: string): void {
    this.#controller.abort(reason);
  }

  notify(method: string, params: Record<string, unknown>): void {
    // Tasks carry no progress or logs; the client polls tasks/get instead.
    if (this.#finished || !this.#init.canStream || this.#task) return;
    this.#init.inFlight.touch(this);
    if (!this.#writer) {
      this.#writer = new SseWriter({
        keepAlive: this.#init.keepAlive,
        maxBuffered: this.#init.maxBuffered,
        onClose: (reason) => {
          if (reason !== "server" && !this.#finished) this.#controller.abort(new McpError(ErrorCode.InternalError, "The client closed the response stream"));
        },
      });
      this.#init.resolve({ status: 200, headers: merged(this.#init.headers, SSE_HEADERS), body: this.#writer.body });
    }
    this.#writer.event(notificationMessage(method, params));
  }

  async ask(method: string, params: Record<string, unknown>, signal: AbortSignal, key?: string): Promise<Record<string, unknown>> {
    if (!INPUT_ROUND_METHODS.has(this.#init.method)) {
      throw new McpError(ErrorCode.InvalidRequest, `${method} cannot be requested during ${this.#init.method}: input rounds are only allowed in tools/call, prompts/get and resources/read`);
    }
    const kind = inputRequestKinds[method];
    // Keys follow call order, so a handler that runs again asks the same questions under the same keys.
    const counters = (this.#counters ??= {});
    const inputKey = key ?? `${kind.prefix}_${(counters[kind.prefix] = (counters[kind.prefix] ?? 0) + 1)}`;
    const known = Object.hasOwn(this.#init.answers, inputKey);
    if (!known && !this.#task) {
      this.pending[inputKey] = { method, params };
      throw new InputRequired();
    }
    const answer = known ? this.#init.answers[inputKey] : await this.#task!.requestInput(inputKey, method, params, signal);
    if (!kind.valid(answer)) throw new McpError(ErrorCode.InvalidParams, `inputResponses["${inputKey}"] is not a valid ${method} result`);
    return answer as Record<string, unknown>;
  }

  closeStream(): void {
    // 2026 has no resumption: closing the stream would lose the response.
  }

  /** Gives up on the call (timeout, shutdown): the handler's signal aborts and the client gets `error` now. */
  abandon(error: McpError): void {
    if (this.#finished) return;
    this.#controller.abort(error);
    this.finish(200, errorMessage(this.#init.id, error));
  }

  /** Sends the final message: the whole body as JSON, or the last SSE event. Once answered (a task's creation included), the call no longer counts as in flight. */
  finish(status: number, response: string): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#leave();
    this.#stopWatching?.();
    if (!this.#writer) {
      this.#init.resolve({ status, headers: withField(this.#init.headers, "content-type", "application/json"), body: response });
      return;
    }
    this.#writer.event(response);
    this.#writer.close();
  }
}
