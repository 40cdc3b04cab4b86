import type { HostContext } from "../context/host.js";
import { ErrorCode, HttpError } from "../protocol/errors.js";
import { LOOPBACK_HOSTS, type ResolvedOptions } from "../server/options.js";
import type { Exchange, Outcome } from "./exchange.js";

/**
 * The checks every request passes before anything is parsed: Origin and Host (DNS rebinding),
 * CORS, and what the client accepts.
 */

export const ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";
/** A server without the 2025 era (`@wisp/core/stateless`) has no GET streams and no DELETE. */
export const MODERN_ONLY_METHODS = "POST, OPTIONS";
const ALLOWED_HEADERS =
  "content-type, accept, authorization, mcp-session-id, mcp-protocol-version, mcp-method, mcp-name, last-event-id";

/** Whether a browser origin may call the endpoint under the server's policy. */
export function originAllowed(origin: string, policy: ResolvedOptions["origins"]): boolean {
  if (policy === "*") return true;
  if (typeof policy === "function") {
    try {
      return policy(origin) === true;
    } catch {
      return false;
    }
  }
  return policy.includes(origin);
}

/** 403 unless the Origin is allowed and the Host names this server. */
export function guardOrigin(options: ResolvedOptions, origin: string | null, allowed: boolean, exchange: Exchange, host: HostContext | undefined): void {
  if (!options.validateOrigin) return;
  if (!allowed) {
    throw new HttpError(403, ErrorCode.BadRequest, `Forbidden: origin ${origin} is not allowed`);
  }
  const hosts = options.allowedHosts ?? (host?.loopback ? LOOPBACK_HOSTS : "*");
  if (hosts === "*") return;
  // A web Request has no Host header (it is forbidden there): the URL carries it.
  const hostHeader = exchange.header("host") ?? urlHost(exchange.url);
  const hostname = hostHeader ? hostnameOf(hostHeader) : undefined;
  if (!hostname || !hosts.includes(hostname)) {
    throw new HttpError(403, ErrorCode.BadRequest, `Forbidden: host ${hostHeader ?? "(none)"} is not allowed`);
  }
}

/** Browsers may read the session id and, on 401/403, the RFC 9728 challenge. */
export function corsHeaders(origin: string): Record<string, string> {
  return { "access-control-allow-origin": origin, "access-control-expose-headers": "mcp-session-id, www-authenticate", vary: "origin" };
}

export function preflight(exchange: Exchange, headers: Record<string, string>, methods: string): Outcome {
  return {
    status: 204,
    headers: { ...headers, "access-control-allow-methods": methods, "access-control-allow-headers": allowHeaders(exchange), "access-control-max-age": "86400" },
    body: null,
  };
}

function allowHeaders(exchange: Exchange): string {
  // Echo Mcp-Param-* names the browser asks for; they are tool-specific.
  const requested = exchange.header("access-control-request-headers") ?? "";
  const params = requested.split(",").map((h) => h.trim().toLowerCase()).filter((h) => h.startsWith("mcp-param-"));
  return params.length ? `${ALLOWED_HEADERS}, ${params.join(", ")}` : ALLOWED_HEADERS;
}

function urlHost(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith("[")) return hostHeader.slice(0, hostHeader.indexOf("]") + 1);
  const colon = hostHeader.indexOf(":");
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

const acceptCache = new Map<string, { json: boolean; sse: boolean }>();
const ANYTHING = { json: true, sse: true };

/** What an Accept value allows; clients send the same few values, so answers are memoised. */
export function acceptable(accept: string | null): { json: boolean; sse: boolean } {
  if (!accept) return ANYTHING;
  let known = acceptCache.get(accept);
  if (!known) {
    known = { json: accepts(accept, "application/json"), sse: accepts(accept, "text/event-stream") };
    if (acceptCache.size < 64) acceptCache.set(accept, known); // bounded: headers are client-chosen
  }
  return known;
}

/** `Accept` matching with wildcards; a missing header accepts anything (curl, simple clients). */
export function accepts(accept: string | null, type: string): boolean {
  if (!accept) return true;
  const [major] = type.split("/");
  for (const part of accept.split(",")) {
    const range = part.split(";")[0].trim().toLowerCase();
    if (range === type || range === "*/*" || range === `${major}/*`) return true;
  }
  return false;
}
