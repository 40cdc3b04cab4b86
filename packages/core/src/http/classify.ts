import { ErrorCode, McpError } from "../protocol/errors.js";
import { type RequestId, envelopeError, isValidId } from "../protocol/jsonrpc.js";
import { META } from "../protocol/meta.js";
import { isStatelessEra } from "../protocol/versions.js";
import type { Exchange } from "./exchange.js";

/**
 * Where a POSTed message goes. The era is decided here and nowhere else: the core's handler,
 * the Cloudflare Worker (which routes sessions to Durable Objects) and the stdio adapter (which
 * must know when a session starts) all call this.
 */
export type PostRoute =
  /** MCP 2026-07-28 or later: the message names its version in `params._meta`. */
  | { to: "stateless" }
  /** A 2025-era `initialize`: opens a session. */
  | { to: "initialize" }
  /** A 2025-era message, or a 2025-03-26 batch, inside the session named by `Mcp-Session-Id`. */
  | { to: "session" }
  /** A stateless notification without `_meta`: there is nothing to do, answer 202. */
  | { to: "accepted" }
  /** A message no era accepts as it is: answer `status` with this JSON-RPC error. */
  | { to: "refused"; status: number; id: RequestId | null; error: McpError };

/**
 * Classifies a parsed POST body, in the order of the protocol checklist (§2).
 * @example
 * const route = classifyPost(JSON.parse(body), request.headers.get("mcp-protocol-version"));
 * if (route.to === "initialize") … // a new session starts
 */
export function classifyPost(body: unknown, protocolVersionHeader: string | null): PostRoute {
  // First: JSON that is no JSON-RPC message is -32600, whatever headers came with it.
  const notAMessage = envelopeError(body);
  if (notAMessage) {
    const id = (body as { id?: unknown } | null)?.id;
    return refused(!Array.isArray(body) && isValidId(id) ? id : null, notAMessage);
  }
  if (Array.isArray(body)) {
    if (body.some(claimsStatelessEra)) {
      return refused(null, new McpError(ErrorCode.InvalidRequest, "Invalid request: batches are not part of protocol 2026-07-28"));
    }
    return { to: "session" };
  }
  if (claimsStatelessEra(body)) return { to: "stateless" };
  const message = body as { method?: unknown; id?: unknown } | null;
  const isMessage = message !== null && typeof message === "object";
  const headerIsStateless = protocolVersionHeader !== null && protocolVersionHeader !== "" && isStatelessEra(protocolVersionHeader);
  if (isMessage && message.method === "initialize" && "id" in message) {
    if (headerIsStateless) {
      return refused(null, new McpError(ErrorCode.HeaderMismatch, `initialize is not part of protocol ${protocolVersionHeader}; send server/discover with _meta instead`));
    }
    return { to: "initialize" };
  }
  if (headerIsStateless && isMessage && "method" in message) {
    if (!("id" in message)) return { to: "accepted" };
    const why = `Invalid params: protocol ${protocolVersionHeader} requires params._meta["${META.protocolVersion}"] and the client capabilities`;
    return refused(isValidId(message.id) ? message.id : null, new McpError(ErrorCode.InvalidParams, why));
  }
  return { to: "session" };
}

/**
 * True when a message says it speaks the stateless era: its `params._meta` names a protocol
 * version. Only the key's presence counts; a wrong value gets a precise error later.
 */
function claimsStatelessEra(message: unknown): boolean {
  const params = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params;
  return typeof params === "object" && params !== null && typeof params._meta === "object" && params._meta !== null && META.protocolVersion in params._meta;
}

const refused = (id: RequestId | null, error: McpError): PostRoute => ({ to: "refused", status: 400, id, error });

/**
 * Whether a request may belong to the 2024-11-05 HTTP+SSE transport (`legacySse`): a GET without
 * the headers every 2025-era client sends, or a POST naming its session by `?sessionId=` instead
 * of `Mcp-Session-Id`. Cheap, as it runs on every request of a server with `legacySse`.
 */
export function mayBeLegacySse(exchange: Pick<Exchange, "method" | "url" | "header">): boolean {
  if (exchange.header("mcp-session-id") !== null) return false;
  if (exchange.method === "GET") return exchange.header("mcp-protocol-version") === null;
  return /[?&]sessionId=/.test(exchange.url);
}
