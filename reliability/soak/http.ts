/**
 * The driver's side of the wire: MCP requests of both eras over node:http with keep-alive
 * agents (a fixed pool of connections), each bounded by a timeout, plus the bodies they send.
 * node:http rather than fetch: it is cheaper per request, and the driver shares the CPU with the server.
 */
import { Agent, type IncomingHttpHeaders, request } from "node:http";

export const LEGACY = "2025-11-25";
export const MODERN = "2026-07-28";
const ACCEPT = "application/json, text/event-stream";

export interface Endpoint {
  hostname: string;
  port: number;
  path: string;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export const endpoint = (url: string): Endpoint => {
  const { hostname, port, pathname } = new URL(url);
  return { hostname, port: Number(port), path: pathname };
};

/** A fixed pool of keep-alive connections. */
export const pool = (sockets: number) => new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });

/** POSTs `body`; rejects on a socket error or when no answer completes within `timeoutMs`. */
export function post(to: Endpoint, agent: Agent | false, headers: Record<string, string>, body: string, timeoutMs = 30_000): Promise<Reply> {
  return send(to, agent, "POST", headers, body, timeoutMs);
}

/** One HTTP exchange, bounded by `timeoutMs`. */
export function send(to: Endpoint, agent: Agent | false, method: string, headers: Record<string, string>, body = "", timeoutMs = 30_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { ...to, agent, method, headers: body ? { ...headers, "content-length": Buffer.byteLength(body) } : headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.once("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        });
        res.on("error", fail);
      },
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    // A whole-exchange bound (socket timeouts only catch silence).
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", fail); // "on": a request may emit a second error while it is torn down
    req.end(body || undefined);
  });
}

const rpc = (id: number | undefined, method: string, params: object) =>
  JSON.stringify(id === undefined ? { jsonrpc: "2.0", method, params } : { jsonrpc: "2.0", id, method, params });

const modernMeta = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "wisp-soak", version: "1.0.0" },
};

export const initializeBody = () => rpc(0, "initialize", { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: "wisp-soak", version: "1.0.0" } });
export const initializedBody = rpc(undefined, "notifications/initialized", {});
export const JSON_HEADERS: Record<string, string> = { "content-type": "application/json", accept: ACCEPT };
export const sessionHeaders = (sessionId: string): Record<string, string> => ({ ...JSON_HEADERS, "mcp-session-id": sessionId, "mcp-protocol-version": LEGACY });

/** A 2025-era tools/call in a session; `progress` asks for a progress notification (an SSE answer). */
export function legacyCall(id: number, tool: "echo" | "progress", text: string): string {
  const params: Record<string, unknown> = { name: tool, arguments: { text } };
  if (tool === "progress") params._meta = { progressToken: id };
  return rpc(id, "tools/call", params);
}

/** The headers of a stateless 2026-07-28 request. */
export const modernHeaders = (method: string, name?: string): Record<string, string> => ({
  ...JSON_HEADERS,
  "mcp-protocol-version": MODERN,
  "mcp-method": method,
  ...(name === undefined ? {} : { "mcp-name": name }),
});
export const MODERN_CALL_HEADERS = modernHeaders("tools/call", "echo");
export const modernCall = (id: number, text: string) => rpc(id, "tools/call", { name: "echo", arguments: { text }, _meta: modernMeta });
export const MODERN_LISTEN_HEADERS = modernHeaders("subscriptions/listen");
export const listenBody = (id: number) => rpc(id, "subscriptions/listen", { notifications: { toolsListChanged: true }, _meta: modernMeta });

/** The last JSON-RPC message of a JSON or SSE body. */
export function lastMessage(reply: Reply): Record<string, any> {
  if (!String(reply.headers["content-type"]).startsWith("text/event-stream")) return JSON.parse(reply.body);
  const data = reply.body.split("\n").filter((line) => line.startsWith("data: "));
  return JSON.parse(data[data.length - 1].slice(6));
}

/** Throws unless `reply` is a 200 tools/call result whose text is `text` (and, for SSE, carried a progress notification). */
export function expectEcho(reply: Reply, text: string, sse = false): void {
  if (reply.status !== 200) throw new Error(`status ${reply.status}: ${reply.body.slice(0, 200)}`);
  const message = lastMessage(reply);
  const got = message.result?.content?.[0]?.text;
  if (got !== text || message.result.isError) throw new Error(`unexpected answer: ${reply.body.slice(0, 200)}`);
  if (sse && !reply.body.includes("notifications/progress")) throw new Error(`no progress notification: ${reply.body.slice(0, 200)}`);
}

/** initialize + notifications/initialized; resolves with the session id. */
export async function openSession(to: Endpoint, agent: Agent | false, timeoutMs?: number): Promise<string> {
  const init = await post(to, agent, JSON_HEADERS, initializeBody(), timeoutMs);
  const sessionId = init.headers["mcp-session-id"];
  if (init.status !== 200 || typeof sessionId !== "string") throw new Error(`initialize: status ${init.status}: ${init.body.slice(0, 200)}`);
  const ack = await post(to, agent, sessionHeaders(sessionId), initializedBody, timeoutMs);
  if (ack.status !== 202) throw new Error(`notifications/initialized: status ${ack.status}: ${ack.body.slice(0, 200)}`);
  return sessionId;
}

/** DELETE: ends a session (200), or tells that it is gone (404). */
export const deleteSession = (to: Endpoint, agent: Agent | false, sessionId: string) => send(to, agent, "DELETE", sessionHeaders(sessionId));
