/** Calls `server.handle(request)` directly with web Request objects, as Bun, Deno or Workers would. */
import type { Server } from "@wisp/core";
import { ANSWER_BOUND_MS } from "../oracle/check.js";
import type { WireResponse } from "../model.js";
import type { Target } from "./http.js";
import { readAnswer } from "./read.js";

/** The host facts the Node adapter passes when it listens on 127.0.0.1, so both targets run the same checks. */
const HOST = { loopback: true, remoteIp: "127.0.0.1" };

export function handleTarget(server: Server, origin: string): Target {
  return {
    name: "handle",
    async send(request, policy) {
      const started = Date.now();
      let web: Request;
      try {
        web = new Request(`${origin}${request.path}`, { method: request.method, headers: request.headers, body: request.body as BodyInit | null });
      } catch (error) {
        return { status: 0, headers: {}, text: "", sse: false, cutOff: false, ms: 0, failure: `could not build the Request: ${(error as Error).message}` };
      }
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ANSWER_BOUND_MS + 250)));
      const response = await Promise.race([server.handle(web, { ...HOST }), late]).catch((error: Error) => error);
      clearTimeout(timer);
      if (response === "late") return { status: 0, headers: {}, text: "", sse: false, cutOff: false, ms: Date.now() - started, failure: `handle() did not settle within ${ANSWER_BOUND_MS} ms` };
      if (response instanceof Error) return { status: 0, headers: {}, text: "", sse: false, cutOff: false, ms: Date.now() - started, failure: `handle() rejected: ${response.message}` };
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      const reader = response.body?.getReader();
      const source = {
        next: async () => {
          if (!reader) return null;
          const { done, value } = await reader.read();
          return done ? null : value;
        },
        cancel: () => void reader?.cancel().catch(() => {}),
      };
      return readAnswer({ status: response.status, headers }, source, policy, started);
    },
    async close() {},
  };
}
