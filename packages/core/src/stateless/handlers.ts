import type { StatelessHandlers } from "../http/handler.js";
import type { Registry } from "../server/registry.js";
import { statelessPost } from "./post.js";
import { createStatelessState } from "./state.js";

/**
 * The 2026-07-28 era for one server: each POST carries everything it needs (`_meta`,
 * `requestState`), so any instance answers any request.
 */
export function createStatelessHandlers(server: Registry): StatelessHandlers {
  const state = createStatelessState(server);
  return {
    post: (body, incoming) => statelessPost(state, body, incoming),
    async close(graceMs) {
      state.closing = true;
      for (const end of [...state.endOnShutdown]) end();
      await state.inFlight.drain(graceMs);
    },
  };
}
