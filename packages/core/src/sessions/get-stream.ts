import type { Incoming, Outcome } from "../http/exchange.js";
import { SSE_HEADERS, SseWriter } from "../http/sse.js";
import { BROADCAST_CHANNEL, notifyChannel } from "../protocol/channels.js";
import { ErrorCode, HttpError } from "../protocol/errors.js";
import { notificationMessage } from "../protocol/jsonrpc.js";
import { hasPrimingEvents } from "../protocol/versions.js";
import { eventId, isGetStreamId, newGetStreamId, parseEventId } from "./event-ids.js";
import { loadSession } from "./load.js";
import { resumePostStream } from "./resume.js";
import { type SessionState, retainThenForget, streamKey } from "./state.js";

/** GET: the session's stream for server-initiated messages, or the resumption of any stream. */
export async function sessionGet(state: SessionState, incoming: Incoming): Promise<Outcome> {
  const { sessionId, version } = await loadSession(state, incoming.exchange, incoming.host);
  const lastEventId = incoming.exchange.header("last-event-id");
  if (!lastEventId) {
    assertNoGetStream(state, sessionId);
    return openGetStream(state, sessionId, newGetStreamId(), version, incoming);
  }
  const parsed = parseEventId(lastEventId);
  if (!parsed) throw new HttpError(400, ErrorCode.BadRequest, `Bad Request: Last-Event-ID "${lastEventId}" was not issued by this server`);
  if (!isGetStreamId(parsed.streamId)) return resumePostStream(state, sessionId, parsed, lastEventId, incoming);
  assertNoGetStream(state, sessionId);
  return openGetStream(state, sessionId, parsed.streamId, version, incoming, lastEventId);
}

function assertNoGetStream(state: SessionState, sessionId: string): void {
  if (state.getStreams.has(sessionId)) throw new HttpError(409, ErrorCode.BadRequest, "Conflict: this session already has an open GET stream");
}

/**
 * The session's GET stream. Resuming (`resumeAfter`) subscribes first and buffers, then takes
 * over from a polling collector and replays from the store, so nothing published during the
 * handover is lost (a notification may arrive twice; list_changed and updated are idempotent).
 */
async function openGetStream(state: SessionState, sessionId: string, streamId: string, version: string, incoming: Incoming, resumeAfter?: string): Promise<Outcome> {
  const { server, control } = state;
  const { storage, options } = server;
  const key = streamKey(sessionId, streamId);
  let seq = resumeAfter ? (parseEventId(resumeAfter)?.seq ?? 0) : 0;
  let closedForPolling = false;
  let buffered: string[] | undefined = resumeAfter ? [] : undefined;
  const disposers: (() => void | Promise<void>)[] = [];
  const disposeAll = () => {
    for (const dispose of disposers) void Promise.resolve(dispose()).catch(() => {});
  };
  state.getStreams.add(sessionId);
  state.retainedStreams.get(key)?.();
  const writer = new SseWriter({
    keepAlive: options.sse.keepAlive,
    // An open stream is a live client: it keeps the session from idling out.
    onKeepAlive: () =>
      void storage.sessions.get(sessionId, options.sessionTimeout).then((record) => record ?? writer.close(), () => {}),
    onClose: () => {
      state.getStreams.delete(sessionId);
      state.openStreams.delete(writer);
      if (!closedForPolling) {
        disposeAll();
        retainThenForget(state, sessionId, streamId);
        return;
      }
      // Closed for polling: keep collecting so the reconnecting client misses nothing.
      const timer = setTimeout(() => state.pollingCollectors.get(key)?.(), options.sessionTimeout);
      state.pollingCollectors.set(key, () => {
        state.pollingCollectors.delete(key);
        clearTimeout(timer);
        disposeAll();
      });
    },
  });
  state.openStreams.add(writer);
  const send = (data: string) => {
    if (buffered) return void buffered.push(data);
    const id = eventId(streamId, ++seq);
    if (writer.event(data, id) || closedForPolling) void storage.events.append(sessionId, streamId, { id, data }, options.sessionTimeout).catch(() => {});
  };

  disposers.push(await control.onSessionEnd(sessionId, () => (closedForPolling ? state.pollingCollectors.get(key)?.() : writer.close())));
  disposers.push(await storage.bus.subscribe(notifyChannel(sessionId), (m) => send(typeof m === "string" ? m : JSON.stringify(m))));
  disposers.push(
    await storage.bus.subscribe(BROADCAST_CHANNEL, (m) => {
      const { method, params } = m as { method: string; params?: { uri?: string } };
      if (method !== "notifications/resources/updated") return send(notificationMessage(method, params));
      // Only clients that subscribed to this URI hear about it.
      void storage.sessions.get(sessionId).then(
        (record) => {
          if (record?.subscriptions.includes(params?.uri ?? "")) send(notificationMessage(method, params));
        },
        () => {}, // storage unreachable: this notification is lost, the stream is not
      );
    }),
  );

  if (resumeAfter) {
    state.pollingCollectors.get(key)?.(); // we are subscribed: the polling collector can stop
    const missed = (await storage.events.after(sessionId, streamId, resumeAfter)) ?? [];
    for (const event of missed) {
      seq = Math.max(seq, parseEventId(event.id)?.seq ?? seq);
      if (event.data !== "") writer.event(event.data, event.id);
    }
    const held = buffered ?? [];
    buffered = undefined;
    for (const data of held) send(data);
  } else if (hasPrimingEvents(version)) {
    // Priming event (SEP-1699): the client can resume from here even before the first message.
    const id = eventId(streamId, seq);
    writer.event("", id, options.sse.retry);
    void storage.events.append(sessionId, streamId, { id, data: "" }, options.sessionTimeout).catch(() => {});
  }
  if (options.sse.pollAfter !== undefined) {
    const timer = setTimeout(() => {
      closedForPolling = true;
      writer.close();
    }, options.sse.pollAfter);
    disposers.push(() => clearTimeout(timer));
  }
  return { status: 200, headers: { ...incoming.responseHeaders, ...SSE_HEADERS }, body: writer.stream };
}
