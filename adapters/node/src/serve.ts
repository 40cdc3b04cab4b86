import { type IncomingMessage, type ServerResponse, createServer as createHttpServer, type Server as HttpServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { type Server, isServedPath } from "@wisp/core";
import { type NodeHandlerOptions, toNodeHandler } from "./handler.js";

export interface ServeOptions extends Omit<NodeHandlerOptions, "loopback"> {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1: local servers should not be reachable from the network. */
  hostname?: string;
  /** The MCP endpoint path. Default "/mcp"; other paths answer 404, except its OAuth protected-resource metadata (RFC 9728). */
  path?: string;
  /** How long `close()` waits for open requests before cutting connections (ms). Default 5 000. */
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
  const listener = toNodeHandler(server, { ...options, loopback: LOOPBACK.has(hostname) });
  const node = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const pathname = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    if (!isServedPath(pathname, path)) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32000, message: `Not found: the MCP endpoint is ${path}` } }));
      return;
    }
    listener(req, res);
  });
  // Sockets with a request in flight finish it on close(); the rest (including ones that
  // connected but never sent a request, which Node doesn't count as idle) are dropped at once.
  const sockets = new Set<Socket>();
  const busy = new Set<Socket>();
  node.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      busy.delete(socket);
    });
  });
  let closing = false;
  node.on("request", (req: IncomingMessage, res: ServerResponse) => {
    busy.add(req.socket);
    res.once("close", () => {
      busy.delete(req.socket);
      // During shutdown a finished response must not leave its keep-alive connection open.
      if (closing) setImmediate(() => node.closeIdleConnections());
    });
  });
  // Long-lived SSE streams must not be cut by Node's request timeout.
  node.requestTimeout = 0;
  node.keepAliveTimeout = 5_000;
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
      const closed = new Promise<void>((resolve) => node.close(() => resolve()));
      await server.close(); // ends SSE streams, so their connections can finish
      for (const socket of sockets) if (!busy.has(socket)) socket.destroy();
      const timer = setTimeout(() => node.closeAllConnections(), options.shutdownTimeout ?? 5_000);
      await closed;
      clearTimeout(timer);
    },
  };
}
