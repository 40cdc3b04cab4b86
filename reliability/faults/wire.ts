/**
 * MCP over raw node:http for the fault tests: we need to own the socket (close it at a known
 * instant, reuse keep-alive connections, see a reset for what it is), which fetch hides.
 * Both eras: 2025 sessions (initialize, Mcp-Session-Id) and stateless 2026-07-28 requests.
 */
import { type Agent, type ClientRequest, type IncomingMessage, request as httpRequest } from "node:http";

export type Json = Record<string, any>;
export type Era = "2025" | "2026";
export const MODERN = "2026-07-28";
export const LATEST = "2025-11-25";
export const ACCEPT = "application/json, text/event-stream";

/** Wall-clock ms with sub-ms resolution, the clock server.ts stamps its events with. */
export const now = (): number => performance.timeOrigin + performance.now();

/** Where a request goes: the endpoint, its era, and for 2025 the session. */
export interface Target {
  url: string;
  era: Era;
  sessionId?: string;
}

export interface WireRequest {
  method: "POST" | "GET" | "DELETE";
  headers: Record<string, string>;
  body?: string;
}

export function modernMeta(clientName = "wisp-faults"): Json {
  return {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: clientName, version: "1.0.0" },
  };
}

/** A JSON-RPC request in the target's era (with a progress token: the answer may become SSE). */
export function rpc(target: Target, id: number | string, method: string, params: Json = {}, progressToken?: string | number): WireRequest {
  const meta: Json = target.era === "2026" ? modernMeta() : {};
  if (progressToken !== undefined) meta.progressToken = progressToken;
  const withMeta = Object.keys(meta).length ? { ...params, _meta: meta } : params;
  const body = JSON.stringify({ jsonrpc: "2.0", id, method, params: withMeta });
  const headers: Record<string, string> = { "content-type": "application/json", accept: ACCEPT };
  if (target.era === "2026") {
    headers["mcp-protocol-version"] = MODERN;
    headers["mcp-method"] = method;
    if (typeof params.name === "string") headers["mcp-name"] = params.name;
  } else {
    headers["mcp-protocol-version"] = LATEST;
    if (target.sessionId) headers["mcp-session-id"] = target.sessionId;
  }
  return { method: "POST", headers, body };
}

export const toolCall = (target: Target, id: number | string, name: string, args: Json = {}, progressToken?: string | number) =>
  rpc(target, id, "tools/call", { name, arguments: args }, progressToken);

/** A 2025 notification in the session (e.g. notifications/cancelled). */
export function notification(target: Target, method: string, params: Json): WireRequest {
  return {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, "mcp-protocol-version": LATEST, "mcp-session-id": target.sessionId! },
    body: JSON.stringify({ jsonrpc: "2.0", method, params }),
  };
}

/** A 2025 session's GET stream. */
export function getStream(target: Target): WireRequest {
  return { method: "GET", headers: { accept: "text/event-stream", "mcp-protocol-version": LATEST, "mcp-session-id": target.sessionId! } };
}

/** A 2026 subscriptions/listen for tools/list_changed. */
export function listen(url: string, id: number | string): WireRequest {
  return rpc({ url, era: "2026" }, id, "subscriptions/listen", { notifications: { toolsListChanged: true } });
}

/** What came back for one request, however it ended. */
export interface Exchanged {
  status?: number;
  headers?: IncomingMessage["headers"];
  /** JSON-RPC messages: the JSON body, or each SSE `data:` event. */
  messages: Json[];
  /** The raw body as far as it came. */
  body: string;
  /** The connection failed (code or message) before the response ended. */
  error?: string;
  /** Whether any response byte (status line) arrived before the failure. */
  responded: boolean;
  /** The body ended normally (for SSE: the server ended the stream). */
  complete: boolean;
  /** The socket had served an earlier request (keep-alive reuse). */
  reused: boolean;
  sentAt: number;
  endedAt: number;
}

/** A request under way: its messages as they arrive, and the means to cut its connection. */
export interface Opened {
  req: ClientRequest;
  /** Resolves when the response's headers are in. */
  response: Promise<IncomingMessage>;
  /** Resolves with the first message matching `test` (or undefined after `ms`). */
  message(test: (message: Json) => boolean, ms: number): Promise<Json | undefined>;
  /** Closes the socket now (FIN); returns the instant, on the clock of `now()`. */
  cut(): number;
  /** Settles once the exchange is over, whatever happened. */
  done: Promise<Exchanged>;
}

export interface OpenOptions {
  agent?: Agent | false;
  /** Gives up (and cuts) after this long; default 30 s. */
  timeoutMs?: number;
}

/** Sends `request` to `url` over node:http and follows the response as it comes. */
export function open(url: string, request: WireRequest, options: OpenOptions = {}): Opened {
  const { hostname, port, pathname } = new URL(url);
  const sentAt = now();
  const messages: Json[] = [];
  const watchers = new Set<{ test: (m: Json) => boolean; resolve: (m: Json) => void }>();
  const result: Exchanged = { messages, body: "", responded: false, complete: false, reused: false, sentAt, endedAt: 0 };
  let settle!: (value: Exchanged) => void;
  const done = new Promise<Exchanged>((resolve) => (settle = resolve));
  const finish = (error?: string) => {
    if (result.endedAt) return;
    result.endedAt = now();
    if (error !== undefined && !result.complete) result.error = error;
    clearTimeout(timer);
    settle(result);
  };
  let onResponse!: (res: IncomingMessage) => void;
  const response = new Promise<IncomingMessage>((resolve) => (onResponse = resolve));
  const headers: Record<string, string> = { host: `${hostname}:${port}`, ...request.headers };
  if (request.body !== undefined) headers["content-length"] = String(Buffer.byteLength(request.body));
  const req = httpRequest({ hostname, port, path: pathname, method: request.method, headers, agent: options.agent }, (res) => {
    result.status = res.statusCode;
    result.headers = res.headers;
    result.responded = true;
    const sse = (res.headers["content-type"] ?? "").startsWith("text/event-stream");
    res.setEncoding("utf8");
    let pending = "";
    const deliver = (message: Json) => {
      messages.push(message);
      for (const watcher of watchers) {
        if (watcher.test(message)) {
          watchers.delete(watcher);
          watcher.resolve(message);
        }
      }
    };
    res.on("data", (chunk: string) => {
      result.body += chunk;
      if (!sse) return;
      pending += chunk;
      let end: number;
      while ((end = pending.indexOf("\n\n")) >= 0) {
        const block = pending.slice(0, end);
        pending = pending.slice(end + 2);
        const data = block.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n");
        if (data) deliver(JSON.parse(data) as Json);
      }
    });
    res.once("end", () => {
      result.complete = true;
      if (!sse && result.body) {
        try {
          deliver(JSON.parse(result.body) as Json);
        } catch {
          // not JSON: left in `body`
        }
      }
      finish();
    });
    res.once("error", (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    res.once("close", () => finish(result.complete ? undefined : "closed before the end of the body"));
    onResponse(res);
  });
  req.once("socket", (socket) => {
    // A socket handed out by a keep-alive agent has served requests before.
    result.reused = (socket as { _httpMessage?: unknown; bytesWritten?: number }).bytesWritten! > 0;
  });
  req.once("error", (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
  const timer = setTimeout(() => {
    req.destroy();
    finish("client timeout");
  }, options.timeoutMs ?? 30_000);
  req.end(request.body);
  return {
    req,
    response,
    done,
    message: (test, ms) => {
      const seen = messages.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => {
        const watcher = {
          test,
          resolve: (m: Json) => {
            clearTimeout(timeout);
            resolve(m);
          },
        };
        const timeout = setTimeout(() => {
          watchers.delete(watcher);
          resolve(undefined);
        }, ms);
        watchers.add(watcher);
      });
    },
    cut: () => {
      const at = now();
      req.destroy();
      return at;
    },
  };
}

/** `open`, then wait for the end. */
export function exchange(url: string, request: WireRequest, options: OpenOptions = {}): Promise<Exchanged> {
  return open(url, request, options).done;
}

/** The final JSON-RPC answer (a message with an id and a result or an error) of an exchange. */
export function answerOf(exchanged: Exchanged): Json | undefined {
  return exchanged.messages.findLast((m) => "id" in m && ("result" in m || "error" in m));
}

/** initialize + notifications/initialized at 2025-11-25; resolves with the session id. */
export async function legacySession(url: string, agent?: Agent | false, clientName = "wisp-faults"): Promise<string> {
  const init = await exchange(
    url,
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: ACCEPT },
      body: JSON.stringify({ jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: LATEST, capabilities: {}, clientInfo: { name: clientName, version: "1" } } }),
    },
    { agent, timeoutMs: 10_000 },
  );
  const sessionId = init.headers?.["mcp-session-id"];
  if (init.status !== 200 || typeof sessionId !== "string") throw new Error(`initialize answered ${init.status ?? init.error}: ${init.body}`);
  const initialized = await exchange(url, notification({ url, era: "2025", sessionId }, "notifications/initialized", {}), { agent, timeoutMs: 10_000 });
  if (initialized.status !== 202) throw new Error(`notifications/initialized answered ${initialized.status ?? initialized.error}`);
  return sessionId;
}

/** A target of `era` on `url`: a new 2025 session, or stateless. */
export async function target(url: string, era: Era, agent?: Agent | false): Promise<Target> {
  return era === "2025" ? { url, era, sessionId: await legacySession(url, agent) } : { url, era };
}

/** Calls a tool and resolves with its final answer (throws if none came). */
export async function callTool(target: Target, name: string, args: Json = {}, options: OpenOptions & { id?: number; progressToken?: string } = {}): Promise<Json> {
  const exchanged = await exchange(target.url, toolCall(target, options.id ?? 1, name, args, options.progressToken), options);
  const answer = answerOf(exchanged);
  if (!answer) throw new Error(`tools/call ${name}: no answer (${exchanged.status ?? exchanged.error}): ${exchanged.body}`);
  return answer;
}

export const textOf = (result: Json) => (result.content as Json[]).map((block) => block.text).join("");
