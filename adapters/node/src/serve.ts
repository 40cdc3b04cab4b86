import { type IncomingMessage, type ServerResponse, createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Server, isServedPath } from "@wisp/core";
import { type NodeHandlerOptions, toNodeHandler } from "./handler.js";
import { type Limits, clientErrorListener, httpServerOptions, resolveLimits } from "./limits.js";

/** Where to listen, and the limits a server reachable by untrusted clients needs (see {@link Limits}). */
export interface ServeOptions extends Omit<NodeHandlerOptions, "loopback">, Limits {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: local servers should not be reachable from the network. */
  hostname?: string;
  /** The MCP endpoint path. Default "/mcp"; other paths answer 404, except its OAuth protected-resource metadata (RFC 9728). */
  path?: string;
  /** How long `close()` lets calls in flight finish before answering them -32603 "Server shutting down" (ms). Default 5 000. */
  shutdownTimeout?: number;
}

export interface RunningServer {
  /** The endpoint URL, e.g. http://127.0.0.1:3000/mcp */
  url: string;
  port: number;
  node: HttpServer;
  /** Stops accepting, ends SSE streams cleanly, waits for open requests, then closes. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * Serves a Wisp server on node:http.
 * @example
 * const running = await serve(server, { port: 3000 });
 * console.log(`MCP endpoint: ${running.url}`);
 */
export async function serve(server: Server<any>, options: ServeOptions = {}): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const path = options.path ?? "/mcp";
  const limits = resolveLimits(options);
  const listener = toNodeHandler(server, { ...options, loopback: LOOPBACK.has(hostname) });
  const node = createHttpServer(httpServerOptions(limits), (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const pathname = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    if (!isServedPath(pathname, path)) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: `Not found: the MCP endpoint is ${path}` } }));
      return;
    }
    listener(req, res);
  });
  node.keepAliveTimeout = limits.keepAliveTimeout;
  node.maxConnections = limits.maxConnections;
  // Each connection's latest response: close() spares connections whose response is still under
  // way, and a timeout answers 408 only if the late request's response has not started.
  const responses = new Map<Socket, ServerResponse>();
  const sockets = new Set<Socket>();
  node.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      responses.delete(socket);
    });
  });
  let closing = false;
  node.on("request", (req: IncomingMessage, res: ServerResponse) => {
    responses.set(req.socket, res);
    // Shutting down: the answer says Connection: close, so the client's next call opens a new
    // connection (to another instance) instead of being cut on this one.
    if (closing) {
      res.shouldKeepAlive = false;
      closeIdleWhenDone(res);
    }
  });
  // During shutdown a finished response must not leave its keep-alive connection open. Watched
  // from close() on (for responses under way then, and every later one): a listener per
  // request before that would cost every request for the sake of the last few.
  const closeIdleWhenDone = (res: ServerResponse) => res.once("close", () => setImmediate(() => node.closeIdleConnections()));
  // requestTimeout bounds receiving a request only, so SSE responses are not cut by it.
  node.on("clientError", clientErrorListener(limits, (socket) => responses.get(socket as Socket)));
  await new Promise<void>((resolve, reject) => {
    node.once("error", reject);
    node.listen(options.port ?? 3000, hostname, () => {
      node.off("error", reject);
      resolve();
    });
  });
  const port = (node.address() as AddressInfo).port;
  const shownHost = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `http://${shownHost}:${port}${path}`,
    port,
    node,
    close: async () => {
      closing = true;
      for (const res of responses.values()) {
        if (!res.headersSent) res.shouldKeepAlive = false;
        if (!res.writableFinished && !res.destroyed) closeIdleWhenDone(res);
      }
      const closed = new Promise<void>((resolve) => node.close(() => resolve()));
      // Ends SSE streams at once; calls in flight get shutdownTimeout, then an error answer.
      const drained = server.close({ graceMs: options.shutdownTimeout ?? 5_000 });
      // Sockets with a response under way finish it; the rest (including ones that connected but
      // never sent a request, which Node doesn't count as idle) are dropped at once.
      for (const socket of sockets) {
        const res = responses.get(socket);
        if (res === undefined || res.writableFinished || res.destroyed) socket.destroy();
      }
      await drained;
      // Every call is answered now; a moment for those answers to reach their clients.
      const timer = setTimeout(() => node.closeAllConnections(), 1_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
