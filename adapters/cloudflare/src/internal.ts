/**
 * How the Worker talks to its Durable Objects. These headers exist only on requests the
 * Worker builds: every `x-wisp-` header a client sends is removed before routing.
 */
export const INTERNAL_PREFIX = "x-wisp-";
export const INTERNAL = {
  /** Which job the object does for this request: a session, the hub, or a tasks shard. */
  role: "x-wisp-role",
  /** hub only: publish, subscribe, or (absent) an MCP request. */
  op: "x-wisp-op",
  /** The id the Worker minted for an `initialize`; the object's core gives it to the session. */
  sessionId: "x-wisp-session-id",
  /** The authenticated caller, URI-encoded. */
  principal: "x-wisp-principal",
  remoteIp: "x-wisp-remote-ip",
} as const;

export const ROLE = { session: "session", hub: "hub", tasks: "tasks" } as const;
export type Role = (typeof ROLE)[keyof typeof ROLE];
export const OP = { publish: "publish", subscribe: "subscribe" } as const;

/** The hub's internal endpoints live under a URL no client can reach. */
export const HUB_URL = "https://wisp.internal/hub";
/** Object names; session objects are named by their session id. */
export const HUB_NAME = "wisp:hub";
export const tasksName = (principal: string | undefined) => `wisp:tasks:${principal ?? ""}`;

/** The core's bus channel for server-wide notifications (list_changed, resources/updated). */
export { BROADCAST_CHANNEL } from "@wisp/core";

/** Session ids this Worker mints: a fixed prefix and 256 random bits, base64url. */
const SESSION_ID = /^w1[A-Za-z0-9_-]{43}$/;
export function mintSessionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `w1${btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}
/** Ids we never minted cannot name a session: no Durable Object is woken for them. */
export const isMintedSessionId = (id: string) => SESSION_ID.test(id);

/** Copies a client's request without any internal header. */
export function stripInternal(headers: Headers): Headers {
  const clean = new Headers(headers);
  for (const name of [...clean.keys()]) if (name.startsWith(INTERNAL_PREFIX)) clean.delete(name);
  return clean;
}
