/** What a verifier learned from a valid access token. Never the token itself. */
export interface VerifiedToken {
  /** The token subject (`sub`); for a client_credentials token without one, the `client_id`. Becomes `ctx.auth.principal`. */
  subject: string;
  /** Granted scopes (`scope` split on spaces, or `scp`). */
  scopes: string[];
  clientId?: string;
  /** Expiry, seconds since the epoch (`exp`). */
  expiresAt?: number;
  /** Every verified claim (JWT payload or introspection response); never contains the token. */
  claims: Record<string, unknown>;
}

export interface VerifyContext {
  /** The canonical resource URI the token must be meant for (the default audience). */
  resource: string;
  /** Aborted when `protectedResource`'s `timeoutMs` elapses. */
  signal: AbortSignal;
}

/**
 * Checks a bearer token. Resolve with what the token says; reject with `InvalidTokenError`
 * (→ 401 `invalid_token`) or `AuthorizationServerUnavailableError` (→ 503). Any other
 * rejection is treated as a server fault (→ 500), never as a valid token.
 */
export interface TokenVerifier {
  verify(token: string, context: VerifyContext): Promise<VerifiedToken>;
}

/** The token is expired, forged, for another resource, revoked, …: the client should get a new one. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
  /** `description` ends up in `error_description`: keep it short, and never put the token in it. */
  constructor(readonly description: string) {
    super(description);
  }
}

/** The authorization server (JWKS or introspection endpoint) could not be reached or answered badly. */
export class AuthorizationServerUnavailableError extends Error {
  override name = "AuthorizationServerUnavailableError";
  constructor(
    message: string,
    /** Seconds a client should wait before retrying (`Retry-After`). */
    readonly retryAfterSec?: number,
  ) {
    super(message);
  }
}

/** `scope` (space-separated string) or `scp` (array or string), as a list. */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  if (typeof raw === "string") return raw.split(" ").filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === "string");
  return [];
}

/** The principal: `sub`, else the `client_id` (a client acting for itself). */
export function subjectOf(claims: Record<string, unknown>): string | undefined {
  if (typeof claims.sub === "string" && claims.sub) return claims.sub;
  if (typeof claims.client_id === "string" && claims.client_id) return claims.client_id;
  return undefined;
}

export function clientIdOf(claims: Record<string, unknown>): string | undefined {
  if (typeof claims.client_id === "string") return claims.client_id;
  if (typeof claims.azp === "string") return claims.azp;
  return undefined;
}
