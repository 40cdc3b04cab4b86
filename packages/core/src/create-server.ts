import type { HostContext } from "./context/host.js";
import { type HttpHandler, createHttpHandler } from "./http/handler.js";
import { Registry } from "./server/registry.js";
import type { ServerOptions } from "./server/options.js";
import { createSessionHandlers } from "./sessions/handlers.js";
import { createStatelessHandlers } from "./stateless/handlers.js";

type Assigns = Record<string, unknown>;

/**
 * Creates an MCP server. Register features, then serve it with `fetch`/`handle` or an adapter.
 * @example
 * const server = createServer({ name: "notes", version: "1.0.0" })
 *   .tool("add", { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
 *     ({ a, b }) => String(a + b));
 * export default server; // Bun, Deno and Workers serve `server.fetch` as is
 */
export function createServer<A extends Assigns = Assigns>(options: ServerOptions): Server<A> {
  return new Server<A>(options);
}

/**
 * An MCP server: the registration API (from `Registry`) plus request handling for both eras.
 * This is the one place where registration meets HTTP.
 */
export class Server<A extends Assigns = Assigns> extends Registry<A> {
  readonly #http: HttpHandler;

  constructor(options: ServerOptions) {
    super(options);
    this.#http = createHttpHandler(this, { sessions: createSessionHandlers(this), stateless: createStatelessHandlers(this) });
  }

  /**
   * The web-standard entry point: `export default server` serves it on Bun, Deno and Workers.
   * `env` and `ctx` (Workers) become part of `ctx.assigns`.
   */
  fetch = (request: Request, env?: unknown, executionCtx?: unknown): Promise<Response> =>
    this.#http.handle(request, env === undefined && executionCtx === undefined ? undefined : { assigns: { env, executionCtx } });

  /**
   * Answers one HTTP request. `host` carries what the embedding runtime knows
   * (assigns, remote address, whether the listener is on loopback, who the caller is).
   * @example
   * const response = await server.handle(request, { auth: { principal: "user-42" } });
   */
  handle(request: Request, host?: HostContext): Promise<Response> {
    return this.#http.handle(request, host);
  }

  /** @internal the adapter fast path */
  get http(): HttpHandler {
    return this.#http;
  }

  /**
   * Shuts down: ends open streams (a 2025 client resumes elsewhere with `Last-Event-ID`; a 2026
   * listen stream gets its closing result), waits up to `graceMs` for calls in flight, answers
   * those still running with -32603 "Server shutting down" (their `ctx.signal` aborts), then
   * closes the storage. Adapters pass their `shutdownTimeout`.
   * @example
   * process.once("SIGTERM", () => server.close({ graceMs: 10_000 }).then(() => process.exit(0)));
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    await this.#http.close(options.graceMs ?? 5_000);
    await this.storage.close?.();
  }
}
