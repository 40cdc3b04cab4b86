/**
 * End to end against a REAL authorization server (oidc-provider, in-process on 127.0.0.1):
 * client_credentials tokens with RFC 8707 resource indicators, JWT (JWKS) and opaque
 * (RFC 7662 introspection) access tokens, through a Wisp server's `handle(Request)`.
 */
import { createServer, type AuthInfo } from "@wisp/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { introspectionVerifier, jwtVerifier, protectedResource, type TokenVerifier } from "./index.js";
import { OPAQUE_RESOURCE, RESOURCE, startAuthorizationServer } from "./test-support/servers.js";

const JSON_AND_SSE = { "content-type": "application/json", accept: "application/json, text/event-stream" };
let as: Awaited<ReturnType<typeof startAuthorizationServer>>;
beforeAll(async () => {
  as = await startAuthorizationServer();
});
afterAll(() => as?.close());

function guarded(resource: string, verifier: TokenVerifier) {
  const seen: { auth?: AuthInfo } = {};
  const server = createServer({ name: "guarded", version: "1", requestStateSecret: "test-secret-that-is-at-least-32-bytes-long" })
    .tool("whoami", { description: "Who is calling" }, (_args, ctx) => {
      seen.auth = ctx.auth;
      return `${ctx.auth?.principal} ${ctx.auth?.scopes?.join(",")}`;
    })
    .onRequest(protectedResource({ resource, authorizationServers: [as.issuer], scopesSupported: ["mcp:tools", "mcp:admin"], requiredScopes: ["mcp:tools"], verifier }));
  return { server, seen, endpoint: resource };
}

async function send(g: ReturnType<typeof guarded>, body: unknown, headers: Record<string, string>) {
  const response = await g.server.handle(new Request(g.endpoint, { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: JSON.stringify(body) }));
  const text = await response.text();
  const data = text.split("\n").filter((l) => l.startsWith("data: "));
  return { status: response.status, headers: response.headers, body: text && (data.length ? JSON.parse(data[data.length - 1]!.slice(6)) : JSON.parse(text)), text };
}

const initialize = (g: ReturnType<typeof guarded>, token: string) =>
  send(g, { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } }, { authorization: `Bearer ${token}` });

describe("JWT access tokens from oidc-provider", () => {
  const verifier = () => jwtVerifier({ issuer: as.issuer, jwksUri: as.jwksUri, timeoutMs: 2000 });

  it("2025 initialize + tools/call: the tool sees principal and scopes, never the token", async () => {
    const g = guarded(RESOURCE, verifier());
    const token = await as.token("app-a", RESOURCE);
    const init = await initialize(g, token);
    expect(init.status).toBe(200);
    const sessionId = init.headers.get("mcp-session-id")!;
    const headers = { authorization: `Bearer ${token}`, "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" };
    expect((await send(g, { jsonrpc: "2.0", method: "notifications/initialized" }, headers)).status).toBe(202);
    const call = await send(g, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }, headers);
    expect(call.status).toBe(200);
    expect(call.body.result.content[0].text).toBe("app-a mcp:tools,mcp:admin");
    expect(g.seen.auth).toMatchObject({ principal: "app-a", scopes: ["mcp:tools", "mcp:admin"], clientId: "app-a", claims: { iss: as.issuer, aud: RESOURCE } });
    expect(g.seen.auth!.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(JSON.stringify(g.seen.auth)).not.toContain(token);

    // The same session with another principal's (valid) token → 404: sessions are bound to auth.principal.
    const other = await as.token("app-b", RESOURCE);
    const hijack = await send(g, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "whoami", arguments: {} } }, { ...headers, authorization: `Bearer ${other}` });
    expect(hijack.status).toBe(404);
  });

  it("a 2026-07-28 stateless tools/call succeeds", async () => {
    const g = guarded(RESOURCE, verifier());
    const token = await as.token("app-b", RESOURCE);
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" } };
    const call = await send(
      g,
      { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "whoami", arguments: {}, _meta: meta } },
      { authorization: `Bearer ${token}`, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "whoami" },
    );
    expect(call.status).toBe(200);
    expect(call.body.result.content[0].text).toBe("app-b mcp:tools,mcp:admin");
  });

  it("a token for another resource (RFC 8707) → 401 invalid_token", async () => {
    const g = guarded(RESOURCE, verifier());
    const token = await as.token("app-a", "http://127.0.0.1:3000/other");
    const response = await initialize(g, token);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token", error_description="token is not for this resource"');
  });

  it("a token without the required scope → 403 insufficient_scope", async () => {
    const g = guarded(RESOURCE, verifier());
    const response = await initialize(g, await as.token("app-a", RESOURCE, "mcp:admin"));
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(response.headers.get("www-authenticate")).toContain('scope="mcp:tools"');
  });
});

describe("opaque access tokens via RFC 7662 introspection", () => {
  const verifier = (cache?: { maxEntries?: number; ttlMs?: number }) =>
    introspectionVerifier({ endpoint: as.introspectionEndpoint, clientId: "wisp-rs", clientSecret: "wisp-rs-secret-0123456789", timeoutMs: 2000, cache });

  it("active token: passes, and the AS is asked once for two uses (cache keyed by SHA-256)", async () => {
    const g = guarded(OPAQUE_RESOURCE, verifier());
    const token = await as.token("app-a", OPAQUE_RESOURCE);
    expect(token.split(".")).toHaveLength(1); // opaque, not a JWT
    const before = as.counts.introspection;
    const init = await initialize(g, token);
    expect(init.status).toBe(200);
    const headers = { authorization: `Bearer ${token}`, "mcp-session-id": init.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-11-25" };
    const call = await send(g, { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "whoami", arguments: {} } }, headers);
    expect(call.status).toBe(200);
    expect(as.counts.introspection - before).toBe(1);
    expect(g.seen.auth).toMatchObject({ principal: "app-a", scopes: ["mcp:tools", "mcp:admin"], clientId: "app-a" });
    expect(JSON.stringify(g.seen.auth)).not.toContain(token);
  });

  it("with the cache off (ttl 0), every use asks the AS", async () => {
    const g = guarded(OPAQUE_RESOURCE, verifier({ ttlMs: 0 }));
    const token = await as.token("app-a", OPAQUE_RESOURCE);
    const before = as.counts.introspection;
    expect((await initialize(g, token)).status).toBe(200);
    expect((await initialize(g, token)).status).toBe(200);
    expect(as.counts.introspection - before).toBe(2);
  });

  it("inactive (unknown) token → 401 invalid_token", async () => {
    const g = guarded(OPAQUE_RESOURCE, verifier());
    const response = await initialize(g, "bm90LWEtcmVhbC10b2tlbi1hdC1hbGwtMDEyMzQ1Njc4OQ");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token", error_description="token is not active"');
  });

  it("an active token for another resource → 401 (audience checked)", async () => {
    const g = guarded("http://127.0.0.1:3000/mcp", verifier());
    const response = await initialize(g, await as.token("app-a", OPAQUE_RESOURCE));
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error_description="token is not for this resource"');
  });

  it("wrong resource-server credentials at the AS → 503, not a pass", async () => {
    const g = guarded(OPAQUE_RESOURCE, introspectionVerifier({ endpoint: as.introspectionEndpoint, clientId: "wisp-rs", clientSecret: "wrong", timeoutMs: 2000 }));
    const response = await initialize(g, await as.token("app-a", OPAQUE_RESOURCE));
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });
});
