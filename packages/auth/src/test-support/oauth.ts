/**
 * The interactive half of OAuth for tests: a real authorization server (oidc-provider) that runs
 * the authorization code flow with dynamic client registration, PKCE and RFC 8707 resource
 * indicators, logging in and consenting automatically as "alice"; and an OAuth client provider for
 * the official MCP SDK clients (v1 and v2) whose `redirectToAuthorization` follows the
 * authorization URL's redirects with a cookie jar, as a browser would, and captures the callback.
 */
import { startDevAuthorizationServer } from "../../../../examples/oauth/src/authorization-server.js";

/** The user every interaction logs in. */
export { ACCOUNT } from "../../../../examples/oauth/src/authorization-server.js";

/**
 * The example's development authorization server (examples/oauth: oidc-provider on 127.0.0.1,
 * authorization code + PKCE, dynamic registration, JWT access tokens for any resource indicator,
 * login and consent approved as "alice"), with counts of the requests the tests look at.
 */
export async function startInteractiveAuthorizationServer(options: { defaultResource: string; scopes?: string[]; accessTokenTTL?: number }) {
  const counts = { registration: 0, authorization: 0, token: 0, interactions: 0 };
  const server = await startDevAuthorizationServer({
    resource: options.defaultResource,
    scopes: options.scopes ?? ["mcp:tools", "mcp:admin"],
    accessTokenTTL: options.accessTokenTTL,
    onRequest: (path) => {
      if (path === "/reg") counts.registration++;
      else if (path === "/auth") counts.authorization++;
      else if (path === "/token") counts.token++;
      else if (path.startsWith("/interaction/")) counts.interactions++;
    },
  });
  return { issuer: server.issuer, jwksUri: server.jwksUri, counts, close: server.close };
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
