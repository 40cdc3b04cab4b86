import type { Incoming, Outcome } from "../http/exchange.js";
import { SSE_HEADERS, SseWriter } from "../http/sse.js";
import { BROADCAST_CHANNEL, notifyChannel } from "../protocol/channels.js";
import { ErrorCode, HttpError } from "../protocol/errors.js";
import { notificationMessage } from "../protocol/jsonrpc.js";
import { hasPrimingEvents } from "../protocol/versions.js";
import { eventId, isGetStreamId, isPostStreamId, newGetStreamId, parseEventId } from "./event-ids.js";
import { loadSession } from "./load.js";
import { resumePostStream } from "./resume.js";
import { type SessionState, retainThenForget, streamKey } from "./state.js";
import { merged } from "../util/merged.js";

/** GET: the session's stream for server-initiated messages, or the resumption of any stream. */
export async function sessionGet(state: SessionState, incoming: Incoming): Promise<Outcome> {
  const { sessionId, version } = await loadSession(state, incoming.exchange, incoming.host);
  const lastEventId = incoming.exchange.header("last-event-id");
  if (!lastEventId) return openGetStream(state, sessionId, version, incoming);
  const parsed = parseEventId(lastEventId);
  if (!parsed || !(isGetStreamId(parsed.streamId) || isPostStreamId(parsed.streamId))) {
    throw new HttpError(400, ErrorCode.BadRequest, `Bad Request: Last-Event-ID "${lastEventId}" was not issued by this server`);
  }
  if (isPostStreamId(parsed.streamId)) return resumePostStream(state, sessionId, parsed, lastEventId, incoming);
  return openGetStream(state, sessionId, version, incoming, { streamId: parsed.streamId, lastEventId });
}

/**
 * The session's GET stream: one per session across every instance, held by a lease in storage
 * that the stream renews with each keep-alive. A plain GET while another is open gets 409; a GET
 * with `Last-Event-ID` takes the stream over (the old holder stops, wherever it is), replays what
 * was missed, and continues under a fresh stream id, so no event id is ever written twice.
 *
 * Resuming subscribes first and buffers, then stops whoever still collected the old stream
 * (its holder, or a collector left by polling) and replays from the store, so nothing
 * published during the handover is lost (a notification may arrive twice; list_changed and
 * updated are idempotent).
 */
async function openGetStream(
  state: SessionState,
  sessionId: string,
  version: string,
  incoming: Incoming,
  resume?: { streamId: string; lastEventId: string },
): Promise<Outcome> {
  const { server, control } = state;
  const { storage, options } = server;
  const streamId = newGetStreamId();
  const owner = `${streamId}~${Math.random().toString(36).slice(2, 10)}`;
  const leaseTtl = options.sse.keepAlive * 3;
  let previousOwner: string | undefined;
  if (resume) previousOwner = await storage.leases.takeOver(sessionId, owner, leaseTtl);
  else if (!(await storage.leases.acquire(sessionId, owner, leaseTtl))) {
    throw new HttpError(409, ErrorCode.BadRequest, "Conflict: this session already has an open GET stream");
  }

  const key = streamKey(sessionId, streamId);
  let seq = 0;
  let closedForPolling = false;
  let buffered: string[] | undefined = resume ? [] : undefined;
  const disposers: (() => void | Promise<void>)[] = [];
  let disposed = false;
  const disposeAll = () => {
    disposed = true;
    for (const dispose of disposers.splice(0)) void Promise.resolve(dispose()).catch(() => {});
  };
  /** Keeps a disposer for the end; one arriving after the end (the client left meanwhile) runs now. */
  const keep = (dispose: () => void | Promise<void>) => (disposed ? void Promise.resolve(dispose()).catch(() => {}) : void disposers.push(dispose));
  // An open stream is a live client: it keeps the session from idling out (renewed every third of
  // the timeout, however long the keep-alive interval is), and holds the lease.
  const leaveBusy = state.busy.enter(sessionId);
  const writer = new SseWriter({
    keepAlive: options.sse.keepAlive,
    maxBuffered: options.sse.maxBuffered,
    onKeepAlive: () => {
      void storage.sessions.get(sessionId, options.sessionTimeout).then((record) => record ?? writer.close(), () => {});
      void storage.leases.renew(sessionId, owner, leaseTtl).then((held) => held || writer.close(), () => {});
    },
    onClose: (reason) => {
      leaveBusy();
      // Cut for not reading: like a close for polling, keep collecting for the client's resume.
      if (reason === "overflow" && hasPrimingEvents(version)) closedForPolling = true;
      state.openStreams.delete(writer);
      void storage.leases.release(sessionId, owner).catch(() => {});
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
        // Every resume continues under a new stream id: this one is kept only for a late resume.
        retainThenForget(state, sessionId, streamId);
      });
    },
  });
  state.openStreams.add(writer);
  /** Priming event (SEP-1699): an id with empty data, so the client can resume from here before the first message. */
  const prime = () => {
    const id = eventId(streamId, seq);
    writer.event("", id, options.sse.retry);
    void storage.events.append(sessionId, streamId, { id, data: "" }, options.sessionTimeout).catch(() => {});
  };
  const send = (data: string) => {
    if (buffered) return void buffered.push(data);
    const id = eventId(streamId, ++seq);
    if (writer.event(data, id) || closedForPolling) void storage.events.append(sessionId, streamId, { id, data }, options.sessionTimeout).catch(() => {});
  };

  try {
    keep(await control.onSessionEnd(sessionId, () => (closedForPolling ? state.pollingCollectors.get(key)?.() : writer.close())));
    keep(await storage.bus.subscribe(notifyChannel(sessionId), (m) => send(typeof m === "string" ? m : JSON.stringify(m))));
    keep(
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

    if (resume) {
      // We are subscribed: whoever held or collected the old stream can stop now.
      await control.takeStream(sessionId, { owner: previousOwner, streamId: resume.streamId, by: owner });
      const missed = (await storage.events.after(sessionId, resume.streamId, resume.lastEventId)) ?? [];
      for (const event of missed) if (event.data !== "") writer.replay(event.data, event.id);
      // The client's next Last-Event-ID must name this stream, even if it closes before anything new
      // arrives (polling): otherwise what it collects meanwhile is out of the client's reach.
      if (hasPrimingEvents(version)) prime();
      const held = buffered ?? [];
      buffered = undefined;
      for (const data of held) send(data);
    } else if (hasPrimingEvents(version)) {
      prime();
    }
    // Registered after our own takeover message went out, so it cannot stop this stream.
    keep(await control.onStreamTaken(sessionId, owner, streamId, () => (closedForPolling ? state.pollingCollectors.get(key)?.() : writer.close())));
    if (options.sse.pollAfter !== undefined) {
      const timer = setTimeout(() => {
        closedForPolling = true;
        writer.close();
      }, options.sse.pollAfter);
      keep(() => clearTimeout(timer));
    }
  } catch (error) {
    // Storage failed mid-setup (the client gets a 503): end the stream, which releases the lease
    // and whatever was registered, instead of leaving a writer that renews both forever.
    writer.close();
    throw error;
  }
  return { status: 200, headers: merged(incoming.responseHeaders, SSE_HEADERS), body: writer.body };
}
