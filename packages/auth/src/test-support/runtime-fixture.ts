/**
 * The protected Wisp server runtimes.test.ts runs on Bun, Deno and workerd: `protectedResource`
 * with `jwtVerifier` (JWKS fetched from the test's local key server), and a `whoami` tool that
 * answers with what the hook put into `ctx.auth`. Imported by relative path (with the `.js`
 * extension), so Deno needs no import map entry for `@wisp/auth`; `jose` comes from node_modules.
 */
import { type Storage, createServer } from "@wisp/core";
import { jwtVerifier } from "../jwt.js";
import { protectedResource } from "../protected-resource.js";

export interface AuthFixtureConfig {
  /** Canonical URI of the MCP endpoint, e.g. http://127.0.0.1:<port>/mcp */
  RESOURCE: string;
  /** The test's key server: the expected `iss` and the authorization server. */
  ISSUER: string;
  JWKS_URI: string;
}

/** Reads the configuration from `source` (process.env, or a Worker's env); throws if a value is missing. */
export function fixtureConfig(source: Record<string, string | undefined>): AuthFixtureConfig {
  const read = (name: keyof AuthFixtureConfig) => {
    const value = source[name];
    if (!value) throw new Error(`runtime fixture: ${name} is not set`);
    return value;
  };
  return { RESOURCE: read("RESOURCE"), ISSUER: read("ISSUER"), JWKS_URI: read("JWKS_URI") };
}

/** The server, guarded by `protectedResource` + `jwtVerifier`. */
export function buildProtectedServer(config: AuthFixtureConfig, runtime: string, storage?: Storage) {
  return createServer({ name: `auth-on-${runtime}`, version: "1.0.0", ...(storage ? { storage } : {}) })
    .tool("whoami", { description: "The caller, as the auth hook saw it" }, (_args, ctx) =>
      JSON.stringify({ runtime, principal: ctx.auth?.principal ?? null, scopes: ctx.auth?.scopes ?? null, clientId: ctx.auth?.clientId ?? null }),
    )
    .onRequest(
      protectedResource({
        resource: config.RESOURCE,
        authorizationServers: [config.ISSUER],
        scopesSupported: ["mcp:tools"],
        verifier: jwtVerifier({ issuer: config.ISSUER, jwksUri: config.JWKS_URI }),
      }),
    );
}
