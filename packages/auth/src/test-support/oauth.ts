/**
 * The interactive half of OAuth for tests: a real authorization server (oidc-provider) that runs
 * the authorization code flow with dynamic client registration, PKCE and RFC 8707 resource
 * indicators, logging in and consenting automatically as "alice"; and an OAuth client provider for
 * the official MCP SDK clients (v1 and v2) whose `redirectToAuthorization` follows the
 * authorization URL's redirects with a cookie jar, as a browser would, and captures the callback.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import Provider from "oidc-provider";
import { listen } from "./servers.js";

/** The user every interaction logs in. */
export const ACCOUNT = "alice";

/**
 * oidc-provider on 127.0.0.1 (free port): authorization code + PKCE, dynamic registration, JWT access
 * tokens (RS256) for any resource indicator, `defaultResource` for requests without one. Login and
 * consent are answered by a route that approves everything (no UI).
 */
export async function startInteractiveAuthorizationServer(options: { defaultResource: string; scopes?: string[]; accessTokenTTL?: number }) {
  const scopes = options.scopes ?? ["mcp:tools", "mcp:admin"];
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const counts = { registration: 0, authorization: 0, token: 0, interactions: 0 };
  const http = await listen((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/reg") counts.registration++;
    if (path === "/auth") counts.authorization++;
    if (path === "/token") counts.token++;
    handler(req, res);
  });
  const issuer = http.origin;
  const provider = new Provider(issuer, {
    scopes: ["openid", "offline_access", ...scopes],
    findAccount: (_ctx: unknown, accountId: string) => ({ accountId, claims: () => ({ sub: accountId }) }),
    ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 300, RegistrationAccessToken: 86_400 },
    // Dynamic registration restricts later requests to the registered `scope`: drop it so a client may ask for more (step-up).
    extraClientMetadata: {
      properties: ["x"],
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
        defaultResource: () => options.defaultResource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => ({
          audience: indicator,
          scope: scopes.join(" "),
          accessTokenTTL: options.accessTokenTTL ?? 300,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: "RS256" } },
        }),
      },
    },
  });
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse) {
    counts.interactions++;
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === "login") {
      await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT } }, { mergeWithLastSubmission: false });
      return;
    }
    if (details.prompt.name === "consent") {
      const grant = new provider.Grant({ accountId: details.session?.accountId ?? ACCOUNT, clientId: String(details.params.client_id) });
      const missing = details.prompt.details;
      if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      for (const [indicator, wanted] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, wanted.join(" "));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    res.writeHead(400, { "content-type": "text/plain" }).end(`unexpected prompt ${details.prompt.name}`);
  }

  handler = (req, res) => {
    if ((req.url ?? "").startsWith("/interaction/")) {
      interaction(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`interaction failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      return;
    }
    callback(req, res);
  };

  return { issuer, jwksUri: `${issuer}/jwks`, counts, close: http.close };
}

/** What a browser would have done, as far as the test can see. */
export interface AuthorizationTrip {
  /** Every URL visited, in order (authorization URL first, callback last). */
  visited: URL[];
  /** The callback URL the authorization server sent the user agent to. */
  callback: URL;
}

/** Follows `url`'s redirects (bounded) with a cookie jar until one points at `redirectUri`; rejects on anything else. */
export async function followAuthorization(url: URL, redirectUri: string, { maxHops = 20, timeoutMs = 5_000 } = {}): Promise<AuthorizationTrip> {
  const jar = new Map<string, string>();
  const visited: URL[] = [];
  let next = url;
  for (let hop = 0; hop < maxHops; hop++) {
    visited.push(next);
    if (next.href.startsWith(redirectUri)) return { visited, callback: next };
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(next, { redirect: "manual", headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(timeoutMs) });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      if (value === "" || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    const location = response.headers.get("location");
    const body = await response.text();
    if (response.status < 300 || response.status >= 400 || !location) throw new Error(`authorization stopped at ${next.href}: ${response.status} ${body.slice(0, 500)}`);
    next = new URL(location, next);
  }
  throw new Error(`authorization did not reach ${redirectUri} within ${maxHops} redirects: ${visited.map(String).join(" → ")}`);
}

/**
 * An in-memory OAuth client provider for both SDK generations (structurally compatible with v1's
 * and v2's `OAuthClientProvider`). Registers dynamically as a public client (PKCE, no secret).
 */
export class AutoApproveOAuthProvider {
  private client?: Record<string, any>;
  private saved?: Record<string, any>;
  private verifier?: string;
  private discovery?: Record<string, any>;
  /** Each authorization the SDK started, with where it went. */
  readonly trips: AuthorizationTrip[] = [];
  /** The last callback URL reached, until `takeCallback()`. */
  private pending?: URL;

  constructor(readonly redirectUrl: string = "http://127.0.0.1:1/callback", private readonly name = "wisp-test-client") {}

  get clientMetadata() {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.client as any;
  }
  saveClientInformation(information: Record<string, any>) {
    this.client = information;
  }
  tokens() {
    return this.saved as any;
  }
  saveTokens(tokens: Record<string, any>) {
    this.saved = tokens;
  }
  async redirectToAuthorization(authorizationUrl: URL) {
    const trip = await followAuthorization(authorizationUrl, this.redirectUrl);
    this.trips.push(trip);
    this.pending = trip.callback;
  }
  saveCodeVerifier(codeVerifier: string) {
    this.verifier = codeVerifier;
  }
  codeVerifier() {
    if (!this.verifier) throw new Error("no code verifier saved");
    return this.verifier;
  }
  discoveryState() {
    return this.discovery as any;
  }
  saveDiscoveryState(state: Record<string, any>) {
    this.discovery = state;
  }
  /** The callback URL of the last authorization (once); throws if none happened. */
  takeCallback(): URL {
    const callback = this.pending;
    if (!callback) throw new Error("the SDK never redirected to the authorization server");
    this.pending = undefined;
    return callback;
  }
  /** The access token saved, if any. */
  get accessToken(): string | undefined {
    return this.saved?.access_token;
  }
}
