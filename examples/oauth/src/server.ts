/**
 * The MCP server: one tool, protected as an OAuth 2.1 resource server by @wisp/auth. Nothing in it
 * is specific to the development authorization server: any AS that issues JWT access tokens with
 * `aud` = the resource URI works (see the README).
 */
import { jwtVerifier, protectedResource } from "@wisp/auth";
import { createServer } from "@wisp/core";

export const SCOPES = ["mcp:tools"];

export interface OAuthServerOptions {
  /** The canonical MCP endpoint URL clients connect to (tokens must be issued for it). */
  resource: string;
  /** The authorization server's issuer identifier, exactly as its metadata states it. */
  issuer: string;
  /** Where the AS publishes its signing keys (its metadata's `jwks_uri`). */
  jwksUri: string;
}

export function createOAuthServer({ resource, issuer, jwksUri }: OAuthServerOptions) {
  return createServer({ name: "wisp-oauth-example", version: "0.1.0" })
    .tool("greet", { description: "Greets the signed-in caller" }, (_args, ctx) => `Hello, ${ctx.auth?.principal}! Your scopes: ${ctx.auth?.scopes?.join(" ") || "(none)"}.`)
    .onRequest(
      protectedResource({
        resource,
        authorizationServers: [issuer],
        scopesSupported: SCOPES,
        requiredScopes: SCOPES,
        resourceName: "Wisp OAuth example",
        verifier: jwtVerifier({ issuer, jwksUri }),
      }),
    );
}
