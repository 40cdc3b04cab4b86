import type { HostContext } from "./handle.js";
import type { Exchange, Outcome } from "./exchange.js";

/** What an HTTP hook sees of the request: enough to authenticate or rate-limit, nothing parsed yet. */
export interface IncomingRequest {
  method: string;
  url: string;
  /** Header value by name (case-insensitive), or null. */
  header(name: string): string | null;
}

/** Return a Response to answer early; return nothing to continue. Mutate `host` to pass data on. */
export type RequestHook = (request: IncomingRequest, host: HostContext) => Response | void | undefined | Promise<Response | void | undefined>;

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
