export { protectedResource, AuthErrorCode } from "./protected-resource.js";
export type { ProtectedResourceOptions } from "./protected-resource.js";
export { jwtVerifier } from "./jwt.js";
export type { JwtVerifierOptions } from "./jwt.js";
export { introspectionVerifier } from "./introspection.js";
export type { IntrospectionVerifierOptions } from "./introspection.js";
export { InvalidTokenError, AuthorizationServerUnavailableError } from "./verifier.js";
export type { TokenVerifier, VerifiedToken, VerifyContext } from "./verifier.js";
export { canonicalResource, metadataUrl } from "./resource.js";
