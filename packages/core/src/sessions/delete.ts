import type { Incoming, Outcome } from "../http/exchange.js";
import { ErrorCode, HttpError } from "../protocol/errors.js";
import { SESSION_HEADER, belongsTo, checkSessionVersionHeader } from "./load.js";
import type { SessionState } from "./state.js";

/** DELETE: ends the session everywhere; its id answers 404 from now on. */
export async function sessionDelete(state: SessionState, incoming: Incoming): Promise<Outcome> {
  const sessionId = incoming.exchange.header(SESSION_HEADER);
  if (!sessionId) throw new HttpError(400, ErrorCode.BadRequest, "Bad Request: the Mcp-Session-Id header is required");
  checkSessionVersionHeader(incoming.exchange);
  const { server } = state;
  const { storage } = server;
  const record = await storage.sessions.get(sessionId);
  if (record && !belongsTo(record, incoming.host)) {
    throw new HttpError(404, ErrorCode.SessionNotFound, "Session not found: it ended or expired");
  }
  if (!(await storage.sessions.delete(sessionId))) throw new HttpError(404, ErrorCode.SessionNotFound, "Session not found: it ended or expired");
  await storage.events.deleteSession(sessionId);
  await state.control.end(sessionId);
  if (server.telemetry.has("terminate")) {
    server.telemetry.emit("terminate", { server: server.info, sessionId, reason: "deleted" });
  }
  return { status: 200, headers: incoming.responseHeaders, body: null };
}
