import type { HostContext, Server } from "@wisp/core";

type MaybePromise<T> = T | Promise<T>;

export interface NextHandlerOptions<R extends Request = Request> {
  /**
   * Extra `ctx.assigns`, e.g. the signed-in user from your auth library. May be async.
   * `ctx.assigns.request` is always the incoming (Next)Request.
   */
  assigns?: (request: R) => MaybePromise<Record<string, unknown>>;
  /**
   * The authenticated caller (e.g. a token's subject): becomes `ctx.auth.principal` and binds
   * sessions, 2026 `requestState` and tasks to it.
   */
  principal?: (request: R) => MaybePromise<string | undefined>;
  /**
   * The client's address for `ctx.transport.remoteIp`. Next does not expose the socket; behind a
   * proxy you trust, read its header (e.g. the first `x-forwarded-for` entry). Default: none.
   */
  remoteIp?: (request: R) => string | undefined;
  /** Set when the app listens on loopback only, so the Host header is checked (DNS rebinding). */
  loopback?: boolean;
}

/** A route handler: Next passes a `NextRequest`, which is a `Request`. */
export type NextRouteHandler<R extends Request = Request> = (request: R) => Promise<Response>;

export interface NextHandlers<R extends Request = Request> {
  GET: NextRouteHandler<R>;
  POST: NextRouteHandler<R>;
  DELETE: NextRouteHandler<R>;
  OPTIONS: NextRouteHandler<R>;
}

/**
 * Route handlers for the App Router, in the Node.js and Edge runtimes.
 * @example
 * // app/mcp/route.ts
 * import { createNextHandler } from "@wisp/next";
 * import { server } from "@/lib/mcp-server";
 * export const dynamic = "force-dynamic";
 * export const { GET, POST, DELETE, OPTIONS } = createNextHandler(server);
 */
export function createNextHandler<R extends Request = Request>(server: Server<any>, options: NextHandlerOptions<R> = {}): NextHandlers<R> {
  const handler: NextRouteHandler<R> = async (request) => {
    const [extra, principal] = await Promise.all([options.assigns?.(request), options.principal?.(request)]);
    const host: HostContext = {
      assigns: { ...extra, request },
      remoteIp: options.remoteIp?.(request),
      loopback: options.loopback,
      auth: principal === undefined ? undefined : { principal },
    };
    return server.handle(request, host);
  };
  return { GET: handler, POST: handler, DELETE: handler, OPTIONS: handler };
}
