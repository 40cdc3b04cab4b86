import { describe, expect, it } from "vitest";
import { type SseEvent, sseEvents } from "./sse.js";

/** A body delivering `chunks` one by one, as a network would split them. */
function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of sseEvents(stream)) events.push(event);
  return events;
}

describe("sseEvents", () => {
  it("reads ids, retry, empty data (a priming event) and skips comments", async () => {
    expect(await all(body("id: p_0\nretry: 1000\ndata:\n\n: keep-alive\n\nid: p_1\ndata: {\"a\":1}\n\n"))).toEqual([
      { id: "p_0", retry: 1000, data: "" },
      { id: "p_1", data: '{"a":1}' },
    ]);
  });

  it("takes LF, CR and CRLF line ends, even split across chunks, and a leading BOM", async () => {
    expect(await all(body("\uFEFFdata: one\r", "\ndata: two\r\r", "data:three\n", "\nevent: x\rdata:  spaced\r\n\r\n"))).toEqual([
      { data: "one\ntwo" },
      { data: "three" },
      { event: "x", data: " spaced" },
    ]);
  });

  it("splits multi-byte characters across chunks correctly and drops an unfinished last event", async () => {
    const bytes = new TextEncoder().encode("data: Zürich\n\ndata: cut");
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 8)); // inside the ü
        controller.enqueue(bytes.slice(8));
        controller.close();
      },
    });
    expect(await all(stream)).toEqual([{ data: "Zürich" }]);
  });

  it("rejects with the signal's reason when aborted mid-read, and cancels the body with it", async () => {
    let cancelled: unknown;
    const stream = new ReadableStream<Uint8Array>({ cancel: (reason) => void (cancelled = reason) }); // never sends anything
    const controller = new AbortController();
    const reading = drain(sseEvents(stream, controller.signal));
    controller.abort(new Error("stop"));
    await expect(reading).rejects.toThrow("stop");
    expect(cancelled).toEqual(new Error("stop"));
  });
});

/** Reads every event, for the errors. */
async function drain(events: AsyncGenerator<SseEvent>): Promise<void> {
  for await (const _ of events);
}
