import { wwwAuthenticate, type AuthInfo, type IncomingRequest, type RequestHook } from "@wisp/core";
import { canonicalResource, metadataPaths, metadataUrl } from "./resource.js";
import { AuthorizationServerUnavailableError, InvalidTokenError, type TokenVerifier, type VerifiedToken } from "./verifier.js";

/** JSON-RPC error codes in the bodies of refused requests (documented in the README). */
export const AuthErrorCode = {
  /** 400: the Authorization header is malformed, or a token was sent in the URL. */
  InvalidRequest: -32600,
  /** 401: no token, or the token is invalid (expired, forged, for another resource…): get a new token. */
  Unauthorized: -32010,
  /** 403: the token is valid but lacks scopes: ask the authorization server for the listed scopes. */
  InsufficientScope: -32011,
  /** 503: the authorization server could not be reached to check the token: retry after `Retry-After`. */
  AuthorizationServerUnavailable: -32012,
  /** 500: the verifier failed unexpectedly; the request was refused. */
  VerifierFailed: -32603,
} as const;

export interface ProtectedResourceOptions {
  /** Canonical URI of the MCP endpoint, e.g. "https://mcp.example.com/mcp". Canonicalised. */
  resource: string;
  /** Issuer identifiers of the authorization servers (RFC 8414), at least one. */
  authorizationServers: string[];
  /** Advertised in the metadata and, absent `requiredScopes`, in the 401 challenge. */
  scopesSupported?: string[];
  /** Every token must carry all of these (→ 403 `insufficient_scope` otherwise). */
  requiredScopes?: string[];
  verifier: TokenVerifier;
  /** RFC 9728 `resource_name`. */
  resourceName?: string;
  /** RFC 9728 `resource_documentation`. */
  resourceDocumentation?: string;
  /** RFC 9728 `resource_policy_uri`. */
  resourcePolicyUri?: string;
  /** RFC 9728 `resource_tos_uri`. */
  resourceTosUri?: string;
  /** Any further metadata fields, passed through as given (cannot override `resource` or `authorization_servers`). */
  metadata?: Record<string, unknown>;
  /** `Cache-Control: max-age` of the metadata, seconds. Default 3600. */
  metadataMaxAgeSec?: number;
  /** Bound on one `verifier.verify` call, ms; past it the request gets 503. Default 10000. */
  timeoutMs?: number;
  /** `Retry-After` on 503 when the verifier gives none, seconds. Default 5. */
  retryAfterSec?: number;
}

/**
 * An `onRequest` hook that makes a Wisp server an OAuth 2.1 resource server (MCP authorization):
 * serves RFC 9728 metadata at `/.well-known/oauth-protected-resource[/<path>]`, refuses requests
 * without a valid Bearer token (401/400/403/503 with `WWW-Authenticate`), and sets `host.auth`.
 * @example
 * server.onRequest(protectedResource({
 *   resource: "https://mcp.example.com/mcp",
 *   authorizationServers: ["https://auth.example.com"],
 *   requiredScopes: ["mcp:tools"],
 *   verifier: jwtVerifier({ issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks" }),
 * }));
 */
export function protectedResource(options: ProtectedResourceOptions): RequestHook {
  const resource = canonicalResource(options.resource);
  if (!Array.isArray(options.authorizationServers) || options.authorizationServers.length === 0) {
    throw new TypeError("protectedResource: authorizationServers needs at least one issuer");
  }
  for (const issuer of options.authorizationServers) {
    let url: URL;
    try {
      url = new URL(issuer);
    } catch {
      throw new TypeError(`protectedResource: authorization server ${JSON.stringify(issuer)} is not an absolute URI`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`protectedResource: authorization server ${issuer} must be http(s)`);
  }
  if (!options.verifier || typeof options.verifier.verify !== "function") throw new TypeError("protectedResource: verifier is required");
  const requiredScopes = [...new Set(options.requiredScopes ?? [])];
  const challengeScope = (requiredScopes.length ? requiredScopes : (options.scopesSupported ?? [])).join(" ") || undefined;
  const resourceMetadata = metadataUrl(resource);
  const paths = new Set(metadataPaths(resource));
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retryAfterSec = options.retryAfterSec ?? 5;

  const metadata = JSON.stringify({
    ...options.metadata,
    resource,
    authorization_servers: options.authorizationServers,
    ...(options.scopesSupported ? { scopes_supported: options.scopesSupported } : {}),
    bearer_methods_supported: ["header"],
    ...(options.resourceName !== undefined ? { resource_name: options.resourceName } : {}),
    ...(options.resourceDocumentation !== undefined ? { resource_documentation: options.resourceDocumentation } : {}),
    ...(options.resourcePolicyUri !== undefined ? { resource_policy_uri: options.resourcePolicyUri } : {}),
    ...(options.resourceTosUri !== undefined ? { resource_tos_uri: options.resourceTosUri } : {}),
  });
  const publicCors = { "access-control-allow-origin": "*", "access-control-allow-methods": "GET, OPTIONS", "access-control-allow-headers": "*" };

  function refuse(status: number, code: number, message: string, challenge: Record<string, string | undefined> | undefined, extra: Record<string, string> = {}): Response {
    const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store", ...extra };
    if (challenge) headers["www-authenticate"] = wwwAuthenticate({ method: "Bearer", resourceMetadata, ...challenge });
    const data = { ...(challenge?.error ? { error: challenge.error } : {}), resource_metadata: resourceMetadata };
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message, data } }), { status, headers });
  }

  async function verify(token: string): Promise<VerifiedToken> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Settle first, so whatever the verifier throws on abort cannot win the race.
        reject(new AuthorizationServerUnavailableError("token verification timed out"));
        controller.abort();
      }, timeoutMs);
    });
    try {
      return await Promise.race([options.verifier.verify(token, { resource, signal: controller.signal }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return async (request: IncomingRequest, host) => {
    const url = new URL(request.url);
    if (paths.has(url.pathname)) {
      if (request.method === "GET" || request.method === "HEAD") {
        return new Response(request.method === "HEAD" ? null : metadata, {
          status: 200,
          headers: { "content-type": "application/json", "cache-control": `public, max-age=${options.metadataMaxAgeSec ?? 3600}`, ...publicCors },
        });
      }
      if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { ...publicCors, "access-control-max-age": "86400" } });
      return new Response(null, { status: 405, headers: { allow: "GET, HEAD, OPTIONS", ...publicCors } });
    }

    // OAuth 2.1 §5.1 / MCP: tokens travel only in the Authorization header.
    if (url.searchParams.has("access_token")) {
      return refuse(400, AuthErrorCode.InvalidRequest, "Send the access token in the Authorization header, never in the URL", {
        error: "invalid_request",
        errorDescription: "access token in the query string",
      });
    }
    const header = request.header("authorization");
    if (header === null || header.trim() === "") {
      return refuse(401, AuthErrorCode.Unauthorized, `Authorization required: get an access token for ${resource} from the authorization server listed at ${resourceMetadata}`, {
        scope: challengeScope,
      });
    }
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (!match) {
      return refuse(400, AuthErrorCode.InvalidRequest, "Malformed Authorization header: expected `Authorization: Bearer <token>`", {
        error: "invalid_request",
        errorDescription: "malformed Authorization header",
      });
    }
    const token = match[1]!;

    let verified: VerifiedToken;
    try {
      verified = await verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) {
        const description = safeDescription(error.description, token);
        return refuse(401, AuthErrorCode.Unauthorized, `Invalid access token (${description}): get a new token for ${resource}`, {
          error: "invalid_token",
          errorDescription: description,
          scope: challengeScope,
        });
      }
      if (error instanceof AuthorizationServerUnavailableError) {
        return refuse(503, AuthErrorCode.AuthorizationServerUnavailable, "The authorization server could not be reached to check the token; retry later", undefined, {
          "retry-after": String(error.retryAfterSec ?? retryAfterSec),
        });
      }
      return refuse(500, AuthErrorCode.VerifierFailed, "Token verification failed", undefined);
    }
    if (!verified || typeof verified.subject !== "string" || !verified.subject) {
      return refuse(500, AuthErrorCode.VerifierFailed, "Token verification failed", undefined);
    }

    const granted = new Set(verified.scopes ?? []);
    const missing = requiredScopes.filter((scope) => !granted.has(scope));
    if (missing.length) {
      return refuse(403, AuthErrorCode.InsufficientScope, `Insufficient scope: the token needs ${requiredScopes.join(" ")} (missing ${missing.join(" ")})`, {
        error: "insufficient_scope",
        errorDescription: `missing scope: ${missing.join(" ")}`,
        scope: requiredScopes.join(" "),
      });
    }

    const auth: AuthInfo = { principal: verified.subject, scopes: [...granted], claims: verified.claims ?? {} };
    if (verified.clientId !== undefined) auth.clientId = verified.clientId;
    if (verified.expiresAt !== undefined) auth.expiresAt = verified.expiresAt;
    host.auth = auth;
    // Per-feature `scopes` checks in the core name the metadata in their 403 step-up challenge.
    host.resourceMetadata = resourceMetadata;
    return undefined;
  };
}

/** RFC 6750 §3: error_description is printable ASCII without `"` or `\`; and never the token. */
function safeDescription(description: string, token: string): string {
  const clean = String(description).replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, " ").slice(0, 200).trim() || "invalid token";
  return token.length >= 8 && clean.includes(token.slice(0, 8)) ? "invalid token" : clean;
}
