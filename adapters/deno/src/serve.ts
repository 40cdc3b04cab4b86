import { type Server, isServedPath } from "@wisp/core";
import { type DenoHandlerOptions, toDenoHandler } from "./handler.js";
import { type DenoHttpServer, deno } from "./types.js";

export interface ServeOptions extends Omit<DenoHandlerOptions, "loopback"> {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: local servers should not be reachable from the network. */
  hostname?: string;
  /** The MCP endpoint path. Default "/mcp"; other paths answer 404, except its OAuth protected-resource metadata (RFC 9728). */
  path?: string;
  /** Aborting it shuts the server down, as `shutdown()` does. */
  signal?: AbortSignal;
  /** How long `shutdown()` lets calls in flight finish before answering them -32603 "Server shutting down" (ms). Default 5 000. */
  shutdownTimeout?: number;
}

export interface RunningServer {
  /** The endpoint URL, e.g. http://127.0.0.1:3000/mcp */
  url: string;
  port: number;
  /** What `Deno.serve()` returned. */
  deno: DenoHttpServer;
  /** Stops accepting, ends SSE streams cleanly, waits for open requests, then closes. */
  shutdown(): Promise<void>;
  /** Settles once the server has shut down. */
  finished: Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const INTERNAL_ERROR = '{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}';

/**
 * Serves a Wisp server with `Deno.serve`.
 * @example
 * const running = await serve(server, { port: 3000 });
 * console.log(`MCP endpoint: ${running.url}`);
 * Deno.addSignalListener("SIGTERM", () => running.shutdown());
 */
export async function serve(server: Server<any>, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const path = options.path ?? "/mcp";
  const handler = toDenoHandler(server, { assigns: options.assigns, loopback: LOOPBACK.has(hostname) });
  const notFound = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: `Not found: the MCP endpoint is ${path}` } });
  const denoServer = deno().serve({
    port: options.port ?? 3000,
    hostname,
    onListen: () => {}, // the caller prints the URL it wants
    onError: () => new Response(INTERNAL_ERROR, { status: 500, headers: { "content-type": "application/json" } }),
    handler(request, info) {
      if (!isServedPath(new URL(request.url).pathname, path)) {
        return new Response(notFound, { status: 404, headers: { "content-type": "application/json" } });
      }
      const answer = handler(request, info);
      // Shutting down (now or by the time this is answered): the answer says Connection: close,
      // so the client's next call opens a new connection instead of being cut on this one.
      return answer.then((response) => (stopping ? closeConnection(response) : response));
    },
  });
  const addr = denoServer.addr;
  const port = "port" in addr ? (addr as { port: number }).port : 0;
  const shownHost = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      const closed = denoServer.shutdown(); // stops accepting; settles once open requests are done
      // Ends SSE streams at once; calls in flight get shutdownTimeout, then an error answer.
      await server.close({ graceMs: options.shutdownTimeout ?? 5_000 });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const giveUp = new Promise<void>((resolve) => {
        // Every call is answered now; a moment for those answers to reach their clients.
        timer = setTimeout(resolve, 1_000);
      });
      await Promise.race([closed, giveUp]);
      clearTimeout(timer);
    })());
  const { signal } = options;
  if (signal) {
    if (signal.aborted) await shutdown();
    else signal.addEventListener("abort", () => void shutdown(), { once: true });
  }
  return { url: `http://${shownHost}:${port}${path}`, port, deno: denoServer, shutdown, finished: denoServer.finished };
}

function closeConnection(response: Response): Response {
  response.headers.set("connection", "close");
  return response;
}
