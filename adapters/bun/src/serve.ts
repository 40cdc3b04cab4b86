import { type Server, isServedPath } from "@wisp/core";
import { type BunHandlerOptions, toBunHandler } from "./handler.js";
import { type BunServer, bun } from "./types.js";

export interface ServeOptions extends Omit<BunHandlerOptions, "loopback" | "idleTimeout"> {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: local servers should not be reachable from the network. */
  hostname?: string;
  /** The MCP endpoint path. Default "/mcp"; other paths answer 404, except its OAuth protected-resource metadata (RFC 9728). */
  path?: string;
  /**
   * Seconds an idle connection stays open (Bun's `idleTimeout`, at most 255). It does not apply
   * while an MCP request runs or its SSE stream is open: those may be quiet for minutes. Default: Bun's (10).
   */
  idleTimeout?: number;
  /** How long `stop()` lets calls in flight finish before answering them -32603 "Server shutting down" (ms). Default 5 000. */
  shutdownTimeout?: number;
}

export interface RunningServer {
  /** The endpoint URL, e.g. http://127.0.0.1:3000/mcp */
  url: string;
  port: number;
  /** What `Bun.serve()` returned. */
  bun: BunServer;
  /** Stops accepting, ends SSE streams cleanly, waits for open requests, then closes. */
  stop(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);
const INTERNAL_ERROR = '{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}';

/**
 * Serves a Wisp server with `Bun.serve`.
 * @example
 * const running = await serve(server, { port: 3000 });
 * console.log(`MCP endpoint: ${running.url}`);
 * process.on("SIGTERM", () => running.stop());
 */
export async function serve(server: Server<any>, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const path = options.path ?? "/mcp";
  const handler = toBunHandler(server, { assigns: options.assigns, loopback: LOOPBACK.has(hostname), idleTimeout: options.idleTimeout });
  const notFound = JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: `Not found: the MCP endpoint is ${path}` } });
  const bunServer = bun().serve({
    port: options.port ?? 3000,
    hostname,
    ...(options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout }),
    fetch(request, self) {
      if (!isServedPath(pathnameOf(request.url), path)) {
        return new Response(notFound, { status: 404, headers: { "content-type": "application/json" } });
      }
      const answer = handler(request, self);
      // Shutting down (now or by the time this is answered): the answer says Connection: close,
      // so the client's next call opens a new connection instead of being cut on this one.
      return answer.then((response) => (stopping ? closeConnection(response) : response));
    },
    error() {
      return new Response(INTERNAL_ERROR, { status: 500, headers: { "content-type": "application/json" } });
    },
  });
  const port = bunServer.port;
  const shownHost = hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    bun: bunServer,
    stop: () =>
      (stopping ??= (async () => {
        const closed = bunServer.stop(); // stops accepting; settles once open requests are done
        // Ends SSE streams at once; calls in flight get shutdownTimeout, then an error answer.
        await server.close({ graceMs: options.shutdownTimeout ?? 5_000 });
        let timer: ReturnType<typeof setTimeout> | undefined;
        const cut = new Promise<void>((resolve) => {
          // Every call is answered now; a moment for those answers to reach their clients.
          timer = setTimeout(() => resolve(bunServer.stop(true)), 1_000);
        });
        await Promise.race([closed, cut]);
        clearTimeout(timer);
      })()),
  };
}

/** The path of an absolute request URL, without parsing it whole. */
function pathnameOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query >= 0) end = query;
  const hash = url.indexOf("#", start);
  if (hash >= 0 && hash < end) end = hash;
  return url.slice(start, end);
}

function closeConnection(response: Response): Response {
  response.headers.set("connection", "close");
  return response;
}
