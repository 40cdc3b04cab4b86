/** One SSE event as tests read it: its fields, comments skipped. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}

/**
 * Reads an SSE response event by event, each wait bounded: `next(ms)` resolves with the next
 * event, undefined once the stream has ended, or throws after `ms` without one.
 */
export function sseEvents(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let ended = false;
  const next = async (ms = 2_000): Promise<SseEvent | undefined> => {
    const until = Date.now() + ms;
    for (;;) {
      const boundary = buffer.indexOf("\n\n");
      if (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        if (block.startsWith(":")) continue; // keep-alive comment
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data:\s?(.*)$/m.exec(block)?.[1] ?? "";
        return event === undefined ? { id, data } : { id, event, data };
      }
      if (ended) return undefined;
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no SSE event within ${ms} ms`);
      const read = await Promise.race([reader.read(), new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), left))]);
      if (read === "timeout") throw new Error(`no SSE event within ${ms} ms`);
      if (read.done) ended = true;
      else buffer += decoder.decode(read.value, { stream: true });
    }
  };
  return { next, reader, cancel: () => reader.cancel() };
}
