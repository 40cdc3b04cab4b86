import { type HostContext, principalOf } from "../context/host.js";
import type { Exchange } from "../http/exchange.js";
import { ErrorCode, HttpError } from "../protocol/errors.js";
import { isLegacyVersion } from "../protocol/versions.js";
import type { SessionRecord } from "../storage/types.js";
import type { SessionState } from "./state.js";

export const SESSION_HEADER = "mcp-session-id";

/** A session as one request sees it. */
export interface LoadedSession {
  sessionId: string;
  record: SessionRecord;
  /** The revision whose wire rules apply: the request's MCP-Protocol-Version header, else the negotiated one. */
  version: string;
}

/** Session ids are not credentials: a session answers only to the principal that opened it (checklist §6). */
export const belongsTo = (record: SessionRecord, host: HostContext | undefined): boolean => (record.principal ?? undefined) === principalOf(host);

/** The request's MCP-Protocol-Version inside a session: absent, or a 2025-era version we speak (400 otherwise, every method alike). */
export function checkSessionVersionHeader(exchange: Exchange): string | null {
  const headerVersion = exchange.header("mcp-protocol-version");
  if (headerVersion !== null && !isLegacyVersion(headerVersion)) {
    throw new HttpError(400, ErrorCode.BadRequest, `Bad Request: unsupported MCP-Protocol-Version "${headerVersion}"`);
  }
  return headerVersion;
}

/** Loads the session named by the request (renewing its idle timeout), or says exactly why it cannot. */
export async function loadSession(state: SessionState, exchange: Exchange, host: HostContext | undefined): Promise<LoadedSession> {
  const sessionId = exchange.header(SESSION_HEADER);
  if (!sessionId) throw new HttpError(400, ErrorCode.BadRequest, "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one");
  const headerVersion = checkSessionVersionHeader(exchange);
  const record = await state.server.storage.sessions.get(sessionId, state.server.options.sessionTimeout);
  // Another caller's session looks exactly like a missing one.
  if (!record || !belongsTo(record, host)) {
    throw new HttpError(404, ErrorCode.SessionNotFound, "Session not found: it ended or expired; send initialize to start a new one");
  }
  // Version-gated details follow the header when present (clients may send any version we speak).
  return { sessionId, record, version: headerVersion ?? record.protocolVersion };
}

export type SessionChange = Record<string, unknown> | ((current: SessionRecord) => Record<string, unknown>);

/**
 * Changes a session record by compare-and-swap in storage, always on a fresh read: two requests
 * subscribing at once, on one instance or two, both keep their subscription. A session that
 * ended meanwhile stays ended.
 */
export async function changeSession(state: SessionState, sessionId: string, change: SessionChange): Promise<void> {
  const { storage, options } = state.server;
  await storage.sessions.update(sessionId, (current) => ({ ...current, ...(typeof change === "function" ? change(current) : change) }), options.sessionTimeout);
}
