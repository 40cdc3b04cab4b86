import type { HostContext, Server } from "@wisp/core";
import type { Context, Env, MiddlewareHandler } from "hono";

export interface HonoMcpOptions<E extends Env = any> {
  /**
   * Seeds `ctx.assigns`. Default: every variable set with `c.set()` (`c.var`), plus `env: c.env`
   * and, where the runtime has one (Workers), `executionCtx`.
   */
  assigns?: (c: Context<E>) => Record<string, unknown>;
  /**
   * The runtime's connection info helper, for `ctx.transport.remoteIp`:
   * `getConnInfo` from `@hono/node-server/conninfo`, `hono/bun`, `hono/deno` or `hono/cloudflare-workers`.
   */
  getConnInfo?: (c: Context<E>) => { remote: { address?: string } };
  /**
   * The authenticated caller (e.g. from `c.var`): becomes `ctx.auth.principal` and binds sessions,
   * 2026 `requestState` and tasks to it.
   */
  principal?: (c: Context<E>) => string | undefined;
  /** Set when the app listens on loopback only, so the Host header is checked (DNS rebinding). */
  loopback?: boolean;
}

/**
 * A Hono handler (usable as middleware) that answers MCP on the route it is mounted on.
 * @example
 * const app = new Hono();
 * app.use("/mcp", authMiddleware);          // c.set("user", …) → ctx.assigns.user
 * app.all("/mcp", mcp(server));
 */
export function mcp<E extends Env = any>(server: Server<any>, options: HonoMcpOptions<E> = {}): MiddlewareHandler<E> {
  const assigns: (c: Context<E>) => Record<string, unknown> = options.assigns ?? defaultAssigns;
  return async (c) => {
    const principal = options.principal?.(c);
    const host: HostContext = {
      assigns: assigns(c),
      remoteIp: remoteIp(c, options.getConnInfo),
      loopback: options.loopback,
      auth: principal === undefined ? undefined : { principal },
    };
    return server.handle(await requestOf(c), host);
  };
}

function defaultAssigns(c: Context): Record<string, unknown> {
  const assigns: Record<string, unknown> = { ...c.var, env: c.env };
  try {
    assigns.executionCtx = c.executionCtx; // throws where the runtime has none (Node, Bun, Deno)
  } catch {
    // no ExecutionContext
  }
  return assigns;
}

function remoteIp<E extends Env>(c: Context<E>, getConnInfo: HonoMcpOptions<E>["getConnInfo"]): string | undefined {
  if (!getConnInfo) return undefined;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * The request to hand to Wisp. When an earlier middleware read the body through Hono
 * (`c.req.json()`, `c.req.text()`, a validator), the raw body stream is spent but Hono keeps
 * the body in `c.req.bodyCache`: rebuild the Request from that cache.
 */
async function requestOf(c: Context<any>): Promise<Request> {
  const raw = c.req.raw;
  const cached = Object.keys(c.req.bodyCache).length > 0;
  if (!cached) {
    if (raw.bodyUsed) {
      throw new Error("@wisp/hono: the request body was already read from c.req.raw; read it with c.req.json() or c.req.text() so Hono caches it");
    }
    return raw;
  }
  const headers = new Headers(raw.headers);
  headers.delete("content-length"); // the cached body may be re-serialized
  return new Request(raw.url, { method: raw.method, headers, body: await c.req.text(), signal: raw.signal });
}
