/**
 * MCP on the wire for tests: raw 2025 and 2026-07-28 requests, SSE bodies, and the flows the
 * official clients of both eras run against every adapter.
 */
import { request as httpRequest } from "node:http";
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2 } from "@modelcontextprotocol/client";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { expect } from "vitest";
import { withTimeout } from "./process.js";

export type Json = Record<string, any>;
/** The stateless protocol revision. */
export const MODERN = "2026-07-28";
/** The latest session-based (2025 era) revision. */
export const LATEST = "2025-11-25";
export const ACCEPT = "application/json, text/event-stream";

// ---------- raw 2026-07-28 ----------

/** The `_meta` every stateless request carries. */
export function modernMeta(capabilities: Json = {}, clientName = "wisp-test"): Json {
  return {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": capabilities,
    "io.modelcontextprotocol/clientInfo": { name: clientName, version: "1.0.0" },
  };
}

/** The standard headers of a stateless request (Mcp-Name only when a name is given). */
export function modernHeaders(method: string, name?: string): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: ACCEPT, "mcp-protocol-version": MODERN, "mcp-method": method };
  if (name !== undefined) headers["mcp-name"] = name;
  return headers;
}

/** POSTs one stateless JSON-RPC request with the standard headers (plus `headers`). */
export function modernPost(url: string, message: { id: number; method: string; params: Json }, headers: Record<string, string> = {}): Promise<Response> {
  const name = typeof message.params.name === "string" ? message.params.name : undefined;
  return fetch(url, {
    method: "POST",
    headers: { ...modernHeaders(message.method, name), ...headers },
    body: JSON.stringify({ jsonrpc: "2.0", ...message }),
  });
}

/** A stateless tools/call (id 1) that must answer 200; resolves with the JSON-RPC message. */
export async function modernCall(url: string, name: string, args: Json, options: { headers?: Record<string, string>; meta?: Json } = {}): Promise<Json> {
  const res = await modernPost(url, { id: 1, method: "tools/call", params: { name, arguments: args, _meta: options.meta ?? modernMeta() } }, options.headers);
  expect(res.status).toBe(200);
  return lastMessage(res);
}

/** The JSON body, or the last `data:` message of an SSE body (bounded). */
export async function lastMessage(res: Response, what = "the response body"): Promise<Json> {
  const text = await withTimeout(res.text(), 10_000, what);
  if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream")) return JSON.parse(text) as Json;
  const data = text.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).filter(Boolean);
  return JSON.parse(data.at(-1)!) as Json;
}

/** A tools/list with a Host header of our choosing (fetch may not set one); resolves with the status. */
export function statusWithHost(url: string, host: string, meta: Json = modernMeta()): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: meta } });
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path: pathname, method: "POST", headers: { host, ...modernHeaders("tools/list") } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(5_000, () => req.destroy(new Error("timed out")));
    req.once("error", reject);
    req.end(body);
  });
}

// ---------- raw 2025 era ----------

/** POSTs a JSON-RPC message, in a session and at a protocol version when given. */
export function legacyPost(url: string, sessionId: string | undefined, message: unknown, version?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: ACCEPT };
  if (sessionId) headers["mcp-session-id"] = sessionId;
  if (version) headers["mcp-protocol-version"] = version;
  return fetch(url, { method: "POST", headers, body: JSON.stringify(message) });
}

/** initialize (200) + notifications/initialized (202) at 2025-11-25; resolves with the session id. */
export async function legacySession(url: string): Promise<string> {
  const init = await legacyPost(url, undefined, { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
  expect(init.status).toBe(200);
  await init.text();
  const sessionId = init.headers.get("mcp-session-id")!;
  const initialized = await legacyPost(url, sessionId, { jsonrpc: "2.0", method: "notifications/initialized" }, LATEST);
  expect(initialized.status).toBe(202);
  return sessionId;
}

/** The text blocks of a tool result, joined. */
export const textOf = (result: Json) => (result.content as Json[]).map((block) => block.text).join("");

// ---------- the official clients ----------

/** One POST as a client sent it. */
export interface Seen {
  /** JSON-RPC method, "(response)" for a client's reply. */
  method: string;
  protocolHeader: string | null;
  sessionId: string | null;
  mcpMethod: string | null;
  mcpName: string | null;
  metaVersion: unknown;
  hasInputResponses: boolean;
  hasRequestState: boolean;
  isResponse: boolean;
}

/** A fetch that records every POST into `seen` and sends it on, with `headers` set. */
export function recordingFetch(seen: Seen[], headers: Record<string, string> = {}): typeof fetch {
  return async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
    if (request.method === "POST") {
      const body = JSON.parse(await request.clone().text()) as Json;
      const params = (body.params ?? {}) as Json;
      seen.push({
        method: body.method ?? "(response)",
        protocolHeader: request.headers.get("mcp-protocol-version"),
        sessionId: request.headers.get("mcp-session-id"),
        mcpMethod: request.headers.get("mcp-method"),
        mcpName: request.headers.get("mcp-name"),
        metaVersion: params._meta?.["io.modelcontextprotocol/protocolVersion"],
        hasInputResponses: "inputResponses" in params,
        hasRequestState: "requestState" in params,
        isResponse: !("method" in body),
      });
    }
    return fetch(request);
  };
}

/** The elicitation answer both clients give. */
const confirm = () => ({ action: "accept" as const, content: { confirm: true } });

/** Connects the v1 SDK client (2025 era, with elicitation); `asked` collects the elicitation requests. */
export async function connectV1(url: string, fetch?: typeof globalThis.fetch) {
  const client = new ClientV1({ name: "v1-client", version: "1.0.0" }, { capabilities: { elicitation: {} } });
  const asked: Json[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params as Json);
    return confirm();
  });
  const transport = new TransportV1(new URL(url), { fetch });
  await client.connect(transport);
  return { client, transport, asked };
}

/** Connects the v2 client (pinned to 2026-07-28 unless told otherwise, with elicitation). */
export async function connectV2(url: string, fetch?: typeof globalThis.fetch, mode: "legacy" | "auto" | { pin: string } = { pin: MODERN }) {
  const client = new ClientV2({ name: "v2-client", version: "2.0.0" }, { capabilities: { elicitation: {} }, versionNegotiation: { mode } });
  const asked: Json[] = [];
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(request.params as Json);
    return confirm();
  });
  await client.connect(new TransportV2(new URL(url), { fetch }));
  return { client, asked };
}

/**
 * Both clients watch tools/list_changed: the v1 one in its session, the v2 one through
 * subscriptions/listen (acknowledged with the filter). `bothChanged()` waits for both (bounded).
 */
export async function watchToolListChanged(v1: ClientV1, v2: ClientV2) {
  let legacyNotified!: () => void;
  const legacyChanged = new Promise<void>((resolve) => (legacyNotified = resolve));
  v1.setNotificationHandler(ToolListChangedNotificationSchema, () => legacyNotified());
  let modernNotified!: () => void;
  const modernChanged = new Promise<void>((resolve) => (modernNotified = resolve));
  v2.setNotificationHandler("notifications/tools/list_changed", () => modernNotified());
  const subscription = await withTimeout(v2.listen({ toolsListChanged: true }), 5_000, "the listen acknowledgement");
  expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
  const bothChanged = () => withTimeout(Promise.all([legacyChanged, modernChanged]), 5_000, "tools/list_changed on both eras");
  return { subscription, bothChanged };
}

/** What the v1 flow must see from the server under test. */
export interface LegacyExpected {
  serverInfo: Json;
  /** The text of confirm_action({ action: "deploy" }). */
  deployed: string;
  /** The text of notes://today. */
  note: string;
}

/**
 * 2025 era with the v1 SDK: initialize → tools/call confirm_action (a real elicitation/create,
 * answered in the session) → resources/read notes://today → DELETE, after which the session is 404.
 */
export async function legacyFlow(url: string, expected: LegacyExpected): Promise<Seen[]> {
  const seen: Seen[] = [];
  const { client, transport, asked } = await withTimeout(connectV1(url, recordingFetch(seen)), 10_000, "initialize");
  try {
    const sessionId = transport.sessionId;
    expect(sessionId).toBeTruthy();
    expect(client.getServerVersion()).toMatchObject(expected.serverInfo);

    const called = await withTimeout(client.callTool({ name: "confirm_action", arguments: { action: "deploy" } }), 10_000, "tools/call");
    expect(called.content).toEqual([{ type: "text", text: expected.deployed }]);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ message: "Really deploy?", requestedSchema: { properties: { confirm: { type: "boolean" } } } });
    // The answer went back as a POSTed JSON-RPC response in the session.
    expect(seen.some((s) => s.method === "(response)" && s.sessionId === sessionId)).toBe(true);

    const read = await withTimeout(client.readResource({ uri: "notes://today" }), 5_000, "resources/read");
    expect(read.contents).toEqual([{ uri: "notes://today", mimeType: "text/plain", text: expected.note }]);

    await withTimeout(transport.terminateSession(), 5_000, "DELETE");
    expect(transport.sessionId).toBeUndefined();
    const after = await legacyPost(url, sessionId!, { jsonrpc: "2.0", id: 99, method: "tools/list" }, LATEST);
    expect(after.status).toBe(404);
  } finally {
    await client.close();
  }
  return seen;
}

/** 2026 era with the v2 client: tools/call confirm_action → input_required → retry with inputResponses + requestState. */
export async function modernFlow(url: string, expected: { rolledBack: string }): Promise<Seen[]> {
  const seen: Seen[] = [];
  const { client, asked } = await withTimeout(connectV2(url, recordingFetch(seen)), 10_000, "connect");
  try {
    expect(client.getProtocolEra()).toBe("modern");
    const called = await withTimeout(client.callTool({ name: "confirm_action", arguments: { action: "rollback" } }), 10_000, "tools/call");
    expect(called.content).toEqual([{ type: "text", text: expected.rolledBack }]);
    expect(asked).toHaveLength(1);
    const calls = seen.filter((s) => s.method === "tools/call");
    expect(calls).toHaveLength(2);
    expect(calls.every((s) => s.sessionId === null && s.metaVersion === MODERN)).toBe(true);
    expect(calls[0]).toMatchObject({ hasInputResponses: false, hasRequestState: false });
    expect(calls[1]).toMatchObject({ hasInputResponses: true, hasRequestState: true });
  } finally {
    await client.close();
  }
  return seen;
}
