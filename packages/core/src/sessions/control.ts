import { controlChannel } from "../protocol/channels.js";
import type { JsonRpcResponse, RequestId } from "../protocol/jsonrpc.js";
import type { Storage } from "../storage/types.js";

/** Messages on a session's control channel, seen by every instance serving that session. */
export type ControlMessage =
  | { type: "cancel"; requestId: RequestId; reason?: string }
  | { type: "reply"; response: JsonRpcResponse }
  | { type: "end" };


interface Waiter {
  resolve(response: JsonRpcResponse): void;
}

/**
 * A session's control channel, as this instance sees it: requests in flight (for cancellation),
 * server→client requests awaiting replies, and stream holders awaiting session end.
 * Anything not found here is published on the bus so the instance that has it acts.
 */
export class SessionControl {
  readonly #storage: Storage;
  readonly #inFlight = new Map<string, AbortController>();
  readonly #waiters = new Map<string, Waiter>();
  readonly #enders = new Map<string, Set<() => void>>();
  readonly #subscriptions = new Map<string, { count: number; ready: Promise<() => Promise<void>> }>();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Tracks a request so `notifications/cancelled` and session end can abort it. */
  async track(sessionId: string, requestId: RequestId, controller: AbortController): Promise<() => void> {
    const key = keyOf(sessionId, requestId);
    this.#inFlight.set(key, controller);
    const release = await this.#acquire(sessionId);
    return () => {
      if (this.#inFlight.get(key) === controller) this.#inFlight.delete(key);
      release();
    };
  }

  /** Waits for the client's reply to a server→client request. Subscribe before sending the request. */
  async awaitReply(sessionId: string, requestId: RequestId): Promise<{ reply: Promise<JsonRpcResponse>; dispose: () => void }> {
    const key = keyOf(sessionId, requestId);
    let resolve!: (response: JsonRpcResponse) => void;
    const reply = new Promise<JsonRpcResponse>((r) => (resolve = r));
    this.#waiters.set(key, { resolve });
    const release = await this.#acquire(sessionId);
    return {
      reply,
      dispose: () => {
        this.#waiters.delete(key);
        release();
      },
    };
  }

  /** Runs `onEnd` when the session is deleted on any instance. */
  async onSessionEnd(sessionId: string, onEnd: () => void): Promise<() => void> {
    let set = this.#enders.get(sessionId);
    if (!set) this.#enders.set(sessionId, (set = new Set()));
    set.add(onEnd);
    const release = await this.#acquire(sessionId);
    return () => {
      set.delete(onEnd);
      if (set.size === 0 && this.#enders.get(sessionId) === set) this.#enders.delete(sessionId);
      release();
    };
  }

  async cancel(sessionId: string, requestId: RequestId, reason?: string): Promise<void> {
    const local = this.#inFlight.get(keyOf(sessionId, requestId));
    if (local) return void local.abort(reason ?? "cancelled by the client");
    await this.#storage.bus.publish(controlChannel(sessionId), { type: "cancel", requestId, reason } satisfies ControlMessage);
  }

  async reply(sessionId: string, response: JsonRpcResponse): Promise<void> {
    if (response.id === null) return;
    const local = this.#waiters.get(keyOf(sessionId, response.id));
    if (local) return void local.resolve(response);
    await this.#storage.bus.publish(controlChannel(sessionId), { type: "reply", response } satisfies ControlMessage);
  }

  async end(sessionId: string): Promise<void> {
    this.#onControl(sessionId, { type: "end" });
    await this.#storage.bus.publish(controlChannel(sessionId), { type: "end" } satisfies ControlMessage);
  }

  /** Ends everything this instance holds (server shutdown). */
  closeAll(): void {
    for (const sessionId of [...this.#enders.keys()]) this.#onControl(sessionId, { type: "end" });
  }

  #onControl(sessionId: string, message: ControlMessage): void {
    if (message.type === "cancel") {
      this.#inFlight.get(keyOf(sessionId, message.requestId))?.abort(message.reason ?? "cancelled by the client");
    } else if (message.type === "reply") {
      if (message.response.id !== null) this.#waiters.get(keyOf(sessionId, message.response.id))?.resolve(message.response);
    } else {
      const prefix = `${sessionId}\u0000`;
      for (const [key, controller] of this.#inFlight) if (key.startsWith(prefix)) controller.abort("session ended");
      for (const onEnd of [...(this.#enders.get(sessionId) ?? [])]) onEnd();
    }
  }

  /** One bus subscription per session per instance, shared by everything waiting on it. */
  async #acquire(sessionId: string): Promise<() => void> {
    let entry = this.#subscriptions.get(sessionId);
    if (!entry) {
      const ready = this.#storage.bus.subscribe(controlChannel(sessionId), (m) => this.#onControl(sessionId, m as ControlMessage));
      entry = { count: 0, ready };
      this.#subscriptions.set(sessionId, entry);
    }
    entry.count++;
    await entry.ready;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--entry.count === 0 && this.#subscriptions.get(sessionId) === entry) {
        this.#subscriptions.delete(sessionId);
        void entry.ready.then((unsubscribe) => unsubscribe()).catch(() => {});
      }
    };
  }
}

const keyOf = (sessionId: string, requestId: RequestId) => `${sessionId}\u0000${typeof requestId}:${requestId}`;
