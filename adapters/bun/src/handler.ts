import { EventStream, type HostContext, type Server, fromRequest, toResponse } from "@wisp/core";
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
  const http = server.http;
  return async (request, bunServer) => {
    bunServer.timeout(request, 0);
    const host = bunHost(request, bunServer, loopback);
    if (assigns) host.assigns = assigns(request, bunServer);
    // The core's Outcome, not server.handle()'s Response: reading a Response's headers back on
    // Bun builds a Headers object, which cost more than the whole adapter (≈ 6 µs a request).
    const outcome = await http.process(fromRequest(request), host);
    const restore = () => {
      try {
        bunServer.timeout(request, idleTimeout);
      } catch {
        // the connection is already gone
      }
    };
    const { body } = outcome;
    if (body instanceof EventStream) {
      // An SSE stream: the idle timeout comes back when the server ends it.
      body.onEnd(restore);
      return toResponse(outcome);
    }
    if (body instanceof ReadableStream && (outcome.headers["content-type"] ?? "").startsWith("text/event-stream")) {
      // A hook's own event stream: the same, seen from its end.
      const piped = body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: restore }));
      return new Response(piped, { status: outcome.status, headers: outcome.headers });
    }
    restore();
    return toResponse(outcome);
  };
}

/**
 * The host context, with the caller's address asked of Bun only when something reads it:
 * `requestIP()` cost ≈ 13 % of a whole tools/call on Bun (paired runs, 0.653× → 0.564× of bare
 * Bun.serve when read on every request). Bun answers it with null once the response is over, so
 * the core reads the host of a call that outlives its response (a task) before answering
 * (`pinnedHost`). A getter on the object itself: a copy (`{ ...host }`) carries the value.
 */
function bunHost(request: Request, bunServer: BunServer, loopback: boolean | undefined): HostContext {
  let address: string | undefined | null = null;
  return {
    loopback,
    get remoteIp() {
      if (address === null) address = bunServer.requestIP(request)?.address;
      return address;
    },
  };
}
