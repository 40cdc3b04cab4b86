import type { IncomingMessage, ServerResponse } from "node:http";
import type { HostContext, Server } from "@wisp/core";
import { nodeExchange, writeOutcome } from "./exchange.js";

export interface NodeHandlerOptions {
  /** Seeds `ctx.assigns` from the Node request, e.g. what auth middleware put there. Default: `res.locals` (Express) and `{ req }`. */
  assigns?: (req: IncomingMessage, res: ServerResponse) => Record<string, unknown>;
  /** Set when the listener is on loopback, so the Host header is checked (DNS rebinding). */
  loopback?: boolean;
}

export type NodeListener = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/**
 * A node:http listener for a Wisp server, for existing node:http or Express apps. The host server
 * owns the connections, so its own limits apply (`headersTimeout`, `requestTimeout`,
 * `maxHeaderSize`, `keepAliveTimeout`, `maxConnections`); `serve()`'s options do not.
 * @example
 * import express from "express";
 * const app = express();
 * app.all("/mcp", toNodeHandler(server));
 */
export function toNodeHandler(server: Server<any>, options: NodeHandlerOptions = {}): NodeListener {
  const http = server.http;
  // Object.assign, not a spread then `req`: that literal takes a slow path on Node 20 (≈ 2 µs a request).
  const assigns = options.assigns ?? ((req, res) => Object.assign({}, (res as { locals?: object }).locals, { req }));
  return (req, res, next) => {
    const host: HostContext = { assigns: assigns(req, res), remoteIp: req.socket.remoteAddress, loopback: options.loopback };
    http.process(nodeExchange(req, res, "localhost"), host).then(
      (outcome) => writeOutcome(req, res, outcome),
      (error) => (next ? next(error) : fail(res)),
    );
  };
}

function fail(res: ServerResponse): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(500, { "content-type": "application/json" });
  res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32603,"message":"Internal error"}}');
}
