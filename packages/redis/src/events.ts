import type { EventStore, StoredEvent } from "@wisp/core";
import type { Commands } from "./commands.js";
import { type KeyLayout, px } from "./keys.js";
import { appendEvents, deleteStream, deleteStreams } from "./scripts.js";

/**
 * Rounds of "list the streams, drop them" in deleteSession. A round only repeats when streams
 * were appended meanwhile, which stops once the session itself is gone (appends check for it).
 */
const MAX_DELETE_ROUNDS = 10;

/**
 * SSE events for resumption: one Redis list per stream, capped at `maxEvents`, plus a set of a
 * session's stream ids so deleteSession can find every list without SCAN.
 * @example
 * const events = redisEvents(commands, keyLayout("wisp"), 1000);
 * await events.append(sessionId, "p1", { id: "p1_1", data: "{}" }, 60_000);
 */
export function redisEvents(commands: Commands, keys: KeyLayout, maxEvents: number): EventStore {
  return {
    async append(sessionId, streamId, event, ttlMs) {
      const batch = Array.isArray(event) ? event : [event];
      if (batch.length === 0) return;
      await commands.script(
        appendEvents,
        [keys.session(sessionId), keys.events(sessionId, streamId), keys.streams(sessionId)],
        [String(maxEvents), px(ttlMs), streamId, ...batch.map((one) => JSON.stringify(one))],
      );
    },
    async after(sessionId, streamId, eventId) {
      const reply = await commands.run(["LRANGE", keys.events(sessionId, streamId), "0", "-1"]);
      // Redis has no empty lists: no elements means no stream.
      if (!Array.isArray(reply) || reply.length === 0) return undefined;
      const events = reply.map((raw) => JSON.parse(raw as string) as StoredEvent);
      const index = events.findIndex((event) => event.id === eventId);
      // An id older than what is kept (or unknown): replay everything still there.
      return index === -1 ? events : events.slice(index + 1);
    },
    async deleteStream(sessionId, streamId) {
      await commands.script(deleteStream, [keys.events(sessionId, streamId), keys.streams(sessionId)], [streamId]);
    },
    async deleteSession(sessionId) {
      const set = keys.streams(sessionId);
      for (let round = 0; round < MAX_DELETE_ROUNDS; round++) {
        const ids = (await commands.run(["SMEMBERS", set])) as string[];
        if (ids.length === 0) return;
        // The lists are named in KEYS (not built inside the script) so it stays Cluster-valid.
        const left = await commands.script(deleteStreams, [set, ...ids.map((id) => keys.events(sessionId, id))], ids);
        if (left === 0) return;
      }
      // Still being appended to: whatever is left expires with its TTL.
    },
  };
}
