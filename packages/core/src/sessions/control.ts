import { controlChannel } from "../protocol/channels.js";
import type { JsonRpcResponse, RequestId } from "../protocol/jsonrpc.js";
import type { Storage } from "../storage/types.js";
import { CONTROL_STREAM } from "./event-ids.js";

/** Messages on a session's control channel, seen by every instance serving that session. */
export type ControlMessage =
  | { type: "cancel"; requestId: RequestId; reason?: string; at: number }
  | { type: "reply"; response: JsonRpcResponse; at: number }
  | { type: "end" }
  /** The session's GET stream moved to `by`: its holder (`owner`), or whoever collects `streamId`, stops. */
  | { type: "stream-taken"; owner?: string; streamId?: string; by: string };

interface InFlight {
  controller: AbortController;
  since: number;
}

interface StreamHolder {
  owner: string;
  streamId: string;
  stop: () => void;
}

/**
 * A session's control channel, as this instance sees it: requests in flight (for cancellation),
 * server→client requests awaiting replies, GET stream holders, and anything awaiting session end.
 * Anything not found here is published on the bus so the instance that has it acts.
 *
 * The bus may drop messages (Redis pub/sub is at most once). Replies and cancellations are
 * therefore written to the session's control stream in storage before they are published, and
 * an instance whose subscription was interrupted re-reads that stream (and whether the session
 * still exists) when it is live again.
 */
export class SessionControl {
  readonly #storage: Storage;
  readonly #ttlMs: number;
  readonly #inFlight = new Map<string, InFlight>();
  readonly #waiters = new Map<string, (response: JsonRpcResponse) => void>();
  readonly #enders = new Map<string, Set<() => void>>();
  readonly #holders = new Map<string, Set<StreamHolder>>();
  readonly #subscriptions = new Map<string, { count: number; ready: Promise<() => Promise<void>> }>();

  constructor(storage: Storage, ttlMs: number) {
    this.#storage = storage;
    this.#ttlMs = ttlMs;
  }

  /** Tracks a request so `notifications/cancelled` and session end can abort it. */
  async track(sessionId: string, requestId: RequestId, controller: AbortController): Promise<() => void> {
    const key = keyOf(sessionId, requestId);
    const entry = { controller, since: Date.now() };
    this.#inFlight.set(key, entry);
    const release = await this.#acquire(sessionId).catch((error) => {
      if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
      throw error;
    });
    return () => {
      if (this.#inFlight.get(key) === entry) this.#inFlight.delete(key);
      release();
    };
  }

  /** Waits for the client's reply to a server→client request. Subscribe before sending the request. */
  async awaitReply(sessionId: string, requestId: RequestId): Promise<{ reply: Promise<JsonRpcResponse>; dispose: () => void }> {
    const key = keyOf(sessionId, requestId);
    let resolve!: (response: JsonRpcResponse) => void;
    const reply = new Promise<JsonRpcResponse>((r) => (resolve = r));
    this.#waiters.set(key, resolve);
    const release = await this.#acquire(sessionId).catch((error) => {
      this.#waiters.delete(key);
      throw error;
    });
    return {
      reply,
      dispose: () => {
        this.#waiters.delete(key);
        release();
      },
    };
  }

  /** Runs `onEnd` when the session is deleted on any instance. */
  onSessionEnd(sessionId: string, onEnd: () => void): Promise<() => void> {
    return this.#listen(this.#enders, sessionId, onEnd);
  }

  /** Runs `stop` when another GET takes the session's stream over from `owner`, or resumes `streamId`. */
  onStreamTaken(sessionId: string, owner: string, streamId: string, stop: () => void): Promise<() => void> {
    return this.#listen(this.#holders, sessionId, { owner, streamId, stop });
  }

  /** Adds `item` to the session's set in `registry` while this instance hears the control channel; the result removes it. */
  async #listen<T>(registry: Map<string, Set<T>>, sessionId: string, item: T): Promise<() => void> {
    let set = registry.get(sessionId);
    if (!set) registry.set(sessionId, (set = new Set()));
    set.add(item);
    const forget = () => {
      set.delete(item);
      if (set.size === 0 && registry.get(sessionId) === set) registry.delete(sessionId);
    };
    const release = await this.#acquire(sessionId).catch((error) => {
      forget();
      throw error;
    });
    return () => {
      forget();
      release();
    };
  }

  async cancel(sessionId: string, requestId: RequestId, reason?: string): Promise<void> {
    const local = this.#inFlight.get(keyOf(sessionId, requestId));
    if (local) return void local.controller.abort(reason ?? "cancelled by the client");
    await this.#deliver(sessionId, { type: "cancel", requestId, reason, at: Date.now() });
  }

  async reply(sessionId: string, response: JsonRpcResponse): Promise<void> {
    if (response.id === null) return;
    const local = this.#waiters.get(keyOf(sessionId, response.id));
    if (local) return void local(response);
    await this.#deliver(sessionId, { type: "reply", response, at: Date.now() });
  }

  /** Tells whoever holds the session's GET stream (`owner`) or collects `streamId` to stop, here or elsewhere. */
  async takeStream(sessionId: string, taken: { owner?: string; streamId?: string; by: string }): Promise<void> {
    const message: ControlMessage = { type: "stream-taken", ...taken };
    this.#onControl(sessionId, message);
    await this.#storage.bus.publish(controlChannel(sessionId), message);
  }

  async end(sessionId: string): Promise<void> {
    this.#onControl(sessionId, { type: "end" });
    await this.#storage.bus.publish(controlChannel(sessionId), { type: "end" } satisfies ControlMessage);
  }

  /** Ends everything this instance holds (server shutdown). */
  closeAll(): void {
    for (const sessionId of [...this.#enders.keys()]) this.#onControl(sessionId, { type: "end" });
  }

  /** Stored first, then published: an instance that misses the message finds it on resync. */
  async #deliver(sessionId: string, message: ControlMessage & { at: number }): Promise<void> {
    const id = `${CONTROL_STREAM}_${message.at}${Math.random().toString(36).slice(2, 8)}`;
    await this.#storage.events.append(sessionId, CONTROL_STREAM, { id, data: JSON.stringify(message) }, this.#ttlMs);
    await this.#storage.bus.publish(controlChannel(sessionId), message);
  }

  #onControl(sessionId: string, message: ControlMessage, replayed = false): void {
    if (message.type === "cancel") {
      const entry = this.#inFlight.get(keyOf(sessionId, message.requestId));
      // A replayed cancel must not hit a later request that reused the id.
      if (entry && (!replayed || entry.since <= message.at)) entry.controller.abort(message.reason ?? "cancelled by the client");
    } else if (message.type === "reply") {
      if (message.response.id !== null) this.#waiters.get(keyOf(sessionId, message.response.id))?.(message.response);
    } else if (message.type === "stream-taken") {
      for (const holder of [...(this.#holders.get(sessionId) ?? [])]) {
        if (holder.owner === message.by) continue; // the taker hears its own message too
        if (holder.owner === message.owner || holder.streamId === message.streamId) holder.stop();
      }
    } else {
      const prefix = `${sessionId}\u0000`;
      for (const [key, entry] of this.#inFlight) if (key.startsWith(prefix)) entry.controller.abort("session ended");
      for (const onEnd of [...(this.#enders.get(sessionId) ?? [])]) onEnd();
    }
  }

  /** After an interrupted subscription: re-read what may have been missed from storage. */
  async #resync(sessionId: string): Promise<void> {
    const { sessions, events } = this.#storage;
    if (!(await sessions.get(sessionId))) return this.#onControl(sessionId, { type: "end" });
    for (const event of (await events.after(sessionId, CONTROL_STREAM, "")) ?? []) {
      try {
        this.#onControl(sessionId, JSON.parse(event.data) as ControlMessage, true);
      } catch {
        // A malformed entry cannot be acted on; the rest still can.
      }
    }
  }

  /** One bus subscription per session per instance, shared by everything waiting on it. */
  async #acquire(sessionId: string): Promise<() => void> {
    let entry = this.#subscriptions.get(sessionId);
    if (!entry) {
      const ready = this.#storage.bus.subscribe(controlChannel(sessionId), (m) => this.#onControl(sessionId, m as ControlMessage), {
        onResume: () => void this.#resync(sessionId).catch(() => {}),
      });
      entry = { count: 0, ready };
      this.#subscriptions.set(sessionId, entry);
    }
    entry.count++;
    try {
      await entry.ready;
    } catch (error) {
      // Storage unreachable: forget the failed subscription, so the next caller tries again.
      entry.count--;
      if (this.#subscriptions.get(sessionId) === entry) this.#subscriptions.delete(sessionId);
      throw error;
    }
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
