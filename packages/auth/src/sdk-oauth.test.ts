/**
 * The official MCP SDK clients (v1 `@modelcontextprotocol/sdk` and v2 `@modelcontextprotocol/client`)
 * run their whole OAuth flow against a REAL authorization server (oidc-provider, in-process) and a
 * Wisp server protected by `protectedResource` + `jwtVerifier`, over real HTTP on 127.0.0.1:
 * bare 401 → RFC 9728 metadata → AS metadata → dynamic registration → authorization code + PKCE
 * with `resource` (auto-approved login and consent as "alice") → token → MCP calls.
 */
import { Client as ClientV2, StreamableHTTPClientTransport as TransportV2, UnauthorizedError as UnauthorizedV2 } from "@modelcontextprotocol/client";
import { UnauthorizedError as UnauthorizedV1 } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client as ClientV1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as TransportV1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createServer, type AuthInfo } from "@wisp/core";
import { toNodeHandler } from "@wisp/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTimeout } from "../../../test-kit/process.js";
import { jwtVerifier, protectedResource } from "./index.js";
import { ACCOUNT, AutoApproveOAuthProvider, startInteractiveAuthorizationServer } from "./test-support/oauth.js";
import { listen } from "./test-support/servers.js";

let as: Awaited<ReturnType<typeof startInteractiveAuthorizationServer>>;
let mcp: Awaited<ReturnType<typeof listen>>;
let endpoint: string;
const seen: AuthInfo[] = [];
/** Every MCP request the Wisp server received: method, path, whether it carried a Bearer token, and the answer. */
const wire: { method: string; path: string; bearer: boolean; status: number }[] = [];

beforeAll(async () => {
  let wisp: ReturnType<typeof toNodeHandler> = (_req, res) => void res.end();
  mcp = await listen((req, res) => {
    const entry = { method: req.method ?? "", path: req.url ?? "", bearer: /^Bearer /.test(req.headers.authorization ?? ""), status: 0 };
    res.once("finish", () => wire.push({ ...entry, status: res.statusCode }));
    wisp(req, res);
  });
  endpoint = `${mcp.origin}/mcp`;
  as = await startInteractiveAuthorizationServer({ defaultResource: endpoint });
  const server = createServer({ name: "oauth-guarded", version: "1.0.0", requestStateSecret: "test-secret-that-is-at-least-32-bytes-long" })
    .tool("whoami", { description: "Who is calling" }, (_args, ctx) => {
      seen.push(ctx.auth!);
      return `hello ${ctx.auth?.principal} (${ctx.auth?.scopes?.join(" ")})`;
    })
    .onRequest(
      protectedResource({
        resource: endpoint,
        authorizationServers: [as.issuer],
        scopesSupported: ["mcp:tools", "mcp:admin"],
        requiredScopes: ["mcp:tools"],
        verifier: jwtVerifier({ issuer: as.issuer, jwksUri: as.jwksUri, timeoutMs: 2000, requiredTyp: "at+jwt" }),
      }),
    );
  wisp = toNodeHandler(server, { loopback: true });
});
afterAll(async () => {
  await mcp?.close();
  await as?.close();
});

function checkToken(token: string | undefined) {
  expect(token).toBeTruthy();
  const payload = JSON.parse(Buffer.from(token!.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
  expect(payload).toMatchObject({ iss: as.issuer, aud: endpoint, sub: ACCOUNT, scope: "mcp:tools" });
  return payload;
}

describe("OAuth end to end with the official SDK clients", () => {
  it("a bare request gets the 401 challenge, and the metadata names the authorization server", async () => {
    const bare = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(bare.status).toBe(401);
    expect(bare.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${mcp.origin}/.well-known/oauth-protected-resource/mcp", scope="mcp:tools"`);
    const metadata = (await (await fetch(`${mcp.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({ resource: endpoint, authorization_servers: [as.issuer], scopes_supported: ["mcp:tools", "mcp:admin"] });
  });

  it("v1 client (2025 era): 401 → discovery → registration → code + PKCE + resource → initialize + tools/call", async () => {
    const provider = new AutoApproveOAuthProvider("http://127.0.0.1:1/v1/callback", "v1-client");
    const before = { ...as.counts };
    const first = new ClientV1({ name: "v1-client", version: "1.0.0" });
    const error = await withTimeout(first.connect(new TransportV1(new URL(endpoint), { authProvider: provider })).then(() => undefined, (e: unknown) => e), 15_000, "v1 first connect");
    expect(error).toBeInstanceOf(UnauthorizedV1);
    await first.close();

    // What the SDK sent the "browser" to: PKCE S256, the resource indicator, the scope from the challenge.
    const trip = provider.trips[0]!;
    const authorize = trip.visited[0]!;
    expect(authorize.origin).toBe(as.issuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("resource")).toBe(endpoint);
    expect(authorize.searchParams.get("scope")).toBe("mcp:tools");
    expect(trip.visited.some((url) => url.pathname.startsWith("/interaction/"))).toBe(true);
    expect(as.counts.registration - before.registration).toBe(1);

    const callback = provider.takeCallback();
    expect(callback.searchParams.get("iss")).toBe(as.issuer);
    const transport = new TransportV1(new URL(endpoint), { authProvider: provider });
    await withTimeout(transport.finishAuth(callback.searchParams.get("code")!), 5_000, "v1 finishAuth");
    checkToken(provider.accessToken);

    const client = new ClientV1({ name: "v1-client", version: "1.0.0" });
    try {
      await withTimeout(client.connect(new TransportV1(new URL(endpoint), { authProvider: provider })), 10_000, "v1 initialize");
      const result = await withTimeout(client.callTool({ name: "whoami", arguments: {} }), 10_000, "v1 tools/call");
      expect(result.content).toEqual([{ type: "text", text: `hello ${ACCOUNT} (mcp:tools)` }]);
      expect(seen.at(-1)).toMatchObject({ principal: ACCOUNT, scopes: ["mcp:tools"], clientId: provider.clientInformation().client_id, claims: { iss: as.issuer, aud: endpoint } });
      expect(JSON.stringify(seen.at(-1))).not.toContain(provider.accessToken!);
    } finally {
      await client.close();
    }
  });

  it("v2 client: the same flow (finishAuth checks iss), then 2025-era and 2026-07-28 tools/call with the token", async () => {
    const provider = new AutoApproveOAuthProvider("http://127.0.0.1:1/v2/callback", "v2-client");
    const before = { ...as.counts };
    const first = new ClientV2({ name: "v2-client", version: "2.0.0" }, { versionNegotiation: { mode: "legacy" } });
    const error = await withTimeout(first.connect(new TransportV2(new URL(endpoint), { authProvider: provider })).then(() => undefined, (e: unknown) => e), 15_000, "v2 first connect");
    expect(error).toBeInstanceOf(UnauthorizedV2);
    await first.close();
    expect(as.counts.registration - before.registration).toBe(1);
    const authorize = provider.trips[0]!.visited[0]!;
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("resource")).toBe(endpoint);

    const callback = provider.takeCallback();
    const finishing = new TransportV2(new URL(endpoint), { authProvider: provider });
    await withTimeout(finishing.finishAuth(callback.searchParams), 5_000, "v2 finishAuth");
    checkToken(provider.accessToken);

    // 2025 era (initialize + session).
    const legacy = new ClientV2({ name: "v2-client", version: "2.0.0" }, { versionNegotiation: { mode: "legacy" } });
    try {
      await withTimeout(legacy.connect(new TransportV2(new URL(endpoint), { authProvider: provider })), 10_000, "v2 initialize");
      const result = await withTimeout(legacy.callTool({ name: "whoami", arguments: {} }), 10_000, "v2 legacy tools/call");
      expect(result.content).toEqual([{ type: "text", text: `hello ${ACCOUNT} (mcp:tools)` }]);
      expect(seen.at(-1)).toMatchObject({ principal: ACCOUNT, scopes: ["mcp:tools"] });
    } finally {
      await legacy.close();
    }

    // 2026-07-28 (stateless), the same provider on the transport.
    const calls = wire.length;
    const modern = new ClientV2({ name: "v2-client", version: "2.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    try {
      await withTimeout(modern.connect(new TransportV2(new URL(endpoint), { authProvider: provider })), 10_000, "v2 2026 connect");
      expect(modern.getProtocolEra()).toBe("modern");
      const result = await withTimeout(modern.callTool({ name: "whoami", arguments: {} }), 10_000, "v2 2026 tools/call");
      expect(result.content).toEqual([{ type: "text", text: `hello ${ACCOUNT} (mcp:tools)` }]);
      expect(seen.at(-1)).toMatchObject({ principal: ACCOUNT, scopes: ["mcp:tools"] });
    } finally {
      await modern.close();
    }
    const modernPosts = wire.slice(calls).filter((w) => w.method === "POST");
    expect(modernPosts.length).toBeGreaterThan(0);
    expect(modernPosts.every((w) => w.bearer && w.status === 200)).toBe(true);
  });
});
