/**
 * Long-lived SSE streams held by the driver: a 2025 session's GET stream or a 2026
 * `subscriptions/listen` stream, each on its own connection, counting the keep-alive comments
 * and events it receives until the driver closes it (or the server does, which the phase reports).
 */
import { Agent, request } from "node:http";
import type { Endpoint } from "./http.js";

const KEEP_ALIVE = ": keep-alive\n\n";

export interface HeldStream {
  keepAlives: number;
  /** The first event (priming event or acknowledgement) arrived. */
  primed: boolean;
  /** Set when the stream ended before the driver closed it. */
  endedEarly: boolean;
  close(): void;
}

/** One connection per stream: an SSE response holds its socket for as long as it is open. */
export const streamAgent = () => new Agent({ keepAlive: false, maxSockets: Infinity });

/** Opens a stream; resolves once its first event arrived (the priming event or the acknowledgement). */
export function openStream(to: Endpoint, agent: Agent, method: "GET" | "POST", headers: Record<string, string>, body?: string, timeoutMs = 30_000): Promise<HeldStream> {
  return new Promise((resolve, reject) => {
    let closing = false;
    let tail = "";
    const held: HeldStream = {
      keepAlives: 0,
      primed: false,
      endedEarly: false,
      close: () => {
        closing = true;
        req.destroy();
      },
    };
    const timer = setTimeout(() => fail(new Error(`no first event within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const req = request({ ...to, agent, method, headers: body ? { ...headers, "content-length": Buffer.byteLength(body) } : headers }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers["content-type"]).startsWith("text/event-stream")) {
        res.resume();
        return fail(new Error(`stream answered ${res.statusCode} ${res.headers["content-type"]}`));
      }
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        // A frame split across chunks is counted once: the carried tail is shorter than a frame.
        const text = tail + chunk;
        for (let at = text.indexOf(KEEP_ALIVE); at !== -1; at = text.indexOf(KEEP_ALIVE, at + KEEP_ALIVE.length)) held.keepAlives++;
        tail = text.slice(-(KEEP_ALIVE.length - 1));
        if (!held.primed && text.includes("data:")) {
          held.primed = true;
          clearTimeout(timer);
          resolve(held);
        }
      });
      const ended = () => {
        if (!closing) held.endedEarly = true;
      };
      res.once("end", ended);
      res.once("close", ended);
    });
    req.on("error", (error) => (closing ? undefined : held.primed ? (held.endedEarly = true) : fail(error)));
    req.end(body);
  });
}
