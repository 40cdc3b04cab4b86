/** Sends wire requests over real sockets to the Node adapter on 127.0.0.1. */
import { Agent, type IncomingMessage, request as httpRequest } from "node:http";
import { ANSWER_BOUND_MS } from "../oracle/check.js";
import type { WireRequest, WireResponse } from "../model.js";
import { type ReadPolicy, readAnswer } from "./read.js";

export interface Target {
  name: "http" | "handle";
  send(request: WireRequest, policy: ReadPolicy): Promise<WireResponse>;
  close(): Promise<void>;
}

function headersOf(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  return out;
}

function sourceOf(res: IncomingMessage) {
  const iterator = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    next: async () => {
      const { done, value } = await iterator.next();
      return done ? null : new Uint8Array(value);
    },
    cancel: () => res.destroy(),
  };
}

export function httpTarget(port: number, concurrency: number): Target {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

  function once(request: WireRequest, policy: ReadPolicy): Promise<WireResponse & { retry?: boolean }> {
    const started = Date.now();
    const headers: Record<string, string> = Object.fromEntries(request.headers);
    // Node frames DELETE and OPTIONS bodies only when told their length; without it the body
    // would reach the server as the start of a second, malformed request.
    if (request.body) headers["content-length"] = String(request.body.byteLength);
    return new Promise((resolve) => {
      let settled = false;
      const finish = (response: WireResponse & { retry?: boolean }) => {
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          resolve(response);
        }
      };
      const failed = (failure: string, retry = false) => finish({ status: 0, headers: {}, text: "", sse: false, cutOff: false, ms: Date.now() - started, failure, retry });
      const req = httpRequest({ host: "127.0.0.1", port, method: request.method, path: request.path, headers, agent, setHost: !("host" in headers) }, (res) => {
        clearTimeout(timer);
        readAnswer({ status: res.statusCode ?? 0, headers: headersOf(res) }, sourceOf(res), policy, started).then(finish);
      });
      const timer = setTimeout(() => {
        req.destroy();
        failed(`timed out after ${ANSWER_BOUND_MS} ms without a response`);
      }, ANSWER_BOUND_MS + 250);
      req.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed meanwhile: the client's problem, send again.
        failed(`${error.code ?? ""} ${error.message}`.trim(), req.reusedSocket && error.code === "ECONNRESET");
      });
      req.end(request.body ?? undefined);
    });
  }

  return {
    name: "http",
    async send(request, policy) {
      const first = await once(request, policy);
      return first.retry ? once(request, policy) : first;
    },
    async close() {
      agent.destroy();
    },
  };
}
