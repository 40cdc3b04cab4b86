/**
 * `protectedResource` through a real Wisp server (`server.handle(Request)`): RFC 9728 metadata,
 * the 401/400/403/503 ladder with exact `WWW-Authenticate` values, and every way a JWT is refused,
 * with tokens signed by a key the test controls and its JWKS served from a local HTTP server.
 */
import { createServer, type AuthInfo, type HostContext } from "@wisp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthErrorCode, AuthorizationServerUnavailableError, InvalidTokenError, canonicalResource, introspectionVerifier, jwtVerifier, metadataUrl, protectedResource, type TokenVerifier } from "./index.js";
import { RESOURCE, listen, startKeyServer } from "./test-support/servers.js";

const AS = "https://auth.example.com";
const METADATA_URL = "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp";
const JSON_AND_SSE = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const INIT = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } };

let keys: Awaited<ReturnType<typeof startKeyServer>>;
beforeAll(async () => {
  keys = await startKeyServer();
});
afterAll(() => keys?.close());

function server(verifier: TokenVerifier, extra: Partial<Parameters<typeof protectedResource>[0]> = {}) {
  const seen: { auth?: AuthInfo } = {};
  const s = createServer({ name: "guarded", version: "1" })
    .tool("whoami", { description: "Who is calling" }, (_args, ctx) => {
      seen.auth = ctx.auth;
      return ctx.auth?.principal ?? "anonymous";
    })
    .onRequest(protectedResource({ resource: RESOURCE, authorizationServers: [AS], scopesSupported: ["mcp:tools", "mcp:admin"], requiredScopes: ["mcp:tools"], verifier, ...extra }));
  return { server: s, seen };
}

const jwt = () => jwtVerifier({ issuer: keys.issuer, jwksUri: keys.jwksUri, timeoutMs: 1000 });

function post(s: ReturnType<typeof createServer>, headers: Record<string, string> = {}, url = RESOURCE, host?: HostContext) {
  return s.handle(new Request(url, { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: JSON.stringify(INIT) }), host);
}

describe("configuration", () => {
  it("canonicalises the resource URI: lowercase scheme/host, no trailing slash, default port dropped", () => {
    expect(canonicalResource("HTTPS://MCP.Example.COM:443/mcp/")).toBe("https://mcp.example.com/mcp");
    expect(canonicalResource("https://mcp.example.com/")).toBe("https://mcp.example.com");
    expect(canonicalResource("http://127.0.0.1:3000/Mcp")).toBe("http://127.0.0.1:3000/Mcp");
    expect(metadataUrl("https://mcp.example.com/mcp")).toBe("https://mcp.example.com/.well-known/oauth-protected-resource/mcp");
    expect(metadataUrl("https://mcp.example.com")).toBe("https://mcp.example.com/.well-known/oauth-protected-resource");
  });

  it.each([["mcp.example.com/mcp"], ["ftp://mcp.example.com/mcp"], ["https://mcp.example.com/mcp#x"], ["https://mcp.example.com/mcp?x=1"], ["/mcp"]])("refuses resource %s", (resource) => {
    expect(() => protectedResource({ resource, authorizationServers: [AS], verifier: jwt() })).toThrow(TypeError);
  });

  it("needs at least one absolute authorization server and a verifier", () => {
    expect(() => protectedResource({ resource: RESOURCE, authorizationServers: [], verifier: jwt() })).toThrow(/at least one/);
    expect(() => protectedResource({ resource: RESOURCE, authorizationServers: ["auth.example.com"], verifier: jwt() })).toThrow(/absolute/);
    expect(() => protectedResource({ resource: RESOURCE, authorizationServers: [AS], verifier: undefined as never })).toThrow(/verifier/);
    expect(() => jwtVerifier({ issuer: AS, jwksUri: `${AS}/jwks`, algorithms: ["HS256"] })).toThrow(/asymmetric/);
  });
});

describe("RFC 9728 metadata", () => {
  it.each([["/.well-known/oauth-protected-resource/mcp"], ["/.well-known/oauth-protected-resource"]])("GET %s → 200 JSON, public CORS, cacheable, no token needed", async (path) => {
    const { server: s } = server(jwt(), { resourceName: "Guarded MCP", resourceDocumentation: "https://docs.example.com", metadata: { resource: "https://evil.example", custom_field: 1 } });
    const response = await s.handle(new Request(`http://127.0.0.1:3000${path}`));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(await response.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [AS],
      scopes_supported: ["mcp:tools", "mcp:admin"],
      bearer_methods_supported: ["header"],
      resource_name: "Guarded MCP",
      resource_documentation: "https://docs.example.com",
      custom_field: 1,
    });
  });

  it("the hook answers an OPTIONS preflight of the metadata and refuses other methods", async () => {
    const hook = protectedResource({ resource: RESOURCE, authorizationServers: [AS], verifier: jwt() });
    const request = (method: string) => ({ method, url: METADATA_URL, header: () => null });
    const preflight = (await hook(request("OPTIONS"), {})) as Response;
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("GET, OPTIONS");
    const put = (await hook(request("PUT"), {})) as Response;
    expect(put.status).toBe(405);
  });
});

describe("the Bearer ladder", () => {
  it("no Authorization → 401, WWW-Authenticate with resource_metadata and scope, JSON-RPC body", async () => {
    const response = await post(server(jwt()).server);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${METADATA_URL}", scope="mcp:tools"`);
    expect(response.headers.get("content-type")).toBe("application/json");
    const body = await response.json();
    expect(body).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: AuthErrorCode.Unauthorized, data: { resource_metadata: METADATA_URL } } });
    expect(body.error.message).toMatch(/Authorization required: get an access token for http:\/\/127.0.0.1:3000\/mcp/);
  });

  it("without requiredScopes the challenge advertises scopesSupported", async () => {
    const response = await post(server(jwt(), { requiredScopes: undefined }).server);
    expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${METADATA_URL}", scope="mcp:tools mcp:admin"`);
  });

  it.each([["Basic dXNlcjpwYXNz"], ["Bearer"], ["Bearer a b"], ["Bearer tok{en}"], ["Token abc"]])("malformed %j → 400 invalid_request", async (authorization) => {
    const response = await post(server(jwt()).server, { authorization });
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toBe(`Bearer error="invalid_request", error_description="malformed Authorization header", resource_metadata="${METADATA_URL}"`);
    expect((await response.json()).error.code).toBe(AuthErrorCode.InvalidRequest);
  });

  it("a token in the query string → 400 invalid_request, and is not echoed", async () => {
    const token = await keys.sign();
    const response = await post(server(jwt()).server, {}, `${RESOURCE}?access_token=${token}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_request"');
    expect(await response.text()).not.toContain(token);
  });

  it("a valid token with the required scope passes and sets ctx.auth without the token", async () => {
    const { server: s, seen } = server(jwt());
    const token = await keys.sign({ scope: "mcp:tools mcp:admin" });
    const init = await post(s, { authorization: `Bearer ${token}` });
    expect(init.status).toBe(200);
    const sessionId = init.headers.get("mcp-session-id")!;
    const headers = { authorization: `bearer ${token}`, "mcp-session-id": sessionId };
    await s.handle(new Request(RESOURCE, { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) }));
    const call = await s.handle(new Request(RESOURCE, { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }) }));
    expect(call.status).toBe(200);
    expect(await call.text()).toContain("user-1");
    expect(seen.auth).toMatchObject({ principal: "user-1", scopes: ["mcp:tools", "mcp:admin"], clientId: "hand-made", claims: { iss: keys.issuer, aud: RESOURCE, sub: "user-1" } });
    expect(typeof seen.auth!.expiresAt).toBe("number");
    expect(JSON.stringify(seen.auth)).not.toContain(token);
    expect(JSON.stringify(seen.auth)).not.toContain(token.split(".")[2]);
  });

  it("a valid token lacking a required scope → 403 insufficient_scope listing every needed scope", async () => {
    const { server: s } = server(jwt(), { requiredScopes: ["mcp:tools", "mcp:admin"] });
    const response = await post(s, { authorization: `Bearer ${await keys.sign({ scope: "mcp:tools" })}` });
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer error="insufficient_scope", error_description="missing scope: mcp:admin", resource_metadata="${METADATA_URL}", scope="mcp:tools mcp:admin"`,
    );
    expect((await response.json()).error).toMatchObject({ code: AuthErrorCode.InsufficientScope, data: { error: "insufficient_scope" } });
  });
});

describe("invalid JWTs → 401 invalid_token", () => {
  const unsigned = (payload: Record<string, unknown>) =>
    `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
  const cases: [string, () => Promise<string>, string][] = [
    ["expired", () => keys.sign({ iat: keys.now() - 600, exp: keys.now() - 120 }), "token expired"],
    ["not yet valid (nbf in the future)", () => keys.sign({ nbf: keys.now() + 600 }), "token not yet valid"],
    ["wrong issuer", () => keys.sign({ iss: "https://evil.example.com" }), "wrong issuer"],
    ["for another resource (RFC 8707: no passthrough)", () => keys.sign({ aud: "https://other.example.com/mcp" }), "token is not for this resource"],
    ["bad signature", () => keys.sign({}, { key: "other" }), "signature verification failed"],
    ["unknown kid", () => keys.sign({}, { kid: "k-unknown" }), "no matching signing key"],
    ["alg none", async () => unsigned({ iss: keys.issuer, aud: RESOURCE, sub: "user-1", exp: keys.now() + 300, scope: "mcp:tools" }), "signing algorithm not allowed"],
    ["garbage", async () => "not-a-jwt", "malformed token"],
  ];
  it.each(cases)("%s", async (_label, make, description) => {
    const token = await make();
    const response = await post(server(jwt()).server, { authorization: `Bearer ${token}` });
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate")!;
    expect(challenge).toBe(`Bearer error="invalid_token", error_description="${description.replace(/"/g, '\\"')}", resource_metadata="${METADATA_URL}", scope="mcp:tools"`);
    const body = await response.text();
    expect(JSON.parse(body).error.code).toBe(AuthErrorCode.Unauthorized);
    expect(body + challenge).not.toContain(token);
  });

  it("an unknown kid refetches the JWKS once (past the cooldown), then refuses", async () => {
    const s = server(jwtVerifier({ issuer: keys.issuer, jwksUri: keys.jwksUri, cooldownMs: 0 })).server;
    expect((await post(s, { authorization: `Bearer ${await keys.sign()}` })).status).toBe(200);
    const before = keys.hits();
    expect((await post(s, { authorization: `Bearer ${await keys.sign({}, { kid: "k-unknown" })}` })).status).toBe(401);
    expect(keys.hits() - before).toBe(1);
  });

  it("within the cooldown, unknown kids do not hammer the authorization server", async () => {
    const s = server(jwt()).server;
    expect((await post(s, { authorization: `Bearer ${await keys.sign()}` })).status).toBe(200);
    const before = keys.hits();
    for (const kid of ["k-x", "k-y", "k-z"]) expect((await post(s, { authorization: `Bearer ${await keys.sign({}, { kid })}` })).status).toBe(401);
    expect(keys.hits() - before).toBe(0);
  });

  it("a verifier whose description contains the token has it scrubbed", async () => {
    const leaky: TokenVerifier = { verify: async (token) => Promise.reject(new InvalidTokenError(`bad token ${token}`)) };
    const response = await post(server(leaky).server, { authorization: "Bearer secret-token-value-123" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error_description="invalid token"');
    expect(await response.text()).not.toContain("secret-token-value-123");
  });

  it("a verifier that throws something unexpected → 500, never a pass", async () => {
    const broken: TokenVerifier = { verify: async () => Promise.reject(new Error("boom")) };
    const response = await post(server(broken).server, { authorization: "Bearer abc" });
    expect(response.status).toBe(500);
    expect((await response.json()).error.code).toBe(AuthErrorCode.VerifierFailed);
  });
});

describe("authorization server unavailable → 503 with Retry-After, within the timeout", () => {
  it("JWKS endpoint that never answers", async () => {
    const hang = await listen(() => {});
    try {
      const verifier = jwtVerifier({ issuer: keys.issuer, jwksUri: `${hang.origin}/jwks`, timeoutMs: 300 });
      const started = Date.now();
      const response = await post(server(verifier).server, { authorization: `Bearer ${await keys.sign()}` });
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(response.headers.get("retry-after")).toBe("5");
      expect((await response.json()).error.code).toBe(AuthErrorCode.AuthorizationServerUnavailable);
    } finally {
      await hang.close();
    }
  });

  it("introspection endpoint refusing connections", async () => {
    const gone = await listen(() => {});
    const endpoint = `${gone.origin}/introspect`;
    await gone.close();
    const verifier = introspectionVerifier({ endpoint, clientId: "rs", clientSecret: "s", timeoutMs: 300 });
    const response = await post(server(verifier).server, { authorization: "Bearer opaque-token" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });

  it("a verifier that hangs is cut off by protectedResource's own timeoutMs", async () => {
    let aborted = false;
    const stuck: TokenVerifier = { verify: (_t, { signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => ((aborted = true), reject(new Error("aborted"))))) };
    const started = Date.now();
    const response = await post(server(stuck, { timeoutMs: 200, retryAfterSec: 7 }).server, { authorization: "Bearer abc" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(aborted).toBe(true);
  });

  it("a verifier's own Retry-After wins", async () => {
    const down: TokenVerifier = { verify: async () => Promise.reject(new AuthorizationServerUnavailableError("down", 30)) };
    const response = await post(server(down).server, { authorization: "Bearer abc" });
    expect(response.headers.get("retry-after")).toBe("30");
  });
});

describe("requestState is bound to the token's principal (2026-07-28 input rounds)", () => {
  it("a requestState issued to one caller and replayed with another caller's token → -32602; its own caller completes", async () => {
    const s = createServer({ name: "guarded", version: "1" })
      .tool("confirm", { description: "Asks before acting" }, async (_args, ctx) => {
        const answer = await ctx.elicit({ key: "sure", message: "Sure?", schema: { type: "object", properties: { ok: { type: "boolean" } } } });
        return answer.action === "accept" ? `done for ${ctx.auth?.principal}` : "not done";
      })
      .onRequest(protectedResource({ resource: RESOURCE, authorizationServers: [AS], verifier: jwt() }));
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
    const call = (token: string, params: Record<string, unknown>) =>
      s.handle(
        new Request(RESOURCE, {
          method: "POST",
          headers: { ...JSON_AND_SSE, authorization: `Bearer ${token}`, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "confirm" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "confirm", arguments: {}, _meta: meta, ...params } }),
        }),
      );
    const alice = await keys.sign({ sub: "alice" });
    const bob = await keys.sign({ sub: "bob" });
    const round1 = await (await call(alice, {})).json();
    expect(round1.result.resultType).toBe("input_required");
    const retry = { requestState: round1.result.requestState, inputResponses: { sure: { action: "accept", content: { ok: true } } } };
    const replayed = await (await call(bob, retry)).json();
    expect(replayed.error).toEqual({ code: -32602, message: "Invalid requestState: issued to another caller; start over without requestState" });
    const completed = await (await call(alice, retry)).json();
    expect(completed.result.content[0].text).toBe("done for alice");
  });
});

describe("per-feature scopes behind protectedResource", () => {
  it("a valid token without a tool's own scope → 403 step-up naming this server's metadata and every scope to ask for", async () => {
    const s = createServer({ name: "guarded", version: "1" })
      .tool("purge", { description: "Deletes everything", scopes: ["mcp:admin"] }, () => "purged")
      .onRequest(protectedResource({ resource: RESOURCE, authorizationServers: [AS], requiredScopes: ["mcp:tools"], verifier: jwt() }));
    const call = async (token: string) => {
      const opened = await post(s, { authorization: `Bearer ${token}` });
      const sessionId = opened.headers.get("mcp-session-id")!;
      return s.handle(
        new Request(RESOURCE, {
          method: "POST",
          headers: { ...JSON_AND_SSE, authorization: `Bearer ${token}`, "mcp-session-id": sessionId },
          body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "purge" } }),
        }),
      );
    };
    const refused = await call(await keys.sign({ scope: "mcp:tools" }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toBe(`Bearer error="insufficient_scope", resource_metadata="${metadataUrl(RESOURCE)}", scope="mcp:tools mcp:admin"`);
    expect((await refused.json()).error).toMatchObject({ code: -32011, data: { requiredScopes: ["mcp:admin"] } });
    const allowed = await call(await keys.sign({ scope: "mcp:tools mcp:admin" }));
    expect((await allowed.json()).result.content[0].text).toBe("purged");
  });
});
