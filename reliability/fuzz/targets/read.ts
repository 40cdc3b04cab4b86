/**
 * Reading an answer within bounds, the same way for both targets: a JSON body in full; an event
 * stream until the final response to our request (or, for streams that stay open, a short window),
 * then cancelled so nothing is left running.
 */
import { ANSWER_BOUND_MS } from "../oracle/check.js";
import { parseEvents } from "../oracle/sse.js";
import type { WireResponse } from "../model.js";

/** How long to watch a stream that never ends by itself (GET streams, subscriptions/listen). */
export const OPEN_STREAM_WINDOW_MS = 100;

export interface ReadPolicy {
  /** The id whose response ends an event stream; undefined for streams that stay open. */
  finalId?: string | number;
}

/** A byte source that can be abandoned. */
export interface Source {
  next(): Promise<Uint8Array | null>;
  cancel(): void;
}

function hasFinal(text: string, id: string | number): boolean {
  return parseEvents(text).some((event) => {
    if (!event.data.includes('"id"')) return false;
    try {
      const message = JSON.parse(event.data) as Record<string, unknown>;
      return message.id === id && ("result" in message || "error" in message);
    } catch {
      return false;
    }
  });
}

const decoder = () => new TextDecoder();

export async function readAnswer(
  head: { status: number; headers: Record<string, string> },
  source: Source,
  policy: ReadPolicy,
  started: number,
): Promise<WireResponse> {
  const sse = (head.headers["content-type"] ?? "").startsWith("text/event-stream");
  const deadline = sse && policy.finalId === undefined ? Date.now() + OPEN_STREAM_WINDOW_MS : started + ANSWER_BOUND_MS + 250;
  const text = decoder();
  let body = "";
  let cutOff = false;
  let failure: string | undefined;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) {
      cutOff = true;
      break;
    }
    let timer: NodeJS.Timeout | undefined;
    const chunk = await Promise.race([
      source.next(),
      new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), left))),
    ]).catch((error: Error) => {
      failure = `body read failed: ${error.message}`;
      return null;
    });
    clearTimeout(timer);
    if (chunk === "late") {
      cutOff = true;
      break;
    }
    if (chunk === null) break;
    body += text.decode(chunk, { stream: true });
    if (sse && policy.finalId !== undefined && hasFinal(body, policy.finalId)) {
      cutOff = true; // we have what we came for; the server may keep the stream open
      break;
    }
  }
  source.cancel();
  if (cutOff && !sse && !failure) failure = `timed out reading the body after ${Date.now() - started} ms`;
  return { status: head.status, headers: head.headers, text: body, sse, cutOff, ms: Date.now() - started, failure };
}
