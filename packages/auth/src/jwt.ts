import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { AuthorizationServerUnavailableError, InvalidTokenError, clientIdOf, scopesOf, subjectOf, type TokenVerifier, type VerifiedToken } from "./verifier.js";

export interface JwtVerifierOptions {
  /** Expected `iss`, exactly. */
  issuer: string;
  /** The authorization server's JWKS (its metadata's `jwks_uri`). */
  jwksUri: string;
  /** Expected `aud` (RFC 8707); defaults to the protected resource's canonical URI. */
  audience?: string | string[];
  /** Accepted `alg`s; `none` and HMAC are never accepted. Default RS256, ES256, PS256, EdDSA. */
  algorithms?: string[];
  /** Allowed clock skew for `exp`/`nbf`/`iat`, seconds. Default 30. */
  clockToleranceSec?: number;
  /** Required JOSE `typ` header, e.g. "at+jwt" (RFC 9068). Default: not checked. */
  requiredTyp?: string;
  /** Bound on one JWKS fetch, ms. Default 5000. */
  timeoutMs?: number;
  /** Minimum time between JWKS refetches triggered by an unknown `kid`, ms. Default 30000. */
  cooldownMs?: number;
  /** How long a fetched JWKS is trusted before refetching, ms. Default 600000. */
  jwksCacheMaxAgeMs?: number;
}

const DEFAULT_ALGORITHMS = ["RS256", "ES256", "PS256", "EdDSA"];

/**
 * Verifies JWT access tokens (RFC 9068) against the authorization server's JWKS, with `jose`.
 * Refuses: bad signature, `alg` outside the list (including `none`), unknown `kid` (after one
 * JWKS refetch), expired, not yet valid, wrong `iss`, and an `aud` that is not this resource.
 * @example
 * jwtVerifier({ issuer: "https://auth.example.com", jwksUri: "https://auth.example.com/jwks" })
 */
export function jwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const algorithms = options.algorithms ?? DEFAULT_ALGORITHMS;
  const unsafe = algorithms.filter((alg) => alg === "none" || alg.startsWith("HS"));
  if (unsafe.length) throw new TypeError(`jwtVerifier: algorithms must be asymmetric, got ${unsafe.join(", ")}`);
  if (!options.issuer) throw new TypeError("jwtVerifier: issuer is required");
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
    timeoutDuration: options.timeoutMs ?? 5000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
  });

  return {
    async verify(token, { resource }): Promise<VerifiedToken> {
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: options.issuer,
          audience: options.audience ?? resource,
          algorithms,
          clockTolerance: options.clockToleranceSec ?? 30,
          typ: options.requiredTyp,
          requiredClaims: ["exp"],
        }));
      } catch (error) {
        throw mapJoseError(error);
      }
      const subject = subjectOf(payload);
      if (!subject) throw new InvalidTokenError("token has no subject");
      return {
        subject,
        scopes: scopesOf(payload),
        clientId: clientIdOf(payload),
        expiresAt: typeof payload.exp === "number" ? payload.exp : undefined,
        claims: { ...payload },
      };
    },
  };
}

/** jose's errors → a short, token-free description, or "the AS is unavailable". */
function mapJoseError(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new InvalidTokenError("token expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf") return new InvalidTokenError("token not yet valid");
    if (error.claim === "iss") return new InvalidTokenError("wrong issuer");
    if (error.claim === "aud") return new InvalidTokenError("token is not for this resource");
    return new InvalidTokenError(`${error.claim} claim check failed`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError("signature verification failed");
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError("signing algorithm not allowed");
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return new InvalidTokenError("no matching signing key");
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) return new InvalidTokenError("malformed token");
  if (error instanceof errors.JWKSTimeout) return new AuthorizationServerUnavailableError("JWKS fetch timed out");
  if (error instanceof errors.JWKSInvalid) return new AuthorizationServerUnavailableError("JWKS response is invalid");
  // Network failures (fetch TypeError) and non-200 JWKS responses (JOSEError).
  return new AuthorizationServerUnavailableError("JWKS could not be fetched");
}
