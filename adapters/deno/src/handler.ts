import type { HostContext, Server } from "@wisp/core";
import type { DenoServeHandlerInfo } from "./types.js";

export interface DenoHandlerOptions {
  /** Seeds `ctx.assigns` from the request, e.g. what an auth layer in front decided. Default: none. */
  assigns?: (request: Request, info: DenoServeHandlerInfo) => Record<string, unknown>;
  /** Set when the listener is on loopback, so the Host header is checked (DNS rebinding). */
  loopback?: boolean;
}

export type DenoHandler = (request: Request, info: DenoServeHandlerInfo) => Promise<Response>;

/**
 * A `Deno.serve` handler (or `deno serve` default export `fetch`) that adds what `server.fetch`
 * alone cannot know: the caller's address, as `ctx.transport.remoteIp`.
 * @example
 * export default { fetch: toDenoHandler(server) };   // deno serve --allow-net server.ts
 */
export function toDenoHandler(server: Server<any>, options: DenoHandlerOptions = {}): DenoHandler {
  const { assigns, loopback } = options;
  return (request, info) => {
    const addr = info?.remoteAddr;
    const host: HostContext = { remoteIp: addr && "hostname" in addr ? addr.hostname : undefined, loopback };
    if (assigns) host.assigns = assigns(request, info);
    return server.handle(request, host);
  };
}
