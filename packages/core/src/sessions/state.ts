import type { Registry } from "../server/registry.js";
import type { SseWriter } from "../http/sse.js";
import { InFlightCalls } from "../server/in-flight.js";
import { BusySessions } from "./busy.js";
import { SessionControl } from "./control.js";

/** What this instance holds for the 2025-era sessions it serves; one per server. */
export interface SessionState {
  server: Registry;
  control: SessionControl;
  /** Streams this instance holds open, to end them on shutdown. */
  openStreams: Set<SseWriter>;
  /**
   * GET streams the server closed for polling (`sse.pollAfter`), still collecting events into
   * the store until the client resumes, by `<sessionId> <streamId>`; the value stops collecting.
   */
  pollingCollectors: Map<string, () => void>;
  /** Ended streams whose events are kept a little longer for a late resume; the value cancels that. */
  retainedStreams: Map<string, () => void>;
  /** Keeps sessions with requests in flight from idling out while those requests run. */
  busy: BusySessions;
  /** Calls being answered: overdue ones are given up on, shutdown waits for the rest. */
  inFlight: InFlightCalls;
}

export function createSessionState(server: Registry): SessionState {
  const { storage, options } = server;
  const renew = (sessionId: string) => void storage.sessions.get(sessionId, options.sessionTimeout).catch(() => {});
  return {
    server,
    control: new SessionControl(storage, options.sessionTimeout),
    openStreams: new Set(),
    pollingCollectors: new Map(),
    retainedStreams: new Map(),
    busy: new BusySessions(renew, Math.max(10, Math.floor(options.sessionTimeout / 3))),
    inFlight: new InFlightCalls(options.callTimeout),
  };
}

/** `<sessionId> <streamId>`: how per-stream bookkeeping is keyed. */
export const streamKey = (sessionId: string, streamId: string) => `${sessionId} ${streamId}`;

/**
 * A stream that ended keeps its events for one session timeout, so a client whose connection
 * dropped can still resume it; then they are deleted, so reconnects don't pile up streams.
 */
export function retainThenForget(state: SessionState, sessionId: string, streamId: string): void {
  const key = streamKey(sessionId, streamId);
  state.retainedStreams.get(key)?.();
  const timer = setTimeout(() => {
    state.retainedStreams.delete(key);
    void state.server.storage.events.deleteStream(sessionId, streamId).catch(() => {});
  }, state.server.options.sessionTimeout);
  (timer as { unref?: () => void }).unref?.();
  state.retainedStreams.set(key, () => {
    state.retainedStreams.delete(key);
    clearTimeout(timer);
  });
}
