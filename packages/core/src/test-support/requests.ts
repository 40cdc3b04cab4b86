import type { Server } from "../server.js";
import type { HostContext } from "../context/host.js";

/** Test helpers that speak to a server through `handle(Request)`, the way any runtime would. */
export const ENDPOINT = "http://127.0.0.1:3000/mcp";
export const JSON_AND_SSE = { "content-type": "application/json", accept: "application/json, text/event-stream" };

export function post(server: Server, body: unknown, headers: Record<string, string> = {}, host?: HostContext): Promise<Response> {
  return server.handle(
    new Request(ENDPOINT, { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) }),
    host,
  );
}

export async function initialize(server: Server, protocolVersion = "2025-11-25", capabilities: Record<string, unknown> = {}): Promise<string> {
  const response = await post(server, {
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion, capabilities, clientInfo: { name: "test", version: "1" } },
  });
  const sessionId = response.headers.get("mcp-session-id");
  if (response.status !== 200 || !sessionId) throw new Error(`initialize failed: ${response.status} ${await response.text()}`);
  await post(server, { jsonrpc: "2.0", method: "notifications/initialized" }, { "mcp-session-id": sessionId });
  return sessionId;
}

let nextId = 1;
/** Sends one request inside a session and returns the parsed JSON-RPC response (JSON or the last SSE message). */
export async function call(server: Server, sessionId: string, method: string, params?: unknown, headers: Record<string, string> = {}) {
  const response = await post(server, { jsonrpc: "2.0", id: nextId++, method, params }, { "mcp-session-id": sessionId, ...headers });
  return parseResponse(response);
}

export async function parseResponse(response: Response): Promise<{ status: number; body: any; events: any[] }> {
  const text = await response.text();
  if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
    const events = text
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice(6)));
    return { status: response.status, body: events[events.length - 1], events };
  }
  return { status: response.status, body: text ? JSON.parse(text) : null, events: [] };
}
