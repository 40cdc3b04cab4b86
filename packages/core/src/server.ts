import type { HostContext } from "./context/host.js";
import { type HttpHandler, type SessionHandlers, type StatelessHandlers, createHttpHandler } from "./http/handler.js";
import { Registry } from "./server/registry.js";
import type { ServerOptions } from "./server/options.js";

type Assigns = Record<string, unknown>;

/** The protocol eras a server answers (a 2026-only server's `sessions` refuses the 2025 era). */
export interface Eras {
  sessions: SessionHandlers;
  stateless: StatelessHandlers;
}

/**
 * An MCP server: the registration API (from `Registry`) plus request handling. This is the one
 * place where registration meets HTTP. Which eras it answers is decided by the function that
 * builds it, `createServer` from `@wisp/core` (both) or from `@wisp/core/stateless` (2026-07-28
 * only), so a stateless-only server never bundles the 2025 session code.
 */
export class Server<A extends Assigns = Assigns> extends Registry<A> {
  readonly #http: HttpHandler;
  /**
   * Whether this server answers the 2025 era (initialize, sessions, GET streams): false for one
   * from `@wisp/core/stateless`. Adapters that route sessions elsewhere (Durable Objects) read it.
   */
  readonly servesSessions: boolean;

  /** @internal use `createServer` from `@wisp/core` or `@wisp/core/stateless` */
  constructor(options: ServerOptions, eras: (server: Registry<A>) => Eras) {
    if (typeof eras !== "function") {
      throw new TypeError("new Server(options) is not the way to build a server: call createServer(options) from @wisp/core (both protocol eras) or @wisp/core/stateless (2026-07-28 only)");
    }
    super(options);
    const built = eras(this);
    this.servesSessions = built.sessions.modernOnly !== true;
    this.#http = createHttpHandler(this, built);
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
