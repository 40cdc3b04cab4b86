import { randomId } from "../util/random-id.js";
import { principalOf } from "../context/host.js";
import { type Incoming, type Outcome, jsonOutcome } from "../http/exchange.js";
import { ErrorCode, McpError } from "../protocol/errors.js";
import { type JsonRpcRequest, errorMessage, resultMessageOf } from "../protocol/jsonrpc.js";
import type { Registry } from "../server/registry.js";
import { negotiateLegacyVersion } from "../protocol/versions.js";
import type { SessionRecord } from "../storage/types.js";
import { SESSION_HEADER } from "./load.js";
import type { SessionState } from "./state.js";
import { withField } from "../util/merged.js";
import { withLegacyTasksCapability } from "../features/task-support.js";

/** `initialize`: negotiates a 2025-era version and opens a session. */
export async function initialize(state: SessionState, message: JsonRpcRequest, incoming: Incoming): Promise<Outcome> {
  const { server } = state;
  const { responseHeaders, host } = incoming;
  const params = message.params ?? {};
  if (typeof params.protocolVersion !== "string") {
    return jsonOutcome(400, responseHeaders, errorMessage(message.id, new McpError(ErrorCode.InvalidParams, 'initialize: "protocolVersion" must be a string')));
  }
  const capabilities = params.capabilities ?? {};
  if (typeof capabilities !== "object" || Array.isArray(capabilities)) {
    return jsonOutcome(400, responseHeaders, errorMessage(message.id, new McpError(ErrorCode.InvalidParams, 'initialize: "capabilities" must be an object')));
  }
  const clientInfo = (params.clientInfo && typeof params.clientInfo === "object" ? params.clientInfo : { name: "unknown", version: "0" }) as SessionRecord["clientInfo"];
  const protocolVersion = negotiateLegacyVersion(params.protocolVersion);
  const sessionId = host?.sessionId ?? randomId();
  if (host?.sessionId !== undefined && !/^[\x21-\x7e]{16,128}$/.test(sessionId)) throw new TypeError("host.sessionId must be 16–128 visible ASCII characters");
  const record: SessionRecord = {
    protocolVersion,
    clientInfo,
    clientCapabilities: capabilities as Record<string, unknown>,
    initialized: false,
    subscriptions: [],
    createdAt: Date.now(),
  };
  // Session ids are not credentials: bind the session to whoever authenticated (checklist §6).
  const principal = principalOf(host);
  if (principal !== undefined) record.principal = principal;
  await server.storage.sessions.set(sessionId, record, server.options.sessionTimeout);
  return jsonOutcome(200, withField(responseHeaders, SESSION_HEADER, sessionId), resultMessageOf(message.id, initializeResult(server, protocolVersion)));
}

/**
 * Every client that negotiates the same version gets the same result, so it is serialised once
 * per version and registration change (a new `server.capabilities()` object), not per session:
 * JSON.stringify of it was ≈ 1 µs of each initialize.
 */
const serialised = new WeakMap<Registry, { capabilities: object; byVersion: Map<string, string> }>();

function initializeResult(server: Registry, protocolVersion: string): string {
  const capabilities = server.capabilities();
  let cache = serialised.get(server);
  if (cache === undefined || cache.capabilities !== capabilities) serialised.set(server, (cache = { capabilities, byVersion: new Map() }));
  let json = cache.byVersion.get(protocolVersion);
  if (json === undefined) {
    const result: Record<string, unknown> = { protocolVersion, capabilities: withLegacyTasksCapability(server, protocolVersion, capabilities), serverInfo: server.info };
    if (server.instructions) result.instructions = server.instructions;
    cache.byVersion.set(protocolVersion, (json = JSON.stringify(result)));
  }
  return json;
}
