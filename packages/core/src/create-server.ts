import { mayBeLegacySse } from "./http/classify.js";
import { type SessionHandlers, shuttingDown } from "./http/handler.js";
import { type Incoming, type Outcome, jsonOutcome } from "./http/exchange.js";
import { ErrorCode, McpError } from "./protocol/errors.js";
import { type RequestId, errorMessage, isValidId } from "./protocol/jsonrpc.js";
import { Server } from "./server.js";
import type { Registry } from "./server/registry.js";
import type { ServerOptions } from "./server/options.js";
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
  return new Server<A>(options, (server) => ({ sessions: sessionsOnFirstUse(server), stateless: createStatelessHandlers(server) }));
}

/**
 * The 2025 era, loaded with import() when its first request arrives: a server whose clients all
 * speak 2026-07-28 never loads the session code, and a bundler splits it into a chunk of its own
 * (issue 13's size budget). Once loaded, calls go straight to it, without waiting on a promise.
 */
function sessionsOnFirstUse(server: Registry): SessionHandlers {
  let leg: SessionHandlers | undefined;
  let loading: Promise<SessionHandlers> | undefined;
  /** Set by close(): an instance that never served the 2025 era does not start now. */
  let closed = false;
  const load = (): Promise<SessionHandlers> =>
    (loading ??= import("./sessions/handlers.js")
      .then((module) => module.createSessionHandlers(server))
      .then(
        (loaded) => (leg = loaded),
        (error: unknown) => {
          // Retried by the next request: Node and Bun import a module again once it can be
          // loaded (Deno keeps the failure until the process restarts).
          loading = undefined;
          console.error("[wisp] the 2025 session code could not be loaded; 2025-era requests get 500 until it can be:", error);
          throw error;
        },
      ));
  /** Runs `use` on the leg; when it cannot be loaded, answers the request (its id kept) with 500 / -32603. */
  const withLeg = <T extends Outcome | undefined>(incoming: Incoming, body: unknown, use: (leg: SessionHandlers) => Promise<T>): Promise<T | Outcome> => {
    if (leg) return use(leg);
    if (closed) return Promise.reject(shuttingDown());
    return load().then(
      // A request that waited on the import while close() began starts nothing either.
      (loaded) => (closed ? Promise.reject(shuttingDown()) : use(loaded)),
      () => {
        const error = new McpError(ErrorCode.InternalError, "Internal error: the server's 2025 session support could not be loaded");
        return jsonOutcome(500, incoming.responseHeaders, errorMessage(requestIdOf(body), error));
      },
    );
  };
  return {
    initialize: (message, incoming) => withLeg(incoming, message, (loaded) => loaded.initialize(message, incoming)),
    post: (body, incoming) => withLeg(incoming, body, (loaded) => loaded.post(body, incoming)),
    get: (incoming) => withLeg(incoming, undefined, (loaded) => loaded.get(incoming)),
    delete: (incoming) => withLeg(incoming, undefined, (loaded) => loaded.delete(incoming)),
    // Asked of every GET and POST before the era is known: only a request that may be of the
    // 2024-11-05 transport (a 2025-era request in any case) loads the leg.
    legacy: server.options.legacySse
      ? (incoming, body) => {
          if (leg) return leg.legacy!(incoming, body);
          if (closed || !mayBeLegacySse(incoming.exchange)) return Promise.resolve(undefined);
          return withLeg(incoming, body, (loaded) => loaded.legacy!(incoming, body));
        }
      : undefined,
    async close(graceMs) {
      closed = true;
      // Nothing to end on an instance that never served the 2025 era; a load under way ends first.
      await (leg ?? (loading && (await loading.catch(() => undefined))))?.close(graceMs);
    },
  };
}

/** The id of a single JSON-RPC request, else null (a notification, a reply, a batch, a GET). */
function requestIdOf(body: unknown): RequestId | null {
  const message = body as { id?: unknown; method?: unknown } | null | undefined;
  return message && !Array.isArray(message) && typeof message.method === "string" && isValidId(message.id) ? (message.id as RequestId) : null;
}
