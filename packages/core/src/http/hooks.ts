import type { HostContext, IncomingRequest, RequestHook } from "../context/host.js";
import type { Exchange, Outcome } from "./exchange.js";

/** Runs the hooks in order; the first Response wins. */
export async function runHooks(hooks: readonly RequestHook[], exchange: Exchange, host: HostContext): Promise<Outcome | undefined> {
  const request: IncomingRequest = { method: exchange.method, url: exchange.url, header: (name) => exchange.header(name.toLowerCase()) };
  for (const hook of hooks) {
    const response = await hook(request, host);
    if (response) {
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      return { status: response.status, headers, body: response.body };
    }
  }
  return undefined;
}
