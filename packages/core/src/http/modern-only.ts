import { ErrorCode, HttpError, McpError } from "../protocol/errors.js";
import { errorMessage, isValidId } from "../protocol/jsonrpc.js";
import { META } from "../protocol/meta.js";
import { MODERN_VERSIONS, isModernVersion } from "../protocol/versions.js";
import { type Incoming, type Outcome, jsonOutcome } from "./exchange.js";
import type { SessionHandlers } from "./handler.js";

/**
 * The 2025 era of a server built without it (`@wisp/core/stateless`): whatever only that era
 * sends is refused. A 2025 client learns which versions a server speaks only from the error to
 * its `initialize`, so every refusal names them (protocol checklist §2). Imported by that entry
 * alone: a dual-era server never carries it.
 */
export function modernOnlySessions(): SessionHandlers {
  return {
    modernOnly: true,
    initialize: async (message, incoming) => refused(message, incoming),
    post: async (body, incoming) => refused(body, incoming),
    get: () => Promise.reject(methodNotAllowed("GET")),
    delete: () => Promise.reject(methodNotAllowed("DELETE")),
    close: async () => {},
  };
}

/** GET streams and DELETE belong to 2025 sessions: 405, as the checklist asks of a modern-only build. */
function methodNotAllowed(method: string): HttpError {
  const message = `Method Not Allowed: ${method}; this server speaks only MCP ${MODERN_VERSIONS.join(", ")}, where every message is a POST`;
  return new HttpError(405, ErrorCode.BadRequest, message);
}

/** 400 with -32022 and the versions spoken, for `initialize` or any message without `_meta`. */
function refused(body: unknown, incoming: Incoming): Outcome {
  const message = (Array.isArray(body) ? undefined : body) as { id?: unknown; method?: unknown; params?: { protocolVersion?: unknown } } | null | undefined;
  const isInitialize = message?.method === "initialize";
  const asked = isInitialize ? message.params?.protocolVersion : incoming.exchange.header("mcp-protocol-version");
  const requested = typeof asked === "string" && asked !== "" ? asked : null;
  const supported = [...MODERN_VERSIONS];
  const how = `send the version in params._meta["${META.protocolVersion}"]`;
  const why =
    requested !== null && isModernVersion(requested)
      ? `initialize is not part of MCP ${requested}, and this server speaks only ${supported.join(", ")}: ${how} (server/discover describes the server)`
      : `Unsupported protocol version ${requested ?? "(none given)"}: this server speaks only MCP ${supported.join(", ")}, without initialize or sessions; ${how}`;
  const error = new McpError(ErrorCode.UnsupportedProtocolVersion, why, { supported, requested });
  // A request keeps its id; a notification, a client's reply to us or a batch gets null.
  const id = message && typeof message.method === "string" && isValidId(message.id) ? message.id : null;
  return jsonOutcome(400, incoming.responseHeaders, errorMessage(id, error));
}
