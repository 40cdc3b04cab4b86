import { Server } from "./server.js";
import type { ServerOptions } from "./server/options.js";
import { createSessionHandlers } from "./sessions/handlers.js";
import { createStatelessHandlers } from "./stateless/handlers.js";

type Assigns = Record<string, unknown>;

/**
 * Creates an MCP server that answers both eras on one endpoint: 2026-07-28 (stateless) and every
 * 2025-era version (sessions). Register features, then serve it with `fetch`/`handle` or an adapter.
 * @example
 * const server = createServer({ name: "notes", version: "1.0.0" })
 *   .tool("add", { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
 *     ({ a, b }) => String(a + b));
 * export default server; // Bun, Deno and Workers serve `server.fetch` as is
 */
export function createServer<A extends Assigns = Assigns>(options: ServerOptions): Server<A> {
  return new Server<A>(options, (server) => ({ sessions: createSessionHandlers(server), stateless: createStatelessHandlers(server) }));
}
