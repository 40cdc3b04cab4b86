/** A small Server-Sent Events reader: enough to find JSON-RPC messages and check their framing. */

export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/** Complete events in `text` (an event ends at a blank line); a trailing partial event is left out. */
export function parseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const blocks = text.replace(/\r\n?/g, "\n").split("\n\n");
  blocks.pop(); // unfinished (or empty after the last separator)
  for (const block of blocks) {
    const event: SseEvent = { data: "" };
    const data: string[] = [];
    let hasField = false;
    for (const line of block.split("\n")) {
      if (line === "" || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      hasField = true;
      if (field === "data") data.push(value);
      else if (field === "id") event.id = value;
      else if (field === "event") event.event = value;
    }
    if (!hasField) continue; // comment-only block (keep-alive)
    event.data = data.join("\n");
    events.push(event);
  }
  return events;
}

/** The JSON-RPC messages of the stream (events with empty data are priming events). */
export function messagesOf(events: SseEvent[]): { messages: unknown[]; unparsable: string[] } {
  const messages: unknown[] = [];
  const unparsable: string[] = [];
  for (const event of events) {
    if (event.data === "") continue;
    try {
      messages.push(JSON.parse(event.data));
    } catch {
      unparsable.push(event.data.slice(0, 120));
    }
  }
  return { messages, unparsable };
}
