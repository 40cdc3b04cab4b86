import type { HttpTransport } from "../context/transport.js";
import type { RequestInfo } from "../context/context.js";

/** What every event says about where it happened. */
export interface EventBase {
  server: { name: string; version: string };
  /** The 2025-era session, when there is one. */
  sessionId: string | undefined;
}

export interface TelemetryEvents {
  /** An HTTP exchange reached the endpoint (after the Origin/Host checks). */
  connect: EventBase & { method: string; transport: () => HttpTransport };
  /** That exchange's response is over: JSON written, or its SSE stream closed. */
  disconnect: EventBase & { method: string; status: number; durationMs: number; streamed: boolean };
  /** A 2025-era session ended. */
  terminate: EventBase & { sessionId: string; reason: "deleted" | "shutdown" };
  /** A handler failed unexpectedly; the client got a clean error, this carries the details. */
  exception: EventBase & { request: RequestInfo; error: unknown; stack: string | undefined };
}

export type TelemetryEvent = keyof TelemetryEvents;
export type TelemetryListener<E extends TelemetryEvent> = (event: TelemetryEvents[E]) => void;

/** A tiny typed emitter. A listener that throws never breaks a request. */
export class Telemetry {
  readonly #listeners = new Map<TelemetryEvent, Set<(event: never) => void>>();

  on<E extends TelemetryEvent>(event: E, listener: TelemetryListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  /** Cheap check for the hot path: build event payloads only when someone listens. */
  has(event: TelemetryEvent): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends TelemetryEvent>(event: E, payload: TelemetryEvents[E]): void {
    const set = this.#listeners.get(event) as Set<TelemetryListener<E>> | undefined;
    if (!set) return;
    for (const listener of set) {
      try {
        listener(payload);
      } catch {
        // Telemetry must never take a request down with it.
      }
    }
  }
}
