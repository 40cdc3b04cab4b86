/**
 * A DEVELOPMENT-ONLY OAuth 2.1 authorization server (oidc-provider) on 127.0.0.1: dynamic client
 * registration, authorization code + PKCE, RFC 8707 resource indicators, JWT access tokens. There is
 * no login page: every authorization logs in as "alice" and consents to whatever was asked.
 * In-memory storage and generated signing keys: everything is forgotten on restart.
 * Never expose it beyond loopback.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

/** The user every authorization is granted to. */
export const ACCOUNT = "alice";

export interface DevAuthorizationServer {
  issuer: string;
  jwksUri: string;
  close(): Promise<void>;
}

export interface DevAuthorizationServerOptions {
  /** The MCP endpoint's resource URI: the audience of the access tokens when a client names none. */
  resource: string;
  scopes: string[];
  port?: number;
  /** Access token lifetime, seconds. Default 300. */
  accessTokenTTL?: number;
  /** Sees the path of every request (tests count registrations, token requests…). */
  onRequest?: (path: string) => void;
}

export async function startDevAuthorizationServer(options: DevAuthorizationServerOptions): Promise<DevAuthorizationServer> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const http = createServer((req, res) => {
    options.onRequest?.((req.url ?? "/").split("?")[0]!);
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    scopes: ["openid", "offline_access", ...options.scopes],
    findAccount: (_ctx: unknown, accountId: string) => ({ accountId, claims: () => ({ sub: accountId }) }),
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 300, RegistrationAccessToken: 86_400 },
    // Dynamically registered clients may ask for any scope later (step-up), not only the one they registered with.
    extraClientMetadata: {
      properties: ["x-dev"],
      validator(_ctx: unknown, _key: string, _value: unknown, metadata: Record<string, unknown>) {
        delete metadata.scope;
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.resource,
        useGrantedResource: () => true,
        // Access tokens for the MCP server: JWTs with aud = the resource, verified by @wisp/auth's jwtVerifier.
        getResourceServerInfo: (_ctx: unknown, indicator: string) => ({
          audience: indicator,
          scope: options.scopes.join(" "),
          accessTokenTTL: options.accessTokenTTL ?? 300,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  });
  const callback = provider.callback();

  /** The auto-approving stand-in for a login and consent page. */
  async function interaction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT } }, { mergeWithLastSubmission: false });
    } else if (details.prompt.name === "consent") {
      const grant = new provider.Grant({ accountId: details.session?.accountId ?? ACCOUNT, clientId: String(details.params.client_id) });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(" "));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } else {
      res.writeHead(400, { "content-type": "text/plain" }).end(`unsupported prompt: ${details.prompt.name}`);
    }
  }

  handler = (req, res) => {
    if (!(req.url ?? "").startsWith("/interaction/")) return callback(req, res);
    interaction(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
