import type { HostContext, Server } from "@wisp/core";
import type { BunServer } from "./types.js";

export interface BunHandlerOptions {
  /** Seeds `ctx.assigns` from the request, e.g. what an auth layer in front decided. Default: none. */
  assigns?: (request: Request, bunServer: BunServer) => Record<string, unknown>;
  /** Set when the listener is on loopback, so the Host header is checked (DNS rebinding). */
  loopback?: boolean;
  /** The server's `idleTimeout` in seconds, restored once a response is complete. Default 10 (Bun's). */
  idleTimeout?: number;
}

export type BunFetchHandler = (request: Request, bunServer: BunServer) => Promise<Response>;

/**
 * A `fetch(request, server)` for `Bun.serve` or a default export, which adds what `server.fetch`
 * alone cannot know: the caller's address (`ctx.transport.remoteIp`). It also lifts Bun's idle
 * timeout (10 s by default) while a request runs and while its SSE stream is open, so quiet
 * streams and slow tool calls are not cut, and puts it back once the response is complete, so
 * idle keep-alive connections are still closed.
 * @example
 * export default { fetch: toBunHandler(server) };   // bun run server.ts
 */
export function toBunHandler(server: Server<any>, options: BunHandlerOptions = {}): BunFetchHandler {
  const { assigns, loopback } = options;
  const idleTimeout = options.idleTimeout ?? 10;
  return async (request, bunServer) => {
    bunServer.timeout(request, 0);
    const host: HostContext = { remoteIp: bunServer.requestIP(request)?.address, loopback };
    if (assigns) host.assigns = assigns(request, bunServer);
    const response = await server.handle(request, host);
    const restore = () => {
      try {
        bunServer.timeout(request, idleTimeout);
      } catch {
        // the connection is already gone
      }
    };
    if (!response.body || !(response.headers.get("content-type") ?? "").startsWith("text/event-stream")) {
      restore();
      return response;
    }
    // An SSE stream: the idle timeout comes back when the server ends it.
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: restore }));
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
