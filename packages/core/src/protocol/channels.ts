/**
 * Bus channel names. Every instance sharing a storage uses the same names, so a message
 * published on one instance reaches whichever instance holds the stream or the waiting call.
 */

/** Server-wide notifications (list_changed, resources/updated): every instance listens. */
export const BROADCAST_CHANNEL = "wisp:broadcast";

/** A 2025 session's control messages: cancellations, replies to server→client requests, session end. */
export const controlChannel = (sessionId: string) => `wisp:${sessionId}:control`;
/** Notifications for one 2025 session's GET stream (per-session list_changed). */
export const notifyChannel = (sessionId: string) => `wisp:${sessionId}:notify`;
/** Live events of one POST stream, for a client that resumed it on another instance. */
export const streamChannel = (sessionId: string, streamId: string) => `wisp:${sessionId}:stream:${streamId}`;
/** A 2026 task's events (answered, cancelled), heard by the instance running its handler. */
export const taskChannel = (taskId: string) => `wisp:task:${taskId}`;
