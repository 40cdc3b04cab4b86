import type { SessionHandlers } from "../http/handler.js";
import type { Registry } from "../server/registry.js";
import { sessionDelete } from "./delete.js";
import { sessionGet } from "./get-stream.js";
import { initialize } from "./initialize.js";
import { sessionPost } from "./post.js";
import { createSessionState } from "./state.js";

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
    async close(graceMs) {
      for (const stop of [...state.pollingCollectors.values()]) stop();
      for (const stream of [...state.openStreams]) stream.close();
      // Calls in flight may still need the control channel (replies, cancellation) until answered.
      await state.inFlight.drain(graceMs);
      state.control.closeAll();
    },
  };
}
