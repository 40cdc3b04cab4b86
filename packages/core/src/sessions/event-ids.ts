import { randomId } from "../util/random-id.js";

/** Event ids are `<streamId>_<seq>`: unique within the session and naming their stream. */
export const eventId = (streamId: string, seq: number) => `${streamId}_${seq}`;

export function parseEventId(id: string): { streamId: string; seq: number } | undefined {
  const at = id.lastIndexOf("_");
  const seq = Number(id.slice(at + 1));
  return at > 0 && Number.isInteger(seq) && seq >= 0 ? { streamId: id.slice(0, at), seq } : undefined;
}

/** Stream ids say which kind of stream they name: `g…` a session's GET stream, `p…` a POST's response. */
export const newGetStreamId = () => `g${randomId(10)}`;
export const newPostStreamId = () => `p${randomId(10)}`;
export const isGetStreamId = (streamId: string) => streamId.startsWith("g");
export const isPostStreamId = (streamId: string) => streamId.startsWith("p");

/** The session's stored control messages (replies, cancellations): internal, never resumable by a client. */
export const CONTROL_STREAM = "control";

// Drawn on first use: Workers refuse random values at module scope.
let instancePrefix: string | undefined;
let outgoingId = 0;
/** Server→client request ids: unique across instances thanks to the random prefix. */
export const nextOutgoingId = () => `wisp-${(instancePrefix ??= randomId(6))}-${++outgoingId}`;
