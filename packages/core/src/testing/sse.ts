/** One server-sent event. `data` is "" for an event without data (a priming event carries only an id). */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

/**
 * Reads a `text/event-stream` body event by event, by the WHATWG rules: lines end in CR, LF
 * or CRLF (split anywhere across chunks), `:` starts a comment, one space after the field's
 * colon is dropped, several `data:` lines join with LF, and an unfinished event at the end of
 * the stream is dropped. Aborting `signal` cancels the body and rejects with its reason;
 * leaving the loop early cancels the body too (for a 2026 call, that cancels it on the server).
 * @example
 * for await (const event of sseEvents(response.body!)) if (event.data) console.log(JSON.parse(event.data));
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  let buffer = "";
  let started = false;
  let fields: Partial<SseEvent> = {};
  let data: string[] = [];
  let seen = false;
  try {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (!started && buffer.length > 0) {
        started = true;
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1);
      }
      let from = 0;
      for (;;) {
        let end = from;
        while (end < buffer.length && buffer[end] !== "\n" && buffer[end] !== "\r") end++;
        if (end === buffer.length) break;
        // A CR at the very end of a chunk may be the first half of a CRLF.
        if (buffer[end] === "\r" && end + 1 === buffer.length && !done) break;
        const line = buffer.slice(from, end);
        from = end + (buffer[end] === "\r" && buffer[end + 1] === "\n" ? 2 : 1);
        if (line === "") {
          if (seen) yield { ...fields, data: data.join("\n") };
          fields = {};
          data = [];
          seen = false;
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const name = colon === -1 ? line : line.slice(0, colon);
        let text = colon === -1 ? "" : line.slice(colon + 1);
        if (text.startsWith(" ")) text = text.slice(1);
        seen = true;
        if (name === "data") data.push(text);
        else if (name === "id" && !text.includes("\0")) fields.id = text;
        else if (name === "event") fields.event = text;
        else if (name === "retry" && /^\d+$/.test(text)) fields.retry = Number(text);
      }
      buffer = buffer.slice(from);
      if (done) return;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    void reader.cancel(signal?.reason).catch(() => {});
  }
}
