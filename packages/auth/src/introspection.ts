import { AuthorizationServerUnavailableError, InvalidTokenError, clientIdOf, scopesOf, subjectOf, type TokenVerifier, type VerifiedToken } from "./verifier.js";

export interface IntrospectionVerifierOptions {
  /** The RFC 7662 introspection endpoint. */
  endpoint: string;
  /** This resource server's client credentials at the authorization server (client_secret_basic). */
  clientId: string;
  clientSecret: string;
  /** Expected `aud` entry; defaults to the protected resource's canonical URI. */
  audience?: string;
  /** Expected `iss`, when the response carries one. Default: not checked. */
  issuer?: string;
  /** Active answers are cached by SHA-256 of the token, bounded in size and time, never past `exp`. */
  cache?: { maxEntries?: number; ttlMs?: number } | false;
  /** Bound on one introspection call, ms. Default 5000. */
  timeoutMs?: number;
  /** Allowed clock skew for `exp`/`nbf`, seconds. Default 30. */
  clockToleranceSec?: number;
  /** Injected fetch (tests, proxies). Default: global fetch. */
  fetch?: typeof fetch;
}

interface Entry {
  result: VerifiedToken;
  until: number;
}

/**
 * Verifies opaque (or any) access tokens with the authorization server's RFC 7662 introspection
 * endpoint: `active: false` → invalid; `aud` must contain this resource.
 * @example
 * introspectionVerifier({ endpoint: "https://auth.example.com/token/introspection", clientId: "mcp-rs", clientSecret: process.env.RS_SECRET! })
 */
export function introspectionVerifier(options: IntrospectionVerifierOptions): TokenVerifier {
  const endpoint = new URL(options.endpoint).href;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const skew = options.clockToleranceSec ?? 30;
  const maxEntries = options.cache === false ? 0 : (options.cache?.maxEntries ?? 1000);
  const ttlMs = options.cache === false ? 0 : (options.cache?.ttlMs ?? 60_000);
  const cache = new Map<string, Entry>();
  // RFC 6749 §2.3.1: both parts form-urlencoded before base64.
  const basic = `Basic ${btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`)}`;

  async function introspect(token: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: "POST",
        headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({ token, token_type_hint: "access_token" }).toString(),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        redirect: "error",
      });
    } catch {
      throw new AuthorizationServerUnavailableError("introspection endpoint unreachable");
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AuthorizationServerUnavailableError(`introspection endpoint answered ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new AuthorizationServerUnavailableError("introspection response is not JSON");
    }
    if (!body || typeof body !== "object" || typeof (body as { active?: unknown }).active !== "boolean") {
      throw new AuthorizationServerUnavailableError("introspection response has no boolean `active`");
    }
    return body as Record<string, unknown>;
  }

  return {
    async verify(token, { resource, signal }): Promise<VerifiedToken> {
      const key = maxEntries > 0 ? await sha256(token) : "";
      const now = Date.now();
      const hit = cache.get(key);
      if (hit) {
        if (hit.until > now) return hit.result;
        cache.delete(key);
      }
      const claims = await introspect(token, signal);
      if (claims.active !== true) throw new InvalidTokenError("token is not active");
      const nowSec = Math.floor(now / 1000);
      if (typeof claims.exp === "number" && claims.exp + skew <= nowSec) throw new InvalidTokenError("token expired");
      if (typeof claims.nbf === "number" && claims.nbf - skew > nowSec) throw new InvalidTokenError("token not yet valid");
      if (options.issuer !== undefined && claims.iss !== undefined && claims.iss !== options.issuer) throw new InvalidTokenError("wrong issuer");
      const audience = options.audience ?? resource;
      const aud = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
      if (!aud.includes(audience)) throw new InvalidTokenError("token is not for this resource");
      const subject = subjectOf(claims);
      if (!subject) throw new InvalidTokenError("token has no subject");
      const { active: _active, ...rest } = claims;
      const result: VerifiedToken = {
        subject,
        scopes: scopesOf(claims),
        clientId: clientIdOf(claims),
        expiresAt: typeof claims.exp === "number" ? claims.exp : undefined,
        claims: rest,
      };
      if (maxEntries > 0 && ttlMs > 0) {
        const until = Math.min(now + ttlMs, result.expiresAt !== undefined ? result.expiresAt * 1000 : Infinity);
        if (until > now) {
          cache.delete(key);
          cache.set(key, { result, until });
          while (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
        }
      }
      return result;
    },
  };
}

const formEncode = (value: string) => encodeURIComponent(value).replace(/%20/g, "+");

/** Cache key: base64url SHA-256 of the token, so the token itself is never kept. */
async function sha256(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
