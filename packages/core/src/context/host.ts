import type { AuthInfo } from "./context.js";
import type { Transport } from "./transport.js";

/**
 * What the embedding runtime knows about a request beyond the Request itself: the contract
 * between an adapter and the core. Every adapter fills it the same way.
 * @example
 * server.handle(request, { assigns: { env }, remoteIp, auth: { principal: user.id, scopes: user.scopes } });
 */
export interface HostContext {
  /** Seeds `ctx.assigns` (Hono `c.var`, Workers `env`, Node `req`, …). */
  assigns?: Record<string, unknown>;
  remoteIp?: string;
  /** True when the listener is bound to a loopback address: Host is then checked against loopback names. */
  loopback?: boolean;
  /**
   * Who the caller is, as the host's auth step established it; handlers read it as `ctx.auth`.
   * `auth.principal` binds 2025 sessions, 2026 `requestState` and tasks to that caller.
   */
  auth?: AuthInfo;
  /**
   * The RFC 9728 protected-resource metadata URL, when the endpoint is protected by OAuth (set by
   * `@wisp/auth`): 403 step-up challenges for features with `scopes` name it.
   */
  resourceMetadata?: string;
  /** @deprecated Set `auth: { principal }` instead; this is read only when `auth.principal` is absent. */
  principal?: string;
  /** Transport facts when the request did not come over HTTP (the stdio adapter sets `{ type: "stdio", env, pid }`). */
  transport?: Transport;
  /**
   * The id `initialize` gives the new session, when the host must know it in advance (e.g. a
   * Workers entry routing each session to its own Durable Object). Default: a fresh random id (21 URL-safe characters).
   */
  sessionId?: string;
}

/** The authenticated caller, if any: the one place the core reads it from a host. */
export const principalOf = (host: HostContext | undefined): string | undefined => host?.auth?.principal;

/**
 * Folds the deprecated `host.principal` into `host.auth` where a request enters the core (and
 * again after the `onRequest` hooks, which may set it), so everything after reads the caller
 * from `auth` alone.
 */
export function withAuthPrincipal(host: HostContext | undefined): HostContext | undefined {
  if (host?.principal === undefined || host.auth?.principal !== undefined) return host;
  return { ...host, auth: { ...host.auth, principal: host.principal } };
}

/**
 * The host as it is now, each field read once: for work that outlives the response (a task).
 * An adapter may compute a field only when it is read (Bun's remote address), and some facts are
 * gone once the response is over.
 */
export const pinnedHost = (host: HostContext | undefined): HostContext | undefined => (host === undefined ? undefined : { ...host });

/** What an HTTP hook sees of the request: enough to authenticate or rate-limit, nothing parsed yet. */
export interface IncomingRequest {
  method: string;
  url: string;
  /** Header value by name (case-insensitive), or null. */
  header(name: string): string | null;
}

/** Return a Response to answer early; return nothing to continue. Mutate `host` to pass data on. */
export type RequestHook = (request: IncomingRequest, host: HostContext) => Response | void | undefined | Promise<Response | void | undefined>;
