import type { SessionHandlers } from "../http/handler.js";
import type { Registry } from "../server/registry.js";
import { sessionDelete } from "./delete.js";
import { sessionGet } from "./get-stream.js";
import { initialize } from "./initialize.js";
import { sessionPost } from "./post.js";
import { principalOf } from "../context/host.js";
import { SSE_HEADERS, SseWriter } from "../http/sse.js";
import { negotiateLegacyVersion } from "../protocol/versions.js";
import { belongsTo, checkSessionVersionHeader } from "./load.js";
import { resumePostStream } from "./resume.js";
import { BROADCAST_CHANNEL, notifyChannel } from "../protocol/channels.js";
import { envelopeError, errorMessage, toMcpError } from "../protocol/jsonrpc.js";
import { randomId } from "../util/random-id.js";
import { parseEventId } from "./event-ids.js";
import type { LegacyDepsTuple } from "./legacy-sse-post.js";
import { type SessionState, createSessionState } from "./state.js";

/**
 * The 2025 era for one server: `initialize` opens a session in storage; POSTs, the GET stream,
 * resumption and DELETE act on it, on whichever instance receives them.
 */
export function createSessionHandlers(server: Registry): SessionHandlers {
  const state = createSessionState(server);
  return {
    initialize: (message, incoming) => initialize(state, message, incoming),
    post: (body, incoming) => sessionPost(state, body, incoming),
    get: (incoming) => sessionGet(state, incoming),
    delete: (incoming) => sessionDelete(state, incoming),
    legacy: server.options.legacySse ? legacySse(state) : undefined,
    async close(graceMs) {
      for (const stop of [...state.pollingCollectors.values()]) stop();
      for (const stream of [...state.openStreams]) stream.close();
      // Calls in flight may still need the control channel (replies, cancellation) until answered.
      await state.inFlight.drain(graceMs);
      state.busy.stop();
      state.control.closeAll();
    },
  };
}

/**
 * The 2024-11-05 transport, loaded with import() on first use so a server without `legacySse`
 * never carries it. What it needs of the startup code is handed over rather than imported: an
 * import would split that code into a shared chunk, and the chunk's exports alone would cost
 * every minimal server about 1 KB.
 */
function legacySse(state: SessionState): NonNullable<SessionHandlers["legacy"]> {
  const deps: LegacyDepsTuple = [
    sessionPost, resumePostStream, SseWriter, SSE_HEADERS, belongsTo, checkSessionVersionHeader, negotiateLegacyVersion, principalOf,
    envelopeError, errorMessage, toMcpError, randomId, parseEventId, notifyChannel, BROADCAST_CHANNEL,
  ];
  return (incoming, body) => import("./legacy-sse.js").then((module) => module.legacySse(state, deps, incoming, body));
}
