import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload } from "jose";
import Provider from "oidc-provider";

export const RESOURCE = "http://127.0.0.1:3000/mcp";
export const OPAQUE_RESOURCE = "http://127.0.0.1:3000/mcp-opaque";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Listens on 127.0.0.1 on a free port; `close` ends open connections too. */
export async function listen(handler: Handler): Promise<{ server: Server; origin: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A real authorization server (oidc-provider) minting JWT and opaque access tokens via client_credentials. */
export async function startAuthorizationServer() {
  let handler: Handler = (_req, res) => res.end();
  const counts = { introspection: 0, jwks: 0 };
  const http = await listen((req, res) => {
    if (req.url?.startsWith("/token/introspection")) counts.introspection++;
    if (req.url?.startsWith("/jwks")) counts.jwks++;
    handler(req, res);
  });
  const issuer = http.origin;
  const provider = new Provider(issuer, {
    clients: [
      { client_id: "app-a", client_secret: "secret-a-0123456789", grant_types: ["client_credentials"], response_types: [], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic", scope: "mcp:tools mcp:admin" },
      { client_id: "app-b", client_secret: "secret-b-0123456789", grant_types: ["client_credentials"], response_types: [], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic", scope: "mcp:tools mcp:admin" },
      { client_id: "wisp-rs", client_secret: "wisp-rs-secret-0123456789", grant_types: [], response_types: [], redirect_uris: [], token_endpoint_auth_method: "client_secret_basic" },
    ],
    scopes: ["openid", "mcp:tools", "mcp:admin"],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => ({
          audience: indicator,
          scope: "mcp:tools mcp:admin",
          accessTokenTTL: 300,
          accessTokenFormat: indicator.endsWith("-opaque") ? "opaque" : "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  });
  handler = provider.callback();

  /** A client_credentials token for `resource` with `scope`. */
  async function token(client: "app-a" | "app-b", resource: string, scope = "mcp:tools mcp:admin"): Promise<string> {
    const secret = client === "app-a" ? "secret-a-0123456789" : "secret-b-0123456789";
    const response = await fetch(`${issuer}/token`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`${client}:${secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", resource, scope }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await response.json()) as { access_token?: string };
    if (!response.ok || !body.access_token) throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  return { issuer, jwksUri: `${issuer}/jwks`, introspectionEndpoint: `${issuer}/token/introspection`, counts, token, close: http.close };
}

/** A JWKS the test controls, served locally, and a signer for hand-made tokens. */
export async function startKeyServer() {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const other = await generateKeyPair("RS256", { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  let hits = 0;
  const http = await listen((req, res) => {
    hits++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  const issuer = http.origin;
  const now = () => Math.floor(Date.now() / 1000);

  async function sign(claims: JWTPayload = {}, header: { kid?: string; key?: "own" | "other" } = {}): Promise<string> {
    return new SignJWT({ scope: "mcp:tools", client_id: "hand-made", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: header.kid ?? "k1", typ: "at+jwt" })
      .setIssuer((claims.iss as string | undefined) ?? issuer)
      .setAudience((claims.aud as string | undefined) ?? RESOURCE)
      .setSubject((claims.sub as string | undefined) ?? "user-1")
      .setIssuedAt((claims.iat as number | undefined) ?? now())
      .setExpirationTime((claims.exp as number | undefined) ?? now() + 300)
      .sign(header.key === "other" ? other.privateKey : privateKey);
  }

  return { issuer, jwksUri: `${issuer}/jwks`, sign, hits: () => hits, close: http.close, now };
}
