import { ErrorCode, HttpError, McpError } from "../protocol/errors.js";
import { errorMessage, isValidId } from "../protocol/jsonrpc.js";
import { META } from "../protocol/meta.js";
import { MODERN_VERSIONS } from "../protocol/versions.js";
import { type Outcome, jsonOutcome } from "./exchange.js";
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
    initialize: async (message, incoming) => refused(message, incoming.responseHeaders),
    post: async (body, incoming) => refused(body, incoming.responseHeaders),
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
function refused(body: unknown, headers: Record<string, string>): Outcome {
  const message = (Array.isArray(body) ? undefined : body) as { id?: unknown; method?: unknown; params?: { protocolVersion?: unknown } } | null | undefined;
  const version = message?.method === "initialize" ? message.params?.protocolVersion : undefined;
  const requested = typeof version === "string" ? version : null;
  const supported = [...MODERN_VERSIONS];
  const error = new McpError(
    ErrorCode.UnsupportedProtocolVersion,
    `Unsupported protocol version ${requested ?? "(none given)"}: this server speaks only MCP ${supported.join(", ")}, without initialize or sessions; ` +
      `send the version in params._meta["${META.protocolVersion}"]`,
    { supported, requested },
  );
  return jsonOutcome(400, headers, errorMessage(message && isValidId(message.id) ? message.id : null, error));
}
