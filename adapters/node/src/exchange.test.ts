/**
 * nodeExchange's `signal` over real HTTP on 127.0.0.1: it aborts when the client goes away before
 * its response is complete, never after a complete response, and costs nothing until read.
 */
import { type IncomingMessage, type ServerResponse, createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sleep, withTimeout } from "../../../test-kit/process.js";
import { nodeExchange } from "./exchange.js";

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(listener: Listener): Promise<string> {
  const server = createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
}

/** Resolves once `res` closed, with the exchange's signal state at that moment and a moment later. */
function watch(res: ServerResponse, signal: () => AbortSignal) {
  return new Promise<{ aborted: boolean; reason: unknown }>((resolve) =>
    res.once("close", () => setImmediate(() => resolve({ aborted: signal().aborted, reason: signal().reason }))),
  );
}

describe("nodeExchange signal", () => {
  it("aborts when the client disconnects while the handler is still working", async () => {
    let outcome!: Promise<{ aborted: boolean; reason: unknown }>;
    let abortedDuringWork = false;
    const url = await listen((req, res) => {
      const exchange = nodeExchange(req, res, "localhost");
      const signal = exchange.signal!;
      signal.addEventListener("abort", () => (abortedDuringWork = true));
      outcome = watch(res, () => signal);
      void exchange.text(1_000); // read the body, then never answer: the client gives up
    });
    const client = new AbortController();
    const request = fetch(url, { method: "POST", body: "{}", signal: client.signal }).catch((error: Error) => error.name);
    await sleep(100);
    client.abort();
    expect(await request).toBe("AbortError");
    expect(await withTimeout(outcome, 3_000, "the response to close")).toEqual({ aborted: true, reason: "the client disconnected" });
    expect(abortedDuringWork).toBe(true);
  });

  it("aborts when the client disconnects in the middle of a streamed response", async () => {
    let outcome!: Promise<{ aborted: boolean; reason: unknown }>;
    const url = await listen((req, res) => {
      const exchange = nodeExchange(req, res, "localhost");
      outcome = watch(res, () => exchange.signal!);
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: first\n\n");
    });
    const client = new AbortController();
    const response = await fetch(url, { signal: client.signal });
    const reader = response.body!.getReader();
    await reader.read();
    client.abort();
    expect(await withTimeout(outcome, 3_000, "the response to close")).toEqual({ aborted: true, reason: "the client disconnected" });
  });

  it("does not abort after a complete response, on a kept-alive connection or a closed one", async () => {
    const outcomes: Promise<{ aborted: boolean; reason: unknown }>[] = [];
    const url = await listen((req, res) => {
      const exchange = nodeExchange(req, res, "localhost");
      const signal = exchange.signal!; // read before the response, as a handler would
      outcomes.push(watch(res, () => signal));
      void exchange.text(1_000).then((body) => res.end(body));
    });
    expect(await (await fetch(url, { method: "POST", body: "one" })).text()).toBe("one");
    expect(await (await fetch(url, { method: "POST", body: "two", headers: { connection: "close" } })).text()).toBe("two");
    const states = await withTimeout(Promise.all(outcomes), 3_000, "both responses to close");
    expect(states).toEqual([
      { aborted: false, reason: undefined },
      { aborted: false, reason: undefined },
    ]);
  });

  it("is created on first read: already aborted if the client left before, not aborted if the response completed", async () => {
    const late: Promise<boolean>[] = [];
    let closeListenersBefore = -1;
    let closeListenersAfterBuild = -1;
    const url = await listen((req, res) => {
      closeListenersBefore = res.listenerCount("close");
      const exchange = nodeExchange(req, res, "localhost");
      closeListenersAfterBuild = res.listenerCount("close"); // nothing allocated or attached until read
      if (req.url === "/mcp?complete") res.end("done");
      // Read the signal only after the response closed, either way.
      late.push(new Promise((resolve) => res.once("close", () => setImmediate(() => resolve(exchange.signal!.aborted)))));
    });
    expect(await (await fetch(`${url}?complete`)).text()).toBe("done");
    const client = new AbortController();
    const gone = fetch(url, { signal: client.signal }).catch(() => undefined);
    await sleep(100);
    client.abort();
    await gone;
    expect(await withTimeout(Promise.all(late), 3_000, "both responses to close")).toEqual([false, true]);
    expect(closeListenersAfterBuild).toBe(closeListenersBefore);
  });
});
