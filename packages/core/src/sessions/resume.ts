import type { Incoming, Outcome } from "../http/exchange.js";
import { SSE_HEADERS, SseWriter } from "../http/sse.js";
import { streamChannel } from "../protocol/channels.js";
import { ErrorCode, HttpError } from "../protocol/errors.js";
import type { StoredEvent } from "../storage/types.js";
import { eventId, parseEventId } from "./event-ids.js";
import { type SessionState, retainThenForget } from "./state.js";
import { merged } from "../util/merged.js";

/**
 * Replays what a client missed on a POST's response stream, then follows it live if the call is
 * still running (on this instance or another: live events arrive over the bus).
 */
export async function resumePostStream(
  state: SessionState,
  sessionId: string,
  resumeFrom: { streamId: string; seq: number },
  lastEventId: string,
  incoming: Incoming,
): Promise<Outcome> {
  const { storage, options } = state.server;
  const { streamId } = resumeFrom;
  // Subscribe first, then read the store, so nothing falls between the two.
  const writer = new SseWriter({
    keepAlive: options.sse.keepAlive,
    maxBuffered: options.sse.maxBuffered,
    onClose: () => {
      state.openStreams.delete(writer);
      void unsubscribe.then((u) => u()).catch(() => {});
      void untilEnd.then((u) => u()).catch(() => {});
    },
  });
  state.openStreams.add(writer);
  let highest = resumeFrom.seq;
  const deliver = (event: StoredEvent, fromStore = false) => {
    const seq = parseEventId(event.id)?.seq ?? 0;
    if (seq <= highest) return;
    highest = seq;
    if (event.data !== "") fromStore ? writer.replay(event.data, event.id) : writer.event(event.data, event.id);
    if (event.final) {
      writer.close();
      retainThenForget(state, sessionId, streamId);
    }
  };
  const buffered: StoredEvent[] = [];
  let replaying = true;
  // Events are stored before they are published: after a bus interruption the store has them all.
  const catchUp = () =>
    void storage.events.after(sessionId, streamId, eventId(streamId, highest)).then((events) => {
      for (const event of events ?? []) deliver(event, true);
    }, () => {});
  const unsubscribe = storage.bus.subscribe(streamChannel(sessionId, streamId), (m) => (replaying ? buffered.push(m as StoredEvent) : deliver(m as StoredEvent)), {
    onResume: catchUp,
  });
  const untilEnd = state.control.onSessionEnd(sessionId, () => writer.close());
  let missed: StoredEvent[] | undefined;
  try {
    await Promise.all([unsubscribe, untilEnd]);
    missed = await storage.events.after(sessionId, streamId, lastEventId);
  } catch (error) {
    writer.close(); // storage failed mid-setup: no writer is left behind
    throw error;
  }
  if (!missed) {
    writer.close();
    throw new HttpError(404, ErrorCode.BadRequest, `Not found: stream of Last-Event-ID "${lastEventId}" is gone`);
  }
  for (const event of missed) deliver(event, true);
  replaying = false;
  for (const event of buffered) deliver(event);
  return { status: 200, headers: merged(incoming.responseHeaders, SSE_HEADERS), body: writer.body };
}
