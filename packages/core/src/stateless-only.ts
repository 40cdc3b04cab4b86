import { modernOnlySessions } from "./http/modern-only.js";
import { Server } from "./server.js";
import type { ServerOptions } from "./server/options.js";
import { createStatelessHandlers } from "./stateless/handlers.js";

export * from "./api.js";

type Assigns = Record<string, unknown>;

/** The options of `@wisp/core`'s createServer, less the 2024-11-05 transport (it needs sessions). */
export type StatelessServerOptions = Omit<ServerOptions, "legacySse"> & { legacySse?: false };

/**
 * Creates an MCP server that speaks only protocol 2026-07-28: every message is a self-contained
 * POST, nothing is kept between requests, and the 2025 session code is not loaded or bundled.
 * A 2025-era client gets 400 with JSON-RPC error -32022 naming the versions spoken; GET and
 * DELETE get 405. Registration and everything else are those of `@wisp/core`.
 * @example
 * import { createServer } from "@wisp/core/stateless";
 * const server = createServer({ name: "edge", version: "1.0.0" })
 *   .tool("ping", { description: "Answers pong" }, () => "pong");
 * export default server; // Workers, Deno and Bun serve `server.fetch` as is
 */
export function createServer<A extends Assigns = Assigns>(options: StatelessServerOptions): Server<A> {
  // The type already says so; this is for JavaScript callers.
  if ((options as ServerOptions).legacySse) {
    throw new TypeError("legacySse serves the 2024-11-05 transport, which needs sessions: use createServer from @wisp/core, not @wisp/core/stateless");
  }
  return new Server<A>(options, (server) => ({ sessions: modernOnlySessions(), stateless: createStatelessHandlers(server) }));
}
