import type { IncomingMessage, ServerResponse } from "node:http";
import type { Exchange, Outcome } from "@wisp/core";
import { type EventSink, EventStream, HttpError } from "@wisp/core";

/**
 * Reads straight from IncomingMessage instead of constructing a web Request:
 * building Request/Headers objects is the largest fixed cost of a bridge on Node.
 * @example
 * http.process(nodeExchange(req, res, "localhost"), host).then((outcome) => writeOutcome(req, res, outcome));
 */
export function nodeExchange(req: IncomingMessage, res: ServerResponse, fallbackHost: string): Exchange {
  return new NodeExchange(req, res, fallbackHost);
}

/**
 * A class, not an object literal: `signal` is a getter (made on first read: most requests never
 * look at it), and a getter on a per-request literal slows every property read after it.
 */
class NodeExchange implements Exchange {
  readonly method: string;
  readonly url: string;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  #signal: AbortSignal | undefined;

  constructor(req: IncomingMessage, res: ServerResponse, fallbackHost: string) {
    this.#req = req;
    this.#res = res;
    this.method = req.method ?? "GET";
    this.url = `http://${req.headers.host ?? fallbackHost}${req.url ?? "/"}`;
  }

  get signal(): AbortSignal {
    return (this.#signal ??= disconnectSignal(this.#res));
  }

  header(name: string): string | null {
    const value = this.#req.headers[name];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  *headers(): Iterable<[string, string]> {
    for (const [name, value] of Object.entries(this.#req.headers)) {
      if (value !== undefined) yield [name, Array.isArray(value) ? value.join(", ") : value];
    }
  }

  text(limit: number): Promise<string> {
    return readBody(this.#req, limit);
  }
}

/**
 * Aborts when `res` closes before it finished: the client went away. Watches `res`, not `req`:
 * on Node 20 `req` emits "close" as soon as its body has been read, disconnect or not.
 */
function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const gone = () => {
    if (!res.writableFinished) controller.abort(DISCONNECTED);
  };
  if (res.destroyed) gone(); // closed before anyone asked
  else res.once("close", gone);
  return controller.signal;
}

const DISCONNECTED = "the client disconnected";

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (declared > limit) return Promise.reject(payloadTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    // No cleanup once the body is in: the request emits nothing more that matters, and removing
    // three listeners costs more than leaving them to be collected with it. The chunks are let go
    // (the listeners live as long as the request, which may be a long call).
    const onEnd = () => {
      const text = chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks, size).toString("utf8");
      chunks.length = 0;
      resolve(text);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

const payloadTooLarge = (limit: number) =>
  new HttpError(413, -32600, `Payload too large: the request body exceeds the ${limit}-byte limit`);

/** Writes an outcome; streams are pumped until done or until the client goes away. */
export function writeOutcome(req: IncomingMessage, res: ServerResponse, outcome: Outcome): void {
  const { status, body } = outcome;
  let { headers } = outcome;
  if (status === 413) {
    // The rest of an oversize body is never read: close the connection instead of draining it.
    res.setHeader("connection", "close");
    res.once("finish", () => req.destroy());
  }
  if (body === null || typeof body === "string") {
    // A complete answer says its length: no chunked framing, and the client knows where it ends.
    // All headers go to writeHead() at once, as an object: after a setHeader() it takes Node's
    // slow path (every field set and checked one by one, then stored again), and middleware that
    // wraps writeHead (on-headers ≤ 1.0.2: morgan, compression) misreads a flat array.
    if (body !== null) headers = Object.assign({ "content-length": String(Buffer.byteLength(body)) }, headers);
    res.writeHead(status, headers);
    res.end(body ?? undefined);
    return;
  }
  res.writeHead(status, headers);
  // Frames a handler produces in one go (priming event, progress, result, end) arrive over a
  // run of microtasks; each res.write would be a syscall of its own. With the socket corked
  // until the run is over (process.nextTick fires once the microtask queue is empty), they
  // leave as one write, headers and final chunk included (res.end() uncorks the socket fully).
  // The socket, not the response: from Node 22 on, chunks written to a corked *response* wait
  // in the response, and end() sends the final zero-length chunk before them.
  // A stream with nothing to say yet still gets its headers out at the end of the run
  // (`res.headersSent` cannot tell whether they went out: it is true from writeHead() on).
  const socket = res.socket;
  let corked = false;
  let wrote = false;
  const uncork = () => {
    if (!corked) return;
    corked = false;
    if (!wrote && !res.destroyed) res.flushHeaders();
    wrote = true;
    socket?.uncork();
  };
  const batch = () => {
    if (corked || !socket) return;
    corked = true;
    socket.cork();
    process.nextTick(uncork);
  };
  const write = (chunk: string | Uint8Array) => {
    batch();
    wrote = true;
    return res.write(chunk);
  };
  batch();
  if (body instanceof EventStream) return pipeEvents(res, body, write);
  const reader = body.getReader();
  let closed = false;
  res.once("close", () => {
    closed = true;
    void reader.cancel().catch(() => {});
  });
  const pump = (): void => {
    reader.read().then(({ done, value }) => {
      if (done || closed) return void res.end();
      if (write(value)) pump();
      else res.once("drain", pump);
    }, () => res.destroy());
  };
  pump();
}

/** The core's own streams are written straight to the response: no web stream in between. */
function pipeEvents(res: ServerResponse, body: EventStream, write: (chunk: string) => boolean): void {
  res.once("close", () => {
    if (!res.writableFinished) body.cancel(); // the client went away first
  });
  body.pipe(new ResponseSink(res, write));
}

/** A class, not a literal: `buffered` is a getter, and a getter on a per-stream literal is slow. */
class ResponseSink implements EventSink {
  constructor(
    readonly res: ServerResponse,
    readonly write: (chunk: string) => boolean,
  ) {}

  /** What Node holds for a client that does not read: the stream's backlog. */
  get buffered(): number {
    return this.res.writableLength;
  }

  end(): void {
    this.res.end();
  }

  destroy(): void {
    this.res.destroy();
  }
}
